"""The build, in the order data flows: config → content → validate → convert → render → write."""
from __future__ import annotations

import contextlib
import gc
import os
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

from iopguide.render.assets import AssetMap, fingerprint_assets
from iopguide.fingerprints import digest
from iopguide.build.cache import BuildCache, OutputRecord
from iopguide.source.config import load_config
from iopguide.source.pages import LoadedContent, load_content
from iopguide.errors import BuildFailed, ContentError
from iopguide.build.manifest import set_file_times, source_date_epoch
from iopguide.render.metadata import headers_file
from iopguide.build.publish import (check_output_dir, keep_file, new_site, output_lock, recover_output, remove_unwanted, site_inodes,
                     write_or_keep)
from iopguide.build.plan import SitePlan, link_lookups, plan_site
from iopguide.model import SiteConfig
from iopguide.source.validate import validate_site


@dataclass(frozen=True)
class BuildOptions:
    """Where a build reads and writes, as the command line chose."""

    content_dir: Path = Path("content")
    output_dir: Path = Path("output")
    config_path: Path = Path("site_config.yaml")
    templates_dir: Path = Path("templates")
    static_dir: Path = Path("static")
    base_url: str | None = None
    drafts: bool = False
    cache_dir: Path | None = Path(".cache/build")  # None: build from scratch and keep nothing


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
        with output_lock(options.output_dir), _garbage_collection_paused():
            recover_output(options.output_dir)
            return _build_locked(options, started)
    except ContentError as error:
        raise BuildFailed([error]) from None


@contextlib.contextmanager
def _garbage_collection_paused() -> Iterator[None]:
    """Run the build without the cyclic garbage collector, which it would keep busy for nothing.

    Most of what a build makes — the cache index, the pages, the modules it loads — lives until
    the build ends, yet the collector walks it again and again as more is made: 25-45 ms of a
    one-page build at 1,000 pages. The build makes little cyclic garbage itself, and the workers
    that render many pages collect as usual (outputs.py).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()  # what the build froze may be collected once it is over (the preview builds again and again)
        if enabled:
            gc.enable()


def _build_locked(options: BuildOptions, started: float) -> BuildResult:
    stage = _Stages()
    with stage("load"):
        cache = BuildCache(options.cache_dir)
        config = load_config(options.config_path, options.base_url, cache.configs() if cache.enabled else None)
        epoch = source_date_epoch()
        templates = _Templates(options.templates_dir, config, cache)
        errors: list[ContentError] = []
        content = load_content(options.content_dir, config, options.drafts, errors,
                               cache.sources() if cache.enabled else None, templates.prepare)
        gc.freeze()  # kept out of the collections of forked workers, and out of their copied memory pages
    with stage("validate"):
        validate_site(config, content, options.templates_dir, errors)
        _stop_if(errors)
    with stage("plan"):
        assets = fingerprint_assets(content.assets, options.static_dir)
        lookups = link_lookups(content, assets.content_urls(content.assets))
        plan = _plan(options, config, content, assets, lookups, cache, templates)
    counts = {"pages": len(content.pages), "remade": len(plan.remake), "kept": len(plan.keep)}
    if plan.remake:
        records, extra = _write_new_site(options, config, content, assets, lookups, cache, templates, plan, epoch,
                                         stage, counts)
    else:
        with stage("check"):
            records, extra = plan.keep, _extra_files(assets, plan.keep)
            unchanged = _holds_exactly(options.output_dir, records, extra, epoch)
        if not unchanged:
            records, extra = _write_new_site(options, config, content, assets, lookups, cache, templates, plan, epoch,
                                         stage, counts)
    cache.index.outputs = records
    cache.save()
    return BuildResult(len(content.pages), len(records) + len(extra), time.perf_counter() - started,
                       options.output_dir, stage.seconds, counts)


def _plan(options: BuildOptions, config: SiteConfig, content: LoadedContent, assets: AssetMap, lookups: dict,
          cache: BuildCache, templates: _Templates) -> SitePlan:
    site_key = digest(cache.engine, templates.key, config, options.base_url,
                      str(options.content_dir), sorted((rel, asset.published) for rel, asset in assets.assets.items()))
    return plan_site(config, content, site_key, templates.reads, lookups, cache, options.output_dir)


def _write_new_site(options: BuildOptions, config: SiteConfig, content: LoadedContent, assets: AssetMap,
                    lookups: dict, cache: BuildCache, templates: _Templates, plan: SitePlan, epoch: int | None,
                    stage: _Stages, counts: dict[str, int]) -> tuple[dict[str, OutputRecord], dict[str, bytes]]:
    """Make the planned files, keep the rest, and swap the new site in: (records of its files, extra files)."""
    errors: list[ContentError] = []
    with new_site(options.output_dir, cache.folder / "spare-site" if cache.folder else None) as site:
        with stage("render"):
            results = _make_outputs(options, config, content, assets, lookups, cache, templates, plan, site.folder,
                                    errors)
            errors.extend(error for result in results for error in result.errors)
            _stop_if(errors)
        counts["converted"] = sum(result.converted for result in results)
        with stage("write"):
            records = {**plan.keep, **{result.path: result.record for result in results}}
            # One listing of the new site, which already holds the remade files: a kept file it lists
            # with the current file's inode already is that file, and needs no stat to tell. A site
            # started in an empty folder holds just the remade files, whose records say their inodes:
            # listing its 10,000 folders would take 0.15 s.
            found = (site_inodes(site.folder) if site.reused
                     else {result.path: result.record.inode for result in results})
            for path, record in plan.keep.items():
                if found.get(path) == record.inode:
                    continue
                current, target = os.path.join(options.output_dir, path), os.path.join(site.folder, path)
                if not keep_file(current, target, record.inode):
                    shutil.copy2(current, target)
            extra = _extra_files(assets, records)
            for path, data in extra.items():
                write_or_keep(data, site.folder / path, options.output_dir / path)
        with stage("check"):
            wanted = records.keys() | extra.keys()
            remove_unwanted(site.folder, found, wanted)
            missing = wanted - found.keys() - plan.keep.keys() - extra.keys()  # made, yet not written
            if missing:
                raise RuntimeError(f"the new site lacks files it should have: {sorted(missing)[:5]}")
        if epoch is not None:
            set_file_times(site.folder, epoch)
            epoch_ns = epoch * 1_000_000_000
            # new records rather than the last build's changed in place: the cache writes only new entries
            records = {path: record if record.mtime_ns == epoch_ns else replace(record, mtime_ns=epoch_ns)
                       for path, record in records.items()}
    cache.index.conversions.update((result.rel_path, result.conversion) for result in results if result.conversion)
    return records, extra


class _Templates:
    """The site's templates in one build: a digest of them all, what each one reads, and the Jinja
    environment that renders them. Jinja is loaded only when a page is rendered or a template's reads
    are not in the cache."""

    def __init__(self, templates_dir: Path, config: SiteConfig, cache: BuildCache):
        self.dir, self.config = templates_dir, config
        self.compiled = cache.folder / "templates" if cache.folder else None  # kept between builds
        files = sorted(path for path in templates_dir.rglob("*") if path.is_file())
        self.names = [path.relative_to(templates_dir).as_posix() for path in files]
        self.key = digest([(name, path.read_bytes()) for name, path in zip(self.names, files)])
        # a copy, not the last build's dict filled in: the cache writes only the entries that are new
        self.known: dict[str, frozenset[str] | None] = dict(cache.previous.template_reads.get(self.key, {}))
        cache.index.template_reads = {self.key: self.known}
        self._env: Any = None

    @property
    def env(self) -> Any:  # a render.SiteEnvironment
        if self._env is None:
            from iopguide.render.templates import make_environment

            self._env = make_environment(self.dir, self.config, self.compiled)
        return self._env

    def reads(self, name: str) -> frozenset[str] | None:
        """The names `name` takes from the render context (render.template_reads), worked out once per
        version of the templates."""
        if name not in self.known:
            from iopguide.render.templates import template_reads

            self.known[name] = template_reads(self.env, name)
        return self.known[name]

    def prepare(self) -> None:
        """Do now what rendering pages will need first: load Jinja and Markdown, make the converter,
        compile every template, and work out what each one that makes a file reads. Called while the
        page files are read, on a core that would wait otherwise: about 120 ms of a 1,000-page build.

        The components are compiled here too, though only rendering imports them: once, rather
        than once in each worker (40 ms each). What a template reads comes from compiling it.
        """
        from iopguide.build.jobs import converter

        converter()
        templates = [name for name in self.names if name.endswith((".html", ".xml", ".txt"))]
        try:
            for name in templates:
                self.env.get_template(name)
            for name in templates:
                if "/" not in name:  # the templates in folders are components, which make no file
                    self.reads(name)
        except Exception:  # met again, and reported after the pages' own mistakes, where it is used
            return


def _make_outputs(options: BuildOptions, config: SiteConfig, content: LoadedContent, assets: AssetMap,
                  lookups: dict, cache: BuildCache, templates: _Templates, plan: SitePlan, staging: Path,
                  errors: list[ContentError]) -> list:
    # Loaded here, not at the top: a build with nothing to remake needs neither Markdown nor Jinja,
    # and loading them costs more than the rest of such a build.
    from iopguide.markup.convert import convert_quiz, make_markdown
    from iopguide.build.jobs import OutputSetup, make_outputs
    from iopguide.build.packs import PackWriter
    from iopguide.render.templates import SiteRenderer

    if not plan.remake:
        return []
    quiz = None
    quiz_page = next((page for page in content.pages if page.meta.template == "quiz"), None)
    if content.quiz is not None and quiz_page is not None and any(job.page is quiz_page for job in plan.remake):
        quiz = convert_quiz(make_markdown(), content.quiz, quiz_page, content.pages, lookups["assets"], errors)
    renderer = SiteRenderer(config, content.pages, options.templates_dir, assets, quiz, templates.env)
    for template in {job.template for job in plan.remake}:
        renderer.env.get_template(template)  # compiled once here, before the workers are forked
    setup = OutputSetup(renderer, lookups, staging, options.output_dir, cache.previous.conversions,
                        PackWriter(cache.packs))
    return make_outputs(setup, plan.remake)


def _extra_files(assets: AssetMap, records: dict[str, OutputRecord]) -> dict[str, bytes]:
    """The assets the output files refer to, and `_headers`, which lets hosts cache those for a year."""
    texts, copies = assets.published_for(set().union(*(record.assets for record in records.values())))
    files = {path: text.encode("utf-8") for path, text in texts.items()}
    files.update((path, source.read_bytes()) for path, source in copies.items())
    pages = [path.removesuffix("index.html") for path in records if path.endswith(".html")]
    files["_headers"] = headers_file(sorted(pages), sorted(files)).encode("utf-8")
    return files


def _holds_exactly(output_dir: Path, keep: dict[str, OutputRecord], extra: dict[str, bytes], epoch: int | None) -> bool:
    """Whether output/ already is the site: the kept files (checked when planned), these extra files
    byte for byte, and nothing else."""
    if site_inodes(output_dir).keys() != keep.keys() | extra.keys():
        return False
    if epoch is not None and any(record.mtime_ns != epoch * 1_000_000_000 for record in keep.values()):
        return False
    return all((output_dir / path).read_bytes() == data for path, data in extra.items())


def _stop_if(errors: list[ContentError]) -> None:
    if errors:
        raise BuildFailed(errors)
