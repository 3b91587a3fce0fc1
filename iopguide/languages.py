"""Which page translates which: a page in content/<code>/ translates the page with the same file name in
content/. The renderer asks this for the language switcher, hreflang links and the sitemap; the
planner asks it for what those depend on."""
from __future__ import annotations

from dataclasses import dataclass

from iopguide.fingerprints import digest
from iopguide.model import Page, SiteConfig


@dataclass(frozen=True)
class LanguageLink:
    """A language's version of the page being shown, or that language's home page when the page has none."""

    code: str  # "" for the main language
    language: str  # the BCP 47 tag, for lang and hreflang
    name: str  # the language's own name for itself, as the switcher shows it
    url: str  # below the site root: the page's version, or the language's home page when it has none

    @property
    def og_locale(self) -> str:
        return open_graph_locale(self.language)


def open_graph_locale(language: str) -> str:
    """'en-US' → 'en_US', the form Open Graph expects."""
    return language.replace("-", "_")


@dataclass(frozen=True)
class SitemapEntry:
    """A page as sitemap.xml lists it, with its versions in the other languages."""

    url: str
    last_reviewed: str  # ISO date
    alternates: tuple[LanguageLink, ...]


class Translations:
    """The site's pages grouped by what they translate: each page's versions in every language."""

    def __init__(self, config: SiteConfig, pages: list[Page]):
        self.codes = config.codes
        self.tags = {"": config.language, **{language.code: language.language for language in config.other_languages}}
        self.names = {"": config.language_name, **{language.code: language.language_name for language in config.other_languages}}
        self.language_of = config.language_of
        self.pages = pages
        self.versions: dict[str, dict[str, Page]] = {}  # the main language's rel_path → code → page
        for page in pages:
            code = self.language_of(page.rel_path)
            self.versions.setdefault(page.rel_path.removeprefix(f"{code}/") if code else page.rel_path, {})[code] = page
        self.homes = {code: self._home(code, config.in_language(code).navigation[0].page) for code in self.codes}

    def _home(self, code: str, first_in_menu: str) -> str:
        """A language's home page: its index.md, or the first page of its menu."""
        versions = self.versions.get("index.md", {})
        if code in versions:
            return versions[code].url
        return next((page.url for page in self._all() if page.rel_path == first_in_menu), "")

    def _all(self):
        return (page for versions in self.versions.values() for page in versions.values())

    def of(self, page: Page) -> dict[str, Page]:
        code = self.language_of(page.rel_path)
        return self.versions.get(page.rel_path.removeprefix(f"{code}/") if code else page.rel_path, {})

    def alternates(self, page: Page | None) -> list[LanguageLink]:
        """The page's versions, its own among them, in the order languages are configured; none when
        it has no translation (hreflang links then say nothing)."""
        versions = self.of(page) if page is not None else {}
        if len(versions) < 2:
            return []
        return [LanguageLink(code, self.tags[code], self.names[code], versions[code].url)
                for code in self.codes if code in versions]

    def switcher(self, page: Page | None, code: str) -> list[LanguageLink]:
        """A link to every other language: to the page's version in it, or to its home page, never to a 404."""
        versions = self.of(page) if page is not None else {}
        return [LanguageLink(other, self.tags[other], self.names[other],
                             versions[other].url if other in versions else self.homes[other])
                for other in self.codes if other != code]

    def key(self, page: Page | None, code: str) -> str:
        """Stands for what `alternates` and `switcher` give for the page."""
        return digest(self.alternates(page), self.switcher(page, code)) if len(self.codes) > 1 else ""

    def sitemap(self) -> list[SitemapEntry]:
        return sorted((SitemapEntry(page.url, page.meta.last_reviewed.isoformat(), tuple(self.alternates(page)))
                       for page in self._all()), key=lambda entry: entry.url)
