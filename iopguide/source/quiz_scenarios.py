"""The self-check's clinical scenarios (content/quiz-scenarios.yaml): people described in words, how
they answer, and the result and notes they must get. Editors and clinicians own this file; the
build answers the self-check as each person and stops, naming the person and the line, when a
result or a note is not what the file says.
"""
from __future__ import annotations

from pathlib import Path

from iopguide.errors import ContentError, did_you_mean
from iopguide.source.schema import ListOf, MapOf, Record, Report, Str, check_document
from iopguide.source.quiz import Quiz, load_quiz, matches
from iopguide.source.yaml_lines import YamlDoc, read_yaml_file

SCENARIO_FILE = "quiz-scenarios.yaml"
ANSWERS = MapOf(Str())
SCENARIOS = Record({
    "usual_answers": ANSWERS,
    "people": ListOf(Record({
        "name": Str(required=True, max_length=120),
        "story": Str(max_length=600),
        "answers": ANSWERS,
        "result": Str(required=True),
        "notes": ListOf(Str(), one_ok=True, default=[]),
    }), min_items=1, required=True),
})


def load_quiz_with_scenarios(path: Path, page_paths: set[str], errors: list[ContentError]) -> Quiz | None:
    """The self-check as the build loads it: loaded and proven (quiz.load_quiz), then answered as every
    person in the scenario file beside it, if there is one; None if any of that found a mistake."""
    quiz = load_quiz(path, page_paths, errors)
    scenarios = path.with_name(SCENARIO_FILE)
    if quiz is None or not scenarios.is_file():
        return quiz
    before = len(errors)
    run_scenarios(quiz, scenarios, errors)
    return quiz if len(errors) == before else None


def run_scenarios(quiz: Quiz, path: Path, errors: list[ContentError]) -> None:
    """Answer the quiz as every person in the file; each difference from the file is an error at its line."""
    doc = read_yaml_file(path, errors)
    if doc is None:
        return
    values = check_document(SCENARIOS, doc, errors)
    if values is None:
        return
    usual = values["usual_answers"] or {}
    runner = _Runner(quiz, doc, errors)
    if not runner.known_answers(("usual_answers",), usual):
        return
    names: set[str] = set()
    runner.check_coverage(values["people"])
    for index, person in enumerate(values["people"]):
        key = ("people", index)
        if person["name"] in names:
            runner.add(key + ("name",), f"two people are called '{person['name']}'", "give each person their own name")
        names.add(person["name"])
        answers = person["answers"] or {}
        if runner.known_answers(key + ("answers",), answers):
            runner.run(key, person, {**usual, **answers})


class _Runner:
    def __init__(self, quiz: Quiz, doc: YamlDoc, errors: list[ContentError]):
        self.quiz, self.doc, self.errors = quiz, doc, errors
        self.add = Report(doc, errors).add  # each error at the line of the key that causes it

    def check_coverage(self, people: list[dict]) -> None:
        """Every result and every note is what some person must get, so a clinician sees each one."""
        results = {person["result"] for person in people}
        notes = {note for person in people for note in person["notes"]}
        for kind, ids, covered in (("result", [o.id for o in self.quiz.outcomes], results),
                                   ("note", [n.id for n in self.quiz.notes], notes)):
            for missing in (i for i in ids if i not in covered):
                self.add(("people",), f"no person here gets the {kind} '{missing}'",
                         f"add a person whose answers lead to it, so that a clinician reviews that {kind}")

    def known_answers(self, keypath: tuple, answers: dict[str, str]) -> bool:
        """Every question and answer named exists in the quiz."""
        questions = {q.id: q for q in self.quiz.questions}
        fine = True
        for question_id, answer in answers.items():
            if question_id not in questions:
                self.add(keypath + (question_id,), f"the self-check has no question '{question_id}'",
                         did_you_mean(question_id, questions, "use a question id from content/quiz.yaml"))
                fine = False
                continue
            option_ids = [o.id for o in questions[question_id].options]
            if answer not in option_ids:
                self.add(keypath + (question_id,), f"question '{question_id}' has no answer '{answer}'",
                         did_you_mean(answer, option_ids, "its answers are: " + ", ".join(option_ids)))
                fine = False
        return fine

    def run(self, keypath: tuple, person: dict, answers: dict[str, str]) -> None:
        quiz, name = self.quiz, person["name"]
        asked = quiz.asked(answers)
        for question in quiz.questions:
            # ask_if names only questions above it, so the answers after it do not change this
            if question.id not in answers and matches(question.ask_if, asked):
                self.add(keypath + ("answers",), f"'{name}' is asked '{question.id}' but the file gives no answer to it",
                         f"add '{question.id}: ...' to their answers (or to usual_answers)")
                return
        for question_id in person["answers"] or {}:
            if question_id not in asked:
                self.add(keypath + ("answers", question_id),
                         f"'{name}' answers '{question_id}', but with their other answers that question is not asked",
                         "remove the answer, or change the answers that decide whether it is asked")
                return
        outcome_ids = [o.id for o in quiz.outcomes]
        if person["result"] not in outcome_ids:
            self.add(keypath + ("result",), f"'result' names an unknown outcome '{person['result']}'",
                     did_you_mean(person["result"], outcome_ids, "use an outcome id from content/quiz.yaml"))
            return
        note_ids = [n.id for n in quiz.notes]
        for note_id in person["notes"]:
            if note_id not in note_ids:
                self.add(keypath + ("notes",), f"'notes' names an unknown note '{note_id}'",
                         did_you_mean(note_id, note_ids, "use a note id from content/quiz.yaml"))
                return
        result = quiz.evaluate(answers)
        if result != person["result"]:
            self.add(keypath + ("result",), f"'{name}' now gets the result '{result}', not '{person['result']}'",
                     "if the change to the self-check is meant, a clinician reviews this person and changes 'result:'")
        got = {note_ids[index] for index in quiz.notes_for(answers)}
        expected = set(person["notes"])
        if got != expected:
            missing, extra = sorted(expected - got), sorted(got - expected)
            said = "; ".join(part for part in (missing and "no longer gets " + ", ".join(missing),
                                               extra and "now also gets " + ", ".join(extra)) if part)
            self.add(keypath + ("notes",), f"'{name}' {said}",
                     "if the change to the self-check is meant, a clinician reviews this person and changes 'notes:'")

