"""The checks that need the whole site — config references to pages, and page templates."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from iopguide.errors import ContentError, did_you_mean, display_path
from iopguide.model import QUIZ_FILE, Page, PageRef, SiteConfig, by_language

if TYPE_CHECKING:  # for type hints alone: validating needs only what loading made
    from iopguide.source.pages import LoadedContent

NOT_PAGE_TEMPLATES = {"base", "404"}


def page_templates(templates_dir: Path) -> set[str]:
    """Templates a page may name in `template:`: the top-level .html files, less layouts."""
    return {path.stem for path in templates_dir.glob("*.html")} - NOT_PAGE_TEMPLATES


def validate_site(config: SiteConfig, content: LoadedContent, templates_dir: Path,
                  errors: list[ContentError]) -> None:
    pages = content.pages
    by_path = {page.rel_path: page for page in pages}
    for code in config.codes:
        _check_references(config.in_language(code), content, by_path, errors)
    if not templates_dir.is_dir():
        errors.append(ContentError(display_path(templates_dir), None, "the templates folder does not exist",
                                   "run the command from the project folder"))
        return
    available = page_templates(templates_dir)
    for code, own in by_language(config, pages).items():
        _check_quiz_page(code, own, content, errors)
    for page in pages:
        if page.meta.template not in available:
            errors.append(ContentError(page.display_path, page.front_line("template"),
                                       f"there is no template called '{page.meta.template}'",
                                       did_you_mean(page.meta.template, available,
                                                    "choose one of: " + ", ".join(sorted(available)))))


def _check_references(config: SiteConfig, content: LoadedContent, by_path: dict, errors: list[ContentError]) -> None:
    """Every page the config names for one language (menus, help page, editorial policy) is a page of the site."""
    at = ("other_languages", [language.code for language in config.other_languages].index(config.code)) if config.code else ()
    references = [("navigation", index, ref) for index, ref in enumerate(config.navigation)]
    references += [("footer.links", index, ref) for index, ref in enumerate(config.footer.links)]
    references += [("help_page", None, config.help_page)]
    if config.search_page:
        references += [("search_page", None, config.search_page)]
    if config.publisher.policy_page:
        references += [("publisher.editorial_policy", None, PageRef(config.publisher.policy_page))]
    folder = f"content/{config.code}/" if config.code else "content/"
    for key, index, ref in references:
        keypath = at + tuple(key.split(".")) + ((index,) if index is not None else ())
        where = ".".join(map(str, at + (key,)))
        written = ref.page.removeprefix(f"{config.code}/") if config.code else ref.page  # as the config names it
        if ref.page in content.drafts:
            errors.append(ContentError(config.path, config.line(keypath),
                                       f"{where} names '{written}', which is a draft ({folder}{written})",
                                       "publish the page (remove 'draft: true') or take it out of the list"))
        elif ref.page not in by_path and ref.page not in content.broken:
            own = [path.removeprefix(f"{config.code}/") for path in by_path if config.language_of(path) == config.code]
            errors.append(ContentError(config.path, config.line(keypath),
                                       f"{where} names '{written}', which is not a page in {folder}",
                                       did_you_mean(written, own, f"write the file's path below {folder}, like what-is-an-iop.md")))


def _check_quiz_page(code: str, pages: list[Page], content: LoadedContent, errors: list[ContentError]) -> None:
    """A language has at most one page that shows the self-check, and then the self-check's file."""
    quiz_pages = [page for page in pages if page.meta.template == "quiz"]
    for page in quiz_pages[1:]:
        errors.append(ContentError(page.display_path, page.front_line("template"),
                                   f"only one page in a language can show the quiz, and {quiz_pages[0].display_path} already does",
                                   "use another template for this page"))
    needed = [QUIZ_FILE] + ([f"{code}/{QUIZ_FILE}"] if code else [])
    missing = [name for name, file_code in zip(needed, ["", code]) if file_code not in content.quiz_files]
    if quiz_pages and missing:
        what = "the quiz" if not code else "the quiz in this language"
        errors.append(ContentError(quiz_pages[0].display_path, quiz_pages[0].front_line("template"),
                                   f"this page shows {what}, but there is no content/{missing[0]}",
                                   "restore content/quiz.yaml from git, or use another template" if missing[0] == QUIZ_FILE else
                                   f"translate the texts of content/quiz.yaml into content/{missing[0]} (docs/translating.md), "
                                   "or use another template"))
