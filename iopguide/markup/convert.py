"""Each page's Markdown body to HTML, with links between pages resolved and raw HTML checked."""
from __future__ import annotations

import contextlib
import importlib
import re
import sys
from types import MappingProxyType
from collections.abc import Mapping, Sequence, Set as AbstractSet
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterator

import markdown

from iopguide.errors import ContentError
from iopguide.markup.error_lines import lines_of
from iopguide.markup.extension import PageContext, SiteExtension
from iopguide.markup.sanitize import LineFinder, Unsafe, check_html, template_ids
from iopguide.model import Converted, LinkTargets, Page, RenderedOutcome, RenderedQuiz
from iopguide.markup.time_limit import TooSlow, time_limit, too_slow

if TYPE_CHECKING:  # the quiz's code is loaded only by sites with a quiz
    from iopguide.source.quiz import Quiz

# fenced_code: editors who show an example of HTML or YAML paste it between ``` lines, as on GitHub
EXTENSIONS = ["toc", "tables", "fenced_code", "attr_list", "def_list", "abbr", "footnotes", "admonition", "md_in_html"]
# Notes are numbered in the order the text cites them; the arrow back to the text is drawn as text,
# not as the emoji some phones show for it (U+FE0E).
EXTENSION_CONFIGS = {"toc": {"toc_depth": "1-6"},
                     "footnotes": {"USE_DEFINITION_ORDER": False, "BACKLINK_TEXT": "&#8617;&#xFE0E;"}}


def make_markdown(shortcuts: bool = True) -> markdown.Markdown:
    # Extensions are made from their modules, not named: a name makes Python-Markdown read the entry
    # points of every installed package, which costs more than converting a page.
    with _pygments_hidden():
        extensions = [importlib.import_module(f"markdown.extensions.{name}").makeExtension(**EXTENSION_CONFIGS.get(name, {}))
                      for name in EXTENSIONS]
    # HTML5 output: `<input>`, not XHTML's `<input />`, which the Nu checker flags on every checklist box.
    return markdown.Markdown(extensions=[*extensions, SiteExtension(shortcuts)], output_format="html")


@contextlib.contextmanager
def _pygments_hidden() -> Iterator[None]:
    """fenced_code loads codehilite, which loads Pygments if it is installed (a large share of a
    one-page build), though the site highlights no code: while codehilite is not one of EXTENSIONS,
    Pygments is shown as missing while they load, and codehilite is left without it."""
    hide = "codehilite" not in EXTENSIONS and "pygments" not in sys.modules
    if hide:
        sys.modules["pygments"] = None
    try:
        yield
    finally:
        if hide:
            del sys.modules["pygments"]


@dataclass(frozen=True)
class ConvertedPage:
    """A page's converted Markdown: what its templates show, and what `check` reads of it besides."""

    shown: Converted
    links: AbstractSet[str]  # rel_paths of the pages it links to
    anchors: Sequence[tuple[str, str, str]]  # (target rel_path, #fragment, as written)
    ids: AbstractSet[str]  # every id in the converted body
    images_without_alt: Sequence[str]
    unexplained: Sequence[str] = ()  # abbreviations the page neither explains nor finds in its glossary


# A page whose Markdown could not be converted shows nothing, and holds no id a link could aim at.
NOT_CONVERTED = ConvertedPage(Converted("", "", [], []), frozenset(), (), frozenset(), ())


def convert_pages(pages: list[Page], targets: LinkTargets, errors: list[ContentError],
                  quizzes: Mapping[Page, Quiz] = MappingProxyType({})) -> dict[str, ConvertedPage]:
    """Convert every page, by rel_path, for `check`; each quiz's Markdown too (`quizzes`: the page that
    shows it → the quiz), in the context of the page that shows it, which then links where the quiz does."""
    md = make_markdown()
    converted = {page.rel_path: convert_page(md, page, targets, errors) or NOT_CONVERTED for page in pages}
    for page, quiz in quizzes.items():
        rendered = convert_quiz(md, quiz, page, pages, targets.assets, errors)
        own = converted[page.rel_path]
        converted[page.rel_path] = replace(own, links=own.links | rendered.links)
    return converted


def convert_page(md: markdown.Markdown, page: Page, targets: LinkTargets,
                 errors: list[ContentError]) -> ConvertedPage | None:
    """The page's Markdown converted, its mistakes added to `errors`; None when it could not be
    converted at all. The page itself is left as it was loaded."""
    found: list[ContentError] = []
    converted = None
    try:
        with time_limit():
            converted = _convert_page(md, page, targets, found)
    except TooSlow:
        found = [too_slow(page.display_path, page.body_line)]
    errors += found
    return converted


def _convert_page(md: markdown.Markdown, page: Page, targets: LinkTargets,
                  errors: list[ContentError]) -> ConvertedPage | None:
    context = PageContext(page.rel_path, page.url, targets.pages, targets.assets, targets.drafts, targets.broken,
                          template_ids(page.meta.template), targets.language_of(page.rel_path), targets.terms,
                          targets.plain_words)
    html = convert_checked(md, page.body, context, page.display_path, LineFinder(page.body, page.body_line), errors)
    if html is None:
        return None
    errors += _link_errors(page.display_path, lines_of(page.body, page.body_line), context)
    if any(heading.level == 1 for heading in context.headings):
        errors.append(ContentError(page.display_path, line_matching(page, r"#\s|.+\n=+\s*$"),
                                   "the page has a '# ' heading, but the title is already the page's main heading",
                                   "start sections with '## ' instead"))
    shown = Converted(html, context.intro_html, context.sections, context.headings, context.notes_html)
    return ConvertedPage(shown, context.links, context.anchors, context.ids, context.images_without_alt,
                         context.unexplained)


def _link_errors(path: str, lines, context: PageContext) -> list[ContentError]:
    """The conversion's problems with links and addresses, each at the line that holds its target."""
    return [ContentError(path, lines.line_of(problem.target), problem.message, problem.hint) for problem in context.problems]


def convert_checked(md: markdown.Markdown, text: str, context: PageContext, path: str, finder: LineFinder,
                    errors: list[ContentError]) -> str | None:
    """Markdown → HTML as published, with refused markup reported; None when the text is nested too
    deeply to convert. The pieces the templates show on their own (intro, sections, headings) are left
    in `context` as published too.

    Python-Markdown recurses once per level of nesting, so a few kilobytes of nested lists could
    otherwise crash the build. (The caller runs this inside the file's time limit.)
    """
    try:
        html, unsafe = _publish_checked(_convert(md, text, context), context)
    except RecursionError:
        errors.append(ContentError(path, finder.first_line, "lists, quotes or emphasis are nested too deeply "
                                   "to convert", "nest fewer levels, and close each * and _ you open"))
        return None
    for problem in unsafe:
        errors.append(ContentError(path, finder.line_of(problem), problem.message, problem.hint))
    return html


def _publish_checked(html: str, context: PageContext) -> tuple[str, list[Unsafe]]:
    """The page's HTML and each piece of it the templates show with `| safe`, as checked, and every
    refusal once. Intro and section bodies are parts of the page's HTML: when the quick scan passed
    it whole, it passed them, and section titles, which are its headings' insides. The contents
    list's heading names are made apart from the page (by the toc extension), and the citation notes
    are taken out of it (extension.py): both are checked on their own."""
    whole = check_html(html, context.reserved_ids)
    refused, seen = list(whole.refused), set(whole.refused)

    def publish(piece: str, part_of_whole: bool = True) -> str:
        if part_of_whole and whole.html is html:
            return piece
        checked = check_html(piece, context.reserved_ids)
        refused.extend(problem for problem in checked.refused if problem not in seen)
        seen.update(checked.refused)
        return checked.html

    context.intro_html = publish(context.intro_html)
    context.sections = [replace(section, title_html=publish(section.title_html),
                                body_html=publish(section.body_html)) for section in context.sections]
    context.headings = [replace(heading, text=publish(heading.text, part_of_whole=False)) for heading in context.headings]
    context.notes_html = publish(context.notes_html, part_of_whole=False)  # taken out of the page's HTML
    return whole.html, refused


def _convert(md: markdown.Markdown, text: str, context: PageContext) -> str:
    md.reset()
    md.page_context = context
    return md.convert(text)


def convert_quiz(md: markdown.Markdown, quiz: Quiz, page: Page, pages: list[Page], assets: dict[str, str],
                 errors: list[ContentError]) -> RenderedQuiz:
    page_urls = {p.rel_path: p.url for p in pages}
    finder, lines = LineFinder(quiz.source, 1), lines_of(quiz.source, 1)
    links: set[str] = set()
    reserved = template_ids(page.meta.template)

    def html(text: str, inline: bool = False) -> str:
        context = PageContext(page.rel_path, page.url, page_urls, assets, reserved_ids=reserved)
        found: list[ContentError] = []
        try:
            with time_limit():  # each text of the quiz has the time a page has
                result = convert_checked(md, text, context, quiz.path, finder, found) or ""
                found += _link_errors(quiz.path, lines, context)
        except TooSlow:
            result, found = "", [too_slow(quiz.path, finder.first_line)]
        errors.extend(found)
        links.update(context.links)
        if inline and result.startswith("<p>") and result.endswith("</p>") and result.count("<p>") == 1:
            result = result[3:-4]
        return result

    outcomes = [RenderedOutcome(o.id, o.title, o.urgency, html(o.body), [html(step, inline=True) for step in o.next_steps])
                for o in quiz.outcomes]
    checklist = next(p for p in pages if p.rel_path == quiz.checklist_page)
    notes = [html(note.text, inline=True) for note in quiz.notes]
    return RenderedQuiz(quiz, page, outcomes, notes, checklist, links | {checklist.rel_path})


def line_matching(page: Page, pattern: str) -> int:
    found = re.search(rf"^(?:{pattern})", page.body, flags=re.MULTILINE)
    return page.body_line + page.body[: found.start()].count("\n") if found else page.body_line
