"""The self-screening quiz: load content/quiz.yaml, prove it safe over every combination of answers.

Rules are an ordered list, first match wins; a rule's `when` names the allowed answers per
question; the last rule has no `when` and catches everything else. Because the answer space is
small, the build enumerates it completely: every combination maps to exactly one outcome, no rule
is dead, every outcome is reachable, and the safety properties hold for all answers — not just
for the ones somebody thought to test.
"""
from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ContentError, did_you_mean, display_path
from .schema import Bool, ListOf, MapOf, Record, Str, check_document
from .textfile import read_text
from .yamlfile import YamlDoc, parse_yaml

MAX_COMBINATIONS = 2_000_000
URGENCIES = ("crisis", "soon", "routine")


@dataclass(frozen=True)
class Option:
    """One answer to a quiz question."""

    id: str
    label: str
    danger: bool = False  # on the safety question: this answer must always lead to the crisis outcome
    never: tuple[str, ...] = ()  # outcomes this answer must never lead to


@dataclass(frozen=True)
class Question:
    """One quiz question and its answers."""

    id: str
    text: str
    options: tuple[Option, ...]
    hint: str | None = None
    safety: bool = False

    def option(self, option_id: str) -> Option:
        return next(option for option in self.options if option.id == option_id)


@dataclass(frozen=True)
class Outcome:
    """A result the quiz can show, with its next steps."""

    id: str
    title: str
    urgency: str
    body: str  # Markdown
    next_steps: tuple[str, ...] = ()  # Markdown, one step each


@dataclass(frozen=True)
class Rule:
    """Which outcome a set of answers leads to."""

    outcome: str
    when: dict[str, tuple[str, ...]] = field(default_factory=dict)  # empty: the default rule

    def matches(self, answers: dict[str, str]) -> bool:
        return all(answers.get(question) in allowed for question, allowed in self.when.items())


@dataclass(frozen=True)
class Note:
    """An extra note the quiz shows for certain answers."""

    text: str  # Markdown
    when: dict[str, tuple[str, ...]]

    def matches(self, answers: dict[str, str]) -> bool:
        return all(answers.get(question) in allowed for question, allowed in self.when.items())


@dataclass
class Quiz:
    """The self-screening quiz as read from quiz.yaml."""

    questions: tuple[Question, ...]
    outcomes: tuple[Outcome, ...]
    rules: tuple[Rule, ...]
    notes: tuple[Note, ...]
    checklist_page: str
    path: str = "content/quiz.yaml"
    source: str = field(default="", repr=False)  # the file's text, to find the line of a broken link

    def evaluate(self, answers: dict[str, str]) -> str:
        """The outcome id for a full set of answers (question id → option id)."""
        return next(rule.outcome for rule in self.rules if rule.matches(answers))

    def notes_for(self, answers: dict[str, str]) -> list[int]:
        return [index for index, note in enumerate(self.notes) if note.matches(answers)]

    def question(self, question_id: str) -> Question:
        return next(question for question in self.questions if question.id == question_id)

    def outcome(self, outcome_id: str) -> Outcome:
        return next(outcome for outcome in self.outcomes if outcome.id == outcome_id)

    def describe(self, when: dict[str, tuple[str, ...]]) -> list[tuple[int, Question, list[str]]]:
        """A condition in readers' terms: (question number, question, labels of the matching answers)."""
        result = []
        for question_id, allowed in when.items():
            question = self.question(question_id)
            result.append((self.questions.index(question) + 1, question, [question.option(o).label for o in allowed]))
        return result

    @property
    def crisis_outcomes(self) -> set[str]:
        return {outcome.id for outcome in self.outcomes if outcome.urgency == "crisis"}

    def deciding_questions(self) -> list[Question]:
        """Questions that can change the outcome; the others only add notes."""
        used = {question for rule in self.rules for question in rule.when}
        return [q for q in self.questions if q.id in used or q.safety or any(o.never for o in q.options)]

    def combinations(self, questions: list[Question] | None = None):
        """Every combination of answers to `questions` (default: the deciding ones), as dicts."""
        questions = self.deciding_questions() if questions is None else questions
        ids = [question.id for question in questions]
        for choice in itertools.product(*[[option.id for option in q.options] for q in questions]):
            yield dict(zip(ids, choice))

    def table(self) -> dict[tuple[str, ...], str]:
        """Outcome for every combination of the deciding questions' answers, in question order."""
        return {tuple(answers.values()): self.evaluate(answers) for answers in self.combinations()}

    def to_json(self) -> str:
        """What the browser's evaluator needs: ids and rules, nothing else."""
        data = {
            "questions": [{"id": q.id, "options": [o.id for o in q.options],
                           "danger": [o.id for o in q.options if o.danger]} for q in self.questions],
            "rules": [{"when": {k: list(v) for k, v in rule.when.items()}, "outcome": rule.outcome} for rule in self.rules],
            "notes": [{"when": {k: list(v) for k, v in note.when.items()}} for note in self.notes],
        }
        # "</" cannot appear inside a <script> data block; ids are plain words, but stay safe
        return json.dumps(data, separators=(",", ":"), sort_keys=True).replace("</", "<\\/")


_ID = dict(pattern=r"[a-z0-9][a-z0-9-]*", pattern_hint="use lowercase letters, digits and hyphens, like not-sure")


def condition(**kwargs) -> MapOf:
    """question id → the option ids that match (one id, or a list of them)."""
    return MapOf(ListOf(Str(), one_ok=True, min_items=1), **kwargs)


OPTION = Record({"id": Str(required=True, **_ID), "label": Str(required=True, max_length=120),
                 "danger": Bool(default=False), "never": ListOf(Str(), one_ok=True, default=[])})
QUESTION = Record({"id": Str(required=True, **_ID), "text": Str(required=True, max_length=300),
                   "hint": Str(max_length=400), "safety": Bool(default=False),
                   "options": ListOf(OPTION, min_items=2, required=True)})
OUTCOME = Record({"id": Str(required=True, **_ID), "title": Str(required=True, max_length=120),
                  "urgency": Str(required=True, choices=URGENCIES), "body": Str(required=True),
                  "next_steps": ListOf(Str(), default=[])})
QUIZ = Record({
    "checklist_page": Str(required=True),
    "questions": ListOf(QUESTION, min_items=1, required=True),
    "outcomes": ListOf(OUTCOME, min_items=1, required=True),
    "rules": ListOf(Record({"when": condition(), "outcome": Str(required=True)}), min_items=1, required=True),
    "notes": ListOf(Record({"when": condition(required=True), "text": Str(required=True)}), default=[]),
})


def load_quiz(path: Path, page_paths: set[str], errors: list[ContentError]) -> Quiz | None:
    """Load and prove the quiz; every mistake goes to `errors` with its line."""
    shown = display_path(path)
    try:
        text = read_text(path, shown)
        doc = parse_yaml(text, shown)
    except ContentError as error:
        errors.append(error)
        return None
    before = len(errors)
    values = check_document(QUIZ, doc, errors)
    if values is None or len(errors) > before:
        return None
    quiz = Quiz(
        questions=tuple(Question(q["id"], q["text"], tuple(Option(o["id"], o["label"], o["danger"], tuple(o["never"]))
                                                           for o in q["options"]), q["hint"], q["safety"])
                        for q in values["questions"]),
        outcomes=tuple(Outcome(o["id"], o["title"], o["urgency"], o["body"], tuple(o["next_steps"]))
                       for o in values["outcomes"]),
        rules=tuple(Rule(r["outcome"], {k: tuple(v) for k, v in (r["when"] or {}).items()}) for r in values["rules"]),
        notes=tuple(Note(n["text"], {k: tuple(v) for k, v in n["when"].items()}) for n in values["notes"]),
        checklist_page=values["checklist_page"],
        path=shown,
        source=text,
    )
    checker = _Checker(quiz, doc, errors)
    checker.check_references(page_paths)
    if len(errors) == before:
        checker.check_every_combination()
    return quiz if len(errors) == before else None


class _Checker:
    """Cross-checks that need the whole quiz; each error points at the line that causes it."""

    def __init__(self, quiz: Quiz, doc: YamlDoc, errors: list[ContentError]):
        self.quiz, self.doc, self.errors = quiz, doc, errors

    def add(self, keypath: tuple, message: str, hint: str) -> None:
        self.errors.append(ContentError(self.quiz.path, self.doc.line(keypath), message, hint))

    def check_references(self, page_paths: set[str]) -> None:
        quiz = self.quiz
        if quiz.checklist_page not in page_paths:
            self.add(("checklist_page",), f"checklist_page names '{quiz.checklist_page}', which is not a page in content/",
                     did_you_mean(quiz.checklist_page, page_paths, "write the file's path below content/"))
        self.unique(("questions",), [q.id for q in quiz.questions], "question")
        self.unique(("outcomes",), [o.id for o in quiz.outcomes], "outcome")
        outcome_ids = [o.id for o in quiz.outcomes]
        for qi, question in enumerate(quiz.questions):
            self.unique(("questions", qi, "options"), [o.id for o in question.options], "option")
            for oi, option in enumerate(question.options):
                if option.danger and not question.safety:
                    self.add(("questions", qi, "options", oi, "danger"),
                             f"option '{option.id}' is marked danger, but question '{question.id}' is not the safety question",
                             "add 'safety: true' to the question, or remove 'danger: true'")
                for never in option.never:
                    if never not in outcome_ids:
                        self.add(("questions", qi, "options", oi, "never"), f"'never' names an unknown outcome '{never}'",
                                 did_you_mean(never, outcome_ids, "use an outcome id from outcomes:"))
        safety = [q for q in quiz.questions if q.safety]
        if not safety:
            self.add(("questions",), "no question is marked as the safety question",
                     "add 'safety: true' to the question about immediate danger, and 'danger: true' to its danger answers")
        for question in safety:
            if not any(option.danger for option in question.options):
                qi = quiz.questions.index(question)
                self.add(("questions", qi), f"the safety question '{question.id}' has no danger answer",
                         "add 'danger: true' to the answers that mean someone may be in danger")
        if not quiz.crisis_outcomes:
            self.add(("outcomes",), "no outcome has 'urgency: crisis'", "the crisis outcome needs 'urgency: crisis'")
        for kind, items in (("rules", quiz.rules), ("notes", quiz.notes)):
            for index, item in enumerate(items):
                self.check_condition((kind, index, "when"), item.when)
        for index, rule in enumerate(quiz.rules):
            if rule.outcome not in outcome_ids:
                self.add(("rules", index, "outcome"), f"rule {index + 1} leads to an unknown outcome '{rule.outcome}'",
                         did_you_mean(rule.outcome, outcome_ids, "use an outcome id from outcomes:"))
        if quiz.rules[-1].when:
            self.add(("rules", len(quiz.rules) - 1), "the last rule has a 'when', so some answers may match no rule",
                     "end the rules with a default rule that has only 'outcome:'")
        for index, rule in enumerate(quiz.rules[:-1]):
            if not rule.when:
                self.add(("rules", index), f"rule {index + 1} has no 'when', so the rules after it can never apply",
                         "give it a 'when', or move it to the end as the default rule")

    def check_condition(self, keypath: tuple, when: dict[str, tuple[str, ...]]) -> None:
        questions = {q.id: q for q in self.quiz.questions}
        for question_id, allowed in when.items():
            if question_id not in questions:
                self.add(keypath + (question_id,), f"unknown question '{question_id}'",
                         did_you_mean(question_id, questions, "use a question id from questions:"))
                continue
            option_ids = [o.id for o in questions[question_id].options]
            for option_id in allowed:
                if option_id not in option_ids:
                    self.add(keypath + (question_id,), f"question '{question_id}' has no option '{option_id}'",
                             did_you_mean(option_id, option_ids, "its options are: " + ", ".join(option_ids)))

    def unique(self, keypath: tuple, ids: list[str], what: str) -> None:
        for index, item in enumerate(ids):
            if item in ids[:index]:
                self.add(keypath + (index,), f"the {what} id '{item}' is used twice", f"give each {what} its own id")

    def check_every_combination(self) -> None:
        quiz = self.quiz
        deciding = quiz.deciding_questions()
        count = math.prod(len(q.options) for q in deciding)
        if count > MAX_COMBINATIONS:
            self.add(("questions",), f"the rules depend on {count:,} combinations of answers; the limit is {MAX_COMBINATIONS:,}",
                     "use fewer questions or options in the rules (notes may use any question)")
            return
        fired = [0] * len(quiz.rules)
        reached: set[str] = set()
        for answers in quiz.combinations(deciding):
            index = next(i for i, rule in enumerate(quiz.rules) if rule.matches(answers))
            fired[index] += 1
            outcome = quiz.rules[index].outcome
            reached.add(outcome)
            self.check_safety(answers, outcome)
        for index, count in enumerate(fired):
            if not count and index < len(quiz.rules) - 1:
                self.add(("rules", index), f"rule {index + 1} can never apply: earlier rules match every answer it matches",
                         "remove it, or move it above the rule that catches its answers")
        for index, outcome in enumerate(quiz.outcomes):
            if outcome.id not in reached:
                self.add(("outcomes", index), f"no answers lead to the outcome '{outcome.id}'",
                         "add a rule that leads to it, or remove it")

    def check_safety(self, answers: dict[str, str], outcome: str) -> None:
        for qi, question in enumerate(self.quiz.questions):
            if question.id not in answers:
                continue
            option = question.option(answers[question.id])
            oi = question.options.index(option)
            problem = None
            if option.danger and outcome not in self.quiz.crisis_outcomes:
                problem = f"the danger answer '{option.id}' can lead to '{outcome}' instead of the crisis outcome"
            elif outcome in option.never:
                problem = f"the answer '{option.id}' can lead to '{outcome}', which it must never lead to"
            if problem:
                example = ", ".join(f"{q}={a}" for q, a in answers.items())
                key = ("questions", qi, "options", oi)
                message = f"{problem} (for example: {example})"
                if not any(e.message.startswith(problem) for e in self.errors):
                    self.add(key, message, "put a rule for this answer first in the list of rules")
