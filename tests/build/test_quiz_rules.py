"""The self-check's rules: proven safe at build time for every set of answers, and the clinical
scenarios in content/quiz-scenarios.yaml answered on every build: a quiz or scenario that fails either
stops the build with the line to fix (the real quiz itself: tests/unit/test_real_quiz.py)."""
from __future__ import annotations

import random
import re
import time

import pytest


QUIZ = "content/quiz.yaml"
SCENARIOS = "content/quiz-scenarios.yaml"


def refused(project, path: str, message: str) -> tuple[str, int]:
    """The build stops; the line that says `message` names `path` and a line inside it. Returns (line, number)."""
    run = project.build()
    assert run.code == 1, run.out
    line = next((text for text in run.err.splitlines() if message in text), None)
    assert line, run.err
    assert re.match(rf"{re.escape(path)}:\d+: ", line), line
    number = int(line.split(":")[1])
    assert 1 < number <= project.read(path).count("\n"), line
    return line, number


# --- mistakes in quiz.yaml ----------------------------------------------------------------------

BROKEN = {
    "unknown question in a rule": (
        ('when: {withdrawal-before: ["yes", not-sure]}', 'when: {withdrawl-before: ["yes", not-sure]}'),
        "unknown question 'withdrawl-before'", "did you mean 'withdrawal-before'?"),
    "unknown option in a rule": (
        ("when: {left-care: treatment}", "when: {left-care: treatmnt}"),
        "question 'left-care' has no option 'treatmnt'", "did you mean 'treatment'?"),
    "unknown outcome in a rule": (
        ("    outcome: more-care\n  - when: {medical", "    outcome: more_care\n  - when: {medical"),
        "rule 12 leads to an unknown outcome 'more_care'", "did you mean 'more-care'?"),
    "unknown question in a note": (
        ("when: {time: evenings}", "when: {times: evenings}"), "unknown question 'times'", "did you mean 'time'?"),
    "unknown question in ask_if": (
        ('ask_if: {eating: ["yes", not-sure]}', 'ask_if: {eatin: ["yes", not-sure]}'),
        "unknown question 'eatin'", "did you mean 'eating'?"),
    "ask_if naming a later question": (
        ('ask_if: {eating: ["yes", not-sure]}', 'ask_if: {medical: "yes"}'),
        "'ask_if' names question 'medical', which does not come before this one", "questions above it"),
    "a question that can never be asked": (
        ('ask_if: {eating: ["yes", not-sure]}', 'ask_if: {substances: "no", alcohol-daily: "yes"}'),
        "question 'eating-body' can never be asked", "change its 'ask_if'"),
    "a note that can never be shown": (
        ("    when: {medical: not-sure}\n", '    when: {substances: "no", opioids: daily}\n'),
        "the note 'medical-not-sure' can never be shown", "check 'when'"),
    "duplicate question id": (
        ("  - id: support\n", "  - id: home-use\n"), "the question id 'home-use' is used twice", "give each question its own id"),
    "duplicate option id": (
        ("      - id: a-little\n", "      - id: a-lot\n"), "the option id 'a-lot' is used twice", "give each option its own id"),
    "duplicate note id": (
        ("  - id: support\n    when", "  - id: transport\n    when"), "the note id 'transport' is used twice", "give each note"),
    "shadowed rule": (
        ("  - when: {weekly-therapy: not-enough}\n    outcome: iop\n", '  - when: {setback: "yes"}\n    outcome: outpatient\n'),
        "rule 19 can never apply: earlier rules match every answer it matches", "move it above the rule"),
    "outcome nothing reaches": (
        ("  - when: {weekly-therapy: not-enough}\n    outcome: iop\n  - outcome: outpatient\n", "  - outcome: iop\n"),
        "no answers lead to the outcome 'outpatient'", "add a rule that leads to it"),
    "no default rule": (
        ("  - outcome: outpatient\n", '  - when: {home-use: "yes"}\n    outcome: outpatient\n'),
        "the last rule has a 'when', so some answers may match no rule", "end the rules with a default rule"),
    "no answer that needs the crisis result": (
        ("        label: \"Yes\"\n        at_least: crisis\n      - id: not-sure\n        label: Not sure\n        at_least: crisis\n",
         "        label: \"Yes\"\n      - id: not-sure\n        label: Not sure\n"),
        "no answer is marked as needing the crisis outcome", "add 'at_least: crisis'"),
    "unknown outcome in at_least": (
        ("        at_least: emergency\n", "        at_least: emergncy\n"),
        "'at_least' names an unknown outcome 'emergncy'", "did you mean 'emergency'?"),
    "unknown note an answer must bring": (
        ("        notes: [eating]\n", "        notes: [eatin]\n"), "'notes' names an unknown note 'eatin'", "did you mean 'eating'?"),
    "yes without quotes": (
        ('      - id: "yes"\n        label: "Yes"\n        at_least: crisis', '      - id: yes\n        label: "Yes"\n        at_least: crisis'),
        "'questions.options.id' was read as true/false, not as text", 'put the word in quotes, like "yes"'),
}


@pytest.mark.parametrize("mistake", BROKEN, ids=list(BROKEN))
def test_a_broken_quiz_is_refused_with_the_line_to_fix(quiz_project, mistake):
    (old, new), message, hint = BROKEN[mistake]
    quiz_project.edit(QUIZ, old, new)
    line, _ = refused(quiz_project, QUIZ, message)
    assert hint in line.split(" — ")[1], line


# --- the safety invariants: each has a broken quiz the build refuses ----------------------------

UNSAFE = {
    "an emergency answer that can miss the emergency result": (
        ('  - when: {withdrawal-now: ["yes", not-sure]}\n', '  - when: {withdrawal-now: "yes"}\n'),
        "the answer 'not-sure' to 'withdrawal-now' can lead to 'crisis', which is less urgent than 'emergency'"),
    "withdrawal happening now ranked below the crisis rule": (
        ('  - when: {withdrawal-now: ["yes", not-sure]}\n    outcome: emergency\n  - when: {danger-now: ["yes", not-sure]}\n    outcome: crisis\n',
         '  - when: {danger-now: ["yes", not-sure]}\n    outcome: crisis\n  - when: {withdrawal-now: ["yes", not-sure]}\n    outcome: emergency\n'),
        "the answer 'yes' to 'withdrawal-now' can lead to 'crisis', which is less urgent than 'emergency'"),
    "a danger-now answer that can miss the crisis result": (
        ('  - when: {danger-now: ["yes", not-sure]}\n', '  - when: {danger-now: "yes"}\n'),
        "the answer 'not-sure' to 'danger-now' can lead to 'urgent', which is less urgent than 'crisis'"),
    "a past suicide attempt that can end below urgent": (
        ("  - when: {tried: [last-year, longer-ago, not-sure]}\n", "  - when: {tried: [last-year, not-sure]}\n"),
        "the answer 'longer-ago' to 'tried' can lead to 'more-care', which is less urgent than 'urgent'"),
    "thoughts of suicide in the past week that can end below urgent": (
        ('  - when: {suicide-thoughts: ["yes", not-sure]}\n    outcome: urgent\n', ""),
        "the answer 'yes' to 'suicide-thoughts' can lead to 'more-care', which is less urgent than 'urgent'"),
    "an opioid answer without the overdose note": (
        ("      - {opioids: [daily, sometimes, not-sure]}\n", "      - {opioids: [daily, sometimes]}\n"),
        "the answer 'not-sure' to 'opioids' can be given without the note 'overdose'"),
    "a daily sedative without the do-not-stop note": (
        ('      - {opioids: daily}\n      - {daily-medicine: ["yes", not-sure]}\n', '      - {opioids: daily}\n      - {daily-medicine: not-sure}\n'),
        "the answer 'yes' to 'daily-medicine' can be given without the note 'do-not-stop'"),
}


@pytest.mark.parametrize("mistake", UNSAFE, ids=list(UNSAFE))
def test_an_unsafe_quiz_is_refused_with_an_example_of_who_it_would_fail(quiz_project, mistake):
    (old, new), message = UNSAFE[mistake]
    quiz_project.edit(QUIZ, old, new)
    line, number = refused(quiz_project, QUIZ, message)
    assert "(for example: " in line and "put a rule" in line or "add this answer" in line, line
    # the line named is the answer's own, where its safety rule is written
    assert re.search(r"at_least|notes", quiz_project.read(QUIZ).split("\n")[number - 1]), line


def test_the_proof_gives_up_with_a_message_on_a_quiz_too_complex_to_check(quiz_project):
    rnd = random.Random(7)
    answers = "abcdef"
    questions = "".join(f"  - id: q{i}\n    text: Question {i}?\n    options:\n"
                        + "".join(f"      - id: {a}\n        label: {a.upper()}\n" for a in answers) for i in range(30))
    rules = "".join("  - when: {" + ", ".join(f"q{q}: [{', '.join(rnd.sample(answers, 3))}]" for q in rnd.sample(range(30), 8))
                    + f"}}\n    outcome: {rnd.choice(['more-care', 'iop'])}\n" for _ in range(300))
    quiz_project.write(QUIZ, f"""checklist_page: choosing-a-provider.md
questions:
  - id: danger
    text: In danger?
    options:
      - id: "yes"
        label: "Yes"
        at_least: crisis
      - id: "no"
        label: "No"
{questions}outcomes:
  - {{id: crisis, urgency: crisis, title: Crisis, body: Call 988.}}
  - {{id: more-care, urgency: soon, title: More care, body: More care.}}
  - {{id: iop, urgency: routine, title: IOP, body: IOP.}}
  - {{id: outpatient, urgency: routine, title: Outpatient, body: Outpatient.}}
rules:
  - when: {{danger: "yes"}}
    outcome: crisis
{rules}  - outcome: outpatient
""")
    (quiz_project.root / SCENARIOS).unlink()
    started = time.monotonic()
    refused(quiz_project, QUIZ, "the self-check is too complex to prove safe")
    assert time.monotonic() - started < 30


def scenario_line(project, name: str, key: str) -> int:
    lines = project.read(SCENARIOS).split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- name: {name}")
    return next(i for i in range(start, len(lines)) if lines[i].strip().startswith(f"{key}:")) + 1


SCENARIO_MISTAKES = {
    "a change to the rules that changes a person's result": (
        (QUIZ, '  - when: {setback: "yes"}\n    outcome: iop\n', '  - when: {setback: "yes"}\n    outcome: outpatient\n'),
        "'Symptoms came back after a good year' now gets the result 'outpatient', not 'iop'",
        ("Symptoms came back after a good year", "result")),
    "a change to a note that takes it from a person": (
        (QUIZ, "    when: {time: evenings}\n", "    when: {time: \"no\"}\n"),
        "'Depression, weekly therapy not enough, works in the daytime' no longer gets time-evenings",
        ("Depression, weekly therapy not enough, works in the daytime", "notes")),
    "a result written wrong": (
        (SCENARIOS, "    answers: {setback: \"yes\"}\n    result: iop\n", "    answers: {setback: \"yes\"}\n    result: urgent\n"),
        "now gets the result 'iop', not 'urgent'", ("Symptoms came back after a good year", "result")),
    "an unknown question": (
        (SCENARIOS, "    answers: {setback: \"yes\"}\n", "    answers: {set-back: \"yes\"}\n"),
        "the self-check has no question 'set-back'", None),
    "an unknown answer": (
        (SCENARIOS, "    answers: {setback: \"yes\"}\n", "    answers: {setback: maybe}\n"),
        "question 'setback' has no answer 'maybe'", None),
    "an answer to a question that is not asked": (
        (SCENARIOS, "    answers: {setback: \"yes\"}\n", "    answers: {setback: \"yes\", opioids: daily}\n"),
        "'Symptoms came back after a good year' answers 'opioids', but with their other answers that question is not asked",
        None),
    "a question asked but not answered": (
        (SCENARIOS, "    answers: {setback: \"yes\"}\n", "    answers: {setback: \"yes\", substances: \"yes\"}\n"),
        "'Symptoms came back after a good year' is asked 'alcohol-daily' but the file gives no answer to it", None),
    "a note no person gets": (
        (QUIZ, "  - id: readiness\n    when:", "  - id: new-note\n    when: {who: me-teen, transport: not-sure}\n"
                                             "    text: A new note.\n  - id: readiness\n    when:"),
        "no person here gets the note 'new-note'", None),
}


@pytest.mark.parametrize("mistake", SCENARIO_MISTAKES, ids=list(SCENARIO_MISTAKES))
def test_a_scenario_that_no_longer_holds_stops_the_build_naming_the_person_and_line(quiz_project, mistake):
    (path, old, new), message, where = SCENARIO_MISTAKES[mistake]
    quiz_project.edit(path, old, new)
    line, number = refused(quiz_project, SCENARIOS, message)
    if where:
        assert number == scenario_line(quiz_project, *where), line
    assert "content/quiz-scenarios.yaml" in line and " — " in line
