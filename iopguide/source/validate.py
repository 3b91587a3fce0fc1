"""The checks that need the whole site — config references to pages, and page templates."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from iopguide.errors import ContentError, did_you_mean, display_path
from iopguide.model import PageRef, SiteConfig

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
    references = [("navigation", index, ref) for index, ref in enumerate(config.navigation)]
    references += [("footer.links", index, ref) for index, ref in enumerate(config.footer.links)]
    references += [("help_page", None, config.help_page)]
    if config.publisher.policy_page:
        references += [("publisher.editorial_policy", None, PageRef(config.publisher.policy_page))]
    for key, index, ref in references:
        keypath = tuple(key.split(".")) + ((index,) if index is not None else ())
        if ref.page in content.drafts:
            errors.append(ContentError(config.path, config.line(keypath), f"{key} names '{ref.page}', which is a draft",
                                       "publish the page (remove 'draft: true') or take it out of the list"))
        elif ref.page not in by_path and ref.page not in content.broken:
            errors.append(ContentError(config.path, config.line(keypath),
                                       f"{key} names '{ref.page}', which is not a page in content/",
                                       did_you_mean(ref.page, by_path, "write the file's path below content/, like what-is-an-iop.md")))
    if not templates_dir.is_dir():
        errors.append(ContentError(display_path(templates_dir), None, "the templates folder does not exist",
                                   "run the command from the project folder"))
        return
    available = page_templates(templates_dir)
    quiz_pages = [page for page in pages if page.meta.template == "quiz"]
    for page in quiz_pages[1:]:
        errors.append(ContentError(page.display_path, page.front_line("template"),
                                   f"only one page can show the quiz, and {quiz_pages[0].display_path} already does",
                                   "use another template for this page"))
    if quiz_pages and not content.has_quiz_file:
        errors.append(ContentError(quiz_pages[0].display_path, quiz_pages[0].front_line("template"),
                                   "this page shows the quiz, but there is no content/quiz.yaml",
                                   "restore content/quiz.yaml from git, or use another template"))
    for page in pages:
        if page.meta.template not in available:
            errors.append(ContentError(page.display_path, page.front_line("template"),
                                       f"there is no template called '{page.meta.template}'",
                                       did_you_mean(page.meta.template, available,
                                                    "choose one of: " + ", ".join(sorted(available)))))
