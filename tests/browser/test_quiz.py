"""The self-check in the browser: one question at a time, help at once for danger answers, the same
results as the build's Python evaluator, private, usable without JS, safe from page content."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, read_headers_file, serving
from quizpage import PEOPLE, USUAL, answer_as, complete, focused, shown_question, shown_result


# --- driving the page ----------------------------------------------------------------------------

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


def progress(page) -> str:
    return page.locator("#quiz-progress").inner_text()


# --- the same results as Python ----------------------------------------------------------------

def test_browser_and_python_agree_on_answers_from_every_group_the_rules_tell_apart(quiz_page, real_quiz):
    samples = real_quiz.samples()
    expected = [f"{real_quiz.evaluate(answers)}:{real_quiz.notes_for(answers)}" for answers in samples]
    actual = quiz_page.evaluate("""samples => samples.map(answers =>
        IOPQuiz.evaluate(answers) + ":[" + IOPQuiz.notesFor(answers).join(", ") + "]")""", samples)
    assert len(samples) > 1000
    assert any(len(answers) > len(real_quiz.asked(answers)) for answers in samples), "answers to skipped questions"
    assert actual == expected


@pytest.mark.parametrize("name", [
    "Seeing things while stopping alcohol now",
    "Thinking of killing themselves right now",
    "Prescribed benzodiazepine, no alcohol or drugs",
    "Leaving opioid detox, not using now",
    "Teen who wished they were dead last week, therapy helping",
    "Mild anxiety, therapy helping",
])
def test_people_from_the_scenario_file_get_their_result_and_notes_one_question_at_a_time(quiz_page, real_quiz, name):
    person = PEOPLE[name]
    answer_as(quiz_page, real_quiz, person)


# --- one question at a time --------------------------------------------------------------------

def test_one_question_per_screen_with_progress_and_an_in_page_back(quiz_page, real_quiz):
    always_asked = sum(1 for question in real_quiz.questions if not question.ask_if)
    history = quiz_page.evaluate("history.length")
    assert shown_question(quiz_page) == "who" and quiz_page.locator("#quiz-back").is_hidden()
    assert progress(quiz_page) == f"Question 1 of {always_asked}"
    assert quiz_page.get_attribute("#quiz-progress", "aria-live") == "polite"
    quiz_page.check("#q-who-me-adult")
    quiz_page.click("#quiz-continue")
    assert shown_question(quiz_page) == "danger-now" and focused(quiz_page) == "legend-danger-now"
    assert progress(quiz_page) == f"Question 2 of {always_asked}"
    complete_until(quiz_page, "substances")
    quiz_page.check("#q-substances-yes")
    quiz_page.click("#quiz-continue")
    # drinking or drug use brings four questions: daily drinking, opioids, withdrawal now and before
    assert shown_question(quiz_page) == "alcohol-daily"
    after_substances = [q.id for q in real_quiz.questions].index("substances") + 2  # every question above is asked
    assert progress(quiz_page) == f"Question {after_substances} of {always_asked + 4}"
    quiz_page.click("#quiz-back")
    assert shown_question(quiz_page) == "substances" and focused(quiz_page) == "legend-substances"
    assert quiz_page.is_checked("#q-substances-yes")
    quiz_page.check("#q-substances-no")
    quiz_page.click("#quiz-continue")
    assert shown_question(quiz_page) == "daily-medicine"
    assert progress(quiz_page) == f"Question {after_substances} of {always_asked}"
    assert quiz_page.url.endswith("/quiz/") and quiz_page.evaluate("history.length") == history


def complete_until(page, question: str) -> None:
    while shown_question(page) != question:
        page.check(f"#q-{shown_question(page)}-{USUAL[shown_question(page)]}")
        page.click("#quiz-continue")


def test_an_answer_left_on_a_question_that_no_longer_applies_is_ignored(quiz_page, real_quiz):
    complete_until(quiz_page, "substances")
    complete(quiz_page, {**USUAL, "substances": "yes", "alcohol-daily": "yes", "opioids": "daily",
                         "withdrawal-now": "no", "withdrawal-before": "no"})
    assert "do-not-stop" in shown_result(quiz_page, real_quiz)[1]
    quiz_page.click("#quiz-change")
    complete(quiz_page, USUAL)  # "No" to drinking or drugs: the answers about them stay checked, unasked
    assert quiz_page.is_checked("#q-opioids-daily")
    assert shown_result(quiz_page, real_quiz) == ("outpatient", [])


def test_continuing_without_an_answer_shows_the_error_summary_and_moves_focus(quiz_page):
    quiz_page.check("#q-who-me-adult")
    quiz_page.click("#quiz-continue")
    quiz_page.click("#quiz-continue")
    summary = quiz_page.locator("#quiz-errors")
    assert summary.is_visible() and focused(quiz_page) == "quiz-errors"
    assert summary.locator("a").all_inner_texts() == ["Answer question 2"]
    assert quiz_page.locator("#error-danger-now").is_visible()
    summary.locator("a").click()
    assert focused(quiz_page) == "q-danger-now-yes" and "#" not in quiz_page.url
    quiz_page.check("#q-danger-now-no")
    assert quiz_page.locator("#error-danger-now").is_hidden()
    quiz_page.click("#quiz-continue")
    assert shown_question(quiz_page) == "wished-dead" and summary.is_hidden()


def test_keyboard_only_completion_moves_focus_to_each_question_and_the_result(quiz_page, real_quiz):
    quiz_page.focus("#legend-who")
    while quiz_page.locator("#quiz-questions").is_visible():
        question = real_quiz.question(shown_question(quiz_page))
        assert focused(quiz_page) == f"legend-{question.id}"
        quiz_page.keyboard.press("Tab")
        quiz_page.keyboard.press("Space")
        for _ in range([o.id for o in question.options].index(USUAL[question.id])):
            quiz_page.keyboard.press("ArrowDown")
        quiz_page.keyboard.press("Tab")
        assert focused(quiz_page) == "quiz-continue"
        quiz_page.keyboard.press("Enter")
    assert focused(quiz_page) == "outcome-outpatient-title"
    assert quiz_page.locator("#quiz-results-heading").inner_text() == "Your result"
    result = quiz_page.locator("#outcome-outpatient")
    assert "licensed professional" in result.inner_text()
    assert result.get_by_role("link", name="Use the checklist for choosing a provider").is_visible()


# --- help right now ----------------------------------------------------------------------------

def lines_under(result, heading: str) -> list[str]:
    """The help lines' names in the list right after a heading."""
    names = result.locator(f"h4:text-is('{heading}') + .quiz-lines strong").all_inner_texts()
    return [name.rstrip(":") for name in names]


def test_a_danger_answer_alerts_at_once_and_shows_the_crisis_result_before_going_on(quiz_page, real_quiz):
    quiz_page.check("#q-who-me-adult")
    quiz_page.click("#quiz-continue")
    alert = quiz_page.locator("#quiz-alert-crisis")
    assert alert.is_hidden()
    quiz_page.check("#q-danger-now-not-sure")
    assert alert.is_visible() and alert.get_attribute("role") == "alert"
    assert alert.locator("a[href='tel:988']").first.is_visible()
    assert "SAMHSA" not in alert.inner_text()
    quiz_page.check("#q-danger-now-no")
    assert alert.is_hidden()
    quiz_page.check("#q-danger-now-yes")
    quiz_page.click("#quiz-continue")
    result = quiz_page.locator("#outcome-crisis")
    assert result.is_visible() and focused(quiz_page) == "outcome-crisis-title"
    assert quiz_page.locator("#quiz-results-heading").inner_text() == "Before you go on"
    assert result.locator(".quiz-lines").first.locator("a[href='tel:988']").first.is_visible()
    assert lines_under(result, "Help finding care") == ["SAMHSA National Helpline"]
    assert "SAMHSA" not in result.locator(".quiz-lines").first.inner_text()
    assert quiz_page.locator("#quiz-change").is_hidden() and quiz_page.locator("#quiz-restart").is_hidden()
    quiz_page.click("#quiz-go-on")
    assert shown_question(quiz_page) == "wished-dead" and focused(quiz_page) == "legend-wished-dead"
    assert alert.is_visible()  # still there while the answer stands
    complete(quiz_page, USUAL)
    assert shown_result(quiz_page, real_quiz)[0] == "crisis"  # the final result weighs every answer
    assert quiz_page.locator("#quiz-results-heading").inner_text() == "Your result"


def test_a_withdrawal_emergency_puts_911_first(quiz_page, real_quiz):
    complete_until(quiz_page, "substances")
    quiz_page.check("#q-substances-stopped")
    quiz_page.click("#quiz-continue")
    complete_until(quiz_page, "withdrawal-now")
    quiz_page.check("#q-withdrawal-now-yes")
    alert = quiz_page.locator("#quiz-alert-emergency")
    assert alert.is_visible() and alert.get_attribute("role") == "alert"
    assert alert.locator("a").first.get_attribute("href") == "tel:911"
    assert quiz_page.locator("#quiz-alert-crisis").is_hidden()
    quiz_page.click("#quiz-continue")
    result = quiz_page.locator("#outcome-emergency")
    assert result.is_visible() and focused(quiz_page) == "outcome-emergency-title"
    assert result.locator("a").first.get_attribute("href") == "tel:911"
    assert quiz_page.locator("#quiz-go-on").is_visible()


def test_results_never_show_the_referral_line_as_crisis_help(quiz_page):
    complete(quiz_page, USUAL)
    result = quiz_page.locator("#outcome-outpatient")
    lines = yaml.safe_load((ROOT / "site_config.yaml").read_text(encoding="utf-8"))["crisis_lines"]
    assert lines_under(result, "Need help now?") == [line["name"] for line in lines if line["kind"] == "crisis"]
    assert lines_under(result, "Help finding care") == ["SAMHSA National Helpline"]


# --- the promises of the first self-check --------------------------------------------------------

def test_change_answers_and_start_again(quiz_page, real_quiz):
    complete(quiz_page, USUAL)
    quiz_page.click("#quiz-change")
    assert shown_question(quiz_page) == "who" and focused(quiz_page) == "legend-who"
    assert quiz_page.locator("#quiz-results").is_hidden() and quiz_page.is_checked("#q-who-me-adult")
    complete(quiz_page, {**USUAL, "daily-life": "severe"})
    assert shown_result(quiz_page, real_quiz)[0] == "more-care"
    quiz_page.click("#quiz-restart")
    assert quiz_page.evaluate("document.querySelectorAll('input:checked').length") == 0
    assert shown_question(quiz_page) == "who" and focused(quiz_page) == "legend-who"
    assert quiz_page.locator("#quiz-results").is_hidden() and quiz_page.locator("[data-alert]:visible").count() == 0


def test_nothing_leaves_the_page_and_nothing_is_stored(quiz_page):
    url, history = quiz_page.url, quiz_page.evaluate("history.length")
    complete(quiz_page, {**USUAL, "danger-now": "not-sure"})
    quiz_page.click("#quiz-change")
    quiz_page.click("#quiz-continue")
    quiz_page.click("#quiz-back")
    complete(quiz_page, USUAL)
    quiz_page.click("#quiz-restart")
    assert quiz_page.requests_after_load == []
    assert quiz_page.url == url and quiz_page.evaluate("history.length") == history
    storage = quiz_page.evaluate("""async () => ({
        cookies: document.cookie, local: localStorage.length, session: sessionStorage.length,
        idb: (await indexedDB.databases()).length })""")
    assert storage == {"cookies": "", "local": 0, "session": 0, "idb": 0}
    assert quiz_page.context.cookies() == []


def test_answers_are_gone_after_leaving_and_coming_back(quiz_page, served_site):
    quiz_page.check("#q-who-me-adult")
    quiz_page.click("#quiz-continue")
    quiz_page.check("#q-danger-now-no")
    quiz_page.goto(served_site + "faq/")
    quiz_page.go_back()
    quiz_page.wait_for_load_state("networkidle")
    assert quiz_page.evaluate("document.querySelectorAll('input:checked').length") == 0
    assert shown_question(quiz_page) == "who"


def test_printing_a_result_prints_it_with_next_steps_and_crisis_lines_but_no_questions(quiz_page):
    complete(quiz_page, {**USUAL, "weekly-therapy": "not-enough"})
    quiz_page.emulate_media(media="print")
    result = quiz_page.locator("#outcome-iop")
    assert result.is_visible() and result.locator(".quiz-outcome__steps").is_visible()
    assert result.locator("a[href='tel:988']").first.is_visible()
    for hidden in ("#quiz-questions", "#quiz-progress", "#quiz-change", "#quiz-print", "#quiz-guide"):
        assert quiz_page.locator(hidden).is_hidden(), hidden
    assert quiz_page.pdf().startswith(b"%PDF")


# --- without JavaScript ------------------------------------------------------------------------

def test_without_javascript_every_question_every_result_and_the_guide_are_there(browser, site, served_site, real_quiz):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served_site + "quiz/")
    questions = page.locator("fieldset.quiz-question")
    assert questions.count() == len(real_quiz.questions) and page.locator("#quiz-continue").is_hidden()
    number = {question.id: index for index, question in enumerate(real_quiz.questions, start=1)}
    assert questions.nth(7).locator("legend").inner_text().startswith(f"Question 8 of {len(real_quiz.questions)}")
    assert page.locator("#question-alcohol-daily .quiz-question__when").inner_text() == (
        f"Answer this only if you answered “Yes” or “Not sure” to question {number['substances']}.")
    assert page.locator("#question-withdrawal-now .quiz-question__when").inner_text() == (
        "Answer this only if you answered “Yes” or “Not now, but I stopped in the last 12 months” or “Not sure” "
        f"to question {number['substances']}, or “Yes” or “Not sure” to question {number['daily-medicine']}.")
    assert page.locator("#question-who .quiz-question__when").count() == 0
    assert page.locator("[data-outcome]:visible").count() == len(real_quiz.outcomes)
    guide = page.locator("#quiz-guide")
    assert guide.get_attribute("open") is not None
    assert guide.locator(".quiz-guide__step").count() == len(real_quiz.rules)
    assert guide.locator(".quiz-guide__step").nth(1).inner_text() == (
        f"If you answered “Yes” or “Not sure” to question {number['danger-now']}, your result is: Please talk to someone now")
    assert guide.locator(".quiz-guide__instant li").all_inner_texts() == [
        f"If you answered “Yes” or “Not sure” to question {number['withdrawal-now']}: "
        "This may be a medical emergency. Call 911 or go to an emergency room now",
        f"If you answered “Yes” or “Not sure” to question {number['danger-now']}: Please talk to someone now"]
    notes = guide.locator(".quiz-guide__notes li")
    assert notes.count() == len(real_quiz.notes)
    assert notes.first.inner_text().startswith("If you answered “Yes, every day or almost every day” or “Yes, sometimes” "
                                               f"or “Not sure” to question {number['opioids']}, or ")
    page.check("#q-danger-now-yes")
    assert page.url.endswith("/quiz/")
    context.close()


def test_quiz_is_linked_from_home_and_navigation(site: Path):
    home = (site / "index.html").read_text()
    assert 'href="quiz/"' in home
    assert 'class="site-nav__link" href="../quiz/"' in (site / "faq/index.html").read_text()


# --- page content cannot feed the quiz ----------------------------------------------------------

FAKE_DATA = {"questions": [{"id": "danger-now", "options": ["yes", "no"], "askIf": [], "instant": {}}],
             "rules": [{"when": [], "outcome": "outpatient"}], "notes": []}


def test_a_fake_data_block_in_the_page_does_not_change_the_result(quiz_project, browser):
    """The build refuses page content that reuses the quiz's ids (tests/build/test_sanitizer.py); should such
    markup ever reach the page anyway, the quiz still reads only its own data block."""
    quiz_project.edit("content/quiz.md", "This is not a test", '<div id="quiz">x</div>\n\nThis is not a test')
    assert "'quiz'" in quiz_project.build().err
    quiz_project.edit("content/quiz.md", '<div id="quiz">x</div>\n\n', "")
    assert quiz_project.build().code == 0
    fake = f'<div id="quiz"><script type="application/json" id="quiz-data">{json.dumps(FAKE_DATA)}</script></div>'
    output = quiz_project.root / "output"
    page_file = output / "quiz" / "index.html"
    html = page_file.read_text(encoding="utf-8")
    page_file.write_text(html.replace("<main", fake + "<main", 1), encoding="utf-8")  # first in the document
    context = browser.new_context()
    page = context.new_page()
    with serving(output, read_headers_file(output / "_headers")) as base_url:
        page.goto(base_url + "quiz/")
        assert page.locator("#quiz").count() == 2  # the fake one first
        assert page.evaluate("IOPQuiz.evaluate({'danger-now': 'yes'})") == "crisis"
        page.check("#q-who-me-adult")
        page.click("#quiz-continue")
        page.check("#q-danger-now-yes")
        page.click("#quiz-continue")
        assert page.locator("#outcome-crisis").is_visible()
    context.close()
