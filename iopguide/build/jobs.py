"""Making the output files that changed — convert, render, write — on every core.

Each job converts one page's Markdown (or takes it from the cache), renders its template and writes
the file into the staging folder. Jobs run in batches in worker processes forked from the build, so
they share everything loaded so far without copying it, and they send back only a small record per
file: the pages' HTML never travels between processes, and no more than a batch's is held at once.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iopguide.render.assets import digests_in
from iopguide.build.cache import ConversionRecord, OutputRecord, recording
from iopguide.markup.convert import convert_page, make_markdown
from iopguide.errors import BuildFailed, ContentError
from iopguide.build.publish import write_or_keep
from iopguide.build.packs import PackWriter, load
from iopguide.build.plan import PlannedOutput
from iopguide.model import Converted, LinkTargets, PageView
from iopguide.render.templates import SiteRenderer
from iopguide.workers import map_forked, worker_count

# Below this many jobs, starting worker processes costs more than it saves.
MIN_JOBS_PER_WORKER = 8
MAX_BATCH = 32  # pages converted before they are rendered: few enough that a batch's HTML stays small


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

    renderers: dict[str, SiteRenderer]  # by language code
    targets: LinkTargets  # what a conversion may ask about other files
    staging: Path  # the new site being assembled
    previous: Path  # the site as it is now, to keep files whose bytes come out the same
    cached: Mapping[str, ConversionRecord]  # the last build's conversions, by page rel_path
    packs: PackWriter  # where this build's conversions are kept for the next


def make_outputs(setup: OutputSetup, jobs: list[PlannedOutput]) -> list[JobResult]:
    """Run every job, in worker processes when there are enough to share out."""
    workers = worker_count(len(jobs), MIN_JOBS_PER_WORKER)
    try:
        batches = in_batches(jobs, max(workers, 1))
        if workers >= 2:
            done = map_forked(functools.partial(make_batch, setup), batches, workers)
        else:
            done = [make_batch(setup, batch) for batch in batches]
        return [result for results in done for result in results]
    finally:
        setup.packs.close()


def in_batches(jobs: list[PlannedOutput], workers: int) -> list[list[PlannedOutput]]:
    """The jobs in batches of up to MAX_BATCH, smaller towards the end, so that no worker is left
    with a long batch while the others have finished."""
    batches, start = [], 0
    while start < len(jobs):
        size = max(1, min(MAX_BATCH, (len(jobs) - start) // (4 * workers)))
        batches.append(jobs[start:start + size])
        start += size
    return batches


def make_batch(setup: OutputSetup, jobs: list[PlannedOutput]) -> list[JobResult]:
    """Make a batch of output files one stage at a time: convert every page, then render every
    file, then write them all.

    Converting, rendering and writing each run a lot of different code. Done page by page, each
    stage finds the processor's caches full of the others' code and data, and rendering a page
    between conversions is clearly slower than rendering a batch of pages in a row.
    """
    results = [JobResult(job.path, job.page.rel_path if job.page else None) for job in jobs]
    converted = [convert_for_render(setup, job, result) for job, result in zip(jobs, results)]
    texts = [render_output(setup, job, conversion, result) if not result.errors else None
             for job, conversion, result in zip(jobs, converted, results)]
    for job, text, result in zip(jobs, texts, results):
        if text is not None:
            target = setup.staging / job.path
            write_or_keep(text.encode("utf-8"), target, setup.previous / job.path)
            result.record = OutputRecord.of(target, job.render_key(result.conversion), frozenset(digests_in(text)))
    return results


def convert_for_render(setup: OutputSetup, job: PlannedOutput, result: JobResult) -> Converted | None:
    """The page's converted Markdown, taken from the cache while that holds; None for a file that
    shows no page, or for a page whose Markdown has mistakes (they are in result.errors)."""
    if job.page is None:
        return None
    cached = from_cache(setup, job)
    if cached is not None:
        result.conversion, converted = cached
        return converted
    answers: dict[tuple[str, str], Any] = {}
    result.converted = True
    done = convert_page(converter(), job.page, recording(setup.targets, answers), result.errors)
    if done is None or result.errors:
        return None
    result.conversion = ConversionRecord.of(job.conversion_key, answers, setup.packs.store(done.shown))
    return done.shown


def from_cache(setup: OutputSetup, job: PlannedOutput) -> tuple[ConversionRecord, Converted] | None:
    """The page's last conversion and its record, if every answer it was given still holds and the
    cache can still read it."""
    record = setup.cached.get(job.page.rel_path)
    if record is None or record.key != job.conversion_key or not record.still_holds(setup.targets):
        return None
    converted = load(setup.packs.folder, record.stored)
    return (record, converted) if isinstance(converted, Converted) else None


def render_output(setup: OutputSetup, job: PlannedOutput, converted: Converted | None,
                  result: JobResult) -> str | None:
    shown = PageView(job.page, converted) if job.page is not None else None
    try:
        return setup.renderers[job.language].render(job.template, shown, absolute=job.page is None)
    except BuildFailed as failed:
        result.errors = failed.errors
        return None


@functools.cache
def converter():
    """One converter per process: making one loads every extension, which costs more than a page.
    Made before the workers are forked, when the build has time for it, they share it."""
    return make_markdown()
