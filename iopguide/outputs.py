"""Stage 5: make the output files that changed — convert, render, write — on every core.

Each job converts one page's Markdown (or takes it from the cache), renders its template and writes
the file into the staging folder. Jobs run in worker processes forked from the build, so they share
everything loaded so far without copying it, and they send back only a small record per file: the
pages' HTML never travels between processes nor piles up in memory.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .assets import digests_in
from .cache import ConversionRecord, OutputRecord, Recorded
from .convert import Converted, convert_page, make_markdown
from .errors import BuildFailed, ContentError
from .output import write_or_keep
from .packs import PackWriter, load
from .plan import PlannedOutput
from .render import SiteRenderer
from .workers import map_forked, worker_count

EMPTY = Converted("", "", [], [])
# Below this many jobs, starting worker processes costs more than it saves.
MIN_JOBS_PER_WORKER = 8


@dataclass
class JobResult:
    """What making one output file gave back to the build: a small record, never the HTML."""

    path: str
    rel_path: str | None  # of the page, for a page
    record: OutputRecord | None = None
    conversion: ConversionRecord | None = None
    converted: bool = False  # the Markdown was converted, not taken from the cache
    errors: list[ContentError] = field(default_factory=list)


@dataclass
class OutputSetup:
    """Everything a job needs, shared by all jobs of a build."""

    renderer: SiteRenderer
    lookups: dict[str, Mapping | set | frozenset]  # what a conversion may ask about other files
    staging: Path  # the new site being assembled
    previous: Path  # the site as it is now, to keep files whose bytes come out the same
    cached: Mapping[str, ConversionRecord]  # the last build's conversions, by page rel_path
    packs: PackWriter  # where this build's conversions are kept for the next


def make_outputs(setup: OutputSetup, jobs: list[PlannedOutput]) -> list[JobResult]:
    """Run every job, in worker processes when there are enough to share out."""
    workers = worker_count(len(jobs), MIN_JOBS_PER_WORKER)
    if workers >= 2:
        return map_forked(functools.partial(make_output, setup), jobs, workers)
    try:
        return [make_output(setup, job) for job in jobs]
    finally:
        setup.packs.close()


def make_output(setup: OutputSetup, job: PlannedOutput) -> JobResult:
    result = JobResult(job.path, job.page.rel_path if job.page else None)
    if job.page is not None:
        result.conversion, result.converted = convert_with_cache(setup, job, result.errors)
        if result.errors:
            return result
    try:
        text = setup.renderer.render(job.template, job.page, absolute=job.page is None)
    except BuildFailed as failed:
        result.errors = failed.errors
        return result
    finally:
        if job.page is not None:
            # Whether a page was converted earlier in this process depends on how jobs were shared
            # out; other pages' templates must see the same either way, so they never see this.
            EMPTY.apply_to(job.page)
    target = setup.staging / job.path
    write_or_keep(text.encode("utf-8"), target, setup.previous / job.path)
    result.record = OutputRecord.of(target, job.render_key(result.conversion), frozenset(digests_in(text)))
    return result


def convert_with_cache(setup: OutputSetup, job: PlannedOutput,
                       errors: list[ContentError]) -> tuple[ConversionRecord | None, bool]:
    """Put the page's converted Markdown on it, from the cache when that still holds; its record."""
    page = job.page
    record = setup.cached.get(page.rel_path)
    if record is not None and record.key == job.conversion_key and record.still_holds(setup.lookups):
        converted = load(setup.packs.folder, record.stored)
        if isinstance(converted, Converted):
            converted.apply_to(page)
            return record, False
    answers: dict[tuple[str, str], Any] = {}
    views = {name: Recorded(name, data, answers) for name, data in setup.lookups.items()}
    before = len(errors)
    convert_page(converter(), page, views["pages"], views["assets"], errors, views["drafts"], views["broken"])
    if len(errors) > before:
        return None, True
    return ConversionRecord.of(job.conversion_key, answers, setup.packs.store(Converted.of(page))), True


@functools.cache
def converter():
    """One converter per process: making one loads every extension, which costs more than a page.
    Made before the workers are forked, when the build has time for it, they share it."""
    return make_markdown()
