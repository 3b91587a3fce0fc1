"""Publishing: hashed asset names, cache rules for hosts, reproducible builds, the manifest, sub-path deploys."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from conftest import read_header_rules, site_pages

HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})\.(?P<suffix>\w+)$")


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
