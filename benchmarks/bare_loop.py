#!/usr/bin/env python3
"""The floor for build benchmarks: the least a Python-Markdown + Jinja2 site generator must do.

    python benchmarks/bare_loop.py CONTENT_DIR OUTPUT_DIR [--processes 2] [--markdown default|site]

For each .md file: read it, parse the YAML front matter, convert the Markdown, render one small
Jinja2 template and write `page/index.html`. Nothing else: no validation, no links, no menus, no
sitemap, no cache. `--markdown site` converts with Python-Markdown's own extensions for what the
site's pages contain: the site's list, plus `smarty` for the curly quotes and dashes that the site
makes with its own faster pass (iopguide/markup/typography.py). `default` uses none, as `markdown.markdown()`.
"""
from __future__ import annotations

import argparse
import multiprocessing
import sys
from pathlib import Path

import jinja2
import markdown
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from iopguide.markup.convert import EXTENSION_CONFIGS, EXTENSIONS  # the site's settings, not its code

TEMPLATE = jinja2.Environment(autoescape=True).from_string("""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title><meta name="description" content="{{ description }}"></head>
<body><main><h1>{{ title }}</h1>
{{ body | safe }}
</main></body>
</html>
""")


def build_pages(job: tuple[list[Path], Path, Path, str]) -> int:
    files, content, output, flavour = job
    md = (markdown.Markdown(extensions=[*EXTENSIONS, "smarty"], extension_configs=EXTENSION_CONFIGS, output_format="html")
          if flavour == "site" else markdown.Markdown())
    for path in files:
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.load(front, Loader=yaml.CSafeLoader)  # libyaml, as the site uses: the floor is the fastest loop
        md.reset()
        html = TEMPLATE.render(title=meta["title"], description=meta["description"], body=md.convert(body))
        target = output / path.relative_to(content).with_suffix("") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    return len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--markdown", choices=("default", "site"), default="default")
    args = parser.parse_args()
    files = sorted(args.content.rglob("*.md"))
    shares = [(files[index::args.processes], args.content, args.output, args.markdown) for index in range(args.processes)]
    if args.processes == 1:
        built = build_pages(shares[0])
    else:
        with multiprocessing.get_context("fork").Pool(args.processes) as pool:
            built = sum(pool.map(build_pages, shares))
    print(f"{built} pages", file=sys.stderr)


if __name__ == "__main__":
    main()
