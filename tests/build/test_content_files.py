"""Files published as they are — images, SVG drawings and PDFs in content/, and everything in static/ —
are what their names say and run no code on the site's address; links among them are not followed."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import Project

SVG_START = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">\n'
GOOD_SVG = (SVG_START + '  <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>\n'
            '  <title>A week</title>\n  <rect width="10" height="10" fill="url(#g)" style="stroke: url(#g)"/>\n'
            '  <use href="#g"/><use xlink:href="#g"/>\n  <a href="https://988lifeline.org/"><text>988</text></a>\n</svg>\n')


def problems(project: Project) -> list[str]:
    run = project.build()
    assert run.code == 1, run.out
    return [line for line in run.err.splitlines() if line.startswith("content/") or line.startswith("static/")]


def test_a_clean_svg_from_a_drawing_program_is_published(project: Project) -> None:
    drawing = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
               '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
               + GOOD_SVG.replace("<title>", '<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
                                            '</metadata><title>'))
    project.write("content/images/week.svg", drawing)
    project.edit("content/topic.md", "Some text with a", "![A week](images/week.svg) Some text with a")
    run = project.build()
    assert run.code == 0, run.err
    published = list((project.root / "output" / "images").glob("week.*.svg"))
    assert [path.read_text() for path in published] == [drawing]


@pytest.mark.parametrize("svg, line, what", [
    (SVG_START + '<script>alert(document.domain)</script>\n</svg>', 2, "<script>"),
    (SVG_START + '<circle r="5"/>\n<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject></svg>',
     3, "<foreignObject>"),
    (SVG_START + '<rect width="1"\n height="1" onload="alert(1)"/></svg>', 2, "onload="),
    (SVG_START + '<a href="javascript:alert(1)"><text>x</text></a></svg>', 2, "javascript:"),
    (SVG_START + '<a xlink:href=" JaVaScRiPt:alert(1)"><text>x</text></a></svg>', 2, "javascript:"),
    (SVG_START + '<image href="data:image/svg+xml;base64,PHN2Zz4="/></svg>', 2, "data:"),
    (SVG_START + '<image href="https://tracker.example/pixel.png"/></svg>', 2, "https://tracker.example/pixel.png"),
    (SVG_START + '<use href="other.svg#shape"/></svg>', 2, "other.svg#shape"),
    (SVG_START + '<rect style="fill: url(https://evil.example/x)"/></svg>', 2, "url(https://evil.example/x)"),
    (SVG_START + '<style>@import "https://evil.example/x.css";</style></svg>', 2, "@import"),
    (SVG_START + '<set attributeName="href" to="javascript:alert(1)"/></svg>', 2, "href"),
    (SVG_START + '<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></svg>', 2, "HTML"),
    ('<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY a "aaaaaaaaaa">\n]>\n' + SVG_START + '<text>&a;</text></svg>',
     3, "ENTITY"),
    ('<?xml-stylesheet href="https://evil.example/x.css"?>\n' + SVG_START + '</svg>', 1, "xml-stylesheet"),
    ('<html><body><script>alert(1)</script></body></html>', 1, "not an SVG"),
    (SVG_START + '<rect>\n</svg>', 3, "not well-formed"),
])
def test_an_svg_that_could_run_code_or_fetch_from_elsewhere_is_refused_with_its_line(
        project: Project, svg: str, line: int, what: str) -> None:
    project.write("content/images/week.svg", svg)
    lines = problems(project)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"content/images/week.svg:{line}: ")
    assert what in lines[0]
    assert "—" in lines[0]  # with a hint
    assert not (project.root / "output").exists()


# A file of each kind the site publishes as it is: how such a file starts, and something else named like it.
KINDS = [
    ("leaflet.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", b"<script>alert(document.domain)</script>"),
    ("leaflet.pdf", b"%PDF-1.4\n", b"alert(document.domain)//%PDF-1.4"),
    ("week.png", b"\x89PNG\r\n\x1a\n", b"<svg onload=alert(1)>"),
    ("week.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF", b"GIF89a/*"),
    ("week.gif", b"GIF87a", b"\x89PNG\r\n\x1a\n"),
    ("week.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 ", b"RIFF\x00\x00\x00\x00WAVE"),
    ("week.avif", b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1", b"<html>"),
]


@pytest.mark.parametrize("name, _, data", KINDS)
def test_a_file_that_is_not_what_its_name_says_is_refused(project: Project, name: str, _: bytes, data: bytes) -> None:
    project.write(f"content/{name}", data)
    lines = problems(project)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"content/{name}: this file is not a")
    assert not (project.root / "output").exists()


@pytest.mark.parametrize("name, data, _", KINDS)
def test_files_that_are_what_their_names_say_are_published(project: Project, name: str, data: bytes, _: bytes) -> None:
    project.write(f"content/{name}", data)
    project.edit("content/topic.md", "Some text with a", f"[A file]({name}) Some text with a")
    run = project.build()
    assert run.code == 0, run.err


def test_a_link_in_static_is_refused_not_followed(project: Project, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("a private file")
    os.symlink(secret, project.root / "static" / "site.txt")
    os.symlink(tmp_path, project.root / "static" / "more")
    lines = problems(project)
    assert [line.partition(" — ")[0] for line in lines] == ["static/more: this is a link (symbolic link), which is not followed",
                                                             "static/site.txt: this is a link (symbolic link), which is not followed"]


def test_a_link_loop_in_content_is_reported_as_a_line_not_an_internal_error(project: Project) -> None:
    os.symlink("loop-b.md", project.root / "content" / "loop-a.md")
    os.symlink("loop-a.md", project.root / "content" / "loop-b.md")
    run = project.build()
    assert run.code == 1
    assert "Traceback" not in run.err and "internal error" not in run.err.lower()
    assert "content/loop-a.md: this is a link that leads round in a loop" in run.err
    assert "content/loop-b.md: this is a link that leads round in a loop" in run.err


def test_every_kind_of_file_published_as_it_is_is_checked(project: Project) -> None:
    from iopguide.source.pages import ASSET_SUFFIXES

    for suffix in ASSET_SUFFIXES:
        project.write(f"content/files/hostile{suffix}", b"<script>alert(document.domain)</script>")
    lines = problems(project)
    assert sorted(line.partition(":")[0] for line in lines) == sorted(f"content/files/hostile{suffix}"
                                                                      for suffix in ASSET_SUFFIXES)
