#!/usr/bin/env python3
"""What minifying the built HTML and CSS would save readers, in gzip bytes. Prints numbers; asserts nothing.

    .venv/bin/pip install minify-html==0.18.1 && .venv/bin/python benchmarks/minify_savings.py

It builds the real site into a scratch folder and compares, for every page and the stylesheet, the
bytes as built and as minify-html leaves them, raw and gzipped at level 6 (what a static host's
default compression sends).
"""
from __future__ import annotations

import gzip
import subprocess
import sys
import tempfile
from pathlib import Path

import minify_html

ROOT = Path(__file__).resolve().parent.parent


def minify(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".css":  # minify-html minifies CSS inside <style>; a stylesheet is wrapped and unwrapped
        wrapped = minify_html.minify(f"<style>{text}</style>", minify_css=True)
        return wrapped.removeprefix("<style>").removesuffix("</style>")
    return minify_html.minify(text, minify_css=True, minify_js=False, keep_html_and_head_opening_tags=True)


def gzip_size(text: str) -> int:
    return len(gzip.compress(text.encode("utf-8"), compresslevel=6))


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "output"
        subprocess.run([sys.executable, "build.py", "--output", str(output)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        files = sorted(p for p in output.rglob("*") if p.suffix in (".html", ".css"))
        print(f"{'file':40} {'raw':>7} {'minified':>9} {'gzip':>6} {'gzip min':>9} {'saved':>6}")
        totals = {"html": [0, 0, 0, 0], "css": [0, 0, 0, 0]}
        for path in files:
            text, small = path.read_text(encoding="utf-8"), minify(path)
            row = [len(text.encode()), len(small.encode()), gzip_size(text), gzip_size(small)]
            totals[path.suffix.lstrip(".")] = [a + b for a, b in zip(totals[path.suffix.lstrip(".")], row)]
            print(f"{path.relative_to(output).as_posix():40} {row[0]:7} {row[1]:9} {row[2]:6} {row[3]:9} "
                  f"{row[2] - row[3]:6}")
        for kind, (raw, small, packed, packed_small) in totals.items():
            print(f"all {kind}: raw {raw} → {small} bytes ({100 * (raw - small) / raw:.1f}% less); "
                  f"gzip {packed} → {packed_small} bytes ({packed - packed_small} bytes, "
                  f"{100 * (packed - packed_small) / packed:.1f}% less)")
        pages = len([p for p in files if p.suffix == ".html"])
        html_saved = (totals["html"][2] - totals["html"][3]) / pages
        print(f"per page: {html_saved:.0f} gzip bytes of HTML saved on average; "
              f"the stylesheet once per visit: {totals['css'][2] - totals['css'][3]} gzip bytes")


if __name__ == "__main__":
    main()
