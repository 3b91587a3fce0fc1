"""Rebuilding for the preview server: keep the last good site in memory, redo only what a change touches.

A change to one page's text re-converts that page and re-renders it alone. A change to what other
pages show of it (its title, menu title or order, address, template, draft flag) re-renders every
page from the Markdown already converted. Anything else — config, templates, static files, the
quiz, a page added or removed — rebuilds everything. Only files whose bytes changed are written.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from iopguide.render.assets import AssetMap, fingerprint_assets
from iopguide.source.config import load_config
from iopguide.source.pages import LoadedContent, PageFile, load_content, load_page
from iopguide.markup.convert import convert_page, convert_pages, make_markdown
from iopguide.build.plan import link_targets
from iopguide.errors import BuildFailed, ContentError, display_path
from iopguide.render.metadata import headers_file
from iopguide.render.templates import SiteRenderer, make_environment
from iopguide.model import BuildOptions, Converted, LinkTargets, Page, RenderedQuiz, SiteConfig
from iopguide.source.validate import validate_site


@dataclass
class Rebuild:
    """What one rebuild of the preview did, for the terminal."""

    what: str  # what changed, for the terminal
    rendered: int  # pages rendered
    milliseconds: float
    errors: list[ContentError] = field(default_factory=list)

    def describe(self) -> str:
        if self.errors:
            count = len(self.errors)
            return f"{self.what} → {count} problem{'s' if count != 1 else ''} (shown in the browser)"
        return f"{self.what} → {self.rendered} page{'s' if self.rendered != 1 else ''} rendered in {self.milliseconds:.0f} ms"


@dataclass
class _State:
    """What the preview keeps between rebuilds, so a saved page remakes only what depends on it."""

    config: SiteConfig
    content: LoadedContent
    quiz: RenderedQuiz | None
    env: jinja2.Environment  # kept: compiling the templates again would cost more than rendering a page
    by_source: dict[Path, str]  # resolved source file → rel_path, to match file events to pages
    assets: AssetMap
    converted: dict[str, Converted]  # each page's converted Markdown, by rel_path

    def renderer(self, templates_dir: Path) -> SiteRenderer:
        return SiteRenderer(self.config, self.content.pages, templates_dir, self.assets, self.quiz, self.env)

    def content_urls(self) -> dict[str, str]:
        return self.assets.content_urls(self.content.assets)


def _listing(page: Page) -> tuple:
    """What other pages show of a page: when this changes, they must be re-rendered too."""
    meta = page.meta
    return (page.url, meta.title, meta.menu_title, meta.menu_order, meta.template, meta.draft)


def render_site(renderer: SiteRenderer, converted: dict[str, Converted]) -> tuple[dict[str, str], dict[str, Path]]:
    """Every file of the site: (texts, files to copy) by output path. The assets are those the pages
    refer to, and `_headers` lets hosts cache them for a year while pages are always revalidated."""
    files = renderer.render_all(converted)
    texts, copies = renderer.assets.referenced_by(files)
    pages = [rel.removesuffix("index.html") for rel in files if rel.endswith(".html")]
    files.update(texts)
    files["_headers"] = headers_file(pages, [*texts, *copies])
    return files, copies


class IncrementalBuild:
    def __init__(self, options: BuildOptions):
        self.options = options
        self.output = options.output_dir
        self.files: dict[str, str] = {}  # what is on disk now, to write only what changed
        self.state: _State | None = None
        self.errors: list[ContentError] = []  # the mistakes of the last rebuild, if it failed
        self.md = make_markdown()

    def rebuild(self, changed: set[Path] | None = None) -> Rebuild:
        """Rebuild after `changed` paths (None: everything); mistakes are kept in `errors`, never raised."""
        started = time.perf_counter()
        what = self._describe(changed)
        try:
            pages = self._update_pages(changed) if self._can_update(changed) else None
            rendered = pages if pages is not None else self._full()
        except BuildFailed as failed:
            self.errors = failed.errors
            return Rebuild(what, 0, (time.perf_counter() - started) * 1000, failed.errors)
        except ContentError as error:
            self.errors = [error]
            return Rebuild(what, 0, (time.perf_counter() - started) * 1000, [error])
        self.errors = []
        return Rebuild(what, rendered, (time.perf_counter() - started) * 1000)

    def _describe(self, changed: set[Path] | None) -> str:
        if not changed:
            return "first build"
        names = sorted(display_path(path) for path in changed)
        return names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more"

    def _can_update(self, changed: set[Path] | None) -> bool:
        if self.state is None or self.errors or not changed:
            return False
        return all(path.resolve() in self.state.by_source for path in changed)

    def _full(self) -> int:
        options = self.options
        config = load_config(options.config_path, options.base_url)
        errors: list[ContentError] = []
        content = load_content(options.content_dir, config, options.drafts, errors)
        validate_site(config, content, options.templates_dir, errors)
        if errors:
            raise BuildFailed(errors)
        assets = fingerprint_assets(content.assets, options.static_dir)
        site = convert_pages(content.pages, link_targets(content, assets.content_urls(content.assets)), errors, content.quiz)
        if errors:
            raise BuildFailed(errors)
        self.state = _State(config, content, site.quiz, make_environment(options.templates_dir, config),
                            {page.source_path.resolve(): page.rel_path for page in content.pages}, assets,
                            {rel_path: done.shown for rel_path, done in site.pages.items()})
        files, copies = render_site(self.state.renderer(options.templates_dir), self.state.converted)
        self._write(files, copies, replace_all=True)
        return len(content.pages)

    def _update_pages(self, changed: set[Path]) -> int | None:
        """Re-convert the changed pages; None when a full rebuild is needed instead."""
        state = self.state
        by_path = {page.rel_path: page for page in state.content.pages}
        page_urls = {page.rel_path: page.url for page in state.content.pages}
        errors: list[ContentError] = []
        updated: list[Page] = []
        converted: dict[str, Converted] = {}
        for path in changed:
            old = by_path[state.by_source[path.resolve()]]
            if old.meta.template == "quiz":
                return None  # the quiz's own Markdown is converted in the page's context
            new = load_page(PageFile(old.source_path, old.rel_path, old.display_path), state.config, errors)
            if new is None:
                raise BuildFailed(errors)
            if _listing(new) != _listing(old):
                same_place = new.url == old.url and new.meta.draft == old.meta.draft
                return self._rerender_dependents(old, new) if same_place and len(changed) == 1 else None
            done = convert_page(self.md, new, LinkTargets(page_urls, state.content_urls(), state.content.drafts), errors)
            updated.append(new)
            if done is not None:
                converted[new.rel_path] = done.shown
        if errors:
            raise BuildFailed(errors)
        state.converted.update(converted)
        self._replace(updated)
        renderer = state.renderer(self.options.templates_dir)
        files = {page.output_file: renderer.render_page(page, state.converted[page.rel_path]) for page in updated}
        files["sitemap.xml"] = renderer.render("sitemap.xml", None, absolute=True)
        self._write_pages(files)
        return len(updated)

    def _rerender_dependents(self, old: Page, new: Page) -> int:
        """The page's title or place in the menus changed: re-render it and every page that shows it."""
        errors: list[ContentError] = []
        state = self.state
        page_urls = {page.rel_path: page.url for page in state.content.pages}
        done = convert_page(self.md, new, LinkTargets(page_urls, state.content_urls(), state.content.drafts), errors)
        if errors:
            raise BuildFailed(errors)
        state.converted[new.rel_path] = done.shown
        before = state.renderer(self.options.templates_dir)
        pages = self._replace([new])
        renderer = state.renderer(self.options.templates_dir)
        config = state.config
        in_menus = new.rel_path in {ref.page for ref in [*config.navigation, *config.footer.links, config.help_page]}
        if in_menus or old.meta.menu_order != new.meta.menu_order or old.meta.template != new.meta.template:
            files = renderer.render_all(state.converted)
            self._write_pages(files)
            return len(pages)
        shown_by = {new.rel_path}
        if old.meta.menu_order is not None:  # in the guide: on list pages and beside its neighbours
            shown_by |= {page.rel_path for page in pages if page.meta.template == "home"}
            shown_by |= {neighbour.rel_path for neighbour in (before.neighbour(old, -1), before.neighbour(old, 1)) if neighbour}
        files = {page.output_file: renderer.render_page(page, state.converted[page.rel_path])
                 for page in pages if page.rel_path in shown_by}
        if old.meta.menu_order is not None:
            files["404.html"] = renderer.render("404.html", None, absolute=True)
        self._write_pages(files)
        return len(shown_by)

    def _replace(self, updated: list[Page]) -> list[Page]:
        by_path = {page.rel_path: page for page in updated}
        pages = [by_path.get(page.rel_path, page) for page in self.state.content.pages]
        self.state.content.pages = pages
        return pages

    def _write_pages(self, files: dict[str, str]) -> None:
        """Write re-rendered pages, with any asset they now refer to that was not published before."""
        texts, copies = self.state.assets.referenced_by(files)
        self._write({**files, **texts}, copies)

    def _write(self, files: dict[str, str], copies: dict[str, Path], replace_all: bool = False) -> None:
        self.output.mkdir(parents=True, exist_ok=True)
        if replace_all:
            for gone in set(self.files) - set(files) - set(copies):
                (self.output / gone).unlink(missing_ok=True)
                del self.files[gone]
        for rel, text in files.items():
            if self.files.get(rel) != text:
                target = self.output / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
                self.files[rel] = text
        for rel, source in copies.items():
            if rel in self.files:
                continue  # a hashed name: the same name means the same bytes
            target = self.output / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            self.files[rel] = ""
