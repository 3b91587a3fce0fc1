"""The search bundle in a real build: published and listed, made again only when an indexed page
changes, byte-identical to a build from scratch, and the one path with WebAssembly allowed."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from conftest import RealProject, headers_for, identities, read_header_rules, tree


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> RealProject:
    project = RealProject(tmp_path_factory.mktemp("search") / "site")
    project.cached_build()
    return project


def bundle(output: Path) -> dict[str, bytes]:
    return {path: data for path, data in tree(output).items() if path.startswith("pagefind/")}


def search_line(run) -> str:
    return re.search(r"^  search .*$", run.out, flags=re.MULTILINE).group(0)


def test_the_bundle_is_published_and_listed_in_the_manifest(real: RealProject) -> None:
    output = real.root / "output"
    files = bundle(output)
    assert {"pagefind/pagefind.js", "pagefind/pagefind-worker.js", "pagefind/pagefind-entry.json"} <= files.keys()
    assert not [path for path in files if path.endswith(("-ui.js", "-ui.css"))]
    run = real.build("--format", "json")
    listed = {entry["path"] for entry in json.loads(run.out)["files"]}
    assert files.keys() <= listed
    # every page but the search pages (and the 404 pages, which are no pages): 404 and search are not indexed
    entry = json.loads(files["pagefind/pagefind-entry.json"])
    pages = {code: len(list((real.root / "content" / code).glob("*.md"))) for code in ("", "es")}
    assert {name: language["page_count"] for name, language in entry["languages"].items()} == {
        "en-us": pages[""] - 1, "es-us": pages["es"] - 1}


def test_only_an_indexed_page_makes_pagefind_run_again(real: RealProject) -> None:
    output = real.root / "output"
    before = identities(output)
    real.cached_build()
    assert identities(output) == before  # nothing changed: nothing written, the bundle kept

    first = bundle(output)
    real.edit("content/search.md", "Type a word", "Type one word")
    run, made = real.cached_build()
    assert made == 1 and "taken from the cache" in search_line(run)
    assert bundle(output) == first

    real.edit("content/overdose.md", "\n\n", "\n\nA new sentence about zebrafish.\n\n")
    run, _ = real.cached_build()
    pages = len(list((real.root / "content").rglob("*.md"))) - 2  # all but the two search pages
    assert f"{pages} pages indexed" in search_line(run)
    assert bundle(output) != first and b"zebrafish" not in b"".join(first.values())
    real.assert_same_as_clean_build()  # byte for byte, and a --no-cache build works


def test_headers_give_every_path_one_policy_and_only_the_search_pages_webassembly(real: RealProject) -> None:
    output = real.root / "output"
    rules = read_header_rules(output / "_headers")
    assert len(rules) <= 100  # Cloudflare Pages reads at most 100 rules
    for path in tree(output):
        url = "/" + path.removesuffix("index.html")
        headers = headers_for(rules, url)
        assert len(headers["Content-Security-Policy"]) == 1, url
        assert len(set(headers.get("Cache-Control", [""]))) == 1, url
        if path.startswith("pagefind/"):
            assert "'wasm-unsafe-eval'" in headers["Content-Security-Policy"][0], url
        if path.endswith(".html"):
            meta = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', (output / path).read_text()).group(1))
            # the browser enforces the header's policy and the page's own: both must allow it
            assert ("'wasm-unsafe-eval'" in meta) == path.endswith("search/index.html"), path
    assert headers_for(rules, "/pagefind/pagefind.js")["Cache-Control"] == ["no-cache"]
    hashed = next(path for path in bundle(output) if path.startswith("pagefind/index/"))
    assert "immutable" in headers_for(rules, "/" + hashed)["Cache-Control"][0]


def test_a_site_without_a_search_page_publishes_no_index(project) -> None:
    run = project.build("--verbose")
    assert run.code == 0, run.err
    assert not (project.root / "output" / "pagefind").exists()
    assert "pagefind" not in project.read("output/_headers")
    assert "0 pages indexed" in search_line(run)
