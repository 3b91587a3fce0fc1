"""`build.py serve`, for real: a server on a free port, real edits, a real browser reloading itself."""
from __future__ import annotations

import asyncio
import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from conftest import ROOT


class Preview:
    def __init__(self, project, env: dict[str, str] | None = None):
        self.project = project
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--port", str(self.port)],
                                        cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        env={**os.environ, **(env or {})})
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for_line("Serving the preview")

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, text: str, after: int = 0, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                if text in line:
                    return line
            time.sleep(0.02)
        raise AssertionError(f"no line with {text!r} in:\n" + "\n".join(self.lines))

    def rebuilds(self) -> list[str]:
        return [line for line in self.lines if " → " in line and "first build" not in line]

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def ask(self, path: str, host: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """A request as a web page's browser would send it after DNS rebinding: to our port, with its own Host."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.putrequest("GET", "/" + path, skip_host=True)
            for name, value in {"Host": host, **(headers or {})}.items():
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def edit(self, rel: str, old: str, new: str) -> None:
        before = len(self.lines)
        self.project.edit(rel, old, new)
        self.wait_for_line(" → ", after=before)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def preview(project):
    server = Preview(project)
    yield server
    server.stop()


def test_edit_break_and_fix_while_serving(preview):
    status, body = preview.get("topic/")
    assert status == 200 and "Some text with a" in body
    assert '<script src="/livereload.js?port=' in body

    preview.edit("content/topic.md", "Some text with a", "Freshly edited text with a")
    assert "Freshly edited text" in preview.get("topic/")[1]
    assert preview.rebuilds()[-1].split(" ", 1)[1].startswith("content/topic.md → 1 page rendered in ")

    preview.edit("content/topic.md", "menu_order: 1", "menu_order: first")
    status, body = preview.get("topic/")
    assert status == 500
    assert "content/topic.md:5" in body and "&#x27;menu_order&#x27; must be a whole number" in body
    assert "write it like menu_order: 3" in body
    assert "1 problem (shown in the browser)" in preview.rebuilds()[-1]
    assert preview.get("")[0] == 500  # every page shows the mistake until it is fixed

    preview.edit("content/topic.md", "menu_order: first", "menu_order: 1")
    status, body = preview.get("topic/")
    assert status == 200 and "Freshly edited text" in body
    assert preview.process.poll() is None


def test_template_or_config_change_rebuilds_every_page(preview):
    preview.edit("templates/page.html", '<article class="article">', '<article class="article article--x">')
    assert "article--x" in preview.get("topic/")[1]
    assert preview.rebuilds()[-1].split(" ", 1)[1].startswith("templates/page.html → 3 pages rendered")
    preview.edit("site_config.yaml", "site_name: IOP Guide", "site_name: Preview Guide")
    assert "Preview Guide" in preview.get("")[1]


def test_a_title_change_re_renders_the_pages_that_show_it(preview):
    preview.edit("content/topic.md", "menu_title: Topic", "menu_title: Renamed")
    assert preview.rebuilds()[-1].split(" ", 1)[1].startswith("content/topic.md → 3 pages rendered")
    assert ">Renamed</a>" in preview.get("")[1]


def test_a_component_showing_the_guide_on_every_page_keeps_every_page_current(project):
    """The preview asks the build's planner what a change touches (what each template reads), so a
    new component is followed without a rule written for it: here one that lists the guide on every
    page, and a guide page that is in no menu and beside only one other page."""
    project.write("content/extra.md", "---\ntitle: Extra reading\ndescription: One more guide page.\n"
                  "menu_order: 3\nlast_reviewed: 2026-01-15\n---\nMore to read.\n")
    project.write("templates/components/guide_everywhere.html",
                  '{% macro guide_everywhere(pages) %}<p class="everywhere">{% for item in pages %}'
                  '{{ item.nav_title }};{% endfor %}</p>{% endmacro %}\n')
    project.edit("templates/base.html", '{% from "components/site_footer.html" import site_footer %}',
                 '{% from "components/site_footer.html" import site_footer %}\n'
                 '{% from "components/guide_everywhere.html" import guide_everywhere %}')
    project.edit("templates/base.html", "</body>", "{{ guide_everywhere(guide) }}\n</body>")
    preview = Preview(project)
    try:
        pages = ["", "topic/", "get-help-now/", "extra/"]
        assert all("Extra reading;" in preview.get(path)[1] for path in pages)
        preview.edit("content/extra.md", "title: Extra reading", "title: Further reading")
        for path in pages:
            status, body = preview.get(path)
            assert status == 200 and "Further reading;" in body and "Extra reading;" not in body, path
        assert preview.rebuilds()[-1].split(" ", 1)[1].startswith("content/extra.md → 4 pages rendered")
    finally:
        preview.stop()


def test_pages_moved_in_as_a_folder_and_deleted_are_followed(preview, tmp_path):
    """The preview takes files its watcher did not see change as they were; a folder moved in whole
    (one event for the folder) and a deleted page are looked at in full."""
    outside = tmp_path / "elsewhere" / "more"
    outside.mkdir(parents=True)
    (outside / "moved.md").write_text("---\ntitle: Moved in\ndescription: A page in a folder moved in.\n"
                                      "last_reviewed: 2026-01-15\n---\nArrived with its folder.\n")
    before = len(preview.lines)
    os.rename(outside, preview.project.root / "content" / "more")
    preview.wait_for_line(" → ", after=before)
    assert "Arrived with its folder." in preview.get("more/moved/")[1]
    before = len(preview.lines)
    (preview.project.root / "content" / "more" / "moved.md").unlink()
    preview.wait_for_line(" → ", after=before)
    assert preview.get("more/moved/")[0] == 404
    assert preview.get("topic/")[0] == 200


def test_a_burst_of_changes_makes_one_rebuild(preview):
    before = len(preview.rebuilds())
    for number in range(50):
        preview.project.write(f"content/burst-{number}.md", preview.project.read("content/topic.md")
                              .replace("menu_order: 1", f"slug: burst-{number}"))
    preview.wait_for_line("53 pages rendered")
    time.sleep(0.5)
    assert len(preview.rebuilds()) - before == 1
    assert preview.get("burst-49/")[0] == 200


def test_drafts_are_served_but_never_built(preview):
    preview.project.write("content/later.md", preview.project.read("content/topic.md")
                          .replace("menu_order: 1", "draft: true"))
    preview.wait_for_line("content/later.md")
    assert preview.get("later/")[0] == 200
    assert preview.project.build().code == 0
    assert not (preview.project.root / "output/later").exists()
    assert "livereload" not in (preview.project.root / "output/topic/index.html").read_text()


def test_only_files_of_the_preview_are_served(preview):
    for path in ("../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd", "..%2f..%2fetc%2fpasswd", "static/../../site_config.yaml",
                 "%2e%2e%5c%2e%2e%5cetc%5cpasswd", "nowhere/"):
        request = urllib.request.Request(preview.url + path)
        request.full_url = preview.url + path  # keep the dots: urllib would not, a browser may not
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                body, status = response.read().decode(), response.status
        except urllib.error.HTTPError as error:
            body, status = error.read().decode(), error.code
        assert status == 404, path
        assert "root:" not in body and "site_name" not in body


def test_serve_listens_on_this_computer_only(preview):
    listening = subprocess.run(["ss", "-ltnH", f"sport = :{preview.port}"], capture_output=True, text=True).stdout
    local_addresses = [line.split()[3] for line in listening.splitlines()]
    assert local_addresses == [f"127.0.0.1:{preview.port}"]


def wait_until(page, expression: str, timeout: float = 10) -> None:
    """Poll from outside the page: Playwright's wait_for_function uses eval, which the site's CSP forbids."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if page.evaluate(expression):
                return
        except Exception:  # the page is reloading
            pass
        time.sleep(0.05)
    raise AssertionError(f"{expression} never became true; the page shows {page.title()!r}")


def test_the_browser_reloads_by_itself_after_a_save(preview, browser):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(preview.url + "topic/")
    wait_until(page, "window.LiveReload !== undefined")
    assert page.locator("h1").inner_text() == "A topic page"
    preview.project.edit("content/topic.md", "title: A topic page", "title: Changed while you watch")
    wait_until(page, "document.querySelector('h1').textContent === 'Changed while you watch'")
    preview.project.edit("content/topic.md", "menu_order: 1", "menu_order: x")
    wait_until(page, "document.title.includes('problem')")
    preview.project.edit("content/topic.md", "menu_order: x", "menu_order: 1")
    wait_until(page, "document.querySelector('h1') && document.querySelector('h1').textContent === 'Changed while you watch'")
    context.close()
    # the reload script runs under the site's strict Content-Security-Policy; the only errors are
    # the error page's own "500" status while the page was broken
    assert errors and all("status of 500" in error for error in errors), errors


SEARCH_PAGE = "---\ntitle: Search\ndescription: Search.\nlast_reviewed: 2026-01-15\ntemplate: search\n---\nSearch.\n"


@pytest.fixture
def preview_with_search(project, request):
    project.write("content/search.md", SEARCH_PAGE)  # a site without a search page has no index
    return request.getfixturevalue("preview")


def test_after_any_edits_the_preview_equals_a_clean_build(preview_with_search):
    """Incremental rebuilds must never leave a stale page behind, nor a stale search index."""
    preview = preview_with_search
    preview.edit("content/topic.md", "Some text with a", "Changed text with a")
    # the search index is made when the search page asks for it, so no save waits for it
    index = preview.project.root / ".cache" / "serve" / "pagefind"
    assert not index.exists()
    assert preview.get("pagefind/pagefind-entry.json")[0] == 200
    first_index = (index / "pagefind-entry.json").read_bytes()
    preview.edit("content/topic.md", "menu_title: Topic", "menu_title: Topic two")
    preview.edit("content/index.md", "title: A small test site", "title: A renamed home")
    preview.edit("content/get-help-now.md", "menu_order: 2", "menu_order: 0")
    preview.edit("content/topic.md", "menu_order: 1", "menu_order: one")
    preview.edit("content/topic.md", "menu_order: one", "menu_order: 1")
    preview.edit("templates/page.html", '<article class="article">', '<article class="article">\n')
    preview.edit("content/topic.md", "## Questions", "## Questions asked")
    assert preview.get("pagefind/pagefind-entry.json")[0] == 200
    assert (index / "pagefind-entry.json").read_bytes() != first_index  # made again from the edited pages

    run = preview.project.build("--drafts", "--base-url", preview.url, "--output", "clean")
    assert run.code == 0, run.err
    clean = preview.project.root / "clean"
    served = preview.project.root / ".cache" / "serve"
    clean_files = sorted(p.relative_to(clean).as_posix() for p in clean.rglob("*") if p.is_file())
    served_files = sorted(p.relative_to(served).as_posix() for p in served.rglob("*") if p.is_file())
    assert served_files == clean_files
    for rel in clean_files:
        assert (served / rel).read_bytes() == (clean / rel).read_bytes(), rel


def test_an_image_a_page_starts_showing_is_served_under_its_hashed_name(project):
    project.write("content/images/week.svg", '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>\n')
    preview = Preview(project)
    try:
        assert "images/week" not in preview.get("topic/")[1]
        preview.edit("content/topic.md", "## A table", "![A week of sessions](images/week.svg)\n\n## A table")
        assert preview.rebuilds()[-1].split(" ", 1)[1].startswith("content/topic.md → 1 page rendered in ")
        image = re.search(r'<img alt="A week of sessions" src="\.\./(images/week\.[0-9a-f]{10}\.svg)">',
                          preview.get("topic/")[1])
        assert image and preview.get(image.group(1)) == (200, project.read("content/images/week.svg"))
    finally:
        preview.stop()


def refused(answer: tuple[int, bytes]) -> bool:
    """Refused with nothing of the preview in it (400 is tornado's own answer to a malformed Host)."""
    return answer[0] in (400, 403, 421) and answer[1] == b""


def test_only_this_computers_own_names_for_the_preview_are_answered(preview):
    """DNS rebinding: a web page whose name now points at 127.0.0.1 must not read drafts or the error page."""
    preview.project.write("content/later.md", preview.project.read("content/topic.md")
                          .replace("menu_order: 1", "draft: true").replace("Some text with a", "Secret draft with a"))
    preview.wait_for_line("content/later.md")
    port = preview.port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"LOCALHOST:{port}", "127.0.0.1"):
        status, body = preview.ask("later/", host)
        assert status == 200 and b"Secret draft" in body, host
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}", f"127.0.0.1:{port}@evil",
                 "", f"localhost:{port + 1}"):
        for path in ("later/", "", "livereload.js", "nowhere/"):
            assert refused(preview.ask(path, host)), (host, path)
    preview.edit("content/topic.md", "menu_order: 1", "menu_order: first")
    assert preview.ask("topic/", f"127.0.0.1:{port}")[0] == 500
    assert refused(preview.ask("topic/", f"evil.example:{port}"))


def run_in_own_loop(coroutine) -> None:
    """asyncio.run on a thread of its own: Playwright's sync API keeps a loop running on the test's thread."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as error:  # handed back to the test below
            failure.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    if failure:
        raise failure[0]


async def _reload_socket(preview, origin: str, host: str | None = None):
    request = HTTPRequest(f"ws://127.0.0.1:{preview.port}/livereload",
                          headers={"Origin": origin, **({"Host": host} if host else {})})
    socket_ = await websocket_connect(request)
    socket_.write_message('{"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}')
    assert "hello" in await asyncio.wait_for(socket_.read_message(), 5)
    socket_.write_message(f'{{"command": "info", "url": "{preview.url}"}}')
    return socket_


def test_the_reload_socket_answers_only_the_previews_own_pages(preview):
    async def socket_refused(origin: str, host: str | None = None) -> bool:
        try:
            (await _reload_socket(preview, origin, host)).close()
        except HTTPClientError as error:
            return error.code in (403, 421)
        return False

    async def run() -> None:
        for origin in ("http://evil.example", f"http://evil.example:{preview.port}", "null",
                       f"http://127.0.0.1:{preview.port}.evil.example", f"http://localhost:{preview.port + 1}"):
            assert await socket_refused(origin), origin
        assert await socket_refused(f"http://evil.example:{preview.port}", host=f"evil.example:{preview.port}")
        own = await _reload_socket(preview, preview.url.rstrip("/"))
        before = len(preview.lines)
        preview.project.edit("content/topic.md", "Some text with a", "Edited text with a")
        assert '"command": "reload"' in await asyncio.wait_for(own.read_message(), 10)
        preview.wait_for_line(" → ", after=before)
        own.close()

    run_in_own_loop(run())


def test_another_site_cannot_make_the_preview_reload(preview):
    """/forcereload (livereload's "reload every open page" address) must not answer another site's page."""
    async def run() -> None:
        own = await _reload_socket(preview, preview.url.rstrip("/"))
        for origin in ("http://evil.example", None):  # an <img src> from another site sends no Origin
            status, body = preview.ask("forcereload?path=*", f"127.0.0.1:{preview.port}",
                                       {"Origin": origin} if origin else {})
            assert body != b"ok"
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(own.read_message(), 1.5)
        own.close()

    run_in_own_loop(run())


def test_the_reload_script_is_livereloads_own(preview):
    """serve.py serves a file from inside the livereload package (test_private_hooks.py checks its version)."""
    from iopguide.commands import serve

    client, _ = serve.packaged_reload_client()
    status, body = preview.ask("livereload.js?port=1", f"127.0.0.1:{preview.port}")
    assert status == 200 and body == client and b"LiveReload" in body


def test_with_an_unproven_livereload_the_preview_serves_without_live_reload(project, tmp_path):
    """Another livereload version may keep its client elsewhere: the preview says so and works without it."""
    fake = tmp_path / "fake-livereload"
    (fake / "livereload").mkdir(parents=True)
    (fake / "livereload" / "__init__.py").write_text("")
    (fake / "livereload-9.9.9.dist-info").mkdir()
    (fake / "livereload-9.9.9.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: livereload\nVersion: 9.9.9\n")
    preview = Preview(project, env={"PYTHONPATH": str(fake)})
    try:
        line = preview.wait_for_line("reload the page by hand")
        assert "livereload 9.9.9" in line and "2.7.1" in line
        status, body = preview.get("topic/")
        assert status == 200 and "A topic page" in body and "livereload" not in body
        assert refused(preview.ask("topic/", f"evil.example:{preview.port}"))
    finally:
        preview.stop()
