"""Curly quotes, dashes and ellipses in one pass over the converted page.

Python-Markdown's `smarty` extension does this with a dozen inline patterns, and Python-Markdown
tries every inline pattern on every piece of text: it made a page far slower to convert.
Here one regular expression reads each piece of text once. Prose comes out as smarty wrote it,
by smarty's rules and with its entities (`&rsquo;`, `&mdash;`…), except where smarty was wrong:

- Smarty saw each piece of text on its own, so a quote right after emphasis, a link, code or an
  HTML tag did not know what came before it (`"*word*"` ended with an opening quote). Here the
  character before a piece of text is the last one shown before it in the same block.
- A quote that starts a paragraph opens, even before punctuation (smarty closed `"...`).
- Text between raw `<kbd>`, `<samp>` or `<code>` tags stays as written.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER, HTML_PLACEHOLDER_RE, AtomicString

# A quote after one of these closes; the rest (spaces, opening brackets, hyphens and the edges of
# Python-Markdown's placeholders) are where quotes open. These are smarty's classes, kept exact.
_CLOSES = r"[^ \t\r\n\[{(\-\x02\x03]"
_OPENS = r"[\s–—]"

# Alternatives are tried in smarty's order; each name is an entry in _ENTITIES. The lookahead in
# front lets `re` skip to the next quote, hyphen or dot, which makes the scan many times faster.
_MARKS = re.compile(rf"""(?=["'.\-])(?:
    (?P<mdash>(?<!-)---(?!-))
  | (?P<ndash>(?<!-)--(?!-))
  | (?P<hellip>(?<!\.)\.\.\.(?!\.))
  | (?P<open_double_single>"'(?=\w))
  | (?P<open_single_double>'"(?=\w))
  | (?P<close_single_double>(?<={_CLOSES})'")
  | (?P<close_double_single>(?<={_CLOSES})"')
  | (?P<decade>(?<!\w)'(?=\d\ds))
  | (?P<open_single>(?<={_OPENS})'(?=\w))
  | (?P<apostrophe>(?<={_CLOSES})'(?!\s|s\b|\d)|'(?=\s|s\b))
  | (?P<other_single>')
  | (?P<open_double>(?<={_OPENS})"(?=\w))
  | (?P<close_double>"(?=\s)|(?<={_CLOSES})")
  | (?P<other_double>")
)""", re.VERBOSE)

# Python-Markdown's serializer writes an entity in text as it is, where it escapes any other '&'.
_ENTITIES = {
    "mdash": "&mdash;",
    "ndash": "&ndash;",
    "hellip": "&hellip;",
    "open_double_single": "&ldquo;&lsquo;",
    "open_single_double": "&lsquo;&ldquo;",
    "close_single_double": "&rsquo;&rdquo;",
    "close_double_single": "&rdquo;&rsquo;",
    "decade": "&rsquo;",
    "open_single": "&lsquo;",
    "apostrophe": "&rsquo;",
    "other_single": "&lsquo;",
    "open_double": "&ldquo;",
    "close_double": "&rdquo;",
    "other_double": "&ldquo;",
}

# What is shown as written: code, keys to press, a program's output. Markdown's own code is an
# element in the tree; raw HTML an editor writes (`<kbd>--</kbd>`) is a placeholder in the text
# for each tag, with the text between them in the tree as usual.
LITERAL_ELEMENTS = {"code", "pre", "kbd", "samp", "script", "style"}
_LITERAL_TAG = re.compile(r"<(/?)(?:code|kbd|pre|samp|script|style)\b", re.IGNORECASE)
_RAW_HTML = re.compile("(" + HTML_PLACEHOLDER % r"\d+" + ")")
_TAG = re.compile(r"<[^>]*>")

# At the start of a block a quote opens, as it does after a space.
_BLOCK_START = " "


def typeset(text: str, before: str) -> str:
    """`text` with typographic quotes, dashes and ellipses; `before` is the character in front of it."""
    if "'" not in text and '"' not in text and "--" not in text and "..." not in text:
        return text  # most pieces of text, which four scans in C tell faster than the expression
    context = before + text
    pieces, done = [], len(before)
    for mark in _MARKS.finditer(context, len(before)):
        pieces += (context[done:mark.start()], _ENTITIES[mark.lastgroup])
        done = mark.end()
    if not pieces:
        return text
    pieces.append(context[done:])
    return "".join(pieces)


class TypographyProcessor(Treeprocessor):
    """Typeset every text and tail in document order; code, attributes and AtomicStrings stay as written."""

    def run(self, root: etree.Element) -> None:
        self.start_block()
        self.typeset_children(root)

    def start_block(self) -> None:
        self.before = _BLOCK_START  # the last character shown so far in this block
        self.literal_depth = 0  # raw <kbd>-like tags open here; an unclosed one ends with its block

    def typeset_children(self, parent: etree.Element) -> None:
        for child in parent:
            block = self.md.is_block_level(child.tag)
            if block:
                self.start_block()
            if isinstance(child.tag, str) and child.tag not in LITERAL_ELEMENTS:
                child.text = self.typeset_piece(child.text)
                self.typeset_children(child)
            else:  # a quote after `code` still closes
                self.pass_over("".join(child.itertext()))
            if block:
                self.start_block()
            child.tail = self.typeset_piece(child.tail)

    def typeset_piece(self, text: str | None) -> str | None:
        if not text or isinstance(text, AtomicString):  # code spans, autolinks, abbreviations
            self.pass_over(text or "")
            return text
        if HTML_PLACEHOLDER[0] not in text:  # most text holds no raw HTML: no need to split it
            typeset_text = text if self.literal_depth else typeset(text, self.before)
            self.pass_over(text)
            return typeset_text
        parts = _RAW_HTML.split(text)  # text, raw HTML, text, raw HTML, …, text
        for index, part in enumerate(parts):
            if index % 2:
                self.pass_over_raw_html(part)
                continue
            if not self.literal_depth:
                parts[index] = typeset(part, self.before)
            self.pass_over(part)
        return "".join(parts)

    def pass_over(self, text: str) -> None:
        self.before = text[-1:] or self.before

    def pass_over_raw_html(self, placeholder: str) -> None:
        raw = self.md.htmlStash.rawHtmlBlocks[int(HTML_PLACEHOLDER_RE.match(placeholder).group(1))]
        if not isinstance(raw, str):  # a block md_in_html set aside whole
            return
        for closing in _LITERAL_TAG.findall(raw):
            self.literal_depth = max(0, self.literal_depth + (-1 if closing else 1))
        self.pass_over(html.unescape(_TAG.sub("", raw)))  # a tag shows nothing, `&mdash;` shows —
