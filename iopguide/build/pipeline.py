"""The build, in the order data flows: config → content → validate → convert → render → write."""
from __future__ import annotations

import contextlib
import gc
import os
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from iopguide.render.assets import AssetMap, fingerprint_assets
from iopguide.build.cache import BuildCache, OutputRecord, installed_versions
from iopguide.errors import BuildFailed, ContentError, stop_if
from iopguide.build.manifest import set_file_times, source_date_epoch
from iopguide.build.publish import (NewSite, check_output_dir, keep_file, new_site, output_lock, recover_output, remove_unwanted,
                                    site_inodes, write_or_keep)
from iopguide.build.plan import SitePlan, link_targets, plan_site, site_key
from iopguide.build.search_index import PACKAGES, cached_bundle, indexed_pages, keep_bundle, make_bundle, search_key
from iopguide.model import BuildOptions, LinkTargets, RenderedQuiz, SiteConfig, quiz_pages
from iopguide.source.pages import NOTHING_REMEMBERED, LoadedContent, Remembered
from iopguide.build.site_templates import SiteTemplates
from iopguide.source.site import load_site
from iopguide.workers import garbage_collection_paused

if TYPE_CHECKING:  # jobs.py loads Markdown and Jinja, which a build with nothing to remake never needs
    from iopguide.build.jobs import JobResult


@dataclass
class BuildResult:
    """What a finished build made, and how long each stage took."""

    pages: int
    files: int
    seconds: float
    output_dir: Path
    stages: dict[str, float] = field(default_factory=dict)  # seconds spent in each stage, in order
    counts: dict[str, int] = field(default_factory=dict)  # what each stage did, for --verbose


class _Stages:
    """Times each stage of a build, for `build --verbose`."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started


def build(options: BuildOptions) -> BuildResult:
    """Build the whole site, or raise BuildFailed listing every mistake; output/ is untouched then."""
    started = time.perf_counter()
    try:
        check_output_dir(options.output_dir, [options.content_dir, options.templates_dir, options.static_dir,
                                              options.config_path, Path.cwd()])
        with output_lock(options.output_dir), garbage_collection_paused():
            recover_output(options.output_dir)
            return _build_locked(options, started)
    except ContentError as error:
        raise BuildFailed([error]) from None


@dataclass
class PlannedBuild:
    """One build once planned: what it was asked to do, what it loaded, and which files it must make.
    Handed whole to each step that follows the plan."""

    options: BuildOptions
    config: SiteConfig
    content: LoadedContent
    assets: AssetMap
    targets: LinkTargets  # what a conversion may ask about other files
    cache: BuildCache
    templates: SiteTemplates
    plan: SitePlan
    epoch: int | None  # SOURCE_DATE_EPOCH, the time every file is given, if set
    stage: _Stages
    counts: dict[str, int] = field(default_factory=dict)  # what each stage did, for --verbose


def _build_locked(options: BuildOptions, started: float) -> BuildResult:
    build = _load_and_plan(options, _Stages())
    records, extra = _publish(build)
    build.cache.index.outputs = records
    build.cache.save()
    return BuildResult(len(build.content.pages), len(records) + len(extra), time.perf_counter() - started,
                       options.output_dir, build.stage.seconds, build.counts)


def _load_and_plan(options: BuildOptions, stage: _Stages) -> PlannedBuild:
    """Load and validate the site, and sort its files into those to make and those to keep."""
    with stage("load"):
        cache = BuildCache(options.cache_dir)
        epoch = source_date_epoch()
        templates = SiteTemplates(options.templates_dir, cache.folder / "templates" if cache.folder else None)
        # a copy, not the last build's dict filled in: the cache writes only the entries that are new
        templates.known = dict(cache.previous.template_reads.get(templates.key, {}))
        cache.index.template_reads = {templates.key: templates.known}
        errors: list[ContentError] = []
        remembered = Remembered(cache.configs(), cache.sources(), cache.quizzes()) if cache.enabled else NOTHING_REMEMBERED
        site = load_site(options, errors, remembered, templates.prepare)
        config, content = site.config, site.content
        templates.config = config
        gc.freeze()  # kept out of the collections of forked workers, and out of their copied memory pages
        stop_if(errors)
    with stage("plan"):
        assets = fingerprint_assets(content.assets, options.static_dir)
        targets = link_targets(content, assets.content_urls(content.assets))
        made_with = site_key(cache.engine, templates.key, config, options.base_url, options.content_dir, assets)
        plan = plan_site(config, content, made_with, templates.reads, targets, cache, options.output_dir)
    counts = {"pages": len(content.pages), "remade": len(plan.remake), "kept": len(plan.keep)}
    return PlannedBuild(options, config, content, assets, targets, cache, templates, plan, epoch, stage, counts)


def _publish(build: PlannedBuild) -> tuple[dict[str, OutputRecord], dict[str, bytes]]:
    """Make the site in output/: (records of its files, extra files). With nothing to remake, output/
    is left alone if it already is the site."""
    plan = build.plan
    if not plan.remake:
        with build.stage("check"):
            records = plan.keep
            key, _ = _search_input(build, records)
            bundle = cached_bundle(build.cache.folder, key)
            if bundle is not None:
                extra = _extra_files(build.assets, records, bundle)
                if _holds_exactly(build.options.output_dir, records, extra, build.epoch):
                    return records, extra
    return _write_new_site(build)


def _write_new_site(build: PlannedBuild) -> tuple[dict[str, OutputRecord], dict[str, bytes]]:
    """Make the planned files, keep the rest, and swap the new site in: (records of its files, extra files)."""
    options, plan, stage, cache = build.options, build.plan, build.stage, build.cache
    with new_site(options.output_dir, cache.folder / "spare-site" if cache.folder else None) as site:
        with stage("render"):
            results = _make_outputs(build, site.folder)
        build.counts["converted"] = sum(result.converted for result in results)
        with stage("write"):
            records = {**plan.keep, **{result.path: result.record for result in results}}
            found = _keep_unchanged(build, site, results)
        with stage("search"):
            bundle = _search_bundle(build, records, site.folder)
        with stage("write"):
            extra = _extra_files(build.assets, records, bundle)
            for path, data in extra.items():
                write_or_keep(data, site.folder / path, options.output_dir / path)
        with stage("check"):
            _leave_exactly_wanted(site.folder, found, records, extra, plan.keep)
        if build.epoch is not None:
            records = _at_epoch(site.folder, records, build.epoch)
    cache.index.conversions.update((result.rel_path, result.conversion) for result in results if result.conversion)
    return records, extra


def _keep_unchanged(build: PlannedBuild, site: NewSite, results: list[JobResult]) -> dict[str, int]:
    """Put the kept files in the new site, each the very file output/ holds (or a copy); the new site's
    files as they were before, with their inodes."""
    # One listing of the new site, which already holds the remade files: a kept file it lists
    # with the current file's inode already is that file, and needs no stat to tell. A site
    # started in an empty folder holds just the remade files, whose records say their inodes:
    # listing its folder per page again would only cost time.
    found = (site_inodes(site.folder) if site.reused
             else {result.path: result.record.inode for result in results})
    for path, record in build.plan.keep.items():
        if found.get(path) == record.inode:
            continue
        current, target = os.path.join(build.options.output_dir, path), os.path.join(site.folder, path)
        if not keep_file(current, target, record.inode):
            shutil.copy2(current, target)
    return found


def _leave_exactly_wanted(folder: Path, found: dict[str, int], records: dict[str, OutputRecord], extra: dict[str, bytes],
                     kept: dict[str, OutputRecord]) -> None:
    """Delete what the new site held that it should not, and make sure it holds every file it should."""
    wanted = records.keys() | extra.keys()
    remove_unwanted(folder, found, wanted)
    missing = wanted - found.keys() - kept.keys() - extra.keys()  # made, yet not written
    if missing:
        raise RuntimeError(f"the new site lacks files it should have: {sorted(missing)[:5]}")


def _at_epoch(folder: Path, records: dict[str, OutputRecord], epoch: int) -> dict[str, OutputRecord]:
    """Give every file of the new site the time SOURCE_DATE_EPOCH names; the records, saying so."""
    set_file_times(folder, epoch)
    epoch_ns = epoch * 1_000_000_000
    # new records rather than the last build's changed in place: the cache writes only new entries
    return {path: record if record.mtime_ns == epoch_ns else replace(record, mtime_ns=epoch_ns)
            for path, record in records.items()}


def _make_outputs(build: PlannedBuild, staging: Path) -> list[JobResult]:
    """Make every planned file in `staging`; BuildFailed with every mistake met on the way."""
    if not build.plan.remake:
        return []
    # Loaded here, not at the top: a build with nothing to remake needs neither Markdown nor Jinja,
    # and loading them costs more than the rest of such a build.
    from iopguide.build.jobs import OutputSetup, make_outputs
    from iopguide.build.packs import PackWriter
    from iopguide.render.templates import site_renderers

    errors: list[ContentError] = []
    quizzes = _quizzes_if_remade(build, errors)
    renderers = site_renderers(build.config, build.content.pages, build.assets, quizzes, build.templates.env_for,
                               build.content.glossaries)
    for language, template in {(job.language, job.template) for job in build.plan.remake}:
        renderers[language].env.get_template(template)  # compiled once here, before the workers are forked
    setup = OutputSetup(renderers, build.targets, staging, build.options.output_dir, build.cache.previous.conversions,
                        PackWriter(build.cache.packs))
    results = make_outputs(setup, build.plan.remake)
    errors.extend(error for result in results for error in result.errors)
    stop_if(errors)
    return results


def _quizzes_if_remade(build: PlannedBuild, errors: list[ContentError]) -> dict[str, RenderedQuiz]:
    """The quiz of each language with its Markdown converted, when the page that shows it is to be made."""
    content = build.content
    remade = {job.page for job in build.plan.remake if job.page is not None}
    shown = {code: page for code, page in quiz_pages(build.config, content.pages, content.quizzes).items() if page in remade}
    if not shown:
        return {}
    from iopguide.markup.convert import convert_quiz, make_markdown

    md = make_markdown()
    return {code: convert_quiz(md, content.quizzes[code], page, content.pages, build.targets.assets, errors)
            for code, page in shown.items()}


def _search_input(build: PlannedBuild, records: dict[str, OutputRecord]) -> tuple[str, list[str]]:
    """(the key of the search bundle these output files make, the pages it indexes)."""
    pages = indexed_pages({path: record.key for path, record in records.items()}, build.content.pages)
    return search_key(installed_versions(PACKAGES), pages), sorted(pages)


def _search_bundle(build: PlannedBuild, records: dict[str, OutputRecord], folder: Path) -> dict[str, bytes]:
    """The search bundle of these output files, all of them in `folder`: the cache's, or Pagefind's anew."""
    key, pages = _search_input(build, records)
    bundle = cached_bundle(build.cache.folder, key)
    if bundle is None:
        bundle = make_bundle(folder, pages)
        keep_bundle(build.cache.folder, key, bundle)
        build.counts["indexed"] = len(pages)
    return bundle


def _extra_files(assets: AssetMap, records: dict[str, OutputRecord], bundle: dict[str, bytes]) -> dict[str, bytes]:
    """The assets the output files refer to, the search bundle, and `_headers` (AssetMap.extras_for), as bytes."""
    texts, copies, headers = assets.extras_for((record.assets for record in records.values()), records, bundle)
    files = {path: text.encode("utf-8") for path, text in texts.items()}
    files.update((path, source.read_bytes()) for path, source in copies.items())
    files.update(bundle)
    files["_headers"] = headers.encode("utf-8")
    return files


def _holds_exactly(output_dir: Path, keep: dict[str, OutputRecord], extra: dict[str, bytes], epoch: int | None) -> bool:
    """Whether output/ already is the site: the kept files (checked when planned), these extra files
    byte for byte, and nothing else."""
    if site_inodes(output_dir).keys() != keep.keys() | extra.keys():
        return False
    if epoch is not None and any(record.mtime_ns != epoch * 1_000_000_000 for record in keep.values()):
        return False
    return all((output_dir / path).read_bytes() == data for path, data in extra.items())
