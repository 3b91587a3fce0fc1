"""Stage 4: convert each page's Markdown body to HTML, resolving links between pages."""
from __future__ import annotations

import contextlib
import importlib
import re
import sys
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterator

import markdown

from iopguide.errors import ContentError
from iopguide.markup.error_lines import lines_of
from iopguide.markup.extension import PageContext, SiteExtension
from iopguide.markup.sanitize import LineFinder, Unsafe, check_html, template_ids
from iopguide.model import Heading, LinkTargets, Page, RenderedOutcome, RenderedQuiz, Section
from iopguide.markup.time_limit import TooSlow, time_limit, too_slow

if TYPE_CHECKING:  # the quiz's code is loaded only by sites with a quiz
    from iopguide.source.quiz import Quiz

# fenced_code: editors who show an example of HTML or YAML paste it between ``` lines, as on GitHub
EXTENSIONS = ["toc", "tables", "fenced_code", "attr_list", "def_list", "abbr", "footnotes", "admonition", "md_in_html"]
# Notes are numbered in the order the text cites them; the arrow back to the text is drawn as text,
# not as the emoji some phones show for it (U+FE0E).
EXTENSION_CONFIGS = {"toc": {"toc_depth": "1-6"},
                     "footnotes": {"USE_DEFINITION_ORDER": False, "BACKLINK_TEXT": "&#8617;&#xFE0E;"}}


def make_markdown() -> markdown.Markdown:
    # Extensions are made from their modules, not named: a name makes Python-Markdown read the entry
    # points of every installed package, which costs more than converting a page.
    with _pygments_hidden():
        extensions = [importlib.import_module(f"markdown.extensions.{name}").makeExtension(**EXTENSION_CONFIGS.get(name, {}))
                      for name in EXTENSIONS]
    # HTML5 output: `<input>`, not XHTML's `<input />`, which the Nu checker flags on every checklist box.
    return markdown.Markdown(extensions=[*extensions, SiteExtension()], output_format="html")


@contextlib.contextmanager
def _pygments_hidden() -> Iterator[None]:
    """fenced_code loads codehilite, which loads Pygments if it is installed (15 ms, a tenth of a
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


@dataclass
class Converted:
    """What the templates show of a page's converted Markdown; this is what the build cache keeps."""

    html: str
    intro_html: str
    sections: list[Section]
    headings: list[Heading]
    notes_html: str = ""

    @classmethod
    def of(cls, page: Page) -> Converted:
        return cls(page.html, page.intro_html, page.sections, page.headings, page.notes_html)

    def apply_to(self, page: Page) -> None:
        page.html, page.intro_html, page.sections, page.headings = (self.html, self.intro_html, self.sections,
                                                                    self.headings)
        page.notes_html = self.notes_html


def convert_pages(pages: list[Page], targets: LinkTargets, errors: list[ContentError],
                  quiz: Quiz | None = None) -> RenderedQuiz | None:
    """Convert every page; with a quiz, also its Markdown, in the context of the page that shows it."""
    md = make_markdown()
    for page in pages:
        convert_page(md, page, targets, errors)
    quiz_page = next((page for page in pages if page.meta.template == "quiz"), None)
    if quiz is None or quiz_page is None:
        return None
    return convert_quiz(md, quiz, quiz_page, pages, targets.assets, errors)


def convert_page(md: markdown.Markdown, page: Page, targets: LinkTargets, errors: list[ContentError]) -> None:
    found: list[ContentError] = []
    try:
        with time_limit():
            _convert_page(md, page, targets, found)
    except TooSlow:
        found = [too_slow(page.display_path, page.body_line)]
    errors += found


def _convert_page(md: markdown.Markdown, page: Page, targets: LinkTargets, errors: list[ContentError]) -> None:
    context = PageContext(page.rel_path, page.url, targets.pages, targets.assets, targets.drafts, targets.broken,
                          template_ids(page.meta.template))
    html = convert_checked(md, page.body, context, page.display_path, LineFinder(page.body, page.body_line), errors)
    if html is None:
        return
    page.html = html
    page.intro_html, page.sections, page.links = context.intro_html, context.sections, context.links
    page.notes_html = context.notes_html
    page.anchors, page.ids, page.images_without_alt = context.anchors, context.ids, context.images_without_alt
    page.headings = context.headings
    errors += _link_errors(page.display_path, lines_of(page.body, page.body_line), context)
    if any(heading.level == 1 for heading in page.headings):
        errors.append(ContentError(page.display_path, line_matching(page, r"#\s|.+\n=+\s*$"),
                                   "the page has a '# ' heading, but the title is already the page's main heading",
                                   "start sections with '## ' instead"))


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
    list's heading names are made apart from the page (by the toc extension), and checked on their own."""
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
    return whole.html, refused


def _convert(md: markdown.Markdown, text: str, context: PageContext) -> str:
    md.reset()
    md.page_context = context
    return md.convert(text)


def convert_quiz(md: markdown.Markdown, quiz: Quiz, page: Page, pages: list[Page], assets: dict[str, str],
                 errors: list[ContentError]) -> RenderedQuiz:
    page_urls = {p.rel_path: p.url for p in pages}
    finder, lines = LineFinder(quiz.source, 1), lines_of(quiz.source, 1)
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
        page.links |= context.links
        if inline and result.startswith("<p>") and result.endswith("</p>") and result.count("<p>") == 1:
            result = result[3:-4]
        return result

    outcomes = [RenderedOutcome(o.id, o.title, o.urgency, html(o.body), [html(step, inline=True) for step in o.next_steps])
                for o in quiz.outcomes]
    checklist = next(p for p in pages if p.rel_path == quiz.checklist_page)
    page.links.add(checklist.rel_path)
    return RenderedQuiz(quiz, page, outcomes, [html(note.text, inline=True) for note in quiz.notes], checklist)


def line_matching(page: Page, pattern: str) -> int:
    found = re.search(rf"^(?:{pattern})", page.body, flags=re.MULTILINE)
    return page.body_line + page.body[: found.start()].count("\n") if found else page.body_line
