"""The repository's self-check, loaded and proven as the build does: every answer gets at least the
help its rules promise, the clinical scenarios cover every result and note, and the questions read
plainly. A quiz that fails any of these stops the build (tests/build/test_quiz_rules.py)."""
from __future__ import annotations

import random
import time

from conftest import LINKED_PAGES, ROOT
from iopguide.source.quiz_scenarios import load_quiz_with_scenarios

QUIZ = "content/quiz.yaml"
SCENARIOS = "content/quiz-scenarios.yaml"


# --- the proof itself -------------------------------------------------------------------------

def test_the_real_quiz_is_proven_and_its_scenarios_run_in_well_under_a_second():
    started = time.perf_counter()
    errors = []
    load_quiz_with_scenarios(ROOT / QUIZ, {f"{name}.md" for name in LINKED_PAGES}, errors)
    assert errors == [] and time.perf_counter() - started < 1.0


def test_random_answers_never_break_a_safety_rule(real_quiz):
    """A second, independent look at what the proof claims: a million-odd combinations are never listed,
    so try many at random and check every answer's at_least and notes directly."""
    rnd = random.Random(2026)
    note_ids = [note.id for note in real_quiz.notes]
    for _ in range(20_000):
        answers = {q.id: rnd.choice(q.options).id for q in real_quiz.questions}
        outcome = real_quiz.evaluate(answers)
        notes = {note_ids[i] for i in real_quiz.notes_for(answers)}
        for question_id, option_id in real_quiz.asked(answers).items():
            option = real_quiz.question(question_id).option(option_id)
            if option.at_least:
                assert real_quiz.rank(outcome) <= real_quiz.rank(option.at_least), answers
            assert set(option.notes) <= notes, answers


def test_every_sample_group_gets_one_result_and_one_set_of_notes(real_quiz):
    """The samples reach every result and note, and skipped questions' answers never count."""
    samples = real_quiz.samples()
    assert {real_quiz.evaluate(a) for a in samples} == {o.id for o in real_quiz.outcomes}
    assert {i for a in samples for i in real_quiz.notes_for(a)} == set(range(len(real_quiz.notes)))
    for answers in samples:
        asked = real_quiz.asked(answers)
        assert real_quiz.evaluate(answers) == real_quiz.evaluate(asked)
        assert real_quiz.notes_for(answers) == real_quiz.notes_for(asked)


def test_questions_that_do_not_apply_are_skipped(real_quiz):
    no_use = {"substances": "no", "daily-medicine": "no", "withdrawal-now": "yes", "opioids": "daily"}
    assert "withdrawal-now" not in real_quiz.asked(no_use) and "opioids" not in real_quiz.asked(no_use)
    prescribed = {"substances": "no", "daily-medicine": "yes", "withdrawal-now": "yes"}
    assert real_quiz.asked(prescribed)["withdrawal-now"] == "yes"
    assert real_quiz.evaluate(prescribed) == "emergency"


def test_instant_results_are_the_emergency_and_crisis_answers(real_quiz):
    instant = {(q.id, o.id): real_quiz.instant(o) for q in real_quiz.questions for o in q.options if real_quiz.instant(o)}
    assert instant == {("danger-now", "yes"): "crisis", ("danger-now", "not-sure"): "crisis",
                       ("withdrawal-now", "yes"): "emergency", ("withdrawal-now", "not-sure"): "emergency"}


# --- the clinical scenarios -------------------------------------------------------------------

def test_the_scenario_file_covers_every_result_note_and_the_people_the_review_found(real_quiz):
    import yaml

    people = yaml.safe_load((ROOT / SCENARIOS).read_text())["people"]
    assert len(people) >= 30
    assert {p["result"] for p in people} == {o.id for o in real_quiz.outcomes}
    assert {n for p in people for n in p["notes"]} == {n.id for n in real_quiz.notes}
    by_name = {p["name"]: p for p in people}
    for name, result in [("Tried to end their life three weeks ago, no thoughts of suicide right now", "urgent"),
                         ("Teen who wished they were dead last week, therapy helping", "urgent"),
                         ("Seeing things while stopping alcohol now", "emergency"),
                         ("Partner answering after a seizure while stopping alcohol", "emergency"),
                         ("First episode of psychosis", "urgent"),
                         ("Four days with almost no sleep and lots of energy", "urgent"),
                         ("Anorexia with fainting", "urgent")]:
        assert by_name[name]["result"] == result
    assert "do-not-stop" in by_name["Prescribed benzodiazepine, no alcohol or drugs"]["notes"]
    assert "overdose" in by_name["Leaving opioid detox, not using now"]["notes"]


def test_the_questions_read_at_grade_6_or_below():
    """Plain language: the questions together, by the Flesch-Kincaid grade `check` uses for pages."""
    import textstat
    import yaml

    questions = yaml.safe_load((ROOT / QUIZ).read_text())["questions"]
    assert textstat.flesch_kincaid_grade(" ".join(q["text"] for q in questions)) <= 6
    assert textstat.flesch_kincaid_grade(". ".join(o["label"] for q in questions for o in q["options"])) <= 6  # each label on its own
