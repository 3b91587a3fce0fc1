"""Finding the line of a piece of text, in time that grows with the text, not with the text times the finds.

A page with thousands of mistakes (a pasted export, or an attack on the build) asks for thousands of
lines; searching the text line by line for each made such a page take minutes.
"""
from __future__ import annotations

import bisect
import functools
import itertools


class SearchText:
    """Lines joined into one string, so a search is one `str.find`, with where each line starts."""

    def __init__(self, lines: list[str]):
        self.text = "\n".join(lines)
        self.starts = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
        self._missing_after: dict[str, int] = {}  # needle → an offset it does not occur at or after

    def find(self, needle: str, line: int = 0, column: int = 0) -> tuple[int, int] | None:
        """The line and column (from 0) of the first `needle` at or after `column` of `line`.

        A miss is remembered, so each stretch of the text is searched for a needle at most once.
        """
        start = min(self.starts[line] + column, self._end_of(line))  # a column may lie past a shorter line's end
        missing_after = self._missing_after.get(needle, len(self.text) + 1)
        if start >= missing_after:
            return None
        found = self.text.find(needle, start, missing_after + len(needle) - 1)
        if found < 0:
            self._missing_after[needle] = start
            return None
        line = bisect.bisect_right(self.starts, found) - 1
        return line, found - self.starts[line]

    def _end_of(self, line: int) -> int:
        return self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)


@functools.lru_cache(maxsize=1)  # the page being converted or checked; a str keeps its hash, so a hit costs nothing
def _search_text(text: str) -> SearchText:
    return SearchText(text.split("\n"))


def line_containing(text: str, needle: str, first_line: int) -> int:
    """The file line where `needle` first appears in `text` (its first line if it is not found).

    Each call is one search from the start: a page with as many mistakes as lines costs the text's
    length times theirs, but at the speed of `str.find`, and inside the page's time limit.
    """
    found = _search_text(text).find(needle)
    return first_line + found[0] if found else first_line
