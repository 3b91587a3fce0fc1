"""The worker processes a build shares its pages out to: every result in its place, every failure reported."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from iopguide.workers import WorkerTraceback, map_forked


def slow_for_some(number: int) -> str:
    # uneven work, so the workers finish their chunks out of order
    total = sum(range(20_000 if number % 7 == 0 else 10))
    return f"page {number} ({total > 0})"


def fails_on_page_13(number: int) -> int:
    if number == 13:
        raise ValueError(f"page {number} cannot be made")
    return number


def dies_on_page_13(number: int) -> int:
    if number == 13:
        os._exit(9)
    return number


def children() -> set[int]:
    """This process's child processes, running or not yet reaped (other tests may have left some)."""
    tasks = Path(f"/proc/{os.getpid()}/task")
    return {int(pid) for task in tasks.iterdir() for pid in (task / "children").read_text().split()}


@pytest.fixture
def no_workers_left():
    before = children()
    yield
    assert children() <= before, "a worker was left running or unreaped"


def test_every_page_gets_its_own_result_in_order(no_workers_left):
    assert map_forked(slow_for_some, list(range(1000)), 2) == [slow_for_some(number) for number in range(1000)]
    assert map_forked(slow_for_some, [5], 2) == [slow_for_some(5)]
    assert map_forked(slow_for_some, [], 2) == []


def test_an_error_in_a_worker_is_raised_in_the_build_with_where_it_happened(no_workers_left):
    with pytest.raises(ValueError, match="page 13 cannot be made") as raised:
        map_forked(fails_on_page_13, list(range(100)), 2)
    assert isinstance(raised.value.__cause__, WorkerTraceback)
    assert "in fails_on_page_13" in str(raised.value.__cause__)  # what --debug shows


def test_a_worker_that_dies_stops_the_build(no_workers_left):
    with pytest.raises(RuntimeError, match=r"a build worker stopped without finishing \(exit status 9\)"):
        map_forked(dies_on_page_13, list(range(100)), 2)


def test_the_build_process_can_work_while_the_workers_do(no_workers_left):
    seen = []
    results = map_forked(slow_for_some, list(range(500)), 2, meanwhile=lambda: seen.append(len(children())))
    assert results == [slow_for_some(number) for number in range(500)]
    assert seen and seen[0] >= 2  # called once, with the workers started


def test_a_failure_in_what_the_build_does_meanwhile_stops_the_workers(no_workers_left):
    def fails() -> None:
        raise OSError("templates/page.html cannot be read")

    with pytest.raises(OSError, match="cannot be read"):
        map_forked(slow_for_some, list(range(500)), 2, meanwhile=fails)
