"""One time limit per file: converting it, checking it and finding the lines of its mistakes.

Python-Markdown rescans a paragraph for each '[' in it, and a page can hold thousands of mistakes,
so a few kilobytes could otherwise stall the build or the preview for minutes. The limit is per
file, not per step, so no step can escape it and the slowest a file can be is known. (The quiz's
texts, converted one by one in its page's context, each have a limit of their own.)
"""
from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator

from iopguide.errors import ContentError

MAX_SECONDS_PER_FILE = 5  # far more than a long real page takes to convert and check


class TooSlow(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float = MAX_SECONDS_PER_FILE) -> Iterator[None]:
    """Raise TooSlow in the block after `seconds`: the converter is pure Python, and a signal stops even a regex.

    Signals reach only the main thread, where builds and the preview's rebuilds run; elsewhere the
    block runs without a limit.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise TooSlow

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def too_slow(path: str, line: int | None, step: str = "convert") -> ContentError:
    return ContentError(path, line, f"this text takes more than {MAX_SECONDS_PER_FILE:g} s to {step}",
                        "look for long runs of [ ] * < or ` characters and for thousands of one mistake, "
                        "and split very long paragraphs")
