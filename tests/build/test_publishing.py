"""Publishing: hashed asset names, cache rules for hosts, reproducible builds, the manifest, sub-path deploys."""
from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest
import yaml

from conftest import ROOT, _HostHandler, read_header_rules, read_headers_file, require_tool, site_pages
from htmlscan import scan_text
from quizpage import USUAL, complete

HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})\.(?P<suffix>\w+)$")
SOURCE_DATE = 1767225600  # 2026-01-01T00:00:00Z


def test_assets_are_named_by_their_content_and_unused_ones_are_left_out(project):
    project.write("static/pattern.svg", '<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    project.write("static/unused.js", "console.log('never loaded');\n")
    project.write("static/site.css", project.read("static/site.css") + '.card { background: url("pattern.svg#x"); }\n')
    project.write("static/card.svg", '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 1"/>\n')
    project.edit("templates/base.html", '<meta name="theme-color"',
                 '<meta property="og:image" content="{{ absolute_url("static/card.svg") }}">\n<meta name="theme-color"')
    assert project.build().code == 0
    static = project.root / "output" / "static"
    published = {HASHED.match(path.name)["stem"] + "." + HASHED.match(path.name)["suffix"]: path
                 for path in static.iterdir()}
    assert sorted(published) == ["card.svg", "favicon.svg", "pattern.svg", "quick-exit.js", "site.css"]
    for path in published.values():  # a name changes exactly when the bytes do
        assert HASHED.match(path.name)["digest"] == hashlib.sha256(path.read_bytes()).hexdigest()[:10], path.name
    assert f'url("{published["pattern.svg"].name}#x")' in published["site.css"].read_text()
    page = project.read("output/topic/index.html")
    assert f'href="../static/{published["site.css"].name}"' in page
    assert f'src="../static/{published["quick-exit.js"].name}"' in page
    assert f'content="https://example.org/static/{published["card.svg"].name}"' in page


IMMUTABLE = "public, max-age=31536000, immutable"
# Hosts' own default for these is to revalidate each time (max-age=0, must-revalidate), the same as no-cache:
# Netlify matches `/faq` and `/faq/` alike, so no rule it understands tells /faq/ from /robots.txt.
UNHASHED_FILES = {"/robots.txt", "/sitemap.xml"}


def netlify_rule(rule: str) -> re.Pattern:
    """How Netlify reads a `_headers` path (@netlify/headers-parser, for_regexp.ts): the trailing slash is
    optional, `:name` is one segment, `*` is anything."""
    def part(text: str) -> str:
        if text.startswith(":"):
            return "([^/]+)"
        return "?(.*)" if text == "*" else "(.*)".join(re.escape(piece) for piece in text.split("*"))

    return re.compile("^/" + "/".join(part(text) for text in (piece.rstrip() for piece in rule.split("/")) if text)
                      + "/?$", re.IGNORECASE)


def cloudflare_rule(rule: str) -> re.Pattern:
    """How Cloudflare Pages reads one: exactly as written, `:name` is one segment, `*` is anything."""
    return re.compile("^" + re.sub(r":\w+|\*|[^:*]+", lambda match: "[^/]+" if match[0].startswith(":")
                                   else ".*" if match[0] == "*" else re.escape(match[0]), rule) + "$")


def headers_for(rules: dict[str, dict[str, str]], path: str, read_rule) -> dict[str, str]:
    """Every matching rule's headers; a header two rules give different values would be joined into
    one (Cloudflare) or depend on the order (Netlify), so it is an error here."""
    values: dict[str, set[str]] = {}
    for rule, headers in rules.items():
        if read_rule(rule).match(path):
            for name, value in headers.items():
                values.setdefault(name, set()).add(value)
    assert all(len(found) == 1 for found in values.values()), (path, values)
    return {name: found.pop() for name, found in values.items()}


def published_paths(site: Path) -> list[str]:
    """Every address a reader's browser asks for: a page by its folder, any other file by its name."""
    return sorted("/" + path.relative_to(site).as_posix().removesuffix("index.html")
                  for path in site.rglob("*") if path.is_file() and path.name != "_headers")


def assert_each_path_gets_its_headers(site: Path) -> None:
    """What each path got when `_headers` listed every page and asset: the security headers everywhere,
    no-cache for pages, a year for hashed files, nothing more for robots.txt and sitemap.xml; in the
    search bundle, a year for its folders' files (named by their content), no-cache for the files that
    keep their names, nothing more for the .pf_meta files (named by their content, yet left to the host)."""
    rules = read_header_rules(site / "_headers")
    security = rules["/*"]
    assert "Cache-Control" not in security and security["X-Content-Type-Options"] == "nosniff"
    assets = [path for path in published_paths(site) if HASHED.match(path.rpartition("/")[2])]
    assert assets and any(path.endswith(".css") for path in assets)
    for path in published_paths(site):
        if path.endswith(("/", ".html")):
            expected = {**security, "Cache-Control": "no-cache"}
        elif path in assets or re.match(r"/pagefind/[^/]+/", path):
            expected = {**security, "Cache-Control": IMMUTABLE}
        elif path.startswith("/pagefind/"):
            expected = security if path.endswith(".pf_meta") else {**security, "Cache-Control": "no-cache"}
        else:
            assert path in UNHASHED_FILES, path
            expected = security
        for read_rule in (netlify_rule, cloudflare_rule):
            got = headers_for(rules, path, read_rule)
            if path in UNHASHED_FILES:
                got = {name: value for name, value in got.items() if (name, value) != ("Cache-Control", "no-cache")}
            assert got == expected, (read_rule.__name__, path)


def test_hosts_cache_hashed_assets_for_a_year_and_revalidate_pages(site: Path):
    assert_each_path_gets_its_headers(site)


def many_pages(project, count: int) -> None:
    for number in range(count):
        project.write(f"content/page-{number}.md", project.read("content/topic.md")
                      .replace("menu_order: 1", f"slug: page-{number}")
                      .replace("## A table", f"![Week {number}](images/week.svg)\n\n## A table"))


def test_headers_file_rules_do_not_grow_with_pages(project):
    """Cloudflare Pages reads at most 100 rules: one block per page passed that near 95 pages."""
    project.write("content/images/week.svg", '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>\n')
    many_pages(project, 1)
    assert project.build().code == 0
    few = read_header_rules(project.root / "output" / "_headers")
    many_pages(project, 150)
    assert project.build().code == 0
    many = read_header_rules(project.root / "output" / "_headers")
    assert len(many) == len(few) <= 13, list(many)  # 6 for pages and assets, 7 for the search bundle
    assert len(published_paths(project.root / "output")) > 150
    assert_each_path_gets_its_headers(project.root / "output")


def test_headers_stay_right_with_nested_pages_and_an_image_beside_the_pages(project):
    """Where pages and assets share a folder, no pattern may give an asset no-cache or a page a year."""
    project.write("content/week.svg", '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>\n')
    project.write("content/guides/sleep.md", project.read("content/topic.md").replace("menu_order: 1", "menu_order: 3")
                  .replace("## A table", "![A week](../week.svg)\n\n## A table")
                  .replace("](index.md)", "](../index.md)").replace("](get-help-now.md", "](../get-help-now.md"))
    project.write("content/guides/week.svg", '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2"/>\n')
    project.edit("content/topic.md", "## A table", "![A week](guides/week.svg)\n\n## A table")
    run = project.build()
    assert run.code == 0, run.err
    assert (project.root / "output/guides/sleep/index.html").is_file()
    assert_each_path_gets_its_headers(project.root / "output")


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


def test_manifest_flag_lists_every_file_with_its_size_and_sha256(project):
    run = project.build("--manifest")
    assert run.code == 0, run.err
    summary, *rows = run.out.splitlines()
    output = project.root / "output"
    assert summary.startswith("Built ") and f"({len(rows)} files)" in summary
    listed = {}
    for row in rows:
        size, digest, path = row.split(maxsplit=2)
        listed[path] = (int(size), digest)
    assert listed == {path.relative_to(output).as_posix(): (len(path.read_bytes()), hashlib.sha256(path.read_bytes()).hexdigest())
                      for path in output.rglob("*") if path.is_file()}


def test_json_build_reports_mistakes_as_json_and_a_bad_source_date_is_one_of_them(project):
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "--format", "json"], cwd=project.root,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "yesterday"}, capture_output=True, text=True)
    assert done.returncode == 1
    assert json.loads(done.stdout)["errors"] == [{
        "path": "SOURCE_DATE_EPOCH", "line": None, "message": "'yesterday' is not a number of seconds since 1970",
        "hint": "set it to a whole number, like the last commit's time: git log -1 --format=%ct"}]
    assert "SOURCE_DATE_EPOCH: 'yesterday' is not a number" in done.stderr
    assert not (project.root / "output").exists()


def test_piping_the_manifest_into_a_command_that_stops_early_is_not_an_error(project):
    """`build.py --format json | head -c 1`: the reader has gone before the manifest is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "--format", "json"], cwd=project.root,
                          stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120)
    os.close(write_end)
    assert (done.returncode, done.stderr) == (0, "")
    assert (project.root / "output" / "index.html").is_file()


SUB_PATH = "/sub/path/"
LINKING = {"a": "href", "link": "href", "script": "src", "img": "src"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""")


class SubPathHost(_HostHandler):
    """A static host that serves the site under SUB_PATH only, like GitHub Pages serves a project site,
    and answers any missing path with the site's 404 page."""

    def translate_path(self, path: str) -> str:
        if not path.startswith(SUB_PATH):
            return str(Path(self.directory) / "no such file")
        return super().translate_path("/" + path[len(SUB_PATH):])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404:
            return super().send_error(code, message, explain)
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def sub_path_site(tmp_path_factory):
    """The real site built for http://127.0.0.1:PORT/sub/path/ and served there."""
    output = tmp_path_factory.mktemp("sub-path") / "output"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SubPathHost, directory=str(output)))
    base_url = f"http://127.0.0.1:{server.server_port}{SUB_PATH}"
    done = subprocess.run([sys.executable, "build.py", "--output", str(output), "--base-url", base_url], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    SubPathHost.site_headers = read_headers_file(output / "_headers")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield base_url, output
    server.shutdown()
    server.server_close()


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read()


def references(url: str, kind: str, body: bytes) -> list[str]:
    """Every URL a page, stylesheet or sitemap refers to, made absolute."""
    text = body.decode("utf-8")
    if kind == "text/html":
        found = [attrs.get(LINKING[tag], "") for tag, attrs in scan_text(text).tags if tag in LINKING]
    elif kind == "text/css":
        found = CSS_URL.findall(text)
    else:
        found = re.findall(r"<loc>(.*?)</loc>|Sitemap: (\S+)", text)
        found = [loc or sitemap for loc, sitemap in found]
    return [urldefrag(urljoin(url, ref)).url for ref in found if ref and not ref.startswith(("tel:", "mailto:"))]


def test_under_a_sub_path_every_link_and_asset_answers_and_stays_under_it(sub_path_site):
    base_url, output = sub_path_site
    origin = base_url[: -len(SUB_PATH)]
    status, _, _ = fetch(base_url + "no/such/page/")
    assert status == 404
    queue = [base_url, base_url + "no/such/page/", base_url + "robots.txt"]
    seen: set[str] = set(queue)
    while queue:
        url = queue.pop()
        status, kind, body = fetch(url)
        assert status == 200 or url == base_url + "no/such/page/", f"{url} answered {status}"
        for target in references(url, kind, body):
            if not target.startswith(origin + "/"):
                continue  # another site: the crisis lines, sources
            assert target.startswith(base_url), f"{url} refers to {target}, outside {SUB_PATH}"
            if target not in seen:
                seen.add(target)
                queue.append(target)
    pages = {base_url + url for url in site_pages(output)}
    assert pages <= seen and base_url + "sitemap.xml" in seen
    assert {url for url in seen if HASHED.search(url.rsplit("/", 1)[-1])} == {
        base_url + path.relative_to(output).as_posix() for path in output.rglob("*") if HASHED.match(path.name)}


def test_the_quiz_works_under_a_sub_path(sub_path_site, browser):
    base_url, _ = sub_path_site
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(base_url + "quiz/")
    complete(page, {**USUAL, "weekly-therapy": "not-enough"})
    assert page.locator("#outcome-iop").is_visible()
    assert page.evaluate("document.activeElement.id") == "outcome-iop-title"
    context.close()
    assert errors == []


WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"


def test_the_publish_workflow_is_valid_for_github(tmp_path: Path):
    checker = require_tool(Path(sys.executable).with_name("check-jsonschema"), "check-jsonschema",
                           "pip install -r requirements-dev.txt")

    def check(workflow: Path) -> subprocess.CompletedProcess:
        return subprocess.run([str(checker), "--builtin-schema", "vendor.github-workflows", str(workflow)],
                              capture_output=True, text=True, timeout=60)

    assert check(WORKFLOW).returncode == 0, check(WORKFLOW).stdout
    misspelt = tmp_path / "publish.yml"
    misspelt.write_text(WORKFLOW.read_text().replace("    needs: build\n", "    needs: build\n    runs_on: x\n"))
    assert check(misspelt).returncode == 1 and "'runs_on' was unexpected" in check(misspelt).stdout


def test_the_publish_workflow_runs_the_readme_tests_and_pins_every_action():
    quick_start = re.search(r"## Quick start.*?```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    test_command = quick_start.group(1).strip().splitlines()[-1]
    workflow = yaml.safe_load(WORKFLOW.read_text())
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    runs = [step.get("run", "").strip() for step in build["steps"]]
    assert test_command == "bash scripts/test" and test_command in runs
    assert ".venv/bin/python build.py check --strict" in runs
    assert workflow["permissions"] == {"contents": "read"}
    assert build["permissions"] == {"contents": "read", "pages": "read"}  # only deploy may publish
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    uses = re.findall(r"uses: (\S+)(.*)", WORKFLOW.read_text())
    assert len(uses) == 4
    for action, comment in uses:
        assert re.fullmatch(r"actions/[\w-]+@[0-9a-f]{40}", action) and re.search(r"# v\d+\.\d+\.\d+", comment), action


@pytest.mark.parametrize("address, what", [
    ("https://example.org//evil.example/", "//"),
    ("https://example.org/guide/?next=https://evil.example", "query (?)"),
    ("https://example.org/guide/#top", "fragment (#)"),
    ("https://editor:secret@example.org/", "user name"),
    ("https://example.org@evil.example/", "user name"),
    ("https://example.org\\@evil.example/", "backslash"),
    ('https://example.org/"><script>alert(1)</script>', "quotes, < or >"),
    ("http://example.org/", "https://"),
    ("http://localhost:8000/", "https://"),  # the preview passes its own address with --base-url
])
def test_base_url_must_be_a_plain_https_origin_and_path(project, address, what):
    """Canonical links, the sitemap and the 404 page are built on base_url: only scheme, host and path."""
    project.edit("site_config.yaml", "base_url: https://example.org/", f"base_url: '{address}'")
    run = project.build()
    assert run.code == 1 and not (project.root / "output").exists()
    assert "site_config.yaml:6: 'base_url' " in run.err and what in run.err, run.err
    assert " — " in run.err.split("site_config.yaml:6:")[1].splitlines()[0]  # with a hint


def test_base_url_on_the_command_line_is_checked_too_and_may_be_a_local_http_address(project):
    for address in ("https://example.org//evil.example/", "https://u:p@example.org/", "http://127.0.0.1:8000/?x"):
        run = project.build("--base-url", address)
        assert run.code == 1 and "--base-url: 'base_url' " in run.err, (address, run.err)
    assert project.build("--base-url", "http://127.0.0.1:8000/sub/").code == 0
    assert project.build("--base-url", "https://owner.github.io/iop-guide").code == 0


def _markdown_prose(text: str) -> str:
    """A Markdown file's text without its code: fenced blocks and `spans` hold examples, not links."""
    text = re.sub(r"^(```+|~~~+).*?^\1[ \t]*$", "", text, flags=re.MULTILINE | re.DOTALL)
    return re.sub(r"(`+).+?\1", "", text, flags=re.DOTALL)


def _heading_anchors(path: Path) -> set[str]:
    """The #anchors GitHub gives a Markdown file's headings: lowercase, punctuation dropped, spaces → hyphens."""
    headings = re.findall(r"^#{1,6} +(.+?) *$", _markdown_prose(path.read_text(encoding="utf-8")), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def test_docs_links_resolve():
    """Every relative link in the README and docs/ leads to a file that exists, and to a heading in it."""
    broken = []
    for document in [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", _markdown_prose(document.read_text(encoding="utf-8"))):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto: — another site's
            path, _, anchor = target.partition("#")
            linked = (document.parent / path).resolve() if path else document
            if not linked.exists() or (anchor and anchor not in _heading_anchors(linked)):
                broken.append(f"{document.relative_to(ROOT)}: {target}")
    assert broken == []
