"""The self-check in Spanish, in the browser: the same results as the build's Python evaluator for the
same answers, in Spanish words, one question at a time or on paper without JavaScript; and the
language switcher, used with the keyboard alone, opens the same page in the other language."""
from __future__ import annotations

import pytest

from conftest import ROOT, language_of
from quizpage import PEOPLE, answer_as, shown_question

SPANISH = language_of("es/quiz/")


@pytest.fixture(scope="session")
def es_quiz(real_quiz):
    """The Spanish self-check as the build makes it: the main file's rules with content/es/quiz.yaml's texts."""
    from iopguide.source.quiz_translation import translate_quiz

    content = ROOT / "content"
    errors: list = []
    quiz = translate_quiz(real_quiz, content / "es" / "quiz.yaml", "es",
                          frozenset(path.relative_to(content).as_posix() for path in content.rglob("*.md")), errors)
    assert errors == [] and quiz is not None
    return quiz


@pytest.fixture
def es_quiz_page(browser, site, served_site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(served_site + "es/quiz/")
    page.wait_for_load_state("networkidle")
    yield page
    context.close()


def test_the_spanish_page_and_python_agree_on_answers_from_every_group_the_rules_tell_apart(es_quiz_page, es_quiz, real_quiz):
    samples = es_quiz.samples()
    expected = [f"{es_quiz.evaluate(answers)}:{es_quiz.notes_for(answers)}" for answers in samples]
    assert expected == [f"{real_quiz.evaluate(answers)}:{real_quiz.notes_for(answers)}" for answers in samples]
    actual = es_quiz_page.evaluate("""samples => samples.map(answers =>
        IOPQuiz.evaluate(answers) + ":[" + IOPQuiz.notesFor(answers).join(", ") + "]")""", samples)
    assert len(samples) > 1000 and actual == expected


@pytest.mark.parametrize("name", [
    "Seeing things while stopping alcohol now",  # help at once, and a note
    "Leaving opioid detox, not using now",  # a note, no help at once
])
def test_people_from_the_scenario_file_get_their_result_and_notes_in_spanish(es_quiz_page, es_quiz, name):
    person = PEOPLE[name]
    answer_as(es_quiz_page, es_quiz, person)
    title = es_quiz_page.locator(f"#outcome-{person['result']}-title")
    assert title.inner_text() == es_quiz.outcome(person["result"]).title
    assert es_quiz_page.locator("#quiz-results-heading").inner_text() == SPANISH.ui["quiz_result_heading"]


def test_the_spanish_page_asks_in_spanish(es_quiz_page, es_quiz):
    first = es_quiz.questions[0]
    always_asked = sum(1 for question in es_quiz.questions if not question.ask_if)
    assert shown_question(es_quiz_page) == first.id
    legend = es_quiz_page.locator(f"#legend-{first.id} .quiz-question__text")
    assert legend.inner_text() == first.text == "¿Para quién hace esta autoevaluación?"
    assert es_quiz_page.locator("#quiz-progress").inner_text() == SPANISH.ui["quiz_question_number"].format(number=1, total=always_asked)
    labels = es_quiz_page.locator(f"#question-{first.id} label").all_inner_texts()
    assert [label.strip() for label in labels] == [option.label for option in first.options]
    assert es_quiz_page.locator("#quiz-continue").inner_text() == SPANISH.ui["quiz_continue"]
    es_quiz_page.click("#quiz-continue")  # without an answer
    assert es_quiz_page.locator("#quiz-errors a").all_inner_texts() == [SPANISH.ui["quiz_error_missing"].format(number=1)]


def test_without_javascript_the_spanish_page_gives_every_question_and_the_guide_in_spanish(browser, site, served_site, es_quiz):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served_site + "es/quiz/")
    assert page.locator("fieldset.quiz-question").count() == len(es_quiz.questions)
    assert page.locator("#quiz-continue").is_hidden()
    assert page.locator(".quiz__no-js").inner_text() == SPANISH.ui["quiz_no_js"]
    assert page.locator("[data-outcome]:visible").count() == len(es_quiz.outcomes)
    number = {question.id: index for index, question in enumerate(es_quiz.questions, start=1)}
    guide = page.locator("#quiz-guide")
    assert guide.get_attribute("open") is not None
    assert guide.locator(".quiz-guide__step").count() == len(es_quiz.rules)
    assert guide.locator(".quiz-guide__step").nth(1).inner_text() == (
        f"Si respondió “Sí” o “No lo sé” a la pregunta {number['danger-now']}, su resultado es: "
        f"{es_quiz.outcome('crisis').title}")
    assert page.locator("#question-alcohol-daily .quiz-question__when").inner_text().startswith(
        f"{SPANISH.ui['quiz_ask_if']} “Sí” o")
    context.close()


def test_the_language_switcher_works_with_the_keyboard_alone_both_ways(browser, site, served_site):
    context = browser.new_context()
    page = context.new_page()
    for start, name, arrive, lang in (("faq/", "Español", "es/faq/", "es-US"), ("es/faq/", "English", "faq/", "en-US")):
        page.goto(served_site + start)
        page.wait_for_load_state("networkidle")
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('language-switch__link')"):
                break
        else:
            pytest.fail(f"Tab never reaches the language switcher on /{start}")
        assert page.evaluate("document.activeElement.textContent") == name
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == served_site + arrive
        assert page.evaluate("document.documentElement.lang") == lang
    context.close()
