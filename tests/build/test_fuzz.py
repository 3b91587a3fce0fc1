"""Fuzzing every file an editor touches: the build succeeds, or fails with `path:line: message — hint`.

Never an uncaught exception, never a hang, never a file written outside output/, never executable
markup in a page that was built. Builds run in-process for speed; the last test runs build.py, and
`build.py check` on the same input.

Each test tries IOPGUIDE_FUZZ_EXAMPLES inputs (default 25); for a long run:
IOPGUIDE_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/build/test_fuzz.py
"""
from __future__ import annotations

import contextlib
import copy
import faulthandler
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, LINKED_PAGES, ROOT, assert_no_executable_markup
from iopguide.build.pipeline import build
from iopguide.model import BuildOptions
from iopguide.errors import BuildFailed

EXAMPLES = int(os.environ.get("IOPGUIDE_FUZZ_EXAMPLES", "25"))
MAX_BUILD_SECONDS = 20  # the engine stops converting a page after 5 s
# No "explain" phase: it traces every line the failing build runs, which on deeply nested YAML takes
# longer than the hang guard allows, so a real failure was reported as a silent exit.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example])
PROBLEM = re.compile(r"(?P<path>[^\n]+?):(?P<line>[1-9][0-9]*): \S[^\n]* — \S[^\n]*")  # a name may hold ':'

PAGE = "content/extra.md"
VALID_FRONT = {"title": "Extra page", "description": "A page made by the fuzzer.", "last_reviewed": "2026-01-15"}


class Site:
    """A scratch project in its own folder; every example starts from the same files."""

    def __init__(self, base: Path, with_quiz: bool):
        self.base, self.root = base, base / "site"
        shutil.copytree(FIXTURES / "minimal", self.root)
        for folder in ("templates", "static"):
            shutil.copytree(ROOT / folder, self.root / folder)
        if with_quiz:
            for name in ("quiz.yaml", "quiz.md"):
                shutil.copy(ROOT / "content" / name, self.root / "content" / name)
            for name in LINKED_PAGES:
                (self.root / f"content/{name}.md").write_text("---\n" + yaml.safe_dump({**VALID_FRONT, "title": name})
                                                               + "---\nStub.\n")
        self.pristine = {path: path.read_bytes() for path in self.root.rglob("*") if path.is_file()}

    def reset(self) -> None:
        for path in self.root.rglob("*"):
            if path.is_file() and path not in self.pristine and "output" not in path.relative_to(self.root).parts[:1]:
                path.unlink()
        for path, data in self.pristine.items():
            path.write_bytes(data)

    def text(self, rel: str) -> str:
        return self.pristine[self.root / rel].decode("utf-8")

    def write(self, rel: str, text: str | bytes) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))

    def files_outside_output(self) -> dict[str, tuple[int, int] | None]:
        """Every file and folder of the scratch area but output/, the lock and the build cache, and the
        names beside the scratch area: what a build must leave alone."""
        inside = {path.relative_to(self.base).as_posix(): (path.stat().st_size, path.stat().st_mtime_ns)
                  if path.is_file() else None
                  for path in self.base.rglob("*") if not _in_output(path.relative_to(self.root).parts
                                                                     if path.is_relative_to(self.root) else ())}
        return inside | {f"../{path.name}": None for path in self.base.parent.iterdir()}


def _in_output(parts: tuple[str, ...]) -> bool:
    return bool(parts) and parts[0] in ("output", ".output.lock", ".cache")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    return Site(tmp_path_factory.mktemp("fuzz"), with_quiz=False)


@pytest.fixture(scope="module")
def quiz_site(tmp_path_factory) -> Site:
    return Site(tmp_path_factory.mktemp("fuzz-quiz"), with_quiz=True)


def build_and_judge(site: Site) -> None:
    """Build in-process as `build.py` would from the project folder, and judge what came out."""
    before = site.files_outside_output()
    started = time.monotonic()
    faulthandler.dump_traceback_later(MAX_BUILD_SECONDS * 3, exit=True)  # a hang ends the run, with the stack
    try:
        with contextlib.chdir(site.root):
            try:
                build(BuildOptions())
                errors = None
            except BuildFailed as failed:
                errors = failed.errors
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert time.monotonic() - started < MAX_BUILD_SECONDS
    assert site.files_outside_output() == before, "the build wrote outside output/"
    assert not [path.name for path in site.root.glob(".output.*") if path.name != ".output.lock"]
    if errors is None:
        for page in (site.root / "output").rglob("*.html"):
            assert_no_executable_markup(page.read_text(encoding="utf-8"), page)
    else:
        assert errors
        for error in errors:
            assert_points_at_a_real_line(site, str(error))


def assert_points_at_a_real_line(site: Site, problem: str) -> None:
    match = PROBLEM.fullmatch(problem)
    assert match, f"not a 'path:line: message — hint' line: {problem!r}"
    path = site.root / match["path"]
    assert path.is_file() or path.is_symlink(), problem
    lines = len(re.split(rb"\r\n|\r|\n", path.read_bytes()))  # as editors count them
    assert int(match["line"]) <= lines, f"{problem!r}: the file has {lines} lines"


# --- strategies ---------------------------------------------------------------------------------

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40),
                    st.dates().map(str), st.sampled_from(["yes", "no", "~", "2026-02-30", "1e400", "../../x"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                         max_size=4), max_leaves=12)
FRONT_KEYS = st.sampled_from([*VALID_FRONT, "menu_title", "menu_order", "next_review", "reviewed_by", "sources",
                              "draft", "template", "slug"]) | st.text(max_size=12)
YAML_BITS = [":", ": ", "- ", "https://[", "&a ", "*a", "<<: *a", "!!python/object/apply:os.system ['touch pwned']", "'", '"',
             "#", "\n", "  ", "\t", "{", "}", "[", "]", "? ", "|", ">", "---\n", "...\n", "yes", "~", "1e400",
             "0x1F", "2026-02-30", "\x00", "\x1b", "\ufeff", "\u2028", "\r\n", "é", "%TAG ! x\n", "!!binary "]


def dump(value) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=10**6)


def alias_bomb(width: int, depth: int) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]" for n in range(1, depth)]
    return "\n".join(lines) + "\n"


@st.composite
def edited(draw, text: str) -> str:
    """The text with a few short cuts and insertions of YAML's special characters."""
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        insert = draw(st.sampled_from(YAML_BITS) | st.text(max_size=6))
        text = text[:position] + insert + text[position + draw(st.integers(0, 12)):]
    return text


def keypaths(data, prefix=()):
    yield prefix
    children = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, child in children:
        yield from keypaths(child, prefix + (key,))


@st.composite
def mutated(draw, text: str) -> str:
    """The YAML document with a few values replaced, removed or repeated, dumped back to text."""
    data = copy.deepcopy(yaml.safe_load(text))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(keypaths(data))[1:]))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "remove", "repeat"]))
        if action == "replace":
            parent[path[-1]] = draw(VALUES)
        elif action == "remove":
            del parent[path[-1]]
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
        else:
            parent[draw(st.text(max_size=8))] = copy.deepcopy(parent[path[-1]])
        if not data or not isinstance(data, dict):
            break
    return dump(data)


def front_matters() -> st.SearchStrategy[str]:
    return st.one_of(
        st.dictionaries(FRONT_KEYS, VALUES, max_size=6).map(lambda extra: dump({**VALID_FRONT, **extra})),
        VALUES.map(dump),  # often not a mapping at all
        st.lists(st.sampled_from(YAML_BITS) | st.characters(), max_size=80).map("".join),
        edited(dump(VALID_FRONT)),
        st.builds(alias_bomb, st.integers(2, 12), st.integers(2, 9)).map(lambda bomb: dump(VALID_FRONT) + bomb),
        st.integers(30, 3000).map(lambda depth: dump(VALID_FRONT) + "deep: " + "[" * depth + "]" * depth + "\n"),
        st.integers(400, 1200).map(lambda kb: dump(VALID_FRONT) + f"reviewed_by: {'x' * kb * 1024}\n"),
        st.text(st.characters(), max_size=30).map(lambda slug: dump({**VALID_FRONT, "slug": slug})),
    )


MARKDOWN_BITS = [
    "<script>alert(1)</script>", "<iframe src=x>", "<img src=x onerror=alert(1)>", "<a href='javascript:go()'>x</a>",
    "<p style='color:red'>", "<div>", "</div>", '<div markdown="1">', "<!--", "-->", "<!-->", "<![CDATA[", "]]>",
    "<svg>", "<math>", "<title>", "<textarea>", "&#106;", "&#x6A;", "&#" + "9" * 20 + ";", "&", "<", ">", "`", "```",
    "~~~", "\n", "\n\n", "    ", "> ", "- ", "* ", "1. ", "- [ ] ", "## ", "# ", "===", "|", "| --- |", "[", "]",
    "(", ")", "](", "[^1]", "[^1]: a note", "*[IOP]: x", "!!! note", "{: #x .y }", "{: onclick=go() }", "**", "_",
    "\\", "topic.md", "index.md#nowhere", "../x.md", "nowhere.md", "images/x.png", "https://example.org/", "https://[", "http://[::1", "mailto:",
    "data:text/html,x", "\u202e", "\u200d", "\ufeff", "\u0301", "\U0001f600", "\t", "\r", "\x00", "\x0b", "\u2028",
    "Ünïcödé", "日本語", "word " * 20,
]


def markdown_bodies() -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(st.sampled_from(MARKDOWN_BITS) | st.text(max_size=12), max_size=60).map("".join),
        st.tuples(st.sampled_from(["> ", "- ", "  - ", "* ", "[", "*", "_", "<div>", "<b>", "1. ", "    "]),
                  st.integers(10, 1500)).map(lambda piece: piece[0] * piece[1] + "x\n"),
        st.integers(1000, 400_000).map(lambda length: "a" * length + "\n"),  # one very long line
    )


# --- the fuzz tests -----------------------------------------------------------------------------

@FUZZ
@given(front=front_matters())
def test_any_front_matter(site, front):
    site.reset()
    site.write(PAGE, f"---\n{front}\n---\nSome text.\n")
    build_and_judge(site)


@FUZZ
@given(body=markdown_bodies())
def test_any_markdown(site, body):
    site.reset()
    site.write(PAGE, "---\n" + dump(VALID_FRONT) + "---\n" + body)
    build_and_judge(site)


@FUZZ
@given(raw=st.binary(max_size=300), bom=st.booleans(), crlf=st.booleans(), where=st.sampled_from(["front", "body"]))
def test_any_bytes_and_line_endings(site, raw, bom, crlf, where):
    site.reset()
    front = dump(VALID_FRONT).encode() + (raw if where == "front" else b"")
    page = b"---\n" + front + b"---\nText.\n" + (raw if where == "body" else b"")
    site.write(PAGE, (b"\xef\xbb\xbf" if bom else b"") + (page.replace(b"\n", b"\r\n") if crlf else page))
    build_and_judge(site)


@FUZZ
@given(name=st.text(st.characters(exclude_characters="/\x00", exclude_categories=["Cs"]), min_size=1, max_size=24))
def test_any_file_name(site, name):
    site.reset()
    site.write(f"content/{name}.md", "---\n" + dump(VALID_FRONT) + "---\nText.\n")
    build_and_judge(site)


@FUZZ
@given(data=st.data())
def test_any_site_config(site, data):
    rewrite_and_build(site, "site_config.yaml", data)


@FUZZ
@given(data=st.data())
def test_any_quiz(quiz_site, data):
    rewrite_and_build(quiz_site, "content/quiz.yaml", data)


def rewrite_and_build(site: Site, rel: str, data) -> None:
    """The YAML file with values swapped for odd ones, or its text cut and spliced, then built."""
    site.reset()
    original = site.text(rel)
    site.write(rel, data.draw(mutated(original) | edited(original)))
    build_and_judge(site)


@settings(FUZZ, max_examples=max(3, EXAMPLES // 5))
@given(file=st.sampled_from([PAGE, "site_config.yaml"]), data=st.data())
def test_any_input_through_the_real_command_line(site, file, data):
    site.reset()
    if file == PAGE:
        site.write(PAGE, f"---\n{data.draw(front_matters())}\n---\n{data.draw(markdown_bodies())}")
    else:
        site.write(file, data.draw(edited(site.text(file))))

    done = subprocess.run([sys.executable, str(ROOT / "build.py")], cwd=site.root, capture_output=True, text=True,
                          timeout=MAX_BUILD_SECONDS * 2)

    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    if done.returncode == 1:
        *problems, summary = done.stderr.splitlines()
        assert summary.startswith("Build failed:") and problems
        for problem in problems:
            assert_points_at_a_real_line(site, problem)
    checked = subprocess.run([sys.executable, str(ROOT / "build.py"), "check"], cwd=site.root, capture_output=True,
                             text=True, timeout=MAX_BUILD_SECONDS * 2)
    assert checked.returncode in (0, 1) and "Traceback" not in checked.stderr + checked.stdout, checked.stderr


# Tags as Markdown writes them, with names and values both plain and hostile, among stray pieces:
# the quick scan and the browser-grade parse must agree on all of them.
TAG = st.tuples(
    st.sampled_from(["a", "p", "em", "img", "h2", "div", "input", "label", "svg", "textarea", "script", "iframe"]),
    st.lists(st.tuples(st.sampled_from(["href", "src", "id", "class", "title", "alt", "type", "onclick", "onmouseover",
                                        "style", "formaction", "srcset", "xlink:href"]),
                       st.sampled_from(["#top", "x.png", "https://e.org/a?b=1&amp;c=2", "mailto:a@b.org", "",
                                        "javascript:x", "JavaScript:x", "java&#115;cript:x", "java&#x09;script:x",
                                        "java\tscript:x", " javascript:x", "data:text/html,x", "vbscript:x", "&amp;"])),
             max_size=3),
    st.booleans(),
).map(lambda tag: f"<{'/' if tag[2] else ''}{tag[0]}" + "".join(f' {name}="{value}"' for name, value in tag[1]) + ">")
STRAY = st.sampled_from(["text", " ", "\n", "&amp;", "&lt;", "<!-- c -->", "<", ">", "\"", "<a href=x onclick=y>",
                         "<p/onclick=\"x\">", "<br>"])


@settings(FUZZ, max_examples=max(2000, EXAMPLES * 40))  # no build to run: thousands take seconds
@given(st.lists(st.one_of(TAG, TAG, STRAY), max_size=12).map("".join))
def test_the_quick_markup_scan_never_passes_what_the_full_parse_refuses(markup: str) -> None:
    from iopguide.markup.sanitize import _plainly_safe, check_parsed

    if _plainly_safe(markup):
        assert check_parsed(markup).refused == [], markup


@settings(FUZZ, max_examples=max(2000, EXAMPLES * 40))
@given(st.lists(st.one_of(TAG, TAG, STRAY), max_size=12).map("".join))
def test_published_markup_reads_back_as_what_was_checked(markup: str) -> None:
    """What the check publishes, parsed again, is the tree it checked: nothing refused, nothing moved."""
    from iopguide.markup.sanitize import check_html, check_parsed

    published = check_html(markup).html
    again = check_parsed(published)
    assert again.refused == [] and (published == markup or again.html == published), (markup, published, again.html)
