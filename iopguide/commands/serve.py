"""`build.py serve`: a live preview for editors.

tornado serves the preview; the browser reloads through livereload's client script, which speaks
the LiveReload protocol (version 7) with our websocket. Three parts are ours, for reasons:
- Watching: livereload polls every 800 ms and its folder watcher stops at the first changed file,
  so a `git checkout` of fifty files would cause up to fifty rebuilds. We use watchdog (inotify on
  Linux) and wait for a short quiet spell, so a burst of saves makes one rebuild.
- The reload script: livereload injects an inline <script>, which the site's strict
  Content-Security-Policy blocks. We inject a same-origin <script src> instead, and only here:
  built output never contains it.
- Trust: the preview shows drafts and the error page, and any web page the editor has open can
  send requests to 127.0.0.1. So only requests naming the preview by its own address (Host) are
  answered, which defeats DNS rebinding, and the reload socket opens only for the preview's own
  pages (Origin). livereload's server answers every Host and Origin, and its /forcereload lets any
  page reload the preview, so none of its server is used.
"""
from __future__ import annotations

import datetime as dt
import html
import importlib.metadata
import importlib.util
import json
import logging
import mimetypes
import posixpath
import threading
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

from iopguide.model import BuildOptions
from iopguide.build.preview import PreviewBuild
from iopguide.build.search_index import FOLDER as SEARCH_FOLDER
from iopguide.errors import ContentError
from iopguide.private_hooks import reason_to_stay_out

QUIET_SECONDS = 0.05  # how long the files must stay still before a rebuild starts
# A path that vanished counts only if it looks like a source file: editors and tools (sed -i, vim)
# write short-lived temporary files without these endings.
SOURCE_SUFFIXES = {".md", ".yaml", ".yml", ".html", ".xml", ".txt", ".css", ".js", ".svg", ".png", ".jpg",
                   ".jpeg", ".gif", ".webp", ".avif", ".pdf", ".ico"}
RELOAD_SCRIPT = b'<script src="/livereload.js?port={port}"></script>'
# The client script is a file inside the livereload package, not part of its API: it is used only on
# the versions it was proven on (requirements.txt pins one); with any other, or without the file, the
# preview works without it.
PROVEN_ON = ("2.7.1",)
CLIENT_FILE = "vendors/livereload.js"
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")


class ChangeCollector:
    """Collects changed source paths from watchdog's thread; calls `on_burst` once per burst."""

    def __init__(self, roots: list[Path], on_burst: Callable[[set[Path]], None], quiet: float = QUIET_SECONDS):
        self.roots = [root.resolve() for root in roots]
        self.on_burst, self.quiet = on_burst, quiet
        self.pending: set[Path] = set()
        self.lock = threading.Lock()
        self.timer: threading.Timer | None = None
        self.observer = None

    def start(self) -> None:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        collector = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:
                if event.event_type in ("opened", "closed_no_write") or event.is_directory:
                    return
                for raw in (event.src_path, getattr(event, "dest_path", "")):
                    if raw:
                        collector.add(Path(raw))

        self.observer = Observer()
        watched_dirs = {root if root.is_dir() else root.parent for root in self.roots}
        for folder in sorted(watched_dirs):
            self.observer.schedule(Handler(), str(folder), recursive=folder in self.roots)
        self.observer.daemon = True
        self.observer.start()

    def stop(self) -> None:
        if self.observer:
            self.observer.stop()

    def add(self, path: Path) -> None:
        path = path.resolve()
        if path.name.startswith((".", "#")) or path.name.endswith(("~", ".swp", ".tmp")):
            return  # editors' temporary and backup files
        if not any(path == root or root in path.parents for root in self.roots):
            return
        with self.lock:
            self.pending.add(path)
            if self.timer:
                self.timer.cancel()
            self.timer = threading.Timer(self.quiet, self._fire)
            self.timer.daemon = True
            self.timer.start()

    def _fire(self) -> None:
        with self.lock:
            changed, self.pending, self.timer = self.pending, set(), None
        changed = {path for path in changed if path.exists() or path.suffix.lower() in SOURCE_SUFFIXES}
        if changed:
            self.on_burst(changed)


class PreviewApp:
    """The preview folder's files; while the site is broken, every page shows the mistakes."""

    def __init__(self, builder: PreviewBuild, reload_script: bytes = b""):
        self.builder = builder
        self.root = builder.output.resolve()
        self.reload_script = reload_script

    def answer(self, path: str) -> tuple[int, str, bytes]:
        """Status, content type and body for a URL path (already %-decoded)."""
        if path.lstrip("/").startswith(SEARCH_FOLDER + "/"):
            self.search_index_up_to_date()
        file = self.resolve(path)
        wants_page = file is None or file.suffix == ".html"
        if self.builder.errors and wants_page:
            return 500, "text/html; charset=utf-8", self.with_reload(error_page(self.builder.errors))
        if file is None:
            not_found = self.not_found_page(path)
            body = not_found.read_bytes() if not_found else b"<!DOCTYPE html><title>Not found</title>"
            return 404, "text/html; charset=utf-8", self.with_reload(body)
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml", "application/xml"):
            kind += "; charset=utf-8"
        body = file.read_bytes()
        return 200, kind, self.with_reload(body) if kind.startswith("text/html") else body

    def search_index_up_to_date(self) -> None:
        """The search page asks for the index: made again here if a page changed since, so a save never
        waits for it. If Pagefind fails, the search page says search is not working and offers the topics."""
        try:
            self.builder.update_search()
        except ContentError as error:
            print(_stamp(f"search index not made: {error.message}"), flush=True)

    def with_reload(self, page: bytes) -> bytes:
        return page.replace(b"</head>", self.reload_script + b"</head>", 1)

    def not_found_page(self, path: str) -> Path | None:
        """The 404.html nearest the missing path, as Cloudflare Pages finds it: /es/missing/ shows
        es/404.html, the Spanish one, and a path in no language's folder the main one."""
        folders = posixpath.normpath("/" + path.lstrip("/")).strip("/").split("/")[:-1]
        for depth in range(len(folders), -1, -1):
            found = self.resolve("/".join([*folders[:depth], "404.html"]))
            if found is not None:
                return found
        return None

    def resolve(self, path: str) -> Path | None:
        """The file for a URL path, or None; nothing outside the preview folder is ever served."""
        if "\x00" in path or "\\" in path:
            return None
        clean = posixpath.normpath("/" + path.lstrip("/"))
        if clean.split("/").count("..") or ".." in path.split("/"):
            return None
        candidate = (self.root / clean.lstrip("/")).resolve()
        if candidate != self.root and self.root not in candidate.parents:
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None


def error_page(errors) -> bytes:
    """A plain, readable page listing every mistake, with no script or style of its own."""
    items = "\n".join(
        f"<li><p><strong>{html.escape(error.path)}{':' + str(error.line) if error.line else ''}</strong></p>"
        f"<p>{html.escape(error.message)}</p>"
        + (f"<p>How to fix it: {html.escape(error.hint)}</p>" if error.hint else "") + "</li>"
        for error in errors)
    count = len(errors)
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{count} problem{'s' if count != 1 else ''} to fix</title>\n</head>\n<body>\n<main>\n"
            f"<h1>The site could not be built: {count} problem{'s' if count != 1 else ''} to fix</h1>\n"
            f"<p>Fix these and save. This page reloads by itself.</p>\n<ol>\n{items}\n</ol>\n</main>\n</body>\n</html>\n"
            ).encode("utf-8")


def serve(options: BuildOptions, host: str, port: int, say: Callable[[str], None] = print) -> None:
    from tornado import ioloop

    builder = PreviewBuild(options)
    say(_stamp(builder.rebuild().describe()))
    for error in builder.errors:
        say(f"  {error}")

    client, left_out = packaged_reload_client()
    if client is None:
        say(f"Live reload is off: {left_out} (run: .venv/bin/pip install -r requirements.txt); reload the page by hand.")
    reload_script = RELOAD_SCRIPT.replace(b"{port}", str(port).encode()) if client else b""
    sockets: set = set()
    application = preview_application(PreviewApp(builder, reload_script), client, sockets, preview_names(host), port)
    for name in ("tornado.access", "tornado.application", "tornado.general"):
        # one line per rebuild is ours to print; the server's request log would bury it
        logging.getLogger(name).setLevel(logging.CRITICAL)
    loop_holder: dict = {}

    def rebuild_on_loop(changed: set[Path]) -> None:
        try:
            result = builder.rebuild(changed)
        except Exception as exc:  # a bug in the engine: report it, keep serving, retry in full next time
            builder.forget()
            say(_stamp(f"Unexpected error: {type(exc).__name__}: {exc} (a bug in the site builder; "
                       "run 'build.py build --debug' to see the details)"))
            return
        say(_stamp(result.describe()))
        for error in result.errors:
            say(f"  {error}")
        for socket in list(sockets):
            socket.reload()

    def on_burst(changed: set[Path]) -> None:
        loop_holder["loop"].add_callback(rebuild_on_loop, changed)

    sources = [options.content_dir, options.templates_dir, options.static_dir, options.config_path]
    collector = ChangeCollector([path for path in sources if path.exists()], on_burst)

    def started() -> None:
        loop_holder["loop"] = ioloop.IOLoop.current()
        collector.start()
        say(f"Serving the preview (with drafts) at http://{host}:{port}/ — edit and save, the browser reloads. "
            "Ctrl+C stops.")

    application.listen(port, address=host)
    ioloop.IOLoop.current().add_callback(started)
    try:
        ioloop.IOLoop.current().start()
    finally:
        collector.stop()


def preview_names(host: str) -> set[str]:
    """This computer's own names and the --host given, as they appear in a Host header."""
    return {name.lower() for name in (*LOCAL_NAMES, f"[{host}]" if ":" in host else host)}


def packaged_reload_client() -> tuple[bytes | None, str]:
    """livereload's browser script, if the installed livereload is one it was proven on and holds it;
    otherwise None, and why."""
    version = installed_version("livereload")
    left_out = reason_to_stay_out("livereload", version, PROVEN_ON)
    if left_out:
        return None, left_out
    spec = importlib.util.find_spec("livereload")
    client = Path(spec.origin).parent / CLIENT_FILE if spec and spec.origin else None
    if client is None or not client.is_file():
        return None, f"livereload {version} has no {CLIENT_FILE}"
    return client.read_bytes(), ""


def installed_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def preview_application(app: PreviewApp, client: bytes | None, sockets: set, names: set[str], port: int):
    """The tornado application. A request whose Host is not one of `names` (with the port, or none:
    the name is what defeats DNS rebinding) gets an empty 421 whatever its path, so a page on another
    site cannot read the preview through a name pointing at it."""
    from tornado import routing, web, websocket

    hosts = {*names, *(f"{name}:{port}" for name in names)}
    origins = {f"http://{name}:{port}" for name in names}

    class TrustedHost(routing.Matcher):
        def match(self, request) -> dict | None:
            return {} if request.headers.get("Host", "").lower() in hosts else None

    class Misdirected(web.RequestHandler):
        def prepare(self) -> None:
            self.set_status(421)
            self.finish()

    class Page(web.RequestHandler):
        def get(self) -> None:
            status, kind, body = app.answer(unquote(self.request.path))
            self.set_status(status)
            self.set_header("Content-Type", kind)
            self.set_header("Cache-Control", "no-store")
            self.finish(body)

        head = get

        def compute_etag(self) -> None:
            return None  # every answer is fresh (no-store); a 304 would need a stored copy

    class Client(web.RequestHandler):
        def get(self) -> None:
            self.set_header("Content-Type", "application/javascript; charset=utf-8")
            self.finish(client)

    class ReloadSocket(websocket.WebSocketHandler):
        """The LiveReload protocol's server side (livereload.com/protocols/official-7)."""

        def check_origin(self, origin: str) -> bool:
            return origin.lower() in origins

        def on_message(self, message) -> None:
            command = json.loads(message).get("command")
            if command == "hello":
                self.write_message({"command": "hello", "serverName": "iopguide",
                                    "protocols": ["http://livereload.com/protocols/official-7"]})
            elif command == "info":
                sockets.add(self)

        def on_close(self) -> None:
            sockets.discard(self)

        def reload(self) -> None:
            try:
                self.write_message({"command": "reload", "path": "*", "liveCSS": True, "liveImg": True})
            except websocket.WebSocketClosedError:  # the tab closed while the site rebuilt
                sockets.discard(self)

    live = [(r"/livereload", ReloadSocket), (r"/livereload\.js", Client)] if client else []
    return web.Application([(TrustedHost(), [*live, (r".*", Page)])], default_handler_class=Misdirected)


def _stamp(text: str) -> str:
    return f"{dt.datetime.now():%H:%M:%S} {text}"
