"""Python-Markdown's slowest steps, with shortcuts that leave its output as it was, byte for byte.

tests/unit/test_markdown_speedups.py compares with Python-Markdown's own code on every page of content/
and on generated Markdown.

The inline pass: Python-Markdown tries each of its inline patterns, in order, on every piece of
text, and that was the largest single cost of converting a page. Most patterns need a
character that most text lacks: a link needs `[`, code a backtick, an entity `&`. Checking for that character with
`in` costs a fraction of running the pattern's regular expression, so a pattern whose character
is absent is passed over. The output is the same byte for byte: a regular expression that needs a
character cannot match a text without it, and passing over a pattern has the effect a failed
match has. Text only loses characters as patterns match, to placeholders none of these
characters are in, so what a text lacks at first it lacks to the end.

Patterns are recognised by their exact regular expression, so a pattern this table does not know,
or one a later Python-Markdown rewrites, is simply always tried, as before.

Blocks: the same holds for the block processors that search a whole block for their mark (`#`
for a heading, `>` for a quote, two of `-`, `_` or `*` for a rule, a line starting with `=` or `-`
under a heading's text) before taking it: a block without the mark is not searched. A table's
test splits the block's first two lines into cells: a block without a pipe has one cell and no
border, so it is not split. The abbreviation and footnote processors take every block, search
it, and put it back when their mark is not there: a block without it is passed over, as if put
back. The block parser loops over all its processors once per block, so their list is made
once, not at every loop.

Block-level tags: Python-Markdown looks a tag up in its list of block-level tags again and again on
every page; the answer for each tag is remembered, as nothing changes that list once the extensions
are loaded.

Whitespace: before anything else, Python-Markdown empties the lines made of spaces alone, with a
regular expression tried at every character of the page; it is not run on a page where no space
ends a line, as it would change nothing there.

The table of contents: `toc` also makes a contents list, for an editor's `[TOC]` marker and for
`md.toc`, on every page. The site's templates make their own from `md.toc_tokens`, so the list is
made only for a page that has the marker.

The shortcuts override Python-Markdown's private methods (one under its name-mangled name), swap a
registry's class and copy a method's body, so they go in only on the versions of Python-Markdown
they were proven on, and only while every name they override or call is there (private_hooks.py);
otherwise the site is converted by plain Python-Markdown, and `build.py build --verbose` says so.
The tests fail when any shortcut is not in place, does not run, or does not make conversion faster.
"""
from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as etree

import markdown
from markdown import Markdown, util
from markdown.extensions.admonition import AdmonitionProcessor
from markdown.extensions.tables import TableProcessor
from markdown.extensions.toc import TocExtension, TocTreeprocessor
from markdown.preprocessors import NormalizeWhitespace
from markdown.treeprocessors import InlineProcessor

from iopguide.private_hooks import reason_to_stay_out

PROVEN_ON = ("3.11.3",)  # the Python-Markdown versions the shortcuts were proven on (requirements.txt pins one)

# A pattern's regular expression → the strings of which a text must hold one for it to match.
NEEDS: dict[str, tuple[str, ...]] = {
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": ("`",),  # code
    r"\\(.)": ("\\",),  # a backslash escape
    r"\[\^([^\]]*)\]": ("[^",),  # a footnote reference
    r"(?<!\!)\[": ("[",),  # links, written out or by reference
    r"\!\[": ("![",),  # images, written out or by reference
    r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>": ("://",),  # <https://…>
    r"<([^<> !]+@[^@<> ]+)>": ("@",),  # <name@example.org>
    r"  \n": ("  \n",),  # two spaces at the end of a line: a line break
    r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>]++))?+)*+\s*+/?"""
    r"""|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)""": ("<",),
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": ("&",),  # an entity
    r"\*|_": ("*", "_"),  # emphasis
}

# A block processor's class, and the regular expression its test searches with → as above. Only
# processors whose test is that search and nothing else, or whose test takes every block and whose
# run, when that search finds nothing, puts the block back and declines it (abbreviations,
# footnotes). Admonition's test also looks for a continuation, so its search is shortened alone.
BLOCK_NEEDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("AbbrBlockprocessor", r"^[*]\[(?P<abbr>[^\\]*?)\][ ]?:[ ]*\n?[ ]*(?P<title>.*)$"): ("*[",),
    ("FootnoteBlockProcessor", r"^[ ]{0,3}\[\^([^\]]*)\]:[ ]*(.*)$"): ("[^",),
    ("HashHeaderProcessor", r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)"): ("#",),
    ("BlockQuoteProcessor", r"(^|\n)[ ]{0,3}>[ ]?(.*)"): (">",),
    # a rule is at least three of one mark, with up to two spaces between: so two of them, like that
    ("HRProcessor", r"^[ ]{0,3}(?=(?P<atomicgroup>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))(?P=atomicgroup)[ ]*$"):
        tuple(f"{mark}{spaces}{mark}" for mark in "-_*" for spaces in ("", " ", "  ")),
    ("SetextHeaderProcessor", r"^.*?\n(?:=+|-+)[ ]*(\n|$)"): ("\n=", "\n-"),  # a line of = or - below the first
    ("DefListProcessor", r"(^|\n)[ ]{0,3}:[ ]{1,3}(.*?)(\n|$)"): (": ",),
}


ADMONITION = r'(?:^|\n)!!! ?([\w\-]+(?: +[\w\-]+)*)(?: +"(.*?)")? *(?:\n|$)'  # its test's search


class QuickInlineProcessor(InlineProcessor):
    """Python-Markdown's InlineProcessor, passing over the patterns a text cannot match."""

    def run(self, tree, ancestors=None):
        # A list, as the registry is sorted again on every lookup by position, which the loop does
        # once per pattern and piece of text.
        self.inlinePatterns = list(self.md.inlinePatterns)
        self.needs = [NEEDS.get(getattr(pattern, "pattern", None)) for pattern in self.inlinePatterns]
        return super().run(tree, ancestors)

    # Python-Markdown's private method (the name it has after name mangling), with the check added.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        patterns, needs = self.inlinePatterns, self.needs
        startIndex = 0
        while patternIndex < len(patterns):
            need = needs[patternIndex]
            if need is not None:
                for character in need:
                    if character in data:
                        break
                else:
                    patternIndex, startIndex = patternIndex + 1, 0
                    continue
            data, matched, startIndex = self._InlineProcessor__applyPattern(patterns[patternIndex], data,
                                                                            patternIndex, startIndex)
            if not matched:
                patternIndex += 1
        return data


class QuickNormalizeWhitespace(NormalizeWhitespace):
    """Python-Markdown's NormalizeWhitespace, which empties every line made of spaces alone with a
    regular expression tried at each character of the page: only where a space ends a line."""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        source = source.replace(util.STX, "").replace(util.ETX, "")
        source = source.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
        source = source.expandtabs(self.md.tab_length)
        if " \n" in source:
            source = re.sub(r"(?<=\n) +\n", "\n", source)
        return source.split("\n")


class QuickTocProcessor(TocTreeprocessor):
    """Python-Markdown's TocTreeprocessor, making the contents list only where a `[TOC]` marker may go."""

    def run(self, doc: etree.Element) -> None:
        self.marked = bool(self.marker) and any(self.marker in text for text in doc.itertext())
        super().run(doc)

    def build_toc_div(self, toc_list: list) -> etree.Element:
        return super().build_toc_div(toc_list) if self.marked else etree.Element("div")

    def replace_marker(self, root: etree.Element, elem: etree.Element) -> None:
        if self.marked:
            super().replace_marker(root, elem)


class ListedRegistry(util.Registry):
    """Python-Markdown's Registry, listing its items in order once per change, not at every loop."""

    _listed: list | None = None

    def __iter__(self):
        if self._listed is None or not self._is_sorted:
            self._sort()
            self._listed = [self._data[name] for name, _ in self._priority]
        return iter(self._listed)

    def deregister(self, *args, **kwargs) -> None:
        # register() marks the registry unsorted, which lists it again; removing an item does not
        self._listed = None
        super().deregister(*args, **kwargs)


# Why the shortcuts stay out, worked out once, on import; None when they go in.
STAYING_OUT = reason_to_stay_out(
    "Markdown", markdown.__version__, PROVEN_ON,
    overrides=(QuickInlineProcessor, QuickNormalizeWhitespace, QuickTocProcessor, ListedRegistry),
    needs=((InlineProcessor, "_InlineProcessor__applyPattern"), (Markdown, "is_block_level"),
           (AdmonitionProcessor, "parse_content"), (util.Registry, "_sort"),
           *((util.Registry(), name) for name in ("_data", "_priority", "_is_sorted"))))
# What `build.py build --verbose` says while they stay out.
PLAIN = STAYING_OUT and (f"Markdown shortcuts off ({STAYING_OUT}): plain Python-Markdown converts the pages, "
                         "the same pages more slowly")


def install(md: Markdown) -> list[str]:
    """Put the quick processors in the place of Python-Markdown's own, with the same settings.
    Returns what of Python-Markdown each replaced, so a test can tell that every one is in place;
    nothing is replaced while STAYING_OUT says why not."""
    if STAYING_OUT:
        return []
    md.is_block_level = functools.cache(md.is_block_level)
    md.parser.blockprocessors.__class__ = ListedRegistry
    installed = ["Markdown.is_block_level", "BlockParser.blockprocessors"]
    for processor in md.parser.blockprocessors:
        searched_with = getattr(processor, "SEARCH_RE", None) or getattr(processor, "RE", None)
        needs = BLOCK_NEEDS.get((type(processor).__name__, getattr(searched_with, "pattern", None)))
        if needs:
            processor.test = _quick_test(processor.test, needs)
        elif isinstance(processor, AdmonitionProcessor) and processor.RE.pattern == ADMONITION:
            processor.test = _quick_admonition_test(processor)
        elif isinstance(processor, TableProcessor):
            # A table's first row has two cells, so a pipe between them, or one cell in a border of pipes.
            processor.test = _quick_test(processor.test, ("|",))
        else:
            continue
        installed.append(f"{type(processor).__name__}.test")
    md.preprocessors.register(QuickNormalizeWhitespace(md), "normalize_whitespace", 30)
    md.treeprocessors.register(QuickInlineProcessor(md), "inline", 20)
    installed += ["NormalizeWhitespace", "InlineProcessor"]
    for extension in md.registeredExtensions:
        if isinstance(extension, TocExtension):
            md.treeprocessors.register(QuickTocProcessor(md, extension.getConfigs()), "toc", 5)
            installed.append("TocTreeprocessor")
    return installed


def _quick_admonition_test(processor: AdmonitionProcessor):
    """Admonition's test, which searches for `!!!` and then looks for an admonition's indented
    continuation: the search only when the block holds `!!!`."""
    def quick_test(parent: etree.Element, block: str) -> bool:
        return ("!!!" in block and processor.RE.search(block) is not None
                or processor.parse_content(parent, block)[0] is not None)

    return quick_test


def _quick_test(test, needs: tuple[str, ...]):
    holds_a_need = re.compile("|".join(map(re.escape, needs))).search  # one scan in C, for one need or three

    def quick_test(parent: etree.Element, block: str) -> bool:
        return holds_a_need(block) is not None and test(parent, block)

    return quick_test
