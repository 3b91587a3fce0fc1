"""The converter's shortcuts change nothing a reader sees: pages come out as Python-Markdown's own
code makes them, byte for byte, on the site's pages and on Markdown made up to break them."""
from __future__ import annotations

import os
import posixpath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown.extensions.toc import TocExtension
from markdown.preprocessors import NormalizeWhitespace
from markdown.treeprocessors import InlineProcessor
from markdown.util import Registry

from conftest import ROOT
from iopguide.markup.convert import make_markdown
from iopguide.markup.extension import PageContext

PAGES = {"page.md": "page/", "other.md": "other/", "dir/third.md": "dir/third/"}


def python_markdown_itself():
    """The site's converter with Python-Markdown's own code in place of each shortcut of faster_markdown."""
    md = make_markdown()
    md.preprocessors.register(NormalizeWhitespace(md), "normalize_whitespace", 30)
    md.treeprocessors.register(InlineProcessor(md), "inline", 20)
    toc = next(extension for extension in md.registeredExtensions if isinstance(extension, TocExtension))
    md.treeprocessors.register(toc.TreeProcessorClass(md, toc.getConfigs()), "toc", 5)
    del md.is_block_level
    md.parser.blockprocessors.__class__ = Registry
    for processor in md.parser.blockprocessors:
        processor.__dict__.pop("test", None)
    md.treeprocessors.deregister("site-sections")
    return md


def convert(md, text: str) -> tuple[str, str]:
    """The text's HTML and its footnotes' list: the site keeps them apart, for the page template to show
    the notes after the text; Python-Markdown's own code ends the text with them."""
    md.reset()
    md.page_context = PageContext("page.md", "page/", PAGES, {})
    html = md.convert(text)
    notes = md.page_context.notes_html
    if not notes:
        html, start, rest = html.partition('<div class="footnote">')
        notes = start + rest
    return html.rstrip(), notes.strip()


def test_every_page_of_the_site_converts_as_python_markdown_converts_it():
    ours, theirs = make_markdown(), python_markdown_itself()
    texts = [path.read_text(encoding="utf-8").split("---\n", 2)[-1] for path in sorted(ROOT.glob("content/**/*.md"))]
    assert len(texts) > 10
    texts.append("[TOC]\n\n## First\n\nText with [TOC] inside.\n\n## Second *part*\n")  # the contents list goes in
    for text in texts:
        assert convert(ours, text) == convert(theirs, text)


# Pieces of everything inline patterns look for, in plain and broken forms, and blocks around them.
INLINE = st.sampled_from([
    "word", " ", "  \n", "\n", "*", "**", "_", "__", "`", "``", "\\", "\\*", "[", "]", "[^1]", "![", "(", ")",
    "[a link](other.md)", "[ref][r]", "[r]", "![alt](x.png)", "<https://example.org/a>", "<a@example.org>",
    "<b>", "</b>", "<kbd>", "<!-- note -->", "&amp;", "&#169;", "&copy", "&", "<", ">", '"', "'", "--", "...",
    "{: #id }", "*emph*", "**strong**", "_under_", "`code`", "ABBR", "[TOC]",
])
BLOCK = st.sampled_from(["", " \n", "   \n\t\n", "\r\n \r\n", "## ", "### ", "#", "- ", "1. ", "> ", ">", "    ",
                         "| a | b |\n| - | - |\n| ", "Term\n: ", "Term\n:", "!!! note\n    ", "!!!", "```\n",
                         '<div markdown="1">\n', "---\n", "* * *\n", "___", "Title\n====\n", "Title\n---\n",
                         "Title\n-\n", "-  -  -\n", "_ _ _\n", "**  *\n", "a | b\n--- | ---\n", "| one |\n| --- |\n",
                         "a | b\n", "|"])
DOCUMENT = st.lists(st.tuples(BLOCK, st.lists(INLINE, max_size=12).map("".join)), max_size=8).map(
    lambda blocks: "\n\n".join(block + line for block, line in blocks) + "\n\n[r]: other.md\n[^1]: A note.\n"
                   "*[ABBR]: An abbreviation\n")


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("IOPGUIDE_FUZZ_EXAMPLES", "25")) * 40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_any_markdown_converts_as_python_markdown_converts_it(text):
    assert convert(make_markdown(), text) == convert(python_markdown_itself(), text)


@pytest.mark.parametrize("pattern", list(make_markdown().inlinePatterns), ids=lambda pattern: type(pattern).__name__)
def test_every_inline_pattern_the_site_uses_is_one_the_shortcut_knows(pattern):
    # A pattern the table does not know is always tried, which is right but slow: after a
    # Python-Markdown upgrade rewrites one, this says which entry of NEEDS to check and update.
    from iopguide.markup.speedups import NEEDS

    assert pattern.pattern in NEEDS


def test_every_block_search_the_site_uses_is_one_the_shortcut_knows():
    from iopguide.markup.speedups import BLOCK_NEEDS

    searching = {name for name, _ in BLOCK_NEEDS} | {"AdmonitionProcessor"}
    shortened = [processor for processor in make_markdown().parser.blockprocessors
                 if type(processor).__name__ in searching]
    assert len(shortened) == len(searching) and all("quick_test" in repr(p.test) for p in shortened)


PATH = st.lists(st.sampled_from(["a", "b", "page", "dir", ".", "..", "", "static", "x.css", "é s"]), max_size=4).map("/".join)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None, database=None)
@given(PATH, PATH)
def test_links_between_pages_are_the_relative_paths_python_works_out(from_dir, to):
    from iopguide.markup.extension import _relative_path

    assert _relative_path(to or ".", from_dir or ".") == posixpath.relpath(to or ".", from_dir or ".")
