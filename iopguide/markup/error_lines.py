"""Finding the lines of a file's mistakes, in time that grows with the file, not with the file times its mistakes.

A page with thousands of mistakes (a pasted export, or an attack on the build) asks for thousands of
lines; searching the text line by line for each made such a page take minutes.
"""
from __future__ import annotations

import bisect
import functools
import itertools
from typing import Callable


class SearchText:
    """Lines joined into one string, so a search is one `str.find`, with where each line starts."""

    def __init__(self, lines: list[str]):
        self.text = "\n".join(lines)
        self.starts = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
        self._missing_after: dict[str, int] = {}  # needle → an offset it does not occur at or after

    def find(self, needle: str, line: int, column: int) -> tuple[int, int] | None:
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


class LineSearch:
    """Finds the lines of a file's mistakes in the order they are reported: after the previous one
    first, then anywhere (the file may spell it in another way), so two mistakes of one kind get two
    lines and a page's mistakes cost one pass over it, not one each."""

    def __init__(self, first_line: int, make_texts: Callable[[], list[SearchText]]):
        self.first_line, self.position, self._make_texts = first_line, (0, 0), make_texts

    @functools.cached_property
    def _texts(self) -> list[SearchText]:
        # worked out on the first mistake only: most files have none
        return self._make_texts()

    def line_of(self, *needles: str) -> int:
        """The file line of the first of `needles` found, in the first text that has one; else the first line."""
        for start in (self.position, (0, 0)):
            for text in self._texts:
                for needle in needles:
                    found = text.find(needle, *start)
                    if found:
                        self.position = (found[0], found[1] + 1)
                        return self.first_line + found[0]
        return self.first_line


def lines_of(text: str, first_line: int) -> LineSearch:
    """A LineSearch of `text` as written, which starts at file line `first_line`."""
    return LineSearch(first_line, lambda: [SearchText(text.split("\n"))])
