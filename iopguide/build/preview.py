"""Rebuilding for the preview server: keep the last good site in memory, redo only what a change touches.

Each rebuild loads the site the way every build does (source.site.load_site), remembering page
files in memory so an unchanged one is not read again. What to make again is the build's own
answer (plan.RenderKeys, from what each template reads): a page whose text changed is converted
again, and every file whose render key changed is rendered again. Only files whose bytes changed
are written.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from iopguide.build.cache import engine_version
from iopguide.build.site_templates import SiteTemplates
from iopguide.build.plan import RenderKeys, conversion_inputs, link_targets, site_key
from iopguide.build.search_index import indexed_pages, make_bundle
from iopguide.errors import BuildFailed, ContentError, display_path, stop_if
from iopguide.fingerprints import Memo, digest
from iopguide.markup.convert import NOT_CONVERTED, convert_page, convert_quiz, make_markdown
from iopguide.model import BuildOptions, Converted, LinkTargets, Page, PageView, RenderedQuiz, quiz_pages
from iopguide.render.assets import AssetMap, digests_in, fingerprint_assets
from iopguide.render.templates import site_renderers
from iopguide.source.pages import Remembered, SinceLastLoad
from iopguide.source.site import LoadedSite, load_site
from iopguide.workers import garbage_collection_paused


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
class _Conversion:
    """A page's converted Markdown, with what it was converted from."""

    key: tuple  # plan.conversion_inputs and LinkTargets.key(): the page and every answer about other files
    converted: Converted


class PreviewBuild:
    def __init__(self, options: BuildOptions):
        self.options = options
        self.output = options.output_dir
        self.files: dict[str, str] = {}  # what is on disk now, to write only what changed
        self.bundle: dict[str, bytes] = {}  # the search bundle on disk now
        self.search_stale = True  # whether an indexed page changed since the bundle on disk was made
        self.headers: Callable[[dict[str, bytes]], str] = lambda bundle: ""  # `_headers`, given a bundle
        self.errors: list[ContentError] = []  # the mistakes of the last rebuild, if it failed
        self.md = make_markdown()
        self.engine = engine_version()
        self.forget()

    def forget(self) -> None:
        """Start again from nothing: the next rebuild converts and renders every page."""
        configs: dict[str, Any] = {}
        sources: dict[str, Any] = {}
        quizzes: dict[str, Any] = {}
        self.remembered = Remembered(Memo(configs, configs), Memo(sources, sources), Memo(quizzes, quizzes),
                                     SinceLastLoad())
        self.templates: SiteTemplates | None = None
        self.partial_keys: tuple[str, dict[str, str]] = ("", {})  # the context they hold in, and the keys
        self.conversions: dict[str, _Conversion] = {}  # by page rel_path
        self.quizzes: dict[str, tuple[str, RenderedQuiz]] = {}  # by language code: the key it was made for, and the quiz
        self.render_keys: dict[str, tuple] = {}  # by output path: what the file on disk was made from
        self.assets_in: dict[str, set[str]] = {}  # by output path: digests of the assets it refers to
        self.digests: dict[str, tuple[Any, str]] = {}  # by name: a value and its digest
        self.indexed: list[str] | None = None  # the pages the search bundle is to be made from

    def rebuild(self, changed: set[Path] | None = None) -> Rebuild:
        """Rebuild after `changed` paths (None: the first build); mistakes are kept in `errors`, never raised."""
        started = time.perf_counter()
        what = self._describe(changed)
        try:
            with garbage_collection_paused():
                rendered = self._rebuild(changed)
        except BuildFailed as failed:
            self.errors = failed.errors
        except ContentError as error:
            self.errors = [error]
        else:
            self.errors = []
        milliseconds = (time.perf_counter() - started) * 1000
        return Rebuild(what, 0 if self.errors else rendered, milliseconds, self.errors)

    def _describe(self, changed: set[Path] | None) -> str:
        if not changed:
            return "first build"
        names = sorted(display_path(path) for path in changed)
        return names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more"

    def _rebuild(self, changed: set[Path] | None) -> int:
        options, errors = self.options, []
        self.remembered.since.changed = self._changed_content(changed)
        site = load_site(options, errors, self.remembered)
        stop_if(errors)
        assets = fingerprint_assets(site.content.assets, options.static_dir)
        targets = link_targets(site.content, assets.content_urls(site.content.assets))
        # Digests of big values (every page's address, the config) are worked out again only when the
        # value changed: comparing is far cheaper than hashing its repr.
        links = self._digest_of("links", targets, targets.key)
        templates = self._templates(site)
        published = [(rel, asset.published) for rel, asset in assets.assets.items()]
        site_digest = self._digest_of("site", (templates.key, site.config, published), lambda: site_key(
            self.engine, templates.key, site.config, options.base_url, options.content_dir, assets))
        keys = RenderKeys(site.config, site.content, site_digest, templates.reads, links, self._partial_keys)
        converted = self._convert(site, targets, links, errors)
        quizzes = self._convert_quizzes(site, keys, assets, errors)
        stop_if(errors)
        renderers = site_renderers(site.config, site.content.pages, assets, quizzes, templates.env_for,
                                   site.content.glossaries)
        files, made, outputs, pages_rendered = {}, {}, set(), 0
        for path, template, page, code in keys.outputs():
            outputs.add(path)
            key = (keys.partial_key(template, page, code), converted[page.rel_path].key if page else ())
            if self.render_keys.get(path) != key:
                shown = PageView(page, converted[page.rel_path].converted) if page else None
                files[path], made[path] = renderers[code].render(template, shown, absolute=page is None), key
                pages_rendered += page is not None
        self._write_site(files, outputs, assets, site.content.pages)
        self.render_keys.update(made)  # only now: a template mistake above leaves every file to make again
        return pages_rendered

    def _changed_content(self, changed: set[Path] | None) -> set[str] | None:
        """The changed paths below content/; None (look at every file) after a failed rebuild, whose
        load may have stopped before it looked at them all."""
        if changed is None or self.errors:
            return None
        content = self.options.content_dir.resolve()
        return {path.resolve().relative_to(content).as_posix() for path in changed
                if path.resolve().is_relative_to(content)}

    def _templates(self, site: LoadedSite) -> SiteTemplates:
        """The templates with their environment and what each reads: made again when the templates or
        the config changed."""
        found = SiteTemplates(self.options.templates_dir)
        if self.templates is None or (self.templates.key, self.templates.config) != (found.key, site.config):
            found.config = site.config
            self.templates = found
        return self.templates

    def _digest_of(self, name: str, value: Any, make: Callable[[], str]) -> str:
        """make(), the digest of `value`, or the last one if `value` is equal to the last `name`."""
        last = self.digests.get(name)
        if last is None or last[0] != value:
            last = self.digests[name] = (value, make())
        return last[1]

    def _partial_keys(self, context: str) -> Memo:
        """The partial keys of the last rebuild, if it had the same context (as the build's cache keeps them)."""
        if self.partial_keys[0] != context:
            self.partial_keys = (context, {})
        keys = self.partial_keys[1]
        return Memo(keys, keys)

    def _convert(self, site: LoadedSite, targets: LinkTargets, links: str,
                 errors: list[ContentError]) -> dict[str, _Conversion]:
        """Each page's converted Markdown: converted again when the page or any link target changed."""
        pages = site.content.pages
        conversions = {}
        for page in pages:
            key = (conversion_inputs(page), links)
            known = self.conversions.get(page.rel_path)
            if known is None or known.key != key:
                before = len(errors)
                done = convert_page(self.md, page, targets, errors) or NOT_CONVERTED
                # a page with mistakes is converted again next time, so they are shown until fixed
                known = _Conversion(key if len(errors) == before else (), done.shown)
            conversions[page.rel_path] = known
        self.conversions = conversions
        return conversions

    def _convert_quizzes(self, site: LoadedSite, keys: RenderKeys, assets: AssetMap,
                         errors: list[ContentError]) -> dict[str, RenderedQuiz]:
        """Each language's quiz, its Markdown converted in the context of the page that shows it, when it changed."""
        content = site.content
        shown = quiz_pages(site.config, content.pages, content.quizzes)
        for code, page in shown.items():
            key = digest(keys.shared[code]["quiz"], page.url)
            if self.quizzes.get(code, ("", None))[0] != key:
                before = len(errors)
                quiz = convert_quiz(self.md, content.quizzes[code], page, content.pages, assets.content_urls(content.assets), errors)
                self.quizzes[code] = (key if len(errors) == before else "", quiz)
        return {code: self.quizzes[code][1] for code in shown}

    def _write_site(self, files: dict[str, str], outputs: set[str], assets: AssetMap, pages: list[Page]) -> None:
        """Write the rendered files, the assets the site refers to and `_headers`; remove what is gone
        (every output file is in `outputs`). The search bundle is left to update_search."""
        for path in set(self.assets_in) - outputs:
            self.render_keys.pop(path, None)
            del self.assets_in[path]
        self.assets_in.update((path, digests_in(text)) for path, text in files.items())
        self.output.mkdir(parents=True, exist_ok=True)
        self._note_search_changes(files, outputs, pages)
        texts, copies, headers = assets.extras_for(self.assets_in.values(), outputs, self.bundle)
        self.headers = lambda bundle: assets.extras_for(self.assets_in.values(), outputs, bundle)[2]
        extra = {**files, **texts, "_headers": headers}
        for gone in set(self.files) - outputs - extra.keys() - copies.keys():
            (self.output / gone).unlink(missing_ok=True)
            del self.files[gone]
        self._write_texts(extra)
        for rel, source in copies.items():
            if rel in self.files:
                continue  # a hashed name: the same name means the same bytes
            target = self.output / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            self.files[rel] = ""

    def _write_texts(self, files: dict[str, str]) -> None:
        for rel, text in files.items():
            if self.files.get(rel) != text:
                target = self.output / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
                self.files[rel] = text

    def _note_search_changes(self, rendered: dict[str, str], outputs: set[str], pages: list[Page]) -> None:
        """The search bundle is out of date once an indexed page is rendered again, or the indexed pages change."""
        indexed = sorted(indexed_pages(dict.fromkeys(outputs, ""), pages))
        if indexed != self.indexed or rendered.keys() & set(indexed):
            self.search_stale, self.indexed = True, indexed

    def update_search(self) -> None:
        """Make the search bundle again if a page it indexes changed. Asked for when the preview's search
        is used, not after each rebuild: indexing every page would make each save wait for it."""
        if not self.search_stale or self.indexed is None:
            return
        bundle = make_bundle(self.output, self.indexed)
        for gone in self.bundle.keys() - bundle.keys():
            (self.output / gone).unlink(missing_ok=True)
        for rel, data in bundle.items():
            if self.bundle.get(rel) != data:
                target = self.output / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        self.bundle, self.search_stale = bundle, False
        self._write_texts({"_headers": self.headers(bundle)})
