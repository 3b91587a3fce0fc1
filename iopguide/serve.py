"""`build.py serve`: a live preview for editors.

livereload runs the server and tells the browser to reload. Two parts are ours, for reasons:
- Watching: livereload polls every 800 ms and its folder watcher stops at the first changed file,
  so a `git checkout` of fifty files would cause up to fifty rebuilds. We use watchdog (inotify on
  Linux) and wait for a short quiet spell, so a burst of saves makes one rebuild.
- The reload script: livereload injects an inline <script>, which the site's strict
  Content-Security-Policy blocks. We inject a same-origin <script src> instead, and only here:
  built output never contains it.
"""
from __future__ import annotations

import datetime as dt
import html
import logging
import mimetypes
import posixpath
import threading
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import unquote

from .builder import BuildOptions
from .incremental import IncrementalBuild

QUIET_SECONDS = 0.05  # how long the files must stay still before a rebuild starts
# A path that vanished counts only if it looks like a source file: editors and tools (sed -i, vim)
# write short-lived temporary files without these endings.
SOURCE_SUFFIXES = {".md", ".yaml", ".yml", ".html", ".xml", ".txt", ".css", ".js", ".svg", ".png", ".jpg",
                   ".jpeg", ".gif", ".webp", ".avif", ".pdf", ".ico"}
RELOAD_SCRIPT = b'<script src="/livereload.js?port={port}"></script>'


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
    """A WSGI app serving the preview folder; while the site is broken, every page shows the mistakes."""

    def __init__(self, builder: IncrementalBuild):
        self.builder = builder
        self.root = builder.output.resolve()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = unquote(environ.get("PATH_INFO", "/"))
        file = self.resolve(path)
        wants_page = file is None or file.suffix == ".html"
        if self.builder.errors and wants_page:
            return self.respond(start_response, "500 Internal Server Error", "text/html; charset=utf-8",
                                error_page(self.builder.errors))
        if file is None:
            not_found = self.root / "404.html"
            body = not_found.read_bytes() if not_found.is_file() else b"<!DOCTYPE html><title>Not found</title>"
            return self.respond(start_response, "404 Not Found", "text/html; charset=utf-8", body)
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml", "application/xml"):
            kind += "; charset=utf-8"
        return self.respond(start_response, "200 OK", kind, file.read_bytes())

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

    @staticmethod
    def respond(start_response: Callable, status: str, kind: str, body: bytes) -> list[bytes]:
        start_response(status, [("Content-Type", kind), ("Cache-Control", "no-store"),
                                ("Content-Length", str(len(body)))])
        return [body]


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
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from tornado import ioloop

    builder = IncrementalBuild(options)
    say(_stamp(builder.rebuild().describe()))
    for error in builder.errors:
        say(f"  {error}")

    class PreviewServer(Server):
        def _setup_logging(self) -> None:
            # one line per rebuild is ours to print; the server's request log would bury it
            for name in ("livereload", "tornado.access", "tornado.application", "tornado.general"):
                logging.getLogger(name).setLevel(logging.CRITICAL)

        def get_web_handlers(self, script):
            from livereload.server import LiveScriptContainer
            from tornado import web

            ours = RELOAD_SCRIPT.replace(b"{port}", str(port).encode())
            return [(r".*", web.FallbackHandler, {"fallback": LiveScriptContainer(self.app, ours)})]

    server = PreviewServer(PreviewApp(builder), watcher=_QuietWatcher())
    loop_holder: dict = {}

    def rebuild_on_loop(changed: set[Path]) -> None:
        try:
            result = builder.rebuild(changed)
        except Exception as exc:  # a bug in the engine: report it, keep serving, retry in full next time
            builder.state = None
            say(_stamp(f"Unexpected error: {type(exc).__name__}: {exc} (a bug in the site builder; "
                       "run 'build.py build --debug' to see the details)"))
            return
        say(_stamp(result.describe()))
        for error in result.errors:
            say(f"  {error}")
        LiveReloadHandler.reload_waiters(path="*")

    def on_burst(changed: set[Path]) -> None:
        loop_holder["loop"].add_callback(rebuild_on_loop, changed)

    sources = [options.content_dir, options.templates_dir, options.static_dir, options.config_path]
    collector = ChangeCollector([path for path in sources if path.exists()], on_burst)

    def started() -> None:
        loop_holder["loop"] = ioloop.IOLoop.current()
        collector.start()
        say(f"Serving the preview (with drafts) at http://{host}:{port}/ — edit and save, the browser reloads. "
            "Ctrl+C stops.")

    ioloop.IOLoop.current().add_callback(started)
    try:
        server.serve(host=host, port=port, restart_delay=0, debug=False)
    finally:
        collector.stop()


class _QuietWatcher:
    """livereload's watcher interface, doing nothing: ChangeCollector watches and rebuilds instead."""

    filepath = None
    _tasks = {"sources": None}

    def __init__(self) -> None:
        self._changes: list = []  # livereload queues a first "reload" here; nothing reads it

    def watch(self, *args, **kwargs) -> None:
        pass

    def start(self, callback) -> bool:
        return True  # "started": livereload then does not poll

    def examine(self):
        return None, None


def _stamp(text: str) -> str:
    return f"{dt.datetime.now():%H:%M:%S} {text}"
