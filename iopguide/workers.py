"""Work shared out over every core, in worker processes forked from the build.

Forked workers start with everything the build has loaded so far, without copying or pickling it:
only each item's number goes out to them, and only its (small) result comes back.
"""
from __future__ import annotations

import gc
import os
from typing import Any, Callable, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def worker_count(items: int, min_items_per_worker: int) -> int:
    """How many workers to share `items` out to; below 2, do the work in this process."""
    return min(os.cpu_count() or 1, items // min_items_per_worker)


def map_forked(work: Callable[[Item], Result], items: Sequence[Item], workers: int) -> list[Result]:
    """[work(item) for item in items], in that order, done by `workers` forked processes."""
    import multiprocessing  # here, not at the top: a build that does little runs no workers

    _shared.update(work=work, items=items)
    try:
        # The build collects no garbage (builder.py); workers, which each do much of its work, do.
        with multiprocessing.get_context("fork").Pool(workers, initializer=gc.enable) as pool:
            # Small chunks: a worker still busy with a long last chunk while the others wait costs
            # more than the messages that smaller chunks take.
            chunk = max(1, min(4, len(items) // (workers * 16)))
            return list(pool.imap(_run_shared, range(len(items)), chunksize=chunk))
    finally:
        _shared.clear()


_shared: dict[str, Any] = {}


def _run_shared(index: int) -> Any:
    return _shared["work"](_shared["items"][index])
