#!/usr/bin/env python3
"""The site's one-pass typography against Python-Markdown's smarty: same HTML? how much faster?
Prints numbers; asserts nothing.

    .venv/bin/python benchmarks/typography_vs_smarty.py [--pages 300]

It converts every page in content/ (drafts too) and every Markdown text of the quiz, then a corpus
made by ../shared/bench/make_corpus.py, once with the site's Markdown and once as it was before
(smarty in place of iopguide/markup/typography.py). It compares everything a page is built from: the HTML,
the intro and each section, and the headings' ids and names. Then it times converting the corpus
both ways, best of 3: Markdown to HTML alone, and all the build does per page (which adds the
unsafe-HTML check).
"""
from __future__ import annotations

import argparse
import collections
import difflib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import markdown

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from iopguide.source.config import load_config  # noqa: E402
from iopguide.source.pages import load_content  # noqa: E402
from iopguide.markup.convert import (EXTENSION_CONFIGS, EXTENSIONS, convert_page, convert_quiz,  # noqa: E402
                              make_markdown)
from iopguide.markup.extension import PageContext, SiteExtension  # noqa: E402
from iopguide.model import LinkTargets, Page  # noqa: E402

CORPUS = ROOT.parent / "shared" / "bench" / "make_corpus.py"
CONTEXT = 30  # characters shown either side of a difference


def smarty_markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=[*EXTENSIONS, "smarty", SiteExtension()], extension_configs=EXTENSION_CONFIGS,
                           output_format="html")
    md.treeprocessors.deregister("site-typography")
    return md


def load(content_dir: Path):
    content = load_content(content_dir, load_config(ROOT / "site_config.yaml"), True, [])
    assets = {rel: rel for rel in content.assets}
    return content, assets


def converted(md: markdown.Markdown, content_dir: Path) -> dict[str, str]:
    """Every piece of HTML and text the build takes from the Markdown, by a name saying where it is."""
    content, assets = load(content_dir)
    page_urls = {page.rel_path: page.url for page in content.pages}
    texts = {}
    for page in content.pages:
        shown = convert_page(md, page, LinkTargets(page_urls, assets), []).shown
        texts[page.rel_path] = shown.html
        texts[f"{page.rel_path} intro"] = shown.intro_html
        for section in shown.sections:
            texts[f"{page.rel_path} #{section.id}"] = f"{section.title_html}\n{section.title_text}\n{section.body_html}"
        texts[f"{page.rel_path} headings"] = "\n".join(f"{h.level} {h.id} {h.text}" for h in shown.headings)
    quiz_page = next((page for page in content.pages if page.meta.template == "quiz"), None)
    if content.quiz and quiz_page:
        quiz = convert_quiz(md, content.quiz, quiz_page, content.pages, assets, [])
        for outcome in quiz.outcomes:
            texts[f"quiz.yaml outcome {outcome.id}"] = "\n".join([outcome.body_html, *outcome.steps_html])
        texts["quiz.yaml notes"] = "\n".join(quiz.notes_html)
    return texts


def differences(old: str, new: str) -> list[tuple[str, str, str]]:
    """(old fragment, new fragment, the old text around it) for each change from `old` to `new`."""
    found = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op != "equal":
            found.append((old[i1:i2], new[j1:j2], old[max(0, i1 - CONTEXT):i2 + CONTEXT]))
    return found


def compare(name: str, content_dir: Path) -> None:
    old, new = converted(smarty_markdown(), content_dir), converted(make_markdown(), content_dir)
    differing = sorted(key for key in old if old[key] != new.get(key))
    pages = {key.split(" ")[0] for key in differing}
    print(f"{name}: {len(old)} texts compared; {len(differing)} differ, on {len(pages)} pages or quiz parts")
    kinds = collections.defaultdict(list)
    for key in differing:
        for before, after, around in differences(old[key], new[key]):
            kinds[(before, after)].append((key, around))
    for (before, after), where in sorted(kinds.items(), key=lambda item: -len(item[1])):
        key, around = where[0]
        print(f"  {before!r} → {after!r}: {len(where)} times, e.g. {key}: …{around!r}…")


def ms_per_page(md: markdown.Markdown, content_dir: Path) -> tuple[float, float]:
    """(Markdown → HTML alone, all the build does to convert a page), in ms per page."""
    content, assets = load(content_dir)
    page_urls = {page.rel_path: page.url for page in content.pages}

    def markdown_alone(page: Page) -> None:
        md.reset()
        md.page_context = PageContext(page.rel_path, page.url, page_urls, assets)
        md.convert(page.body)

    def whole_step(page: Page) -> None:
        convert_page(md, page, LinkTargets(page_urls, assets), [])

    return timed(markdown_alone, content.pages), timed(whole_step, content.pages)


def timed(step, pages: list[Page]) -> float:
    started = time.perf_counter()
    for page in pages:
        step(page)
    return (time.perf_counter() - started) / len(pages) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch)
        subprocess.run([sys.executable, str(CORPUS), str(args.pages), str(corpus)], check=True, stdout=subprocess.DEVNULL)
        compare("content/", ROOT / "content")
        compare(f"corpus of {args.pages} pages", corpus)
        # the rounds alternate, so a busy machine slows both alike
        smarty, typography = smarty_markdown(), make_markdown()
        rounds = [(ms_per_page(smarty, corpus), ms_per_page(typography, corpus)) for _ in range(3)]
    for index, label in enumerate(("Markdown → HTML", "convert_page (+ unsafe-HTML check)")):
        before, after = (min(times[index] for times in config) for config in zip(*rounds))
        print(f"{label}, corpus of {args.pages} pages, best of 3: smarty {before:.2f} ms/page, typography "
              f"{after:.2f} ms/page ({100 * (before - after) / before:.0f}% less)")


if __name__ == "__main__":
    main()
