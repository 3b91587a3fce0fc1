"""Work shared out over every core, in worker processes forked from the build.

Forked workers start with everything the build has loaded so far, without copying or pickling it:
only item numbers go out to them, and only the (small) results come back.

This is not multiprocessing.Pool: while a result waits in its queue, the Pool's worker-handler
thread wakes again and again and takes turns with the result thread, so the build process keeps
using CPU (py-spy: `_handle_workers` in `select`), taken from the workers on a two-core
machine. Here the build process sleeps in one read until the work is done.

Builds and the preview's rebuilds run with the cyclic garbage collector paused
(garbage_collection_paused): what they load lives until they end, and what is frozen before a fork
stays out of the workers' copied memory.
"""
from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import struct
import sys
import traceback
from typing import Any, Callable, Iterator, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_START = struct.Struct("=I")  # the first item number of a chunk, as workers read it from the task pipe


def worker_count(items: int, min_items_per_worker: int) -> int:
    """How many workers to share `items` out to; below 2, do the work in this process."""
    return min(os.cpu_count() or 1, items // min_items_per_worker)


class WorkerTraceback(Exception):
    """Where an error was raised inside a worker: the cause of the same error raised in the build."""


def map_forked(work: Callable[[Item], Result], items: Sequence[Item], workers: int,
               meanwhile: Callable[[], object] | None = None) -> list[Result]:
    """[work(item) for item in items], in that order, done by `workers` forked processes; this
    process calls `meanwhile()`, if given, while they work."""
    # Small chunks, taken by whichever worker is free: one worker still busy with a long last chunk
    # while the other waits costs more than reading a few more bytes from a pipe.
    chunk = max(1, min(4, len(items) // (workers * 16)))
    task_reader, task_writer = os.pipe()
    children: dict[int, int] = {}  # pid → the read end of its result pipe
    _flush_std_streams()  # or what the build printed so far would be printed again by each worker
    try:
        for _ in range(workers):
            result_reader, result_writer = os.pipe()
            pid = os.fork()
            if pid == 0:
                for fd in (task_writer, result_reader, *children.values()):
                    os.close(fd)
                _run_worker(work, items, chunk, task_reader, result_writer)  # never returns
            os.close(result_writer)
            children[pid] = result_reader
        os.close(task_reader)
        task_reader = -1
        # Writes of up to PIPE_BUF bytes are atomic and each worker reads one whole start at a time;
        # a full pipe blocks this loop only until the workers take more.
        for start in range(0, len(items), chunk):
            os.write(task_writer, _START.pack(start))
        os.close(task_writer)
        task_writer = -1
        if meanwhile is not None:
            meanwhile()
        results: list[Any] = [None] * len(items)
        for pid in list(children):
            for index, result in _collect(pid, children.pop(pid)):
                results[index] = result
        return results
    finally:
        for fd in (task_reader, task_writer, *children.values()):
            if fd >= 0:
                os.close(fd)
        for pid in children:  # left only when the build is stopping early: stop the rest too
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)


def _run_worker(work: Callable[[Item], Result], items: Sequence[Item], chunk: int, task_reader: int,
                result_writer: int) -> None:
    status = 0
    try:
        # The build collects no garbage (build/pipeline.py); workers, which each do much of its work, do.
        gc.enable()
        done = []
        while start_bytes := os.read(task_reader, _START.size):
            start = _START.unpack(start_bytes)[0]
            done.extend((index, work(items[index])) for index in range(start, min(start + chunk, len(items))))
        message = pickle.dumps((True, done), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as error:  # handed to the build, which raises it
        message = _error_message(error)
        status = 1
    try:
        with os.fdopen(result_writer, "wb") as out:
            out.write(message)
    finally:
        os._exit(status)  # not exit(): the build's own clean-up (atexit, finally blocks) is not the worker's


def _error_message(error: BaseException) -> bytes:
    where = "".join(traceback.format_exception(error))
    try:
        return pickle.dumps((False, (error, where)), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # an error that cannot be pickled still reaches the build, as text
        return pickle.dumps((False, (RuntimeError(f"{type(error).__name__}: {error}"), where)))


def _collect(pid: int, result_reader: int) -> list[tuple[int, Any]]:
    """The (item number, result) pairs one worker made; raises what the worker raised."""
    with os.fdopen(result_reader, "rb") as results:
        message = results.read()
    _, status = os.waitpid(pid, 0)
    if not message:
        raise RuntimeError(f"a build worker stopped without finishing (exit status {os.waitstatus_to_exitcode(status)})")
    finished, payload = pickle.loads(message)
    if finished:
        return payload
    error, where = payload
    raise error from WorkerTraceback(where)


def _flush_std_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()


@contextlib.contextmanager
def garbage_collection_paused() -> Iterator[None]:
    """Run a build (or a preview's rebuild) without the cyclic garbage collector, which it would keep
    busy for nothing. What the build freezes meanwhile (gc.freeze, before it forks workers) stays out
    of the workers' copied memory, and is released here when it ends.

    Most of what a build makes — the cache index, the pages, the modules it loads — lives until
    the build ends, yet the collector walks it again and again as more is made: a large share of a
    one-page build on a big site. The build makes little cyclic garbage itself, and the workers
    that render many pages collect as usual (build/jobs.py).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()  # what the build froze may be collected once it is over (the preview builds again and again)
        if enabled:
            gc.enable()
