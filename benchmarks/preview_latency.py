#!/usr/bin/env python3
"""Save-to-rebuilt time of `build.py serve` on the shared benchmark corpus. Prints numbers; asserts nothing.

    .venv/bin/python benchmarks/preview_latency.py [--pages 1000] [--edits 20] [--translated [--edit-language es]]

It generates the corpus with ../shared/bench/make_corpus.py into a scratch folder, starts the real
preview server there, edits one page's text many times, and measures from the moment the file is
saved to the moment the rebuilt page is on disk and the server has said so.
"""
from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from corpus import ROOT, make_site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--translated", action="store_true",
                        help="the site in every language of the project's config, each with a copy of every page")
    parser.add_argument("--edit-language", default="", metavar="CODE",
                        help="with --translated: edit the page's copy in that language's folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        page = make_site(folder, args.pages, args.translated)
        if args.edit_language:
            page = folder / "content" / args.edit_language / page.relative_to(folder / "content")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port)], cwd=folder,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines: list[str] = []
        threading.Thread(target=lambda: [lines.append(line) for line in server.stdout], daemon=True).start()
        while not any("Serving the preview" in line for line in lines):
            if server.poll() is not None:
                sys.exit("".join(lines))
            time.sleep(0.05)
        first_build = next(line for line in lines if "first build" in line).strip()
        rel = page.relative_to(folder / "content").with_suffix("")
        built = folder / ".cache" / "serve" / rel / "index.html"
        latencies, reported = [], []
        text = page.read_text()
        for edit in range(args.edits):
            marker = f"edit-marker-{edit}"
            seen = len(lines)
            started = time.perf_counter()
            page.write_text(text.replace("\n\n", f"\n\n{marker} ", 1))
            while not (marker in built.read_text() and len(lines) > seen):
                time.sleep(0.001)
            latencies.append((time.perf_counter() - started) * 1000)
            reported.append(float(re.search(r"in (\d+) ms", lines[-1]).group(1)))
            time.sleep(0.2)
        server.terminate()
        server.wait()
    edited = f", editing a page in '{args.edit_language}/'" if args.edit_language else ""
    print(f"corpus: {args.pages} pages{' in every language' if args.translated else ''}{edited}; {first_build.split(' ', 1)[1]}")
    print(f"one-page edit, save → rebuilt page on disk: median {statistics.median(latencies):.0f} ms, "
          f"max {max(latencies):.0f} ms over {args.edits} edits")
    print(f"  of which the rebuild itself (as the server reports it): median {statistics.median(reported):.0f} ms")
    print(f"  the rest is the {int(0.05 * 1000)} ms quiet window that merges bursts of saves, and file-event delivery")


if __name__ == "__main__":
    main()
