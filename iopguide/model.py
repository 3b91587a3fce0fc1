"""Plain objects passed between the build's stages: options → config → pages → converted pages → rendered pages."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields, replace
from operator import attrgetter
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from iopguide.fingerprints import digest


# The address schemes anything published may link to: pages' raw HTML (markup/sanitize.py) and SVG
# files from content/ (source/content_files.py) are held to the same list.
ALLOWED_SCHEMES = frozenset({"https", "http", "mailto", "tel"})


def nearest_line(lines: dict[tuple, int], keypath: tuple, default: int) -> int:
    """The line of `keypath` in a YAML file's line map, or of the nearest key above it that has one."""
    while keypath and keypath not in lines:
        keypath = keypath[:-1]
    return lines.get(keypath, default)

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


LINE_KINDS = ("crisis", "referral")
GLOSSARY_FILE = "glossary.yaml"  # the terms pages explain where they first appear, in content/ and each language's folder
QUIZ_FILE = "quiz.yaml"  # the self-check, in content/ and, its texts translated, in each language's folder


@dataclass(frozen=True)
class CrisisLine:
    """A help line shown on every page: its name, kind, hours and ways to reach it."""

    name: str
    kind: str  # "crisis": answers someone in crisis now; "referral": helps people find care
    when: str
    call: str | None = None
    text: str | None = None
    chat: str | None = None
    url: str | None = None
    tty: str | None = None

    @property
    def call_href(self) -> str | None:
        return _phone_href("tel", self.call)

    @property
    def text_href(self) -> str | None:
        return _phone_href("sms", self.text)

    @property
    def tty_href(self) -> str | None:
        return _phone_href("tel", self.tty)


def _phone_href(scheme: str, number: str | None) -> str | None:
    if not number:
        return None
    digits = "".join(ch for ch in number if ch.isdigit() or ch == "+")
    return f"{scheme}:{digits}"


@dataclass(frozen=True)
class PageRef:
    """A reference from config to a content file, resolved to a page after loading."""

    page: str
    title: str | None = None


@dataclass(frozen=True)
class Footer:
    """The footer's disclaimer and links."""

    disclaimer: str
    links: list[PageRef] = field(default_factory=list)


@dataclass(frozen=True)
class Publisher:
    """Who publishes the site, shown in every page's footer and structured data."""

    name: str
    address: str | None = None
    contact: str | None = None  # an email address or a web address
    funding: str | None = None
    editorial_policy: str | None = None  # a page below content/, like about.md, or a web address

    @property
    def contact_href(self) -> str | None:
        if not self.contact:
            return None
        return self.contact if "://" in self.contact else f"mailto:{self.contact}"

    @property
    def policy_page(self) -> str | None:
        """The editorial policy's file below content/, when it is a page of the site."""
        policy = self.editorial_policy
        return policy if policy and "://" not in policy else None

    def policy_address(self, page_url: Callable[[str], str]) -> str | None:
        """The editorial policy's address: its page's URL below the site root, or the web address as written."""
        return page_url(self.policy_page) if self.policy_page else self.editorial_policy


@dataclass(frozen=True)
class ReadabilityFormula:
    """A reading-level formula `check` can use (a textstat function of the same name)."""

    kind: str  # "grade": a page should score at most the target; "ease": at least
    name: str  # as check's warning names it
    textstat_language: str  # the language textstat counts syllables in
    default_target: int
    highest_target: int


# Grade 8 is US plain-language practice; 55 is where the INFLESZ scale for Spanish health texts
# (built on Szigriszt-Pazos) starts to call a text "normal" rather than "somewhat difficult".
READABILITY_FORMULAS = {
    "flesch_kincaid_grade": ReadabilityFormula("grade", "Flesch–Kincaid grade", "en_US", 8, 18),
    "szigriszt_pazos": ReadabilityFormula("ease", "Szigriszt-Pazos, INFLESZ scale", "es", 55, 100),
}


@dataclass(frozen=True, kw_only=True)
class Language:
    """What each language of the site has of its own: the main language's in site_config.yaml's top
    level, another language's in its `other_languages` block, whose pages are in content/<code>/ with
    the same file names as the pages they translate, published under /<code>/."""

    code: str = ""  # "es": the folder below content/ and below the site root; "" for the main language
    language: str  # "es-US": the BCP 47 tag for lang, hreflang and og:locale
    language_name: str = "English"  # "Español": what the language switcher shows, in the language itself
    site_name: str
    tagline: str | None = None
    navigation: list[PageRef]
    help_page: PageRef
    search_page: PageRef | None = None  # the site's search, linked from every page's header when set
    footer: Footer
    crisis_lines: list[CrisisLine]
    ui: dict[str, Any]
    publisher: Publisher
    readability_formula: str = "flesch_kincaid_grade"
    readability_target: int = 8


@dataclass(frozen=True, kw_only=True)
class SiteConfig(Language):
    """site_config.yaml, checked and typed: the site in its main language, and what every language
    shares. `in_language` gives the same site as another language's pages see it."""

    base_url: str
    quick_exit_url: str
    require_clinical_signoff: bool = False  # check --strict fails on a page without reviewed_by
    review_months: int = 12
    theme_color: str = "#1d4f6e"
    other_languages: tuple[Language, ...] = ()
    path: str = "site_config.yaml"
    lines: dict[tuple, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def codes(self) -> list[str]:
        """Every language's folder, the main language's ("") first."""
        return ["", *(language.code for language in self.other_languages)]

    def in_language(self, code: str) -> SiteConfig:
        """The site as the pages of language `code` see it: its words, menus and help lines."""
        if code == self.code:
            return self
        language = next(language for language in self.other_languages if language.code == code)
        return replace(self, **{item.name: getattr(language, item.name) for item in fields(Language)})

    def language_of(self, rel_path: str) -> str:
        """The language of the page or file at `rel_path` below content/: the code of the language
        folder it is in, or "" for the main language."""
        top, _, rest = rel_path.partition("/")
        return top if rest and any(language.code == top for language in self.other_languages) else ""

    def line(self, keypath: tuple) -> int:
        """The config file line of a key, for messages about cross-references."""
        return nearest_line(self.lines, keypath, 1)

    def lines_of_kind(self, kind: str) -> list[CrisisLine]:
        """The help lines of one kind, in the order site_config.yaml lists them."""
        return [line for line in self.crisis_lines if line.kind == kind]

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, e.g. '/' or '/iop-guide/'."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"


@dataclass(frozen=True)
class Source:
    """A source a page cites in its front matter."""

    title: str
    url: str
    guidance: bool = False  # shaped how the page is written; backs no single claim, so needs no note


@dataclass(frozen=True)
class Reviewer:
    """The clinician who reviewed a page, and their role, as the publishing organisation records them."""

    name: str
    role: str


@dataclass(frozen=True)
class PageMeta:
    """A page's front matter, checked and typed."""

    title: str
    description: str
    last_reviewed: dt.date
    menu_title: str | None = None
    menu_order: int | None = None
    next_review: dt.date | None = None
    reviewed_by: Reviewer | None = None
    translation_reviewed_by: Reviewer | None = None  # who checked a translation against the page it translates
    last_updated: dt.date | None = None  # when the text last changed; the last review if not given
    sources: list[Source] = field(default_factory=list)
    draft: bool = False
    template: str = "page"
    slug: str | None = None


@dataclass
class Heading:
    """A heading of a page's text, for its contents list."""

    level: int
    id: str
    text: str


@dataclass
class Section:
    """One `##` heading and everything under it, for templates that lay sections out as components."""

    id: str
    title_html: str
    title_text: str
    body_html: str


class _Titled:
    """The titles of anything with front matter (`meta`): a page, or another page's listing."""

    meta: PageMeta

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def nav_title(self) -> str:
        return self.meta.menu_title or self.meta.title


@dataclass(frozen=True)
class PageListing(_Titled):
    """What templates see of pages other than the one being rendered: address and front matter.

    Not their text: a page's output then depends only on other pages' listings, so editing a page's
    text remakes that page alone, not every page whose menus or guide list it appears in.
    """

    rel_path: str
    url: str
    meta: PageMeta


@dataclass(eq=False)  # a page is itself: compared and hashed by identity, never field by field
class Page(_Titled):
    """A page of the site: its file, address and front matter, as loaded; nothing changes it after.
    Its converted Markdown is a value of its own (Converted), handed to the templates beside it."""

    rel_path: str  # posix path below content/, e.g. "what-is-an-iop.md"
    display_path: str  # as shown in messages, e.g. "content/what-is-an-iop.md"
    url: str  # below the site root, "" for the home page, else ending in "/"
    meta: PageMeta
    body_line: int  # the file line the Markdown body starts on
    listing_key: str  # a digest of `listing`, worked out when the file was read
    front_lines: dict[tuple, int] = field(default_factory=dict, repr=False)
    body_digest: str = ""  # stands for the body, so an unchanged page need not be read
    body_text: str | None = field(default=None, repr=False)  # the body, once read
    read_body: Callable[[], str] | None = field(default=None, repr=False)

    def front_line(self, key: str) -> int:
        return self.front_lines.get((key,), 1)

    @property
    def body(self) -> str:
        """The Markdown below the front matter; a build that found the file unchanged reads it only now."""
        if self.body_text is None:
            self.body_text = self.read_body()
        return self.body_text

    @property
    def output_file(self) -> str:
        return self.url + "index.html"

    @property
    def listing(self) -> PageListing:
        return PageListing(self.rel_path, self.url, self.meta)


@dataclass(frozen=True)
class Converted:
    """What the templates show of a page's converted Markdown; this is what the build cache keeps."""

    html: str
    intro_html: str
    sections: list[Section]
    headings: list[Heading]
    notes_html: str = ""  # the footnotes' list, shown after the text under the ui word notes_heading

    @property
    def section_headings(self) -> list[Heading]:
        """The `##` headings, which a contents list at the top of the page links to."""
        return [heading for heading in self.headings if heading.level == 2]


@dataclass(frozen=True)
class PageView(_Titled):
    """The page being rendered, as its template sees it (`page`): the page's address and front matter
    joined with its converted Markdown, read-only."""

    page: Page
    converted: Converted

    meta = property(attrgetter("page.meta"))
    url = property(attrgetter("page.url"))
    html = property(attrgetter("converted.html"))
    intro_html = property(attrgetter("converted.intro_html"))
    sections = property(attrgetter("converted.sections"))
    headings = property(attrgetter("converted.headings"))
    section_headings = property(attrgetter("converted.section_headings"))
    notes_html = property(attrgetter("converted.notes_html"))


# What `check` and the pages take for an abbreviation, and what a glossary term must be: two or more
# capitals (digits between them allowed) and an "s" for the plural: CBT, IOPs, DTs.
ABBREVIATION = r"[A-Z][A-Z0-9]*[A-Z]s?"


@dataclass(frozen=True)
class Term:
    """One entry of a language's glossary: a term as pages write it and what it means in plain words."""

    term: str  # as written on pages: "CBT"
    meaning: str  # one short plain phrase
    stands_for: str = ""  # what the letters stand for: "cognitive behavioral therapy"
    source: str = ""  # the web address the meaning was checked against

    @property
    def anchor(self) -> str:
        """The id of its entry on the glossary page."""
        return "term-" + re.sub(r"[^a-z0-9]+", "-", self.term.lower()).strip("-")

    @property
    def source_site(self) -> str:
        """The site its source is on, as the glossary page names it: "medlineplus.gov"."""
        return urlsplit(self.source).netloc.removeprefix("www.")

    @property
    def explained(self) -> str:
        """What a page adds after the term's first use: "cognitive behavioral therapy: a talking therapy …"."""
        return f"{self.stands_for}: {self.meaning}" if self.stands_for else self.meaning


@dataclass(frozen=True)
class Glossary:
    """A language's glossary: its terms in the file's order, and the words in capitals it says need no
    explanation (keywords readers type, like AYUDA)."""

    terms: tuple[Term, ...] = ()
    plain_words: tuple[str, ...] = ()  # sorted, so that its digest is the same in every build


def glossary_key(code: str, word: str) -> str:
    """How LinkTargets looks a word up in the glossary of language `code`."""
    return f"{code}/{word}"


@dataclass(frozen=True)
class LinkTargets:
    """Everything converting a page may ask about other files: where each page and file is published,
    and which pages are left out. The build cache records each answer a conversion got from these, and
    reuses the conversion only while every answer still holds (cache.Recorded)."""

    pages: Mapping[str, str]  # content rel_path of a page → its URL
    assets: Mapping[str, str]  # content rel_path of an image or other file → its published (hashed) path
    drafts: Collection[str] = frozenset()  # pages left out of this build
    broken: Collection[str] = frozenset()  # pages whose own mistakes are already reported
    # Each language's glossary, by glossary_key(code, term): a page asks only about the words it uses,
    # so editing one term converts again only the pages that use it.
    terms: Mapping[str, Term] = field(default_factory=dict)
    plain_words: Collection[str] = frozenset()  # glossary_key(code, word) of each word a glossary calls plain
    languages: Collection[str] = frozenset()  # the codes of the languages other than the main one

    def language_of(self, rel_path: str) -> str:
        """The code of the language of the page at `rel_path`, as SiteConfig.language_of gives it."""
        top, _, rest = rel_path.partition("/")
        return top if rest and top in self.languages else ""

    def key(self) -> str:
        """Stands for every answer a conversion can get about other files."""
        return digest(sorted(self.pages.items()), sorted(self.assets.items()), sorted(self.drafts), sorted(self.broken),
                      sorted(self.terms.items()), sorted(self.plain_words), sorted(self.languages))

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The lookups, by the names the cache records answers under."""
        return tuple(target.name for target in fields(cls))


# Results about danger right now: an answer that needs one shows it at once, and it lists the crisis lines first.
INSTANT_URGENCIES = ("emergency", "crisis")


@dataclass
class RenderedOutcome:
    """A quiz outcome with its Markdown turned into HTML."""

    id: str
    title: str
    urgency: str
    body_html: str
    steps_html: list[str]

    @property
    def danger_now(self) -> bool:
        return self.urgency in INSTANT_URGENCIES


@dataclass
class RenderedQuiz:
    """The quiz with its Markdown turned into HTML, ready for the quiz template."""

    quiz: Any  # quiz.Quiz
    page: Page  # the page that shows it
    outcomes: list[RenderedOutcome]
    notes_html: list[str]
    checklist: Page
    links: set[str]  # rel_paths of the pages its text links to, and its checklist's


def quiz_page(pages: list[Page]) -> Page | None:
    """The page that shows the self-check (template: quiz), if there is one; validation allows one per language."""
    return next((page for page in pages if page.meta.template == "quiz"), None)


def quiz_pages(config: SiteConfig, pages: list[Page], quizzes: Mapping[str, object]) -> dict[str, Page]:
    """The page that shows the self-check in each language that has both, by language code; `quizzes`
    holds each language's loaded self-check (LoadedContent.quizzes)."""
    return {code: page for code, own in by_language(config, pages).items()
            if code in quizzes and (page := quiz_page(own)) is not None}


def guide_pages(pages: list[Page]) -> list[Page]:
    """The guide's pages in reading order: those with a menu_order, which pagination steps through."""
    return sorted((page for page in pages if page.meta.menu_order is not None),
                  key=lambda page: (page.meta.menu_order, page.title))


def by_language(config: SiteConfig, pages: list[Page]) -> dict[str, list[Page]]:
    """The pages of each language, by code ("" for the main language, first), each list in the given order."""
    groups: dict[str, list[Page]] = {code: [] for code in config.codes}
    for page in pages:
        groups[config.language_of(page.rel_path)].append(page)
    return groups
