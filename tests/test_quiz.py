"""The self-check: proven at build time, identical in Python and in the browser, private, usable without JS."""
from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from conftest import LINKED_PAGES, ROOT
from iopguide.quiz import load_quiz

QUIZ = "content/quiz.yaml"


@pytest.fixture(scope="module")
def real_quiz():
    errors = []
    quiz = load_quiz(ROOT / QUIZ, {f"{name}.md" for name in LINKED_PAGES}, errors)
    assert errors == []
    return quiz


# --- in the browser ---------------------------------------------------------------------------

@pytest.fixture
def quiz_page(browser, site, served_site):
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(served_site + "quiz/")
    page.wait_for_load_state("networkidle")
    page.requests_after_load = requests  # type: ignore[attr-defined]
    requests.clear()
    yield page
    context.close()


def answer(page, answers: dict[str, str]) -> None:
    for question, option in answers.items():
        page.check(f"#q-{question}-{option}")


SAFE_IOP = {"danger": "no", "withdrawal": "no", "medical": "no", "daily-life": "a-lot", "weekly-therapy": "not-enough",
            "recent": "neither", "home": "yes", "support": "some", "readiness": "ready", "time": "evenings",
            "transport": "yes"}


def test_browser_and_python_agree_on_every_combination(quiz_page, real_quiz):
    options = [[o.id for o in q.options] for q in real_quiz.questions]
    ids = [q.id for q in real_quiz.questions]
    expected = []
    for choice in itertools.product(*options):
        answers = dict(zip(ids, choice))
        expected.append(real_quiz.evaluate(answers) + ":" + ",".join(map(str, real_quiz.notes_for(answers))))
    actual = quiz_page.evaluate("""([ids, options]) => {
        const out = [];
        const index = ids.map(() => 0);
        for (;;) {
            const answers = {};
            ids.forEach((id, i) => { answers[id] = options[i][index[i]]; });
            out.push(IOPQuiz.evaluate(answers) + ":" + IOPQuiz.notesFor(answers).join(","));
            let i = ids.length - 1;
            while (i >= 0 && ++index[i] === options[i].length) { index[i] = 0; i--; }
            if (i < 0) return out.join("\\n");
        }
    }""", [ids, options]).split("\n")
    assert len(actual) == len(expected) == 4 * 3 ** 10
    assert actual == expected


def test_crisis_lines_appear_as_soon_as_a_danger_answer_is_chosen(quiz_page):
    alert = quiz_page.locator("#quiz-alert")
    assert alert.is_hidden()
    quiz_page.check("#q-danger-not-sure")
    assert alert.is_visible() and alert.get_attribute("role") == "alert"
    assert alert.locator("a[href='tel:988']").is_visible()
    quiz_page.check("#q-danger-no")
    assert alert.is_hidden()


def test_unanswered_questions_give_an_error_summary_linking_to_each(quiz_page):
    answer(quiz_page, {"danger": "no", "withdrawal": "no"})
    quiz_page.click("#quiz-submit")
    summary = quiz_page.locator("#quiz-errors")
    assert summary.is_visible()
    assert quiz_page.evaluate("document.activeElement.id") == "quiz-errors"
    links = summary.locator("a")
    assert links.count() == 9 and links.first.inner_text() == "Answer question 3"
    links.first.click()
    assert quiz_page.evaluate("document.activeElement.id") == "q-medical-yes"
    assert quiz_page.locator("#error-medical").is_visible()
    assert "#" not in quiz_page.url


def test_keyboard_only_completion_moves_focus_to_the_result(quiz_page):
    quiz_page.focus("#q-danger-yes")
    for question, option in SAFE_IOP.items():
        quiz_page.focus(f"#q-{question}-{option}")
        quiz_page.keyboard.press("Space")
    quiz_page.focus("#quiz-submit")
    quiz_page.keyboard.press("Enter")
    assert quiz_page.evaluate("document.activeElement.id") == "outcome-iop-title"
    result = quiz_page.locator("#outcome-iop")
    assert result.is_visible() and quiz_page.locator("#outcome-outpatient").is_hidden()
    assert quiz_page.locator("#quiz-results-heading").inner_text() == "Your result"
    text = result.inner_text()
    assert "licensed professional" in text and "Call 988" in text
    assert result.get_by_role("link", name="Use the checklist for choosing a provider").is_visible()
    notes = quiz_page.locator("[data-note]:visible")
    assert notes.count() == 2  # evenings only, and some support


def test_change_answers_and_start_again(quiz_page):
    answer(quiz_page, SAFE_IOP)
    quiz_page.click("#quiz-submit")
    quiz_page.click("#quiz-change")
    assert quiz_page.locator("#quiz-questions").is_visible() and quiz_page.locator("#quiz-results").is_hidden()
    assert quiz_page.is_checked("#q-daily-life-a-lot")
    quiz_page.check("#q-withdrawal-yes")
    quiz_page.click("#quiz-submit")
    assert quiz_page.locator("#outcome-more-care").is_visible()
    quiz_page.click("#quiz-restart")
    assert quiz_page.evaluate("document.querySelectorAll('input:checked').length") == 0
    assert quiz_page.locator("#quiz-results").is_hidden()


def test_nothing_leaves_the_page_and_nothing_is_stored(quiz_page):
    url = quiz_page.url
    answer(quiz_page, {**SAFE_IOP, "danger": "not-sure"})
    quiz_page.click("#quiz-submit")
    quiz_page.click("#quiz-change")
    quiz_page.click("#quiz-submit")
    quiz_page.click("#quiz-restart")
    assert quiz_page.requests_after_load == []
    assert quiz_page.url == url
    storage = quiz_page.evaluate("""async () => ({
        cookies: document.cookie, local: localStorage.length, session: sessionStorage.length,
        idb: (await indexedDB.databases()).length })""")
    assert storage == {"cookies": "", "local": 0, "session": 0, "idb": 0}
    assert quiz_page.context.cookies() == []


def test_printing_a_result_shows_the_result_and_next_steps(quiz_page):
    answer(quiz_page, SAFE_IOP)
    quiz_page.click("#quiz-submit")
    quiz_page.emulate_media(media="print")
    assert quiz_page.locator("#outcome-iop").is_visible()
    assert quiz_page.locator("#outcome-iop .quiz-outcome__steps").is_visible()
    assert quiz_page.locator("#outcome-iop .quiz-outcome__lines").is_visible()  # crisis lines print too
    assert quiz_page.locator("#quiz-questions").is_hidden() and quiz_page.locator("#quiz-change").is_hidden()
    pdf = quiz_page.pdf()
    assert pdf.startswith(b"%PDF")


def test_without_javascript_every_question_and_the_guide_are_there(browser, site, served_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served_site + "quiz/")
    assert page.locator("fieldset.quiz-question").count() == 11
    assert page.locator("#quiz-submit").is_hidden()
    guide = page.locator("#quiz-guide")
    assert guide.get_attribute("open") is not None
    steps = guide.locator(".quiz-guide__step")
    assert steps.count() == 9
    assert steps.first.inner_text().startswith("If you answered “Yes” or “Not sure” to question 1, your result is: Please talk to someone now")
    assert page.locator("[data-outcome]:visible").count() == 4
    page.check("#q-danger-yes")
    assert page.url.endswith("/quiz/")
    context.close()


def test_quiz_is_linked_from_home_and_navigation(site: Path):
    home = (site / "index.html").read_text()
    assert 'href="quiz/"' in home
    assert 'class="site-nav__link" href="../quiz/"' in (site / "faq/index.html").read_text()
