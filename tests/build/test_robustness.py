"""Bad, hostile or odd input gets a clear `path:line: message — hint`, and nothing escapes or is lost.

Everything here runs the real build.py (or the real preview server) in a scratch project.
"""
from __future__ import annotations

import fcntl
import functools
import hashlib
import http.server
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, assert_no_executable_markup
from test_serve import Preview


TOPIC = "content/topic.md"
PAGE_START = "---\ntitle: Extra page\ndescription: A page for this test.\nlast_reviewed: 2026-01-15\n---\n"


def problems(run) -> list[str]:
    """The `path:line: message — hint` lines of a failed build, checked for the parts every line needs."""
    assert run.code == 1, run.out + run.err
    assert "Traceback" not in run.err
    lines = run.err.splitlines()
    assert lines[-1].startswith("Build failed:")
    for line in lines[:-1]:
        assert " — " in line, f"no hint in {line!r}"
    return lines[:-1]


def assert_reported(lines: list[str], *expected: str) -> None:
    for start in expected:
        assert any(line.startswith(start) for line in lines), f"no line starting {start!r} in:\n" + "\n".join(lines)


# --- raw HTML ---------------------------------------------------------------------------------

UNSAFE_PAGE = PAGE_START + """\
Plain HTML is fine: <abbr title="Intensive outpatient program">IOP</abbr>, <kbd>Ctrl</kbd>.

<details><summary>More</summary><p>Hidden text.</p></details>

<script>alert(1)</script>

<iframe src="https://example.org/video"></iframe>

<object data="leaflet.pdf"></object>

<embed src="leaflet.pdf">

<p>Click <button onclick="steal()">here</button>.</p>

<p style="color: red">Red text.</p>

[A link](javascript:alert(1)) and ![a picture](data:image/png;base64,AAAA)

<a href="&#106;avascript:alert(1)">encoded</a> <a href="vbscript:msgbox(1)">old</a>

A paragraph with an attribute list.
{: onmouseover="steal()" }

<svg><script>alert(1)</script></svg>

<svg><a><animate attributeName="href" values="#top;javascript:alert(1)"/><text>x</text></a></svg>
"""


def test_html_that_runs_code_or_styles_inline_is_refused_with_its_line(project):
    assert project.build().code == 0
    before = project.read("output/topic/index.html")
    project.write("content/extra.md", UNSAFE_PAGE)

    lines = problems(project.build())

    assert_reported(lines,
                    "content/extra.md:10: raw HTML <script> is not allowed in pages",
                    "content/extra.md:12: raw HTML <iframe> is not allowed in pages — link to the page instead",
                    "content/extra.md:14: raw HTML <object> is not allowed",
                    "content/extra.md:16: raw HTML <embed> is not allowed",
                    "content/extra.md:18: raw HTML <button> is not allowed in pages",
                    "content/extra.md:20: the HTML attribute 'style' is not allowed — remove it: the site's security",
                    "content/extra.md:22: the address 'javascript:alert(1)' uses javascript:",
                    "content/extra.md:22: the address 'data:image/png;base64,AAAA' uses data:",
                    "content/extra.md:24: the address 'javascript:alert(1)' uses javascript:",
                    "content/extra.md:24: the address 'vbscript:msgbox(1)' uses vbscript:",
                    "content/extra.md:27: the HTML attribute 'onmouseover' is an inline script",
                    "content/extra.md:29: raw HTML <svg> is not allowed",
                    "content/extra.md:31: raw HTML <svg> is not allowed")
    assert len(lines) == 13, "\n".join(lines)  # the plain HTML on lines 6-8 is accepted
    assert project.read("output/topic/index.html") == before


def test_html_written_as_code_is_shown_as_text(project):
    project.write("content/extra.md", PAGE_START + (
        "Write `<script>alert(1)</script>` to see nothing happen.\n\n"
        "```html\n<iframe src=\"x\" onload=\"go()\" style=\"a\"></iframe>\n```\n\n"
        "<p>Then real HTML with a <script>bad()</script> after the code.</p>\n"))

    lines = problems(project.build())
    assert lines == ["content/extra.md:12: raw HTML <script> is not allowed in pages — "
                     "the site runs no scripts written into pages"]

    project.edit("content/extra.md", "<script>bad()</script>", "<em>good</em>")
    assert project.build().code == 0
    page = project.read("output/extra/index.html")
    assert "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>" in page
    assert "&lt;iframe src=&quot;x&quot; onload=&quot;go()&quot;" in page
    assert "<iframe" not in page


def test_unsafe_html_in_the_quiz_is_refused_with_its_line(quiz_project):
    project = quiz_project
    quiz = project.read("content/quiz.yaml")
    line = quiz[: quiz.index("    body: |")].count("\n") + 2
    project.edit("content/quiz.yaml", "    body: |\n", "    body: |\n      <img src=x onerror=alert(1)>\n")

    assert_reported(problems(project.build()),
                    f"content/quiz.yaml:{line}: the HTML attribute 'onerror' is an inline script")


def test_thousands_of_refusals_in_a_long_page_each_get_their_line_quickly(project):
    # one refusal a line, written in ways the parser decodes: finding their lines once took minutes
    units = ["<i on&#99;=go>i</i>", "<a href=java&#9;script:{n}>a</a>"]
    project.write("content/extra.md", PAGE_START + "".join(units[n % 2].format(n=n) + "\n\n" for n in range(5000)))
    started = time.monotonic()
    lines = problems(project.build())
    assert time.monotonic() - started < 15
    assert [int(line.split(":")[1]) for line in lines] == list(range(6, 6 + 2 * 5000, 2))


def test_thousands_of_broken_links_in_a_long_page_each_get_their_line_quickly(project):
    # each link's line was found by splitting the whole page again, outside the time limit
    project.write("content/extra.md", PAGE_START + "".join(f"[link {n}](missing-{n}.md)\n" for n in range(20000)))
    started = time.monotonic()
    lines = problems(project.build())
    assert time.monotonic() - started < 15
    # on a slow machine the page's time limit may end it first: then that is the one line
    assert [int(line.split(":")[1]) for line in lines] == list(range(6, 6 + 20000)) or \
        lines == ["content/extra.md:6: this text takes more than 5 s to convert — look for long runs of [ ] * < or ` "
                  "characters and for thousands of one mistake, and split very long paragraphs"], lines[:3]


# --- YAML -------------------------------------------------------------------------------------

ALIAS_BOMB = "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 9))


@pytest.mark.parametrize("front, expected", [
    ("a: &a [x, x, x, x, x, x, x, x, x]\n" + ALIAS_BOMB.replace("*l0", "*a"),
     "content/extra.md:6: this YAML has more than 20000 values (are aliases repeating it?) — remove the '*' aliases"),
    ("title: &t [*t]\n", "content/extra.md:2: this YAML is nested more than 40 levels deep"),
    ("title: " + "[" * 300 + "]" * 300 + "\n", "content/extra.md:2: this YAML is nested more than 40 levels deep"),
    ("title: ok\ndescription: a\x07b\n", "content/extra.md:3: this line holds a control character YAML does not "
                                        "allow (U+0007) — retype the line"),
    ("!!python/object/apply:os.system [touch pwned]\n", "content/extra.md:2: YAML syntax error: could not determine "
                                                       "a constructor for the tag"),
], ids=["alias bomb", "alias inside itself", "deep nesting", "control character", "python tag"])
def test_hostile_yaml_is_refused_quickly_with_its_line(project, front, expected):
    project.write("content/extra.md", f"---\n{front}---\nText.\n")
    run = project.build()
    assert_reported(problems(run), expected)
    assert not (project.root / "pwned").exists()


DIGITS = "1" * 4400  # Python's int() refuses more than 4300 digits
LONG_REFERENCE = f"this character reference (&#{DIGITS[:10]}…) has 4400 digits; no character needs more than 7 — write"


@pytest.mark.parametrize("rel, old, new, expected", [
    ("content/topic.md", "Some text with a", f"Some text &#{DIGITS}; with a", f"content/topic.md:11: {LONG_REFERENCE}"),
    ("content/topic.md", "Some text with a", f'<a href="&#{DIGITS};">x</a>', f"content/topic.md:11: {LONG_REFERENCE}"),
    ("content/topic.md", "Some text with a", f"<div>&#x{DIGITS};</div>\n\n<script>x</script>",
     "content/topic.md:11: this character reference (&#x111111111…) has 4400 digits"),
    ("content/topic.md", "menu_title: Topic", f"menu_title: Topic &#{DIGITS};", f"content/topic.md:4: {LONG_REFERENCE}"),
    ("site_config.yaml", "site_name: ", f"site_name: &#{DIGITS}; ", f"site_config.yaml:4: {LONG_REFERENCE}"),
    ("content/topic.md", "menu_order: 1", f"menu_order: {DIGITS}",
     "content/topic.md:5: this number is 4400 characters long — a number here needs only a few digits"),
    ("content/topic.md", "menu_order: 1", f"menu_order: 1\n? 0x{DIGITS}\n: x",
     "content/topic.md:6: this number is 4402 characters long"),
], ids=["in text", "in an address", "hex, with a refusal", "in a title", "in the config", "a YAML number", "a YAML key"])
def test_a_number_too_long_for_python_is_refused_with_its_line(project, rel, old, new, expected):
    project.edit(rel, old, new)
    assert_reported(problems(project.build()), expected)


def test_a_file_over_the_size_limit_is_refused(project):
    project.write("content/extra.md", PAGE_START + ("A line of text that goes on. " * 40 + "\n") * 1000)
    assert_reported(problems(project.build()), "content/extra.md:1: this file is 1.1 MB; the limit is 1 MB — split it")


# --- encodings ----------------------------------------------------------------------------------

def test_bom_and_windows_line_endings_just_work_and_keep_line_numbers(project):
    crlf = "\ufeff" + PAGE_START.replace("\n", "\r\n") + "Text.\r\n\r\n[a link](nowhere.md)\r\n"
    project.write("content/extra.md", crlf.encode("utf-8"))
    assert_reported(problems(project.build()), "content/extra.md:8: the link 'nowhere.md' goes to a page that does not")

    project.edit("content/extra.md", "nowhere.md", "topic.md")
    assert project.build().code == 0
    assert "<title>Extra page" in project.read("output/extra/index.html")
    config = project.read("site_config.yaml").replace("\n", "\r\n")
    project.write("site_config.yaml", ("\ufeff" + config.replace("site_name:", "site_nme: x\r\nsite_name:")).encode())
    assert_reported(problems(project.build()), "site_config.yaml:4: unknown key 'site_nme'")


def test_unicode_line_separators_do_not_shift_line_numbers(project):
    # YAML counts U+2028 and U+0085 as line breaks; editors (and the rest of the build) do not
    project.write("content/extra.md", PAGE_START.replace("A page for this test.", '"A page\u2028for this\x85test."')
                  .replace("last_reviewed: 2026-01-15", "last_reviewed: 2026-01-15\ntitle: Again"))
    assert_reported(problems(project.build()), "content/extra.md:5: 'title' appears twice (first on line 2)")


def test_a_file_that_is_not_utf8_names_its_line_and_byte(project):
    before_bad_byte = PAGE_START.encode() + b"First line.\nSecond line, caf"
    project.write("content/extra.md", before_bad_byte + b"\xe9.\n")
    assert_reported(problems(project.build()), f"content/extra.md:7: this file is not UTF-8 text "
                                               f"(byte {len(before_bad_byte)} is 0xe9) — save it as UTF-8")


# --- paths --------------------------------------------------------------------------------------

def test_links_that_lead_outside_content_are_refused(project, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text(PAGE_START + "Private notes.\n")
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "photo.png").write_bytes(b"\x89PNG private")
    os.symlink(secret, project.root / "content/notes.md")
    os.symlink(tmp_path / "private" / "photo.png", project.root / "content/photo.png")
    os.symlink(project.root / "content/missing.md", project.root / "content/dangling.md")
    os.symlink("topic.md", project.root / "content/same-topic.md")  # inside content/: allowed

    lines = problems(project.build())

    assert_reported(lines, f"content/notes.md: this is a link to '{secret}', which is outside content/ or missing — "
                           "copy the file into content/", "content/photo.png: this is a link to",
                    "content/dangling.md: this is a link to")
    assert len(lines) == 3
    assert not (project.root / "output").exists()


def test_file_names_with_spaces_and_accents_get_working_addresses(project):
    project.write("content/Über uns.md", PAGE_START.replace("Extra page", "About us") + "About.\n")
    project.write("content/my notes/A Week Plan.md", PAGE_START.replace("Extra page", "Week") + "Plan.\n")
    project.write("content/images/my photo.png", b"\x89PNG\r\n\x1a\n")
    project.write("content/日本語.md", PAGE_START.replace("Extra page", "Japanese") + "Text.\n")
    project.edit(TOPIC, "Some text with a", "See [about](Über%20uns.md), [the plan](<my notes/A Week Plan.md>), "
                                            "[Japanese](日本語.md) and ![A photo](images/my%20photo.png). Some text with a")

    run = project.build()
    assert run.code == 0, run.err

    output = project.root / "output"
    assert (output / "uber-uns/index.html").is_file()
    assert (output / "my-notes/a-week-plan/index.html").is_file()
    assert (output / "日本語/index.html").is_file()
    topic = project.read("output/topic/index.html")
    for href in ('href="../uber-uns/"', 'href="../my-notes/a-week-plan/"', 'href="../%E6%97%A5%E6%9C%AC%E8%AA%9E/"'):
        assert href in topic
    photo = re.search(r'src="(\.\./images/my%20photo\.[0-9a-f]{10}\.png)"', topic)  # published under its hash
    assert photo
    assert_links_resolve(output, "topic/", ["../uber-uns/", "../my-notes/a-week-plan/",
                                            "../%E6%97%A5%E6%9C%AC%E8%AA%9E/", photo.group(1)])


def assert_links_resolve(output, page: str, hrefs: list[str]) -> None:
    """Fetch each href, resolved against `page`, from a real web server serving the built site."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(output))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}/{page}"
        for href in hrefs:
            with urllib.request.urlopen(urllib.parse.urljoin(base, href), timeout=5) as response:
                assert response.status == 200, href
    finally:
        server.shutdown()
        server.server_close()


def test_an_address_with_an_unclosed_bracket_is_a_mistake_not_a_crash(project):
    project.write("content/extra.md", PAGE_START.replace("last_reviewed", "sources:\n  - title: A source\n"
                                                         "    url: https://[example.org/\nlast_reviewed")
                  + "Read [the guide](https://[example.org/guide).\n")
    project.edit("site_config.yaml", "quick_exit_url: https://www.weather.gov/", "quick_exit_url: https://[weather.gov/")
    lines = problems(project.build())
    assert_reported(lines, "site_config.yaml:11: 'quick_exit_url' is not a valid web address: 'https://[weather.gov/' "
                           "— a [ or ] in an address must be written %5B or %5D")
    project.edit("site_config.yaml", "https://[weather.gov/", "https://www.weather.gov/")
    assert_reported(problems(project.build()),
                    "content/extra.md:6: 'sources.url' is not a valid web address: 'https://[example.org/'")
    project.edit("content/extra.md", "https://[example.org/\n", "https://example.org/\n")
    assert_reported(problems(project.build()),
                    "content/extra.md:9: the link 'https://[example.org/guide' is not a valid address — a [ or ]")


def test_two_files_that_make_the_same_address_are_both_named(project):
    project.write("content/My Topic.md", PAGE_START)
    project.write("content/my-topic.md", PAGE_START.replace("Extra page", "Another"))
    assert_reported(problems(project.build()),
                    "content/my-topic.md:1: this page and content/My Topic.md both make the address /my-topic/")


def test_a_slug_that_climbs_out_of_the_site_is_refused(project):
    project.write("content/extra.md", PAGE_START.replace("last_reviewed", "slug: ../../x\nlast_reviewed"))
    assert_reported(problems(project.build()), "content/extra.md:4: 'slug' has the wrong form: '../../x'")
    assert not (project.root.parent / "x").exists()


# --- escaping -----------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
# a pattern, a choice, or a file name; base_url may only be a plain address (tests/build/test_publishing.py)
NOT_TEXT = {"language", "theme_color", "call", "text", "tty", "page", "kind", "base_url", "contact"}
SHORT = {"menu_title": 30, "title": 40, "site_name": 60}  # length limits below the two payloads together


def hostile(value, key: str = ""):
    """Every free-text string with both payloads in front; addresses keep a valid start."""
    if isinstance(value, dict):
        return {k: hostile(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [hostile(item, key) for item in value]
    if not isinstance(value, str) or key in NOT_TEXT or value.endswith(".md"):
        return value
    if value.startswith("https://"):
        return value + BREAKOUT + SCRIPT
    return (BREAKOUT + SCRIPT + " " + value)[: SHORT.get(key)]


def test_script_in_every_config_string_and_front_matter_field_is_escaped_on_every_page(quiz_project):
    project = quiz_project
    config = yaml.safe_load(project.read("site_config.yaml"))
    config["navigation"] = [{"page": page, "title": SCRIPT} for page in config["navigation"]]
    project.write("site_config.yaml", yaml.safe_dump(hostile(config), allow_unicode=True, sort_keys=False))
    front = {"title": "x", "description": "x", "menu_title": "x", "reviewed_by": {"name": "x", "role": "x"},
             "sources": [{"title": "x", "url": "https://example.org/"}]}
    project.write("content/extra.md", "---\n" + yaml.safe_dump(hostile(front), allow_unicode=True)
                  + "last_reviewed: 2026-01-15\nmenu_order: 2\n---\nText.\n")

    run = project.build()
    assert run.code == 0, run.err

    pages = sorted((project.root / "output").rglob("*.html"))
    assert len(pages) == 13  # 11 pages (the quiz links 7), the quiz and 404.html
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert_no_executable_markup(html, path)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, f"the payload is missing from {path}"
    assert "onerror=alert(1)&gt;" in project.read("output/extra/index.html")
    assert "<script>" not in project.read("output/sitemap.xml")


# --- faults: builds killed or run twice at once -------------------------------------------------

CORPUS_PAGES = 100
WORDS = "program therapy group session support recovery care plan week hours home work family skills".split()


def write_corpus(project, folder: str, version: str, pages: int) -> str:
    """A copy of the fixture content plus `pages` generated pages whose text names the version."""
    target = project.root / folder
    shutil.copytree(project.root / "content", target)
    rng = random.Random(7)
    for number in range(pages):
        paragraphs = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(80)) + "." for _ in range(6))
        (target / f"page-{number}.md").write_text(
            f"---\ntitle: Page {number}, version {version}\ndescription: Generated page {number}.\n"
            f"last_reviewed: 2026-01-15\n---\n## Part one\n\n{paragraphs}\n\nNext: [page](page-{(number + 1) % pages}.md).\n")
    return folder


def tree(folder) -> dict[str, str]:
    """Every file below folder with a hash of its bytes: two equal trees are the same site."""
    return {path.relative_to(folder).as_posix(): hashlib.sha1(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def leftovers(project) -> list[str]:
    return sorted(path.name for path in project.root.glob(".output.*") if path.name != ".output.lock")


def start_build(project, content: str):


    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--content", content], cwd=project.root,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and process.poll() is None:
        assert time.monotonic() < deadline, "the build neither got there nor ended"
        time.sleep(0.002)


def new_staging_folder(project):
    """A condition: this build has made its staging folder (not one a killed build left behind)."""
    old = set(leftovers(project))
    return lambda: any(name.startswith(".output.new-") and name not in old for name in leftovers(project))


def timed_build(project, content: str) -> tuple[float, float]:
    """(seconds the whole build took, seconds from its staging folder appearing to its end)."""
    started = time.monotonic()
    process = start_build(project, content)
    wait_for(new_staging_folder(project), process)
    staged = time.monotonic()
    assert process.wait(timeout=120) == 0, process.stderr.read()
    return time.monotonic() - started, time.monotonic() - staged


def kill_moments(build_seconds: float, write_seconds: float) -> list[tuple[str, float]]:
    """When to kill: spread over the whole build, then tightly over writing and swapping in, and
    twice well after: a killed build may run slower than the timed one on a busy machine, and one
    run had every kill land before the swap."""
    spread = [("after start", build_seconds * fraction) for fraction in (0.2, 0.5, 0.8)]
    return spread + [("after the new folder appears", write_seconds * fraction)
                     for fraction in (0, 0.25, 0.5, 0.7, 0.85, 0.95, 1.0, 1.1, 2.0, 4.0)]


def test_a_killed_build_leaves_the_old_site_or_the_new_one_never_a_mix(project):
    sites = {}
    for version, pages in (("a", CORPUS_PAGES), ("b", CORPUS_PAGES + 5)):
        folder = write_corpus(project, f"content-{version}", version, pages)
        timing = timed_build(project, folder)
        sites[folder] = (tree(project.root / "output"), timing)
    (site_a, _), (site_b, (build_seconds, write_seconds)) = sites["content-a"], sites["content-b"]
    pages = lambda site: [path for path in site if not path.startswith("pagefind/")]  # noqa: E731  (the search index aside)
    assert site_a != site_b and len(pages(site_b)) == len(pages(site_a)) + 5

    outcomes = []
    for kind, delay in kill_moments(build_seconds, write_seconds):
        now = tree(project.root / "output")
        target = "content-a" if now == site_b else "content-b"
        staged = new_staging_folder(project)
        process = start_build(project, target)
        if kind == "after the new folder appears":
            wait_for(staged, process)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        after = tree(project.root / "output")
        assert after in (site_a, site_b), f"killed {delay:.3f} s {kind}: output/ is a mix of two sites"
        outcomes.append(("old" if after == now else "new", bool(leftovers(project))))

    assert {"old", "new"} <= {state for state, _ in outcomes}, outcomes  # the kills hit both sides of the swap
    run = project.build("--content", "content-a")
    assert run.code == 0, run.err
    assert leftovers(project) == [] and tree(project.root / "output") == site_a
    print(f"build {build_seconds:.2f} s, writing {write_seconds:.3f} s; {len(outcomes)} kills; output/ was {[state for state, _ in outcomes]}; "
          f"{sum(left for _, left in outcomes)} left folders behind, all cleaned up by the next build")


def build_workers(process) -> list[int]:
    """The processes the build has forked and not yet reaped."""
    try:
        return [int(pid) for pid in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def test_a_build_worker_that_dies_fails_the_build_clearly_and_leaves_the_site_as_it_was(project):
    assert project.build("--content", write_corpus(project, "content-a", "a", CORPUS_PAGES)).code == 0
    before = tree(project.root / "output")
    process = start_build(project, write_corpus(project, "content-b", "b", CORPUS_PAGES))
    wait_for(lambda: len(build_workers(process)) >= 2, process)
    workers = build_workers(process)
    os.kill(workers[-1], signal.SIGKILL)  # as the kernel does to a process when memory runs out
    out, err = process.communicate(timeout=120)

    assert process.returncode == 2 and "Traceback" not in err
    assert err.startswith("Unexpected error: RuntimeError: a build worker stopped without finishing"), err
    assert tree(project.root / "output") == before
    assert not any(running(pid) for pid in workers)
    assert project.build("--content", "content-b").code == 0 and leftovers(project) == []


@pytest.mark.parametrize("where", ["text", "front matter"])
def test_a_page_saved_again_after_the_build_read_it_is_reported_not_published_half_old(project, where):
    # A first build of a large site reads the page files in workers for their front matter, and each
    # body again where the page is converted: an editor's save in between must not mix the two.
    from iopguide.source.config import load_config
    from iopguide.source.pages import load_content
    from iopguide.errors import ContentError

    folder = project.root / write_corpus(project, "content-big", "a", 150)
    config = load_config(project.root / "site_config.yaml", None, None)
    errors: list = []
    pages = {page.rel_path: page for page in load_content(folder, config, False, errors).pages}
    assert errors == []
    old, new = ("## Part one", "## Part two") if where == "text" else ("title: Page 7,", "title: Page seven,")
    (folder / "page-7.md").write_text((folder / "page-7.md").read_text().replace(old, new))
    with pytest.raises(ContentError) as raised:
        _ = pages["page-7.md"].body
    assert "this file changed while the build was running" in str(raised.value)
    assert pages["page-8.md"].body.startswith("## Part one")


def test_a_second_build_started_during_a_build_stops_with_a_clear_message(project):
    folder = write_corpus(project, "content-big", "a", CORPUS_PAGES)
    first = start_build(project, folder)
    lock = project.root / ".output.lock"

    def first_holds_lock() -> bool:
        if not lock.exists():
            return False
        with open(lock) as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False

    wait_for(first_holds_lock, first)
    second = start_build(project, folder)
    out, err = second.communicate(timeout=60)
    first_out, first_err = first.communicate(timeout=120)

    assert second.returncode == 1 and "Traceback" not in err
    assert err.splitlines()[0] == ("output: another build is writing to this folder right now — "
                                   "wait for it to finish, then run the build again")
    assert first.returncode == 0, first_err
    assert first_out.startswith(f"Built {CORPUS_PAGES + 3} pages")
    assert leftovers(project) == []


# --- the preview server -------------------------------------------------------------------------

TRAVERSALS = [
    "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc/passwd", "/..%2F..%2Fetc%2Fpasswd",
    "/%252e%252e/%252e%252e/etc/passwd", "/..%252f..%252fetc%252fpasswd", "/.%2e/.%2e/.%2e/.%2e/etc/passwd",
    "/static/../../../../../etc/passwd", "/..\\..\\etc\\passwd", "/%2e%2e%5c%2e%2e%5cetc%5cpasswd",
    "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", "/..%00/etc/passwd", "//etc/passwd", "/../../site_config.yaml",
    "/%2e%2e/%2e%2e/site_config.yaml", "/%252e%252e/%252e%252e/site_config.yaml", "/static/..%2f..%2f..%2fsite_config.yaml",
]


def raw_get(port: int, path: str) -> tuple[int, bytes]:
    """GET with the path exactly as written: http clients would tidy the dots away before sending."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        response = b""
        while chunk := connection.recv(65536):
            response += chunk
    return int(response.split(b" ", 2)[1]), response


def test_the_preview_never_serves_a_file_outside_its_folder(project):
    preview = Preview(project)
    try:
        assert raw_get(preview.port, "/topic/")[0] == 200
        for path in TRAVERSALS:
            status, response = raw_get(preview.port, path)
            assert status == 404, path
            assert b"root:x:" not in response and b"site_name:" not in response, path
    finally:
        preview.stop()


def process_usage(pid: int) -> dict[str, int]:
    status = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status").read().splitlines())
    return {"rss_kb": int(status["VmRSS"].split()[0]), "threads": int(status["Threads"]),
            "fds": len(os.listdir(f"/proc/{pid}/fd"))}


SAVES = 100


def test_the_preview_survives_a_hundred_broken_and_fixed_saves_without_leaking(project):


    preview = Preview(project)
    try:
        def save(broken: bool) -> None:
            old, new = ("menu_order: 1", "menu_order: first") if broken else ("menu_order: first", "menu_order: 1")
            preview.edit(TOPIC, old, new)
            status, body = preview.get("topic/")
            assert (status, "must be a whole number" in body) == ((500, True) if broken else (200, False))

        for number in range(10):  # warm up: first imports, caches and pools
            save(broken=number % 2 == 0)
        time.sleep(0.5)
        before = process_usage(preview.process.pid)
        started = time.monotonic()
        for number in range(SAVES):
            save(broken=number % 2 == 0)
        seconds = time.monotonic() - started
        time.sleep(0.5)
        after = process_usage(preview.process.pid)
    finally:
        preview.stop()

    print(f"{SAVES} saves in {seconds:.1f} s; before {before}, after {after}")
    assert after["fds"] <= before["fds"] + 2
    assert after["threads"] <= before["threads"] + 2
    assert after["rss_kb"] <= before["rss_kb"] + 10 * 1024


# --- text the Markdown converter cannot handle ---------------------------------------------------

@pytest.mark.parametrize("body, expected", [
    ("*" * 3000 + "deep" + "*" * 3000 + "\n",
     "content/extra.md:6: lists, quotes or emphasis are nested too deeply to convert — nest fewer levels"),
    ("Intro.\n\n" + "[" * 20000 + "\n",
     "content/extra.md:6: this text takes more than 5 s to convert — look for long runs of [ ] * < or `"),
], ids=["nested too deeply", "too slow"])
def test_text_that_would_crash_or_stall_the_converter_is_refused(project, body, expected):
    project.write("content/extra.md", PAGE_START + body)
    started = time.monotonic()
    assert_reported(problems(project.build()), expected)
    assert time.monotonic() - started < 30
