"""The build, in the order data flows: config → content → validate → convert → render → write."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .config import load_config
from .content import find_sources, load_pages
from .convert import convert_pages
from .errors import BuildFailed, ContentError
from .quiz import load_quiz
from .output import check_output_dir, output_lock, recover_output, write_site
from .render import SiteRenderer
from .validate import validate_site


QUIZ_FILE = "quiz.yaml"


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
    errors: list[ContentError] = []
    content = load_pages(options.content_dir, config, options.drafts, errors)
    pages = content.pages
    quiz_file = options.content_dir / QUIZ_FILE
    quiz = load_quiz(quiz_file, {page.rel_path for page in pages} | content.broken, errors) if quiz_file.is_file() else None
    validate_site(config, content, options.templates_dir, quiz_file.is_file(), errors)
    if errors:
        raise BuildFailed(errors)
    assets = {path.relative_to(options.content_dir).as_posix(): path for path in find_sources(options.content_dir)[1]}
    rendered_quiz = convert_pages(pages, set(assets), errors, quiz)
    if errors:
        raise BuildFailed(errors)
    files = SiteRenderer(config, pages, options.templates_dir, rendered_quiz).render_all()
    copies = dict(assets)
    if options.static_dir.is_dir():
        copies.update({f"static/{path.relative_to(options.static_dir).as_posix()}": path
                       for path in sorted(options.static_dir.rglob("*")) if path.is_file()})
    write_site(options.output_dir, files, copies)
    return BuildResult(len(pages), len(files) + len(copies), time.perf_counter() - started, options.output_dir)
