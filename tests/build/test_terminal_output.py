"""Editors' text reaches the terminal and CI logs only as text: control characters are written out.

A link, a file name or a YAML key can hold ESC (YAML writes it "\\e"), a carriage return or a C1
control; printed raw, they clear the screen, retitle the window, forge colours or overwrite lines.
"""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT
from test_serve import Preview

PAGE_START = "---\ntitle: Extra page\ndescription: A page for this test.\nlast_reviewed: 2026-01-15\n---\n"
RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


EVIL_NAME = "content/\x1b]0;pwned\x07.md"  # sets the terminal's title


def front_matter_mistakes(project) -> list[str]:
    project.write(EVIL_NAME, PAGE_START.replace("last_reviewed: 2026-01-15", "last_reviewed: soon") + "Text.\n")
    project.edit("content/topic.md", "menu_order: 1", 'menu_order: 1\n"\\e[8mtitel": hidden')
    return [r"content/\x1b]0;pwned\x07.md:4", r"unknown key '\x1b[8mtitel'"]


def link_mistakes(project) -> list[str]:
    project.write(EVIL_NAME, PAGE_START + "[a link](\x1b[2J\x1b[31mfake.md) and [another](go\bx\x9b1m.md)\n")
    return [r"content/\x1b]0;pwned\x07.md:6", r"the link '\x1b[2J\x1b[31mfake.md'", r"'go\x08x\x9b1m.md'"]


MISTAKES = pytest.mark.parametrize("make", [front_matter_mistakes, link_mistakes], ids=["front matter", "links"])


def assert_shown_as_text(output: str, written_out: list[str]) -> None:
    assert not RAW_CONTROL.search(output), repr(output)
    for text in written_out:
        assert text in output, output


@MISTAKES
def test_control_characters_in_build_errors_are_written_out(project, make):
    expected = make(project)
    run = project.build()
    assert run.code == 1 and "Traceback" not in run.err
    assert_shown_as_text(run.err, expected)


@MISTAKES
def test_control_characters_in_checks_report_are_written_out(project, make):
    expected = make(project)
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "check"], cwd=project.root,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert_shown_as_text(done.stdout + done.stderr, expected)
    header, *rows = done.stdout.split("\n\n")[0].splitlines()
    assert all(row[header.index("LEVEL"):].startswith(("error ", "warning ")) for row in rows), done.stdout


@MISTAKES
def test_control_characters_in_the_previews_log_are_written_out(project, make):
    expected = make(project)
    preview = Preview(project)
    try:
        preview.wait_for_line(expected[-1][-12:])
    finally:
        preview.stop()
    assert_shown_as_text("\n".join(preview.lines), expected)
