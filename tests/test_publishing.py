"""Publishing: hashed asset names, cache rules for hosts, reproducible builds, the manifest, sub-path deploys."""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, read_header_rules, site_pages

HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})\.(?P<suffix>\w+)$")
SOURCE_DATE = 1767225600  # 2026-01-01T00:00:00Z


def test_assets_are_named_by_their_content_and_unused_ones_are_left_out(project):
    project.write("static/pattern.svg", '<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    project.write("static/unused.js", "console.log('never loaded');\n")
    project.write("static/site.css", project.read("static/site.css") + '.card { background: url("pattern.svg#x"); }\n')
    assert project.build().code == 0
    static = project.root / "output" / "static"
    published = {HASHED.match(path.name)["stem"] + "." + HASHED.match(path.name)["suffix"]: path
                 for path in static.iterdir()}
    assert sorted(published) == ["favicon.svg", "pattern.svg", "quick-exit.js", "site.css"]
    for path in published.values():  # a name changes exactly when the bytes do
        assert HASHED.match(path.name)["digest"] == hashlib.sha256(path.read_bytes()).hexdigest()[:10], path.name
    assert f'url("{published["pattern.svg"].name}#x")' in published["site.css"].read_text()
    page = project.read("output/topic/index.html")
    assert f'href="../static/{published["site.css"].name}"' in page
    assert f'src="../static/{published["quick-exit.js"].name}"' in page


def test_hosts_cache_hashed_assets_for_a_year_and_revalidate_pages(site: Path):
    rules = read_header_rules(site / "_headers")
    assert "Cache-Control" not in rules["/*"] and rules["/*"]["X-Content-Type-Options"] == "nosniff"
    pages = {f"/{url}" for url in site_pages(site)} | {"/404.html"}
    assets = {"/" + path.relative_to(site).as_posix() for path in site.rglob("*") if HASHED.match(path.name)}
    assert len(assets) == 4 and any(path.endswith(".css") for path in assets)
    assert {path for path, headers in rules.items() if headers.get("Cache-Control") == "no-cache"} == pages
    immutable = "public, max-age=31536000, immutable"
    assert {path for path, headers in rules.items() if headers.get("Cache-Control") == immutable} == assets


def build_real_site(cwd: Path, output: Path, hash_seed: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "SOURCE_DATE_EPOCH": str(SOURCE_DATE)}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--format", "json", "--output", str(output),
                           "--content", str(ROOT / "content"), "--config", str(ROOT / "site_config.yaml"),
                           "--templates", str(ROOT / "templates"), "--static", str(ROOT / "static")],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def tree(folder: Path) -> dict[str, Path]:
    return {path.relative_to(folder).as_posix(): path for path in sorted(folder.rglob("*")) if path.is_file()}


def test_two_builds_of_the_same_sources_are_byte_identical_and_the_manifest_lists_every_file(tmp_path: Path):
    first, second = tmp_path / "one" / "output", tmp_path / "two" / "site"
    (tmp_path / "elsewhere").mkdir()
    assert build_real_site(ROOT, first, "1").returncode == 0
    for source in [*(ROOT / "content").rglob("*"), *(ROOT / "static").rglob("*")]:
        os.utime(source)  # as after a fresh checkout: every source file newer than the last build
    done = build_real_site(tmp_path / "elsewhere", second, "2")
    assert done.returncode == 0, done.stderr

    assert sorted(tree(first)) == sorted(tree(second))
    for rel, path in tree(first).items():
        assert path.read_bytes() == (second / rel).read_bytes(), rel
        assert path.stat().st_mtime == (second / rel).stat().st_mtime == SOURCE_DATE, rel

    manifest = json.loads(done.stdout)
    assert manifest["pages"] == len(site_pages(second)) and manifest["output"] == second.as_posix()
    assert [entry["path"] for entry in manifest["files"]] == sorted(tree(second))
    for entry in manifest["files"]:
        data = (second / entry["path"]).read_bytes()
        assert entry["size"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest(), entry["path"]
    assert manifest["bytes"] == sum(entry["size"] for entry in manifest["files"])


def test_json_build_reports_mistakes_as_json_and_a_bad_source_date_is_one_of_them(project):
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "--format", "json"], cwd=project.root,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "yesterday"}, capture_output=True, text=True)
    assert done.returncode == 1
    assert json.loads(done.stdout)["errors"] == [{
        "path": "SOURCE_DATE_EPOCH", "line": None, "message": "'yesterday' is not a number of seconds since 1970",
        "hint": "set it to a whole number, like the last commit's time: git log -1 --format=%ct"}]
    assert "SOURCE_DATE_EPOCH: 'yesterday' is not a number" in done.stderr
    assert not (project.root / "output").exists()
