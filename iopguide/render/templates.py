"""Rendering every page, the 404 page, sitemap.xml and robots.txt through the Jinja templates."""
from __future__ import annotations

import contextlib
import datetime as dt
import sys
from dataclasses import dataclass
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Iterator

import jinja2
import jinja2.bccache
import jinja2.meta
from jinja2.compiler import CodeGenerator, Frame
from jinja2.nodes import Template as TemplateNode

from iopguide.render.assets import AssetMap
from iopguide.errors import BuildFailed, ContentError, display_path
from iopguide.markup.extension import relative_url
from iopguide.languages import Translations, open_graph_locale
from iopguide.render.metadata import csp_meta, structured_data
from iopguide.model import Glossary, Page, PageListing, PageRef, PageView, RenderedQuiz, SiteConfig, by_language, guide_pages
from iopguide.private_hooks import reason_to_stay_out
from iopguide.signing import read_signed, signed, write_atomically


@dataclass(frozen=True)
class NavLink:
    """A link in a menu, marked when it leads to the page being shown."""

    title: str
    url: str  # below the site root
    current: bool


# What a template file names: the names it takes from the render context, and the templates it
# extends, imports or includes (None for one named only at render time).
Named = tuple[set[str], list[str | None]]


class _NamingCodeGenerator(CodeGenerator):
    """Jinja's code generator, noting what each template it compiles names as it goes (what
    jinja2.meta finds with the same walk over a tree of its own): template_reads then need not parse
    a compiled template again, which costs about as much as compiling it.

    It overrides parts of Jinja that are not its API, and a name it misses would leave pages stale,
    so it is used only as NAMING_STAYS_OUT allows."""

    environment: SiteEnvironment

    def visit_Template(self, node: TemplateNode, frame: Frame | None = None) -> None:
        self.reads: set[str] = set()
        super().visit_Template(node, frame)
        if self.name is not None:  # noted only once the whole template compiled
            self.environment.named[self.name] = (self.reads, list(jinja2.meta.find_referenced_templates(node)))

    def enter_frame(self, frame: Frame) -> None:
        super().enter_frame(frame)
        self.reads.update(name for action, name in frame.symbols.loads.values()
                          if action == "resolve" and name not in self.environment.globals)


PROVEN_ON = ("3.1.6",)  # the Jinja2 versions _NamingCodeGenerator was proven on (requirements.txt pins one)
# Why the naming hook stays out, worked out once, on import; None when it goes in. Without it,
# template_reads parses each template again, with jinja2.meta: the same answer, more slowly.
NAMING_STAYS_OUT = reason_to_stay_out("Jinja2", jinja2.__version__, PROVEN_ON, overrides=(_NamingCodeGenerator,))
# What `build.py build --verbose` says while it stays out.
PARSED_AGAIN = NAMING_STAYS_OUT and (f"Template-reading hook off ({NAMING_STAYS_OUT}): templates are parsed again "
                                     "to plan what to remake, the same site more slowly")


class SiteEnvironment(jinja2.Environment):
    """A Jinja environment that keeps what each template it compiled names, by template name."""

    code_generator_class = CodeGenerator if NAMING_STAYS_OUT else _NamingCodeGenerator

    def __init__(self, **options: object):
        super().__init__(**options)
        self.named: dict[str, Named] = {}

    def make_globals(self, d: dict | None) -> dict:
        """A template's globals in one dict, where Jinja makes a ChainMap over the environment's.

        Each import of a component compares the names of the importing template's globals with
        its own, and through a ChainMap that was a large share of rendering a page. A dict copies the
        environment's globals as they are then: they are all set before any template is loaded.
        """
        return {**self.globals, **(d or {})}


class SignedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in a folder of the build cache, each file signed with the cache's key.

    Jinja's own FileSystemBytecodeCache unpickles and unmarshals whatever file it finds there, so a
    file put in the cache by anyone else would run as code; here a file is loaded only once its
    signature shows this user's builds wrote it, and it is opened without following links.
    """

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"__jinja2_{bucket.key}.cache"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = read_signed(self._path(bucket))
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        write_atomically(self._path(bucket), signed(bucket.bytecode_to_string()))


def make_environment(templates_dir: Path, config: SiteConfig, compiled_dir: Path | None = None) -> SiteEnvironment:
    """`compiled_dir` keeps compiled templates between builds: compiling them costs more than rendering a page."""
    if compiled_dir is not None:
        compiled_dir.mkdir(parents=True, exist_ok=True)
    env = SiteEnvironment(
        loader=jinja2.FileSystemLoader(templates_dir),
        auto_reload=False,  # a build or a preview rebuild makes a new environment when a template changes
        bytecode_cache=SignedBytecodeCache(compiled_dir) if compiled_dir else None,
        autoescape=True,  # every value from content or config is escaped unless marked safe by the engine
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
        cache_size=-1,  # a dict, not an LRU behind a lock: every page looks its components up several times
    )
    env.filters["date"] = lambda day: format_date(day, config.ui)
    # structured_data's `home` may be left out, as templates written before languages do: the site's root then
    env.globals.update(site=config, ui=config.ui, csp=csp_meta(), search_csp=csp_meta(search=True), og_locale=open_graph_locale(config.language),
                       structured_data=lambda page, policy, home="": structured_data(page, config, policy, home))
    return env


@contextlib.contextmanager
def template_mistakes(env: jinja2.Environment, name: str) -> Iterator[None]:
    """Turn a template's mistakes into a BuildFailed that points at the template file and line."""
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        raise BuildFailed([ContentError(display_path(exc.filename or name), exc.lineno,
                                        f"template syntax error: {exc.message}",
                                        "check that every {% ... %} and {{ ... }} is closed and spelled right")]) from None
    except jinja2.TemplateNotFound as exc:
        raise BuildFailed([ContentError(display_path(Path(env.loader.searchpath[0]) / name), None,
                                        f"the template '{exc.name}' is missing", "restore it from git")]) from None
    except (jinja2.UndefinedError, TypeError, AttributeError) as exc:
        filename, line = _template_position()
        raise BuildFailed([ContentError(filename or name, line, f"template error: {exc}",
                                        "check the names used on this line")]) from None


def template_reads(env: SiteEnvironment, name: str) -> frozenset[str] | None:
    """The names a template takes from the render context, through every template it extends, imports
    or includes; None when it names a template only at render time, so it may read anything.
    A template the environment compiled is not parsed again; one it did not (it was loaded from the
    compiled templates kept between builds, or not yet compiled) is parsed once, and what it names kept."""
    names: set[str] = set()
    seen: set[str] = set()
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        if current not in env.named:
            with template_mistakes(env, current):
                source, filename, _ = env.loader.get_source(env, current)
                tree = env.parse(source, current, filename)
            env.named[current] = (jinja2.meta.find_undeclared_variables(tree),
                                  list(jinja2.meta.find_referenced_templates(tree)))
        undeclared, referenced = env.named[current]
        names |= undeclared
        if None in referenced:
            return None
        pending.extend(referenced)
    return frozenset(names)


def format_date(day: dt.date, ui: dict) -> str:
    return ui["date_format"].format(day=day.day, month=ui["months"][day.month - 1], year=day.year)


class SiteRenderer:
    """Renders whole pages of one language; template mistakes become ContentErrors pointing at the template line."""

    def __init__(self, config: SiteConfig, pages: list[Page], assets: AssetMap, quiz: RenderedQuiz | None,
                 env: jinja2.Environment, translations: Translations, glossary: Glossary):
        self.config, self.pages, self.assets, self.quiz, self.glossary = config, pages, assets, quiz, glossary
        self.env = env  # made once by the caller, for this language: reusing one keeps its compiled templates
        self.translations = translations
        self.by_path = {page.rel_path: page for page in translations.pages}
        self.guide = guide_pages(pages)
        self.guide_index = {page: index for index, page in enumerate(self.guide)}
        # made once: rebuilding them for every page would make a build's time grow with pages squared
        self.listings = [page.listing for page in pages]
        self.guide_listings = [page.listing for page in self.guide]
        self.editorial_policy = config.publisher.policy_address(lambda rel_path: self.by_path[rel_path].url)

    def render(self, name: str, shown: PageView | None, absolute: bool = False) -> str:
        """Render template `name` showing a page (None for a file that shows none, like the sitemap)."""
        page = shown.page if shown else None
        here = page.url if page else ""
        # a stylesheet, script or icon resolves to its hashed name; a page's URL stays as it is
        url: Callable[[str], str] = ((lambda to: self.config.base_path + self.assets.published(to)) if absolute
                                     else (lambda to: relative_url(here, self.assets.published(to))))
        context = {
            "page": shown,
            "pages": self.listings,
            "url": url,
            "absolute_url": lambda to: self.config.base_url + self.assets.published(to),
            "nav": self.links(self.config.navigation, page),
            "footer_links": self.links(self.config.footer.links, page),
            "help_page": self.links([self.config.help_page], page)[0],
            "search_page": self.config.search_page and self.links([self.config.search_page], page)[0],
            "editorial_policy": self.editorial_policy,  # a URL below the site root, or a full web address
            "guide": self.guide_listings,
            "previous_page": _listing(self.neighbour(page, -1)),
            "next_page": _listing(self.neighbour(page, +1)),
            "quiz": self.quiz,
            "glossary": self.glossary.terms,  # this language's terms, for the glossary page
            "alternates": self.translations.alternates(page),  # the page in every language, for hreflang
            "languages": self.translations.switcher(page, self.config.code),  # the other languages, for the switcher
            "home": self.translations.homes[self.config.code],  # this language's home page, where the site's name leads
            "sitemap": _Later(self.translations.sitemap),
        }
        with template_mistakes(self.env, name):
            return self.env.get_template(name).render(context)

    def links(self, refs: list[PageRef], current: Page | None) -> list[NavLink]:
        result = []
        for ref in refs:
            target = self.by_path[ref.page]
            result.append(NavLink(ref.title or target.nav_title, target.url, current is target))
        return result

    def neighbour(self, page: Page | None, step: int) -> Page | None:
        if page not in self.guide_index:
            return None
        index = self.guide_index[page] + step
        return self.guide[index] if 0 <= index < len(self.guide) else None


class _Later:
    """A list worked out only when a template goes through it: every page's context offers the
    sitemap's entries, and only sitemap.xml reads them."""

    def __init__(self, make: Callable[[], list]):
        self.make = make

    def __iter__(self):
        return iter(self.make())


def site_renderers(config: SiteConfig, pages: list[Page], assets: AssetMap, quizzes: dict[str, RenderedQuiz],
                   env_for: Callable[[str], jinja2.Environment],
                   glossaries: Mapping[str, Glossary] = MappingProxyType({})) -> dict[str, SiteRenderer]:
    """A renderer for each language, by code, each with that language's words, pages, self-check and glossary."""
    translations = Translations(config, pages)
    return {code: SiteRenderer(config.in_language(code), own, assets, quizzes.get(code), env_for(code), translations,
                               glossaries.get(code, Glossary()))
            for code, own in by_language(config, pages).items()}


def _listing(page: Page | None) -> PageListing | None:
    return page.listing if page else None


def _template_position() -> tuple[str | None, int | None]:
    """The innermost template file and line in the traceback being handled (Jinja rewrites frames)."""
    position: tuple[str | None, int | None] = (None, None)
    tb = sys.exc_info()[2]
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            position = (display_path(filename), tb.tb_lineno)
        tb = tb.tb_next
    return position
