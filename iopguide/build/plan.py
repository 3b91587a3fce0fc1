"""Which output files must be made again, worked out from what each one's template reads.

Every output file gets a render key: a digest of everything that can change its bytes — the engine,
the templates, the config, the published asset names, the page's own file and converted Markdown,
and, for each name its template takes from the render context (`guide`, `nav`, `previous_page`,
`pages`, `quiz` …), the files behind that name. A file whose key is the one it was written with,
and which is still on disk as written, is kept. So editing a page's text remakes that page alone;
editing a guide page's title also remakes the pages that list or link to it by title; a
change to a template, the config or the engine remakes everything.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from iopguide.fingerprints import Memo, digest
from iopguide.build.cache import BuildCache, ConversionRecord, OutputRecord
from iopguide.languages import Translations
from iopguide.model import LinkTargets, Page, SiteConfig, by_language, glossary_key, guide_pages

if TYPE_CHECKING:
    from iopguide.source.pages import LoadedContent
    from iopguide.source.quiz import Quiz
    from iopguide.render.assets import AssetMap

SPECIAL_OUTPUTS = {"404.html": "404.html", "sitemap.xml": "sitemap.xml", "robots.txt": "robots.txt"}
EVERY_LANGUAGE = {"404.html"}  # made in each language's folder too; one sitemap and robots.txt serve them all


@dataclass(frozen=True)
class PlannedOutput:
    """One output file to make, with the keys that say what it is made from."""

    path: str
    template: str
    page: Page | None
    partial_key: str  # every input but the page's converted Markdown
    conversion_key: str = ""
    language: str = ""  # the code of the language it is in, "" for the main language

    def render_key(self, conversion: ConversionRecord | None) -> str:
        """The whole render key, once the page's conversion (None for a file that shows no page) is known."""
        return digest(self.partial_key, conversion.digest) if conversion else self.partial_key


@dataclass
class SitePlan:
    """Which output files must be made again and which are kept as they are."""

    remake: list[PlannedOutput] = field(default_factory=list)
    keep: dict[str, OutputRecord] = field(default_factory=dict)  # output path → the file as written before


def listing_key(page: Page | None) -> str:
    """Stands for everything another page's template can show of `page`: its PageListing."""
    return page.listing_key if page else ""


def conversion_inputs(page: Page) -> tuple[str, str, int, str]:
    """Everything a page's conversion reads from the page itself."""
    return page.rel_path, page.url, page.body_line, page.body_digest


def conversion_key(page: Page, engine: str) -> str:
    """Stands for conversion_inputs(page), converted by this engine."""
    return digest(engine, *conversion_inputs(page))


def link_targets(content: LoadedContent, content_urls: dict[str, str]) -> LinkTargets:
    """What converting a page may ask about other files, with the files published at `content_urls`."""
    terms = {glossary_key(code, term.term): term for code, glossary in content.glossaries.items() for term in glossary.terms}
    plain = frozenset(glossary_key(code, word) for code, glossary in content.glossaries.items() for word in glossary.plain_words)
    return LinkTargets({page.rel_path: page.url for page in content.pages}, content_urls, content.drafts,
                       content.broken, terms, plain, frozenset(code for code in content.glossaries if code))


def site_key(engine: str, templates_key: str, config: SiteConfig, base_url: str | None, content_dir: Path,
             assets: AssetMap) -> str:
    """Stands for what every output file is made with: the engine, the templates, the config and the
    published asset names."""
    return digest(engine, templates_key, config, base_url, str(content_dir),
                  sorted((rel, asset.published) for rel, asset in assets.assets.items()))


class RenderKeys:
    """What each output file's template reads, as digests: the one answer to "what does a change
    touch?", for the build (with its cache) and for the preview (in memory). `links` is LinkTargets.key():
    every answer a conversion can get about other files.

    Each language has its own menus, guide, quiz and 404 page; a page's versions in the other
    languages (`alternates`, `languages`) are its own. `remembered` holds partial keys by listing from
    an earlier build with the same `context`; within one context a page's partial key follows from its
    listing (which names its template, its language and its place in the guide), so an earlier key is
    taken rather than worked out again.
    """

    def __init__(self, config: SiteConfig, content: LoadedContent, site: str,
                 reads: Callable[[str], frozenset[str] | None], links: str,
                 remembered: Callable[[str], Memo]):
        pages = content.pages
        self.site, self.reads = site, reads
        self.translations = Translations(config, pages)
        self.groups = by_language(config, pages)
        self.guides = {code: guide_pages(own) for code, own in self.groups.items()}
        self.position = {page: (code, index) for code, guide in self.guides.items() for index, page in enumerate(guide)}
        by_path = {page.rel_path: page for page in pages}
        # the sitemap lists every page with its versions, all of which their listings say
        sitemap = digest([page.listing_key for page in pages])
        self.shared = {code: {**self._shared(config.in_language(code), own, self.guides[code], by_path,
                                             content.quizzes.get(code), links, sitemap),
                              "home": self.translations.homes[code],
                              "glossary": digest(content.glossaries.get(code))}
                       for code, own in self.groups.items()}
        # Everything a file's render key is made from, besides its page's own file and conversion.
        self.context = digest(site, [sorted(shared.items()) for shared in self.shared.values()], links)
        self.known = remembered(self.context)

    @staticmethod
    def _shared(config: SiteConfig, pages: list[Page], guide: list[Page], by_path: dict[str, Page],
                quiz: Quiz | None, links: str, sitemap: str) -> dict[str, str]:
        """The values every file of one language reads alike."""
        # the menus show each page as a NavLink: its menu title and address
        menus = [(ref.title or by_path[ref.page].nav_title, by_path[ref.page].url)
                 for ref in [*config.navigation, *config.footer.links, config.help_page, config.search_page] if ref]
        shared = {
            "pages": digest([page.listing_key for page in pages]),
            "guide": digest([page.listing_key for page in guide]),
            "nav": digest(menus),
            "quiz": _quiz_key(quiz, by_path, links),
            "sitemap": sitemap,
        }
        shared["footer_links"] = shared["help_page"] = shared["search_page"] = shared["nav"]
        shared["editorial_policy"] = digest(config.publisher.policy_address(lambda rel_path: by_path[rel_path].url))
        return shared

    def outputs(self) -> Iterator[tuple[str, str, Page | None, str]]:
        """Every output file: (its path, its template, the page it shows or None, its language)."""
        for code, pages in self.groups.items():
            for page in pages:
                yield page.output_file, f"{page.meta.template}.html", page, code
        for code in self.groups:
            for path, template in SPECIAL_OUTPUTS.items():
                if not code or path in EVERY_LANGUAGE:
                    yield f"{code}/{path}" if code else path, template, None, code

    def partial_key(self, template: str, page: Page | None, code: str = "") -> str:
        """Every input of the file but the page's converted Markdown."""
        remembered_as = listing_key(page) or f"{code}/{template}"
        known = self.known.get(remembered_as)
        if known is None:
            names = self.reads(template)
            language_links = self.translations.key(page, code)
            values = {"previous_page": self._neighbour(page, -1), "next_page": self._neighbour(page, +1),
                      "alternates": language_links, "languages": language_links, **self.shared[code]}
            chosen = sorted(values) if names is None else sorted(names & values.keys())
            known = digest(self.site, template, code, listing_key(page), [(name, values[name]) for name in chosen])
            self.known.put(remembered_as, known)
        return known

    def _neighbour(self, page: Page | None, step: int) -> str:
        code, index = self.position.get(page, ("", None))
        guide = self.guides.get(code, [])
        if index is None or not 0 <= index + step < len(guide):
            return ""
        return guide[index + step].listing_key


def plan_site(config: SiteConfig, content: LoadedContent, site: str, reads: Callable[[str], frozenset[str] | None],
              targets: LinkTargets, cache: BuildCache, output_dir: Path) -> SitePlan:
    """Sort every output file into those to make again and those to keep."""
    keys = RenderKeys(config, content, site, reads, targets.key(), lambda context: _partial_keys(cache, context))
    unchanged_context = cache.previous.plan_context == keys.context
    plan = SitePlan()
    previous = cache.previous
    for path, template, page, code in keys.outputs():
        if page is None:
            planned = PlannedOutput(path, template, None, keys.partial_key(template, None, code), language=code)
            _keep_or_remake(plan, planned, planned.render_key(None), previous.outputs, output_dir)
            continue
        if unchanged_context and _kept_as_before(page, keys.known, cache, output_dir, plan):
            continue
        key = conversion_key(page, cache.engine)
        planned = PlannedOutput(path, template, page, keys.partial_key(template, page, code), key, code)
        conversion = previous.conversions.get(page.rel_path)
        if conversion and conversion.key == key and conversion.still_holds(targets):
            _keep_or_remake(plan, planned, planned.render_key(conversion), previous.outputs, output_dir)
            cache.index.conversions[page.rel_path] = conversion
        else:
            plan.remake.append(planned)
    return plan


def _partial_keys(cache: BuildCache, context: str) -> Memo:
    """The partial keys worked out by the last build, if it had the same context: the same engine,
    templates, config, assets, listing of every page in the same order, and link targets."""
    previous = cache.previous
    cache.index.plan_context = context
    return Memo(previous.partial_keys if previous.plan_context == context else {}, cache.index.partial_keys)


def _kept_as_before(page: Page, partial_keys: Memo, cache: BuildCache, output_dir: Path, plan: SitePlan) -> bool:
    """Keep the page's file as the last build left it, without working out its keys, if they cannot
    have changed: the context is the last build's (the caller checks), and so is the page's file
    (its SourceRecord is the last build's own, not read again). False if it must be planned in full.

    This is what makes planning a one-page edit cost little more than a stat per page.
    """
    previous = cache.previous
    source = previous.sources.get(page.rel_path)
    conversion, record = previous.conversions.get(page.rel_path), previous.outputs.get(page.output_file)
    if source is None or source is not cache.index.sources.get(page.rel_path) or conversion is None or record is None:
        return False
    if partial_keys.get(page.listing_key) is None or not record.matches(os.path.join(output_dir, page.output_file)):
        return False
    plan.keep[page.output_file] = record
    cache.index.conversions[page.rel_path] = conversion
    return True


def _keep_or_remake(plan: SitePlan, planned: PlannedOutput, key: str, records: dict[str, OutputRecord],
                    output_dir: Path) -> None:
    record = records.get(planned.path)
    if record is not None and record.key == key and record.matches(os.path.join(output_dir, planned.path)):
        plan.keep[planned.path] = record
    else:
        plan.remake.append(planned)


def _quiz_key(quiz: Quiz | None, by_path: dict[str, Page], links: str) -> str:
    """The quiz as a whole — questions, rules and texts, not just its file: a translation's file holds
    only its texts, and its rules are the main file's — and, since its Markdown links to pages and
    files, every address, like the quiz itself."""
    if quiz is None:
        return ""
    checklist = by_path.get(quiz.checklist_page)
    return digest(quiz, listing_key(checklist), links)
