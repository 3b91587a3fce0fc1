"""The converter's shortcuts change nothing a reader sees: pages come out as Python-Markdown's own
code makes them, byte for byte, on the site's pages and on Markdown made up to break them. And they
are there: every shortcut is in place on the converter the site makes, runs, and makes it faster."""
from __future__ import annotations

import functools
import os
import posixpath
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from iopguide.markup.convert import make_markdown
from iopguide.markup import speedups
from iopguide.markup.extension import PageContext

PAGES = {"page.md": "page/", "other.md": "other/", "dir/third.md": "dir/third/"}


def python_markdown_itself():
    """The site's converter made without a shortcut: Python-Markdown's own code throughout."""
    md = make_markdown(shortcuts=False)
    md.treeprocessors.deregister("site-sections")  # the site's pieces, put together, are the whole page
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


@functools.cache
def site_texts() -> tuple[str, ...]:
    """The Markdown of every page of content/, without its front matter."""
    texts = tuple(path.read_text(encoding="utf-8").split("---\n", 2)[-1] for path in sorted(ROOT.glob("content/**/*.md")))
    assert len(texts) > 10
    return texts


def convert_site(md) -> None:
    for text in site_texts():
        convert(md, text)


def test_every_page_of_the_site_converts_as_python_markdown_converts_it():
    ours, theirs = make_markdown(), python_markdown_itself()
    texts = list(site_texts())
    texts.append("[TOC]\n\n## First\n\nText with [TOC] inside.\n\n## Second *part*\n")  # the contents list goes in
    for text in texts:
        assert convert(ours, text) == convert(theirs, text)


# What of Python-Markdown each shortcut takes the place of, as speedups.install() reports it, and the
# code of speedups.py that Python-Markdown calls instead while it is in place.
IN_PLACE_OF = {
    "Markdown.is_block_level": None,  # functools.cache, which is C code: its hits are counted instead
    "BlockParser.blockprocessors": "ListedRegistry.__iter__",
    **{f"{processor}.test": "_quick_test.<locals>.quick_test"
       for processor in [name for name, _ in speedups.BLOCK_NEEDS] + ["TableProcessor"]},
    "AdmonitionProcessor.test": "_quick_admonition_test.<locals>.quick_test",
    "NormalizeWhitespace": "QuickNormalizeWhitespace.run",
    "InlineProcessor": "QuickInlineProcessor._InlineProcessor__handleInline",
    "TocTreeprocessor": "QuickTocProcessor.build_toc_div",
}


def test_every_shortcut_is_in_place_on_the_sites_converter_and_runs():
    """A shortcut that stopped (a renamed private method overrides nothing) leaves every page right
    and the build slower, so nothing else would notice: here each must be in place, and its code must
    be what Python-Markdown calls while the site's pages are converted."""
    md = make_markdown()
    assert sorted(md.shortcuts) == sorted(IN_PLACE_OF), speedups.PLAIN
    for processor in md.parser.blockprocessors:
        if f"{type(processor).__name__}.test" in IN_PLACE_OF:
            assert processor.test.__qualname__ == IN_PLACE_OF[f"{type(processor).__name__}.test"]
    ran: set[str] = set()

    def note_call(frame, event, arg) -> None:
        if event == "call" and frame.f_code.co_filename == speedups.__file__:
            ran.add(frame.f_code.co_qualname)

    sys.setprofile(note_call)
    try:
        convert_site(md)
    finally:
        sys.setprofile(None)
    assert {code for code in IN_PLACE_OF.values() if code} - ran == set()
    assert md.is_block_level.cache_info().hits > 0


@pytest.mark.slow
def test_the_shortcuts_make_converting_the_site_faster():
    """A shortcut that silently stopped would leave the pages right and the build slow: the site's
    pages convert at least 1.2 times as fast with the shortcuts as by Python-Markdown's own code.
    Each converter's best of seven runs, taken in turns, so a busy machine slows both alike."""
    quick, plain = make_markdown(), make_markdown(shortcuts=False)
    best = {quick: float("inf"), plain: float("inf")}
    for _ in range(7):
        for md in best:
            started = time.perf_counter()
            convert_site(md)
            best[md] = min(best[md], time.perf_counter() - started)
    assert best[plain] / best[quick] >= 1.2, best


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
