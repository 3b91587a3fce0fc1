"""Shared fixtures: a scratch project built with the real CLI, and the real site built once."""
from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import html5lib
import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks by layer. `browser`: every test in tests/browser/, and any other that drives Chromium, so
    that -m "not browser" never starts it. `slow`: every test in tests/build/, since each starts
    build.py or the preview as a process, some many times over; one is quick, together they take minutes."""
    for item in items:
        layer = item.path.relative_to(TESTS).parts[0] if item.path.is_relative_to(TESTS) else ""
        if layer == "browser" or "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        if layer == "build":
            item.add_marker(pytest.mark.slow)


@dataclass
class Run:
    code: int
    out: str
    err: str


class Project:
    """A copy of the minimal fixture site in a temporary folder, built through build.py."""

    def __init__(self, root: Path):
        self.root = root
        shutil.copytree(FIXTURES / "minimal", root, dirs_exist_ok=True)
        shutil.copytree(ROOT / "templates", root / "templates")
        shutil.copytree(ROOT / "static", root / "static")

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return path

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def edit(self, rel: str, old: str, new: str) -> None:
        text = self.read(rel)
        assert old in text, f"{old!r} is not in {rel}"
        self.write(rel, text.replace(old, new, 1))

    def build(self, *args: str) -> Run:
        done = subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=self.root,
                              capture_output=True, text=True, timeout=120)
        return Run(done.returncode, done.stdout, done.stderr)


class RealProject(Project):
    """A copy of the real site, in every language: its guides, menus, quizzes, help pages and 404 pages
    give pages things to depend on."""

    def __init__(self, root: Path):
        root.mkdir(parents=True)
        for name in ("content", "templates", "static"):
            shutil.copytree(ROOT / name, root / name)
        shutil.copy(ROOT / "site_config.yaml", root)
        self.root = root

    def cached_build(self) -> tuple[Run, int]:
        """Build with the cache: the result, and how many files the build said it had to make."""
        run = self.build("--verbose")
        assert run.code == 0, run.err
        return run, int(re.search(r"(\d+) files to make", run.out).group(1))

    def rewritten_by(self, change) -> set[str]:
        """Make the change and build: the output files written anew, the search index aside (any edit of a
        page's text changes it; tests/build/test_search_bundle.py follows it)."""
        before = identities(self.root / "output")
        change()
        self.cached_build()
        after = identities(self.root / "output")
        return rewritten(before, after)

    def assert_same_as_clean_build(self, *args: str, output: str = "output") -> None:
        clean = self.build("--no-cache", "--output", "clean", *args)
        assert clean.code == 0, clean.err
        assert tree(self.root / output) == tree(self.root / "clean")
        shutil.rmtree(self.root / "clean")


def rewritten(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    """The files of `after` that are not as they were in `before`, the search index (pagefind/) aside."""
    return {path for path in after if after[path] != before.get(path) and not path.startswith("pagefind/")}


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def identities(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and modification time: both stay the same only if the file was not written."""
    return {path.relative_to(folder).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in folder.rglob("*") if path.is_file()}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "site")


LINKED_PAGES = ["choosing-a-provider", "families", "levels-of-care", "overdose", "what-to-expect", "who-it-suits",
                "withdrawal"]  # the quiz's links


@pytest.fixture
def quiz_project(project: Project) -> Project:
    """The fixture site plus the real quiz, with stub pages for the pages the quiz links to."""
    for name in ("quiz.yaml", "quiz-scenarios.yaml", "quiz.md"):
        project.write(f"content/{name}", (ROOT / "content" / name).read_text())
    for name in LINKED_PAGES:
        project.write(f"content/{name}.md", f"---\ntitle: {name}\ndescription: Stub.\nlast_reviewed: 2026-01-01\n---\nStub.\n")
    return project


@pytest.fixture(scope="session")
def real_quiz():
    """The repository's self-check, loaded and proven as the build does."""
    from iopguide.source.quiz_scenarios import load_quiz_with_scenarios

    errors: list = []
    quiz = load_quiz_with_scenarios(ROOT / "content" / "quiz.yaml", {f"{name}.md" for name in LINKED_PAGES}, errors)
    assert errors == []
    return quiz


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once from the repository's content into a temporary folder."""
    output = tmp_path_factory.mktemp("real") / "output"
    done = subprocess.run([sys.executable, "build.py", "--output", str(output)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return output


def read_header_rules(path: Path) -> dict[str, dict[str, str]]:
    """Each path pattern in the site's `_headers` (Netlify / Cloudflare Pages format) → its headers."""
    rules: dict[str, dict[str, str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("/"):
            current = rules.setdefault(line.strip(), {})
        elif line.startswith("  ") and ":" in line:
            name, value = line.strip().split(":", 1)
            current[name] = value.strip()
    return rules


def read_headers_file(path: Path) -> dict[str, str]:
    """The headers a Netlify / Cloudflare Pages host sends for every path, from the site's `_headers`."""
    return read_header_rules(path)["/*"]


def rule_pattern(rule: str) -> re.Pattern:
    """A `_headers` path as both hosts match it: `*` any characters, slashes too; `:name` one segment;
    a rule ending in `/` also matches the path without it (Netlify does)."""
    parts = re.split(r"(\*|:[A-Za-z]\w*)", rule)
    pattern = "".join(".*" if part == "*" else "[^/]+" if part.startswith(":") else re.escape(part) for part in parts)
    return re.compile(pattern + "?" if rule.endswith("/") else pattern)


def headers_for(rules: dict[str, dict[str, str]], path: str) -> dict[str, list[str]]:
    """Every value each header is given for `path` by the rules that match it, in the file's order."""
    found: dict[str, list[str]] = {}
    for rule, headers in rules.items():
        if rule_pattern(rule).fullmatch(path):
            for name, value in headers.items():
                found.setdefault(name, []).append(value)
    return found


class _HostHandler(http.server.SimpleHTTPRequestHandler):
    """Serves like a static host that reads `_headers`: each response carries the headers of the rules
    its path matches, a header two rules give joined into one value as Cloudflare Pages joins them."""

    site_headers: dict[str, str] = {}  # for every path; or, when `rules` is set, those rules per path
    rules: dict[str, dict[str, str]] | None = None

    def end_headers(self) -> None:
        if self.rules is None:
            headers = self.site_headers
        else:
            path = self.path.split("?", 1)[0]
            headers = {name: ", ".join(values) for name, values in headers_for(self.rules, path).items()}
        for name, value in headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serving(folder: Path, headers: dict[str, str], rules: dict[str, dict[str, str]] | None = None):
    """`folder` served over HTTP on 127.0.0.1, every response carrying `headers`, or with `rules` (a
    `_headers` file's, read_header_rules) the headers of the rules its path matches; gives its address."""
    handler = type("SiteHandler", (_HostHandler,), {"site_headers": headers, "rules": rules})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def served_site(site: Path):
    """The real site served over HTTP on 127.0.0.1 with its `_headers` applied per path, as a reader's browser would get it."""
    with serving(site, {}, read_header_rules(site / "_headers")) as address:
        yield address


@pytest.fixture(scope="session")
def served_site_without_headers(site: Path):
    """The real site served as GitHub Pages serves it: the same files, none of `_headers`."""
    with serving(site, {}) as address:
        yield address


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def require_tool(path: Path | None, what: str, install: str) -> Path:
    """A checker the tests need: skipped locally when it is missing, never in CI, where scripts/test installs it."""
    if path is None or not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{what} is missing; scripts/test must install it ({install})")
        pytest.skip(f"{what} is missing ({install})")
    return path


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright."""
    chromium = require_tool(Path(shutil.which("chromium") or "/usr/bin/chromium"), "chromium", "apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@functools.cache
def real_config():
    from iopguide.source.config import load_config

    return load_config(ROOT / "site_config.yaml")


def language_of(url: str):
    """The real site's config as the page at `url` (like 'es/faq/') sees it: its language's words and settings."""
    config = real_config()
    code = url.split("/", 1)[0]
    return config.in_language(code if code in config.codes else "")


def not_found_pages(output: Path) -> list[str]:
    """The 404 pages of a built site, one per language: '404.html', 'es/404.html'."""
    return sorted(path.relative_to(output).as_posix() for path in output.rglob("404.html"))


def site_pages(output: Path) -> list[str]:
    """URL paths of every HTML page in a built site, e.g. '', 'faq/'."""
    pages = []
    for path in sorted(output.rglob("index.html")):
        rel = path.parent.relative_to(output).as_posix()
        pages.append("" if rel == "." else rel + "/")
    return pages


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core, the accessibility rules engine, from package.json's pinned copy."""
    path = require_tool(ROOT / "node_modules" / "axe-core" / "axe.min.js", "axe-core", "npm ci")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def vnu_jar() -> Path:
    """The Nu HTML Checker (the W3C validator), run with Java."""
    require_tool(Path(shutil.which("java") or "/usr/bin/java"), "java", "apt-get install default-jre-headless")
    return require_tool(ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar", "vnu-jar", "npm ci")


# The site's own scripts, as published: static/quiz.js becomes static/quiz.<hash>.js
OWN_SCRIPT = re.compile(r"(?:^|/)static/[a-z-]+\.[0-9a-f]{10}\.js$")


def assert_no_executable_markup(html: str, where) -> None:
    """As a browser parses it: no handler, inline style, frame or script address, and every script is
    the site's own file or inert JSON data."""
    for element in html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False).iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.rpartition("}")[2]
        names = {name.rpartition("}")[2].lower(): value for name, value in element.attrib.items()}
        assert not [name for name in names if name.startswith("on") or name == "style"], (where, element.attrib)
        assert tag not in ("iframe", "object", "embed", "frame"), (where, tag)
        for name in ("href", "src", "action", "formaction"):
            address = re.sub(r"[\x00-\x20]", "", names.get(name, "")).lower()
            assert not address.startswith(("javascript:", "vbscript:", "data:")), (where, element.attrib)
        if tag == "script" and element.get("type") not in ("application/json", "application/ld+json"):
            assert OWN_SCRIPT.search(element.get("src", "")) and not (element.text or "").strip(), where
