"""Stage 4: which output files must be made again, worked out from what each one's template reads.

Every output file gets a render key: a digest of everything that can change its bytes — the engine,
the templates, the config, the published asset names, the page's own file and converted Markdown,
and, for each name its template takes from the render context (`guide`, `nav`, `previous_page`,
`pages`, `quiz` …), the files behind that name. A file whose key is the one it was written with,
and which is still on disk as written, is kept. So editing a page's text remakes that page and the
sitemap; editing a guide page's title also remakes the pages that list or link to it by title; a
change to a template, the config or the engine remakes everything.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from iopguide.fingerprints import Memo, digest
from iopguide.build.cache import BuildCache, ConversionRecord, OutputRecord
from iopguide.source.pages import LoadedContent
from iopguide.model import LinkTargets, Page, SiteConfig, guide_pages

SPECIAL_OUTPUTS = {"404.html": "404.html", "sitemap.xml": "sitemap.xml", "robots.txt": "robots.txt"}


@dataclass(frozen=True)
class PlannedOutput:
    """One output file to make, with the keys that say what it is made from."""

    path: str
    template: str
    page: Page | None
    partial_key: str  # every input but the page's converted Markdown
    conversion_key: str = ""

    def render_key(self, conversion: ConversionRecord | None) -> str:
        """The whole render key, once the page's conversion (None for a file that shows no page) is known."""
        return digest(self.partial_key, conversion.digest) if conversion else self.partial_key


@dataclass
class SitePlan:
    """Which output files must be made again and which are kept as they are."""

    remake: list[PlannedOutput] = field(default_factory=list)
    keep: dict[str, OutputRecord] = field(default_factory=dict)  # output path → the file as written before


def listing(page: Page | None) -> str:
    """Stands for everything another page's template can show of `page`: its PageListing."""
    return page.listing_key if page else ""


def conversion_key(page: Page, engine: str) -> str:
    """Stands for everything a page's conversion reads from the page itself."""
    return digest(engine, page.rel_path, page.url, page.body_line, page.body_digest)


def link_targets(content: LoadedContent, content_urls: dict[str, str]) -> LinkTargets:
    """What converting a page may ask about other files, with the files published at `content_urls`."""
    return LinkTargets({page.rel_path: page.url for page in content.pages}, content_urls, content.drafts,
                       content.broken)


def plan_site(config: SiteConfig, content: LoadedContent, site_key: str, reads: Callable[[str], frozenset[str] | None],
              lookups: LinkTargets, cache: BuildCache, output_dir: Path) -> SitePlan:
    """Sort every output file into those to make again and those to keep."""
    pages = content.pages
    guide = guide_pages(pages)
    position = {page: index for index, page in enumerate(guide)}
    by_path = {page.rel_path: page for page in pages}
    # the menus show each page as a NavLink: its menu title and address
    menus = [(ref.title or by_path[ref.page].nav_title, by_path[ref.page].url)
             for ref in [*config.navigation, *config.footer.links, config.help_page]]
    lookups_key = lookups.key()
    shared = {
        "pages": digest([page.listing_key for page in pages]),
        "guide": digest([page.listing_key for page in guide]),
        "nav": digest(menus),
        "quiz": _quiz_key(content, by_path, lookups_key),
    }
    shared["footer_links"] = shared["help_page"] = shared["nav"]
    shared["editorial_policy"] = digest(config.publisher.policy_address(lambda rel_path: by_path[rel_path].url))
    # Everything a file's render key is made from, besides its page's own file and conversion.
    context = digest(site_key, sorted(shared.items()), lookups_key)
    unchanged_context = cache.previous.plan_context == context
    partial_keys = _partial_keys(cache, context)

    def neighbour(page: Page | None, step: int) -> str:
        index = position.get(page)
        if index is None or not 0 <= index + step < len(guide):
            return ""
        return guide[index + step].listing_key

    def partial_key(template: str, page: Page | None) -> str:
        # Within one context a page's partial key follows from its listing (which names its template,
        # and its place in the guide), so an earlier build's key is taken rather than worked out again.
        known = partial_keys.get(listing(page) or template)
        if known is None:
            names = reads(template)
            values = {"previous_page": neighbour(page, -1), "next_page": neighbour(page, +1), **shared}
            chosen = sorted(values) if names is None else sorted(names & values.keys())
            known = digest(site_key, template, listing(page), [(name, values[name]) for name in chosen])
            partial_keys.put(listing(page) or template, known)
        return known

    plan = SitePlan()
    previous = cache.previous
    for page in pages:
        if unchanged_context and _kept_as_before(page, partial_keys, cache, output_dir, plan):
            continue
        template = f"{page.meta.template}.html"
        key = conversion_key(page, cache.engine)
        planned = PlannedOutput(page.output_file, template, page, partial_key(template, page), key)
        conversion = previous.conversions.get(page.rel_path)
        if conversion and conversion.key == key and conversion.still_holds(lookups):
            _keep_or_remake(plan, planned, planned.render_key(conversion), previous.outputs, output_dir)
            cache.index.conversions[page.rel_path] = conversion
        else:
            plan.remake.append(planned)
    for path, template in SPECIAL_OUTPUTS.items():
        planned = PlannedOutput(path, template, None, partial_key(template, None))
        _keep_or_remake(plan, planned, planned.render_key(None), previous.outputs, output_dir)
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


def _quiz_key(content: LoadedContent, by_path: dict[str, Page], lookups_key: str) -> str:
    """The quiz's Markdown links to pages and files, so its key covers every address, like the quiz itself."""
    quiz = content.quiz
    if quiz is None:
        return ""
    checklist = by_path.get(quiz.checklist_page)
    return digest(quiz.source, listing(checklist), lookups_key)
