"""The build, in the order data flows: config → content → validate → convert → render → write."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .assets import fingerprint_assets
from .config import load_config
from .content import load_content
from .convert import convert_pages
from .errors import BuildFailed, ContentError
from .manifest import set_file_times, source_date_epoch
from .metadata import headers_file
from .output import check_output_dir, output_lock, recover_output, write_site
from .render import SiteRenderer
from .validate import validate_site


@dataclass(frozen=True)
class BuildOptions:
    content_dir: Path = Path("content")
    output_dir: Path = Path("output")
    config_path: Path = Path("site_config.yaml")
    templates_dir: Path = Path("templates")
    static_dir: Path = Path("static")
    base_url: str | None = None
    drafts: bool = False


@dataclass(frozen=True)
class BuildResult:
    pages: int
    files: int
    seconds: float
    output_dir: Path


def build(options: BuildOptions) -> BuildResult:
    """Build the whole site, or raise BuildFailed listing every mistake; output/ is untouched then."""
    started = time.perf_counter()
    try:
        check_output_dir(options.output_dir, [options.content_dir, options.templates_dir, options.static_dir,
                                              options.config_path, Path.cwd()])
        with output_lock(options.output_dir):
            recover_output(options.output_dir)
            return _build_locked(options, started)
    except ContentError as error:
        raise BuildFailed([error]) from None


def _build_locked(options: BuildOptions, started: float) -> BuildResult:
    config = load_config(options.config_path, options.base_url)
    epoch = source_date_epoch()
    errors: list[ContentError] = []
    content = load_content(options.content_dir, config, options.drafts, errors)
    validate_site(config, content, options.templates_dir, errors)
    _stop_if(errors)
    assets = fingerprint_assets(content.assets, options.static_dir)
    quiz = convert_pages(content.pages, assets.content_urls(content.assets), errors, content.quiz,
                         drafts=content.drafts)
    _stop_if(errors)
    files, copies = render_site(SiteRenderer(config, content.pages, options.templates_dir, assets, quiz))
    write_site(options.output_dir, files, copies)
    if epoch is not None:
        set_file_times(options.output_dir, epoch)
    return BuildResult(len(content.pages), len(files) + len(copies), time.perf_counter() - started,
                       options.output_dir)


def render_site(renderer: SiteRenderer) -> tuple[dict[str, str], dict[str, Path]]:
    """Every file of the site: (texts, files to copy) by output path. The assets are those the pages
    refer to, and `_headers` lets hosts cache them for a year while pages are always revalidated."""
    files = renderer.render_all()
    texts, copies = renderer.assets.referenced_by(files)
    pages = [rel.removesuffix("index.html") for rel in files if rel.endswith(".html")]
    files.update(texts)
    files["_headers"] = headers_file(pages, [*texts, *copies])
    return files, copies


def _stop_if(errors: list[ContentError]) -> None:
    if errors:
        raise BuildFailed(errors)
