"""Per-claim sources, for `build.py check`: the parts of a page that state a figure without citing a
source, and the sources a page lists that none of its notes cites.

A citation is a Python-Markdown footnote: `[^name]` after the sentence, and a note
`[^name]: Source. [Title](https://…)` at the end of the page. The page is read as Markdown source,
block by block (paragraphs, list items, table rows), so each warning names the line the block starts on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from iopguide.model import Page

_NUMBER = r"(?:\d+(?:[.,]\d+)*|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty)"
_RANGE = rf"{_NUMBER}(?:\s*(?:-|–|—|to|or)\s*{_NUMBER})?"
_UNIT = r"(?:hours?|hrs?|minutes?|days?|weeks?|months?|years?|percent|per\s+cent)"
# What counts as stating a figure: an amount of time, a share, money or an age.
FIGURE = re.compile("|".join([
    rf"\b{_RANGE}[\s-]*{_UNIT}\b",
    r"\d\s*%",
    r"\$\s*\d",
    rf"\b(?:ages?|aged|under|over|younger than|older than)\s+{_NUMBER}\b",
    rf"\b{_NUMBER}\s+(?:or|and)\s+(?:older|over|younger|under)\b",
    r"\b\d+\s*(?:–|—|to)\s*\d+\b",  # a bare range, like ages 12 to 17 or 3–5 times
]), re.IGNORECASE)
# Left out before looking for figures: what a figure inside them says is not a claim of the page's text.
_NOT_PROSE = re.compile("|".join([
    r"`+[^`]*`+",  # code
    r"!?\[[^\]]*\]\([^)]*\)",  # a link or image, with its text
    r"\[[^\]^]*\]\[[^\]]*\]",  # a reference-style link
    r"<[^>]+>",  # an autolink or an HTML tag
    r"https?://\S+",
    r"\b(?:1-)?\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b",  # a phone number
]))
CITATION = re.compile(r"\[\^[^\]\s]+\]")
_NOTE = re.compile(r"\[\^([^\]\s]+)\]:\s?(.*)")
_ADDRESS = re.compile(r"https?://[^\s)>\]\"']+")
_FENCE = re.compile(r"\s*(```|~~~)")
_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s+")
_TABLE_RULE = re.compile(r"\s*\|?\s*:?-{2,}")


@dataclass(frozen=True)
class Block:
    """A paragraph, list item, table row or note of a page's Markdown, from the line it starts on."""

    kind: str  # "paragraph", "list item", "table row", "note" or "heading"
    line: int
    text: str

    @property
    def cites(self) -> bool:
        return bool(CITATION.search(self.text))


def blocks(body: str, first_line: int) -> Iterator[Block]:
    """The page's blocks in order, without code; a line indented under a list item or a note, or
    right under its first line, continues it."""
    current: list = []  # [kind, line, lines]
    in_fence = False
    after_blank = True

    def finish() -> Iterator[Block]:
        if current:
            kind, line, lines = current
            yield Block(kind, line, " ".join(lines))
            current.clear()

    for number, line in enumerate(body.split("\n"), start=first_line):
        if _FENCE.match(line):
            yield from finish()
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        stripped = line.strip()
        # an indented line, or any line right under an item's or note's own line, is still part of it
        continues = bool(current) and current[0] in ("list item", "note") and (line[:1] in (" ", "\t") or not after_blank)
        after_blank = not stripped
        if not stripped:
            if current and current[0] == "paragraph":
                yield from finish()
            continue
        if stripped.startswith("#"):
            yield from finish()
            yield Block("heading", number, stripped)
            continue
        note = _NOTE.match(line)
        if note or _ITEM.match(line) or stripped.startswith("|"):
            yield from finish()
            if stripped.startswith("|") and _TABLE_RULE.match(stripped):
                continue
            kind = "note" if note else "table row" if stripped.startswith("|") else "list item"
            current.extend([kind, number, [stripped]])
        elif current and (continues or current[0] == "paragraph"):
            current[2].append(stripped)
        else:
            yield from finish()
            current.extend(["paragraph", number, [stripped]])
    yield from finish()


def stated_figure(text: str) -> str | None:
    """The first figure a block's text states, outside code, links and phone numbers; None if none."""
    found = FIGURE.search(_NOT_PROSE.sub(" ", text))
    return found.group(0) if found else None


def uncited_figures(found: list[Block]) -> Iterator[tuple[Block, str]]:
    """Each paragraph, list item or table row that states a figure and cites no source, with the figure.

    A list item or table row is also covered by a citation in the paragraph right before its list or
    table ("This risk is highest soon after:[^toolkit]") or right after it ("These steps follow
    SAMHSA's toolkit.[^toolkit]").
    """
    for index, block in enumerate(found):
        if block.kind in ("note", "heading") or block.cites or _group_cited(found, index):
            continue
        figure = stated_figure(block.text)
        if figure:
            yield block, figure


def _group_cited(found: list[Block], index: int) -> bool:
    """Whether the list or table holding found[index] sits right after or before a citing paragraph."""
    kind = found[index].kind
    if kind not in ("list item", "table row"):
        return False
    start, end = index, index
    while start > 0 and found[start - 1].kind == kind:
        start -= 1
    while end + 1 < len(found) and found[end + 1].kind == kind:
        end += 1
    neighbours = found[start - 1:start] + found[end + 1:end + 2]
    return any(block.kind == "paragraph" and block.cites for block in neighbours)


def same_address(url: str) -> str:
    """A web address as notes and sources are matched by it: without its scheme, `www.` or a final /."""
    return re.sub(r"^https?://(www\.)?", "", url.strip()).rstrip("/").lower()


def uncited_sources(page: Page, found: list[Block]) -> Iterator[int]:
    """The index in `sources:` of each source that no note of the page links to.

    Only on a page that cites with notes at all: on one that does not yet, every source would be
    reported, where the page's problem is its figures without citations, reported one by one. A
    source marked `guidance: true` shaped how the page is written and backs no single claim.
    """
    notes = [block for block in found if block.kind == "note"]
    cited = {same_address(url) for note in notes for url in _ADDRESS.findall(note.text)}
    for index, source in enumerate(page.meta.sources):
        if notes and not source.guidance and same_address(source.url) not in cited:
            yield index
