"""Driving the self-check's page in a browser as a reader would, for every test that takes it to a result."""
from __future__ import annotations

import yaml

from conftest import ROOT

SCENARIOS = yaml.safe_load((ROOT / "content" / "quiz-scenarios.yaml").read_text(encoding="utf-8"))
USUAL = SCENARIOS["usual_answers"]  # someone with none of the risks the self-check asks about
PEOPLE = {person["name"]: person for person in SCENARIOS["people"]}


def shown_question(page) -> str:
    """The id of the one question on screen."""
    shown = page.locator("fieldset.quiz-question:visible")
    assert shown.count() == 1
    return shown.get_attribute("data-question")


def complete(page, answers: dict[str, str]) -> tuple[list[str], list[str]]:
    """Answer each question as it comes, as a reader would, until the result, going on past any
    help-right-now screen: (the ids of the questions asked, the outcomes shown at once on the way)."""
    asked, shown_at_once = [], []
    while page.locator("#quiz-questions").is_visible():
        question = shown_question(page)
        assert question in answers, f"the page asks '{question}', which the answers do not cover"
        asked.append(question)
        page.check(f"#q-{question}-{answers[question]}")
        page.click("#quiz-continue")
        if page.locator("#quiz-go-on").is_visible():
            shown_at_once.append(page.locator("[data-outcome]:visible").get_attribute("data-outcome"))
            page.click("#quiz-go-on")
    return asked, shown_at_once


def shown_result(page, quiz) -> tuple[str, list[str]]:
    """(the outcome on screen, the ids of the notes on screen)."""
    outcome = page.locator("[data-outcome]:visible")
    assert outcome.count() == 1
    notes = page.locator("[data-note]:visible").evaluate_all("items => items.map(item => item.dataset.note)")
    return outcome.get_attribute("data-outcome"), [quiz.notes[int(index)].id for index in notes]


def focused(page) -> str:
    return page.evaluate("document.activeElement.id")


def answer_as(page, quiz, person: dict) -> None:
    """Answer the self-check on `page` as `person` from the scenario file: asked what the rules ask,
    helped at once when the result is urgent, given their result and notes with focus on its title."""
    answers = {**USUAL, **(person.get("answers") or {})}
    asked, shown_at_once = complete(page, answers)
    assert asked == list(quiz.asked(answers))
    assert shown_at_once == ([person["result"]] if person["result"] in ("emergency", "crisis") else [])
    assert shown_result(page, quiz) == (person["result"], person["notes"])
    assert focused(page) == f"outcome-{person['result']}-title"
