"""Stage 4: convert each page's Markdown body to HTML, resolving links between pages."""
from __future__ import annotations

import re

import markdown

from .errors import ContentError
from .markdown_ext import PageContext, SiteExtension, _flatten
from .structure import Heading, Page

EXTENSIONS = ["toc", "tables", "attr_list", "def_list", "abbr", "footnotes", "admonition", "md_in_html", "smarty"]
EXTENSION_CONFIGS = {"toc": {"toc_depth": "1-6"}}


def make_markdown() -> markdown.Markdown:
    return markdown.Markdown(extensions=[*EXTENSIONS, SiteExtension()], extension_configs=EXTENSION_CONFIGS)


def convert_pages(pages: list[Page], assets: set[str], errors: list[ContentError]) -> None:
    md = make_markdown()
    page_urls = {page.rel_path: page.url for page in pages}
    for page in pages:
        convert_page(md, page, page_urls, assets, errors)


def convert_page(md: markdown.Markdown, page: Page, page_urls: dict[str, str], assets: set[str],
                 errors: list[ContentError]) -> None:
    md.reset()
    context = PageContext(page.rel_path, page.url, page_urls, assets)
    md.page_context = context
    page.html = md.convert(page.body)
    page.intro_html, page.sections, page.links = context.intro_html, context.sections, context.links
    page.headings = [Heading(token["level"], token["id"], token["name"]) for token in _flatten(md.toc_tokens)]
    for problem in context.problems:
        errors.append(ContentError(page.display_path, line_containing(page, problem.target),
                                   problem.message, problem.hint))
    if any(heading.level == 1 for heading in page.headings):
        errors.append(ContentError(page.display_path, line_matching(page, r"#\s|.+\n=+\s*$"),
                                   "the page has a '# ' heading, but the title is already the page's main heading",
                                   "start sections with '## ' instead"))


def line_containing(page: Page, needle: str) -> int:
    """The file line where `needle` first appears in the body (the body start if it is not found)."""
    for number, line in enumerate(page.body.split("\n"), start=page.body_line):
        if needle in line:
            return number
    return page.body_line


def line_matching(page: Page, pattern: str) -> int:
    found = re.search(rf"^(?:{pattern})", page.body, flags=re.MULTILINE)
    return page.body_line + page.body[: found.start()].count("\n") if found else page.body_line
