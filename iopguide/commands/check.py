"""`build.py check`: a report per page of what an editor should fix before publishing.

It runs the build's own stages up to conversion (so every build error is reported too), then adds
the health-content checks no generic generator has: review dates, reading level, sources, anchors,
alt text, pages nothing links to and duplicate titles.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import asdict, dataclass, field

from iopguide.markup.citations import blocks, uncited_figures, uncited_sources
from iopguide.source.pages import PLACEHOLDER_DESCRIPTION, PLACEHOLDER_SOURCE_URL
from iopguide.source.site import load_site
from iopguide.markup.convert import ConvertedPage, convert_pages, line_matching
from iopguide.build.plan import link_targets
from iopguide.errors import BuildFailed, ContentError, did_you_mean, terminal_safe
from iopguide.markup.error_lines import lines_of
from iopguide.languages import Translations
from iopguide.model import GLOSSARY_FILE, READABILITY_FORMULAS, BuildOptions, CrisisLine, Page, SiteConfig, by_language, quiz_pages
from iopguide.markup.time_limit import TooSlow, time_limit, too_slow

DUE_SOON_DAYS = 30
SHORT_DESCRIPTION = 50
TEMPLATE_IDS = {"main-content", "page-sources", "page-contents", "page-notes"}  # ids every page template adds


@dataclass(frozen=True)
class Finding:
    """One problem `build.py check` reports, at a file and line."""

    level: str  # "error" or "warning"
    path: str
    line: int | None
    message: str
    hint: str = ""

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass
class CheckReport:
    """Everything `build.py check` found in the built site."""

    pages: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(finding.level == "error" for finding in self.findings)

    @property
    def warnings(self) -> int:
        return sum(finding.level == "warning" for finding in self.findings)

    def failed(self, strict: bool) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def to_json(self) -> str:
        return json.dumps({"pages": self.pages, "errors": self.errors, "warnings": self.warnings,
                           "findings": [asdict(finding) for finding in self.findings]}, indent=2)

    def to_text(self) -> str:
        # written out before the columns are measured: an escaped control character is four wide
        rows = [(terminal_safe(f.where), f.level, terminal_safe(f.message + (f" — {f.hint}" if f.hint else "")))
                for f in self.findings]
        lines = []
        if rows:
            width = max(len(row[0]) for row in rows)
            lines.append(f"{'WHERE'.ljust(width)}  LEVEL    PROBLEM")
            lines += [f"{where.ljust(width)}  {level.ljust(7)}  {problem}" for where, level, problem in rows]
            lines.append("")
        lines.append(f"Checked {self.pages} pages: {self.errors} error{'s' if self.errors != 1 else ''}, "
                     f"{self.warnings} warning{'s' if self.warnings != 1 else ''}.")
        return "\n".join(lines)


def check_site(options: BuildOptions, today: dt.date) -> CheckReport:
    errors: list[ContentError] = []
    try:
        site = load_site(options, errors)
    except BuildFailed as failed:
        return CheckReport(0, [_from_error(error) for error in failed.errors])
    except ContentError as error:
        return CheckReport(0, [_from_error(error)])
    config, content = site.config, site.content
    # check publishes nothing, so images keep their own names rather than hashed ones
    quizzes = {page: content.quizzes[code] for code, page in quiz_pages(config, content.pages, content.quizzes).items()}
    converted = convert_pages(content.pages, link_targets(content, {rel: rel for rel in content.assets}), errors, quizzes)
    report = CheckReport(len(content.pages), [_from_error(error) for error in errors])
    for code, pages in by_language(config, content.pages).items():
        language = config.in_language(code)
        for page in pages:
            report.findings += _check_page_in_time(page, converted, language, today)
        report.findings += check_site_wide(pages, converted, language)
    report.findings += check_translations(content.pages, config)
    report.findings.sort(key=lambda f: (f.path, f.line or 0, f.level != "error", f.message))
    return report


def _from_error(error: ContentError) -> Finding:
    return Finding("error", error.path, error.line, error.message, error.hint)


def _check_page_in_time(page: Page, converted: dict[str, ConvertedPage], config: SiteConfig,
                        today: dt.date) -> list[Finding]:
    """check_page within the time limit a page has to convert: a page with thousands of broken
    #anchors asks for a 'did you mean' among its thousands of headings for each."""
    try:
        with time_limit():
            return check_page(page, converted, config, today)
    except TooSlow:
        return [_from_error(too_slow(page.display_path, page.body_line, "check"))]


def check_page(page: Page, converted: dict[str, ConvertedPage], config: SiteConfig, today: dt.date) -> list[Finding]:
    found: list[Finding] = []

    def add(level: str, line: int | None, message: str, hint: str = "") -> None:
        found.append(Finding(level, page.display_path, line, message, hint))

    own = converted[page.rel_path]
    lines = lines_of(page.body, page.body_line)
    for target, fragment, written in own.anchors:
        ids = (converted[target].ids if target in converted else set()) | TEMPLATE_IDS
        if target in converted and fragment not in ids:
            add("error", lines.line_of(written), f"the link '{written}' goes to a section that does not exist",
                did_you_mean(fragment, ids, "check the heading: the part after # is the heading in lowercase, "
                                            "with hyphens for spaces"))
    for source in own.images_without_alt:
        add("error", lines.line_of(source), f"the image '{source}' has no alt text",
            "describe the picture between the square brackets: ![What the picture shows](" + source + ")")
    due = page.meta.next_review
    if due < today:
        add("error", page.front_line("last_reviewed"), f"the page was due for review on {due.isoformat()}",
            "review the whole page, then set last_reviewed to the day you did")
    elif (due - today).days <= DUE_SOON_DAYS:
        add("warning", page.front_line("last_reviewed"), f"the page is due for review on {due.isoformat()}",
            "plan its review: check facts, sources, links and readability")
    if config.require_clinical_signoff and page.meta.reviewed_by is None:
        add("warning", page.front_line("last_reviewed"), "no clinical reviewer has signed off this page, "
            "and site_config.yaml sets require_clinical_signoff: true",
            "once a clinician has reviewed the page, add reviewed_by: with their name: and role:")
    if page.meta.description == PLACEHOLDER_DESCRIPTION:
        add("error", page.front_line("description"), "the description is still the placeholder from 'new'",
            "say in one sentence what this page covers")
    if any(source.url == PLACEHOLDER_SOURCE_URL for source in page.meta.sources):
        add("error", page.front_line("sources"), "a source is still the placeholder from 'new'",
            "write the title and web address of each source you used")
    if not page.meta.sources:
        add("error", 1, "the page lists no sources", "add 'sources:' with the title and url of each source you used")
    if len(page.meta.description) < SHORT_DESCRIPTION:
        add("warning", page.front_line("description"),
            f"the description is only {len(page.meta.description)} characters",
            "write one full sentence (50 to 160 characters) that says what the page covers")
    formula, target = READABILITY_FORMULAS[config.readability_formula], config.readability_target
    score = reading_level(own.shown.html, config.readability_formula)
    if score is not None and formula.kind == "grade" and score > target:
        add("warning", page.body_line, f"reading level is US grade {score:.1f}; the site's target is {target}",
            "use shorter sentences and everyday words")
    elif score is not None and formula.kind == "ease" and score < target:
        add("warning", page.body_line, f"reading ease is {score:.1f} ({formula.name}); "
            f"the target for this language is at least {target}", "use shorter sentences and everyday words")
    glossary = "content/" + (f"{config.code}/" if config.code else "") + GLOSSARY_FILE
    for word in own.unexplained:
        add("warning", line_matching(page, rf".*?\b{re.escape(word)}\b"), f'"{word}" is an abbreviation the glossary does not explain',
            f"add it to {glossary}, or spell it out where it first appears, like \"Full Name ({word})\"")
    text_blocks = list(blocks(page.body, page.body_line))  # paragraphs, list items, rows and notes, read once
    for block, figure in uncited_figures(text_blocks):
        add("warning", block.line, f"this {block.kind} states a figure ('{figure}') but cites no source",
            "add a citation like [^source] after the sentence, and the note '[^source]: Who. [Title](https://…)' "
            "at the end of the page")
    for index in uncited_sources(page, text_blocks):
        source = page.meta.sources[index]
        add("warning", page.front_lines.get(("sources", index), page.front_line("sources")),
            f"no note in the text cites the source '{source.title}'",
            f"cite it after the sentence it supports with [^name] and a note '[^name]: … {source.url}', "
            "or add 'guidance: true' to it if it shaped the page but backs no single claim")
    return found


def check_site_wide(pages: list[Page], converted: dict[str, ConvertedPage], config: SiteConfig) -> list[Finding]:
    found: list[Finding] = []
    linked = {target for page in pages for target in converted[page.rel_path].links if target != page.rel_path}
    linked |= {ref.page for ref in [*config.navigation, *config.footer.links, config.help_page, config.search_page] if ref}
    for page in pages:
        if page.url and page.rel_path not in linked:
            found.append(Finding("warning", page.display_path, None, "no other page links to this page",
                                 "link to it from a related page, or add it to navigation in site_config.yaml"))
    by_title: dict[str, Page] = {}
    for page in pages:
        key = page.title.casefold()
        if key in by_title:
            found.append(Finding("warning", page.display_path, page.front_line("title"),
                                 f"the title is the same as the title of {by_title[key].display_path}",
                                 "give each page its own title, so readers can tell them apart"))
        else:
            by_title[key] = page
    return found


def reading_level(html_text: str, formula: str = "flesch_kincaid_grade") -> float | None:
    """The page's prose scored by `formula` (READABILITY_FORMULAS): tables, code and lists of links left out."""
    import textstat  # imported here: only `check` needs it, and it is slow to load

    text = re.sub(r"<(table|pre|code)\b.*?</\1>", " ", html_text, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    words = text.split()
    if len(words) < 30:
        return None
    textstat.set_lang(READABILITY_FORMULAS[formula].textstat_language)  # one setting for the whole process
    return float(getattr(textstat, formula)(" ".join(words)))


def check_translations(pages: list[Page], config: SiteConfig) -> list[Finding]:
    """Translations kept in step: one whose page was updated or reviewed after the translation's own
    last review may say something the page no longer does; a page in a language's menu should exist in it."""
    found: list[Finding] = []
    translations = Translations(config, pages)
    for page in pages:
        code = config.language_of(page.rel_path)
        source = translations.of(page).get("")
        if not code or source is None:
            continue
        changed = max(source.meta.last_reviewed, source.meta.last_updated or source.meta.last_reviewed)
        if changed > page.meta.last_reviewed:
            found.append(Finding("warning", page.display_path, page.front_line("last_reviewed"),
                                 f"this translation may be out of date: {source.display_path} was updated or reviewed on "
                                 f"{changed.isoformat()}, after this page's last review on {page.meta.last_reviewed.isoformat()}",
                                 f"compare the two files (git log -p {source.display_path}), bring the translation in step, "
                                 "then set its last_reviewed to the day you did"))
    by_path = {page.rel_path for page in pages}
    for index, language in enumerate(config.other_languages):
        for number in sorted(_numbers(config.crisis_lines) - _numbers(language.crisis_lines)):
            found.append(Finding("warning", config.path, config.line(("other_languages", index, "crisis_lines")),
                                 f"the {language.language_name} help lines do not give {number}, which the main "
                                 "language's help lines do", "list the same lines and numbers in every language"))
        for position, ref in enumerate(config.navigation):
            if f"{language.code}/{ref.page}" not in by_path and ref.page in by_path:
                found.append(Finding("warning", config.path, config.line(("navigation", position)),
                                     f"'{ref.page}' is in the main menu but has no {language.language_name} translation "
                                     f"(content/{language.code}/{ref.page})",
                                     f"translate it, or readers of the {language.language_name} pages meet it only in English"))
    return found


def _numbers(lines: list[CrisisLine]) -> set[str]:
    """Every phone number and web address a list of help lines gives readers."""
    return {value for line in lines for value in (line.call, line.text, line.tty, line.chat, line.url) if value}
