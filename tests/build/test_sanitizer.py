"""Raw HTML and everything else shown with `| safe`: an allowlist, and what is published is what was
checked (issue 24). Each test builds a scratch project with the real build.py."""
from __future__ import annotations

import html5lib
import pytest

from conftest import ROOT
from test_robustness import PAGE_START, assert_reported, problems

BODY_LINE = PAGE_START.count("\n") + 1  # the file line of a page's first body line


def page_with(*body_lines: str) -> str:
    return PAGE_START + "Text.\n\n" + "\n".join(body_lines) + "\n"


FIRST = BODY_LINE + 2  # the line of page_with's first argument


def test_markup_hidden_in_noscript_is_refused_with_its_line(project):
    # html5lib reads <noscript> as a browser without scripts does; Chromium reads the <p> as text,
    # so the <meta> inside its title attribute became a real redirect
    project.write("content/extra.md", page_with(
        "<noscript><p title=\"</noscript><meta http-equiv=refresh content='1;url=https://evil.example/'>\"></p></noscript>"))

    assert_reported(problems(project.build()), f"content/extra.md:{FIRST}: raw HTML <noscript> is not allowed in pages")


@pytest.mark.parametrize("note, message", [
    ("<script>alert(1)</script>", "raw HTML <script> is not allowed in pages"),
    ('<img src=x onerror="alert(1)">', "onerror"),
    ("[Call 988](javascript:alert(1))", "the address 'javascript:alert(1)' uses javascript:"),
])
def test_markup_in_a_citation_note_is_checked_like_the_rest_of_the_page(project, note, message):
    # notes are taken out of the page and shown under their own heading: they were published unchecked
    project.write("content/extra.md", PAGE_START + f"Text.[^1]\n\n[^1]: Source. {note}\n")

    lines = problems(project.build())
    assert any(line.startswith(f"content/extra.md:{BODY_LINE + 2}: ") and message in line for line in lines), lines


def test_markup_inside_select_is_refused_with_its_line(project):
    # html5lib 1.1 drops what a <select> holds; current Chromium keeps it
    project.write("content/extra.md", page_with(
        '<select><option>a</option><img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a></select>'))

    assert_reported(problems(project.build()), f"content/extra.md:{FIRST}: raw HTML <select> is not allowed in pages")


def test_a_faq_heading_shows_the_link_title_the_editor_wrote_not_new_attributes(project):
    # The table of contents' copy of a heading wrote `\"` back raw: the title ended there, and the
    # rest of it became attributes of the link in the FAQ's question
    project.write("content/questions.md", "---\ntitle: Questions\ndescription: Common questions.\n"
                  "last_reviewed: 2026-01-15\ntemplate: faq\n---\nIntro.\n\n"
                  '## [Ask us](https://example.org/ "say \\" onmouseover=alert(1) style=color:red x=\\"")\n\nAnswer.\n')

    assert project.build().code == 0
    page = html5lib.parse(project.read("output/questions/index.html"), treebuilder="etree",
                          namespaceHTMLElements=False)
    links = [link for link in page.iter("a") if link.get("href") == "https://example.org/"]
    assert links
    for link in links:
        assert dict(link.attrib) == {"href": "https://example.org/",
                                     "title": 'say " onmouseover=alert(1) style=color:red x="'}


@pytest.mark.parametrize("written, message", [
    ("[my files](file:///etc/passwd)", "the address 'file:///etc/passwd' uses file:"),
    ('<a href="ms-msdt:/id PCWDiagnostic">get help</a>', "the address 'ms-msdt:/id PCWDiagnostic' uses ms-msdt:"),
    ("[search](search-ms:query=help)", "the address 'search-ms:query=help' uses search-ms:"),
    ("[open the app](intent://call#Intent;scheme=https;end)", "the address 'intent://call#Intent;scheme=https;end' uses intent:"),
    ("![a picture](file:///c:/picture.png)", "the address 'file:///c:/picture.png' uses file:"),
    ("[Call 988](https://988lifeline.org@evil.example/)",
     "the address 'https://988lifeline.org@evil.example/' has a name and '@' before its site"),
    ('<a href="https:988lifeline.org@evil.example">Call 988</a>',
     "the address 'https:988lifeline.org@evil.example' has a name and '@' before its site"),
    ('<a href="//988lifeline.org@evil.example/">Call 988</a>',
     "the address '//988lifeline.org@evil.example/' has a name and '@' before its site"),
])
def test_addresses_other_than_web_mail_phone_and_the_site_are_refused_with_their_line(project, written, message):
    project.write("content/extra.md", page_with(written))

    assert_reported(problems(project.build()), f"content/extra.md:{FIRST}: {message}")


def test_web_mail_phone_and_site_addresses_are_published(project):
    project.write("content/extra.md", page_with(
        "[Call](tel:988), [write](mailto:help@example.org), [read](https://example.org/a?b=c#d),",
        "[home](index.md), [top](#top), <a href=\"http://example.org/\">old</a> <a href=\"topic/\">topic</a>"))

    assert project.build().code == 0
    page = project.read("output/extra/index.html")
    for href in ("tel:988", "mailto:help@example.org", "https://example.org/a?b=c#d", "#top", "http://example.org/"):
        assert f'href="{href}"' in page


@pytest.mark.parametrize("written, lines, message", [
    ('<div id="main-content">Skip here</div>', 0, "the id 'main-content' is one the site's templates use"),
    ("## Main content", 0, "the id 'main-content' is one the site's templates use"),
    ("A paragraph.\n{: #quick-exit-hint }", 1, "the id 'quick-exit-hint' is one the site's templates use"),
])
def test_ids_the_templates_use_are_refused_in_pages_with_their_line(project, written, lines, message):
    project.write("content/extra.md", page_with(written))

    assert_reported(problems(project.build()), f"content/extra.md:{FIRST + lines}: {message}")


@pytest.mark.parametrize("written, message", [
    ('<p id="quiz-progress">{}</p>', "the id 'quiz-progress' is one the site's templates use"),
    ('<span id="outcome-crisis">x</span>', "the id 'outcome-crisis' is one the site's templates use"),
])
def test_the_quiz_page_cannot_hold_the_quiz_s_own_ids(quiz_project, written, message):
    # the quiz's script reads its rules and shows its outcomes by id: the first element with the id wins
    text = quiz_project.read("content/quiz.md").rstrip("\n") + "\n\n"
    quiz_project.write("content/quiz.md", text + written + "\n")

    assert_reported(problems(quiz_project.build()), f"content/quiz.md:{text.count(chr(10)) + 1}: {message}")


def test_the_reserved_ids_are_read_from_each_template_and_those_it_uses():
    from iopguide.markup.sanitize import template_ids

    page, quiz = template_ids("page"), template_ids("quiz")
    assert {"main-content", "quick-exit-hint", "page-contents"} <= page.ids  # base.html and its components
    assert "quiz-progress" not in page and "question-1" not in page
    assert {"main-content", "quiz", "quiz-progress"} <= quiz.ids
    assert "outcome-crisis" in quiz and "question-1" in quiz
    templates = "".join(path.read_text() for path in (ROOT / "templates").rglob("*.html"))
    for name in quiz.ids:
        assert f'id="{name}"' in templates


def test_a_tag_joined_to_its_attributes_by_a_no_break_space_is_read_as_a_browser_reads_it():
    # a browser takes "span\xa0class" as the tag's name, an element no page may use; the quick scan
    # took the no-break space for a separator and published the tag as written
    from iopguide.markup.sanitize import check_html

    checked = check_html('<p>a <span\xa0class="x">b</span></p>')
    assert [problem.message for problem in checked.refused] == ['raw HTML <span\xa0class="x"> is not allowed in pages']
