"""The self-check: load content/quiz.yaml and prove it safe for every possible set of answers (the
clinical scenarios in content/quiz-scenarios.yaml are run against it next: quiz_scenarios.py).

Rules are an ordered list, first match wins; the last rule has no `when` and catches the rest. A
condition names the allowed answers per question (all must hold), or is a list of such groups (any
may hold). A question with `ask_if` is asked only when its condition holds for the answers before
it; otherwise it is skipped and has no answer, which no condition matches.

The proof is exact without listing every combination (there are billions): the answers are split
into boxes — for each question, a set of answers — that the conditions cannot tell apart. Every
combination lies in exactly one box of the final split, and every answer in a box gets the same
result and notes, so checking each box once checks every combination. Safety rules attached to
answers (`at_least`, `notes`) are checked on every box that holds the answer.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from iopguide.errors import ContentError, did_you_mean
from iopguide.source.schema import Field, Invalid, ListOf, MapOf, Record, Report, Str, check_document
from iopguide.model import INSTANT_URGENCIES
from iopguide.source.yaml_lines import YamlDoc, read_yaml_file

URGENCIES = ("emergency", "crisis", "urgent", "soon", "routine")  # most urgent first
# The proof's limits: a quiz this complex is beyond what an editor can review anyway.
MAX_BOXES = 200_000
MAX_PROOF_SECONDS = 5.0
SKIPPED = ""  # the "answer" of a question that was not asked

Box = tuple[frozenset[str], ...]  # one set of answers per question, in question order
Condition = tuple[dict[str, tuple[str, ...]], ...]  # any of these groups; in a group, every question
Constraint = tuple[tuple[int, frozenset[str]], ...]  # one group: (question position, allowed answers) pairs


def matches(condition: Condition, answers: dict[str, str]) -> bool:
    """True when the answers meet one of the condition's groups (an empty condition always holds)."""
    return not condition or any(all(answers.get(question) in allowed for question, allowed in group.items())
                                for group in condition)


@dataclass(frozen=True)
class Option:
    """One answer to a question."""

    id: str
    label: str
    at_least: str | None = None  # the least urgent outcome this answer may ever lead to
    notes: tuple[str, ...] = ()  # notes this answer must always bring


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    options: tuple[Option, ...]
    hint: str | None = None
    ask_if: Condition = ()  # empty: always asked

    def option(self, option_id: str) -> Option:
        return next(option for option in self.options if option.id == option_id)


@dataclass(frozen=True)
class Outcome:
    """A result the self-check can show, with its next steps."""

    id: str
    title: str
    urgency: str
    body: str  # Markdown
    next_steps: tuple[str, ...] = ()  # Markdown, one step each


@dataclass(frozen=True)
class Rule:
    outcome: str
    when: Condition = ()  # empty: the default rule


@dataclass(frozen=True)
class Note:
    """Extra advice shown with any result when the answers match."""

    id: str
    text: str  # Markdown
    when: Condition


@dataclass
class Quiz:
    """The self-check as read from quiz.yaml."""

    questions: tuple[Question, ...]
    outcomes: tuple[Outcome, ...]
    rules: tuple[Rule, ...]
    notes: tuple[Note, ...]
    checklist_page: str
    path: str = "content/quiz.yaml"
    source: str = field(default="", repr=False)  # the file's text, to find the line of a broken link

    def asked(self, answers: dict[str, str]) -> dict[str, str]:
        """The answers to the questions that are asked, given the answers before each; the rest are dropped."""
        kept: dict[str, str] = {}
        for question in self.questions:
            if question.id in answers and matches(question.ask_if, kept):
                kept[question.id] = answers[question.id]
        return kept

    def evaluate(self, answers: dict[str, str]) -> str:
        """The outcome id for a set of answers (question id → option id)."""
        asked = self.asked(answers)
        return next(rule.outcome for rule in self.rules if matches(rule.when, asked))

    def notes_for(self, answers: dict[str, str]) -> list[int]:
        asked = self.asked(answers)
        return [index for index, note in enumerate(self.notes) if matches(note.when, asked)]

    def question(self, question_id: str) -> Question:
        return next(question for question in self.questions if question.id == question_id)

    def outcome(self, outcome_id: str) -> Outcome:
        return next(outcome for outcome in self.outcomes if outcome.id == outcome_id)

    def rank(self, outcome_id: str) -> int:
        """0 for the most urgent outcome: outcomes are listed from most to least urgent."""
        return [outcome.id for outcome in self.outcomes].index(outcome_id)

    def instant(self, option: Option) -> str | None:
        """The outcome an answer shows at once, before the end of the questions, if it needs one."""
        if option.at_least and self.outcome(option.at_least).urgency in INSTANT_URGENCIES:
            return option.at_least
        return None

    def instant_answers(self) -> list[tuple[Outcome, Condition]]:
        """Each outcome some answers show at once, with those answers as a condition: any of them."""
        found = []
        for outcome in self.outcomes:
            condition = tuple({q.id: tuple(o.id for o in q.options if self.instant(o) == outcome.id)}
                              for q in self.questions if any(self.instant(o) == outcome.id for o in q.options))
            if condition:
                found.append((outcome, condition))
        return found

    def describe(self, group: dict[str, tuple[str, ...]]) -> list[tuple[int, Question, list[str]]]:
        """A condition's group in readers' terms: (question number, question, labels of the matching answers)."""
        result = []
        for question_id, allowed in group.items():
            question = self.question(question_id)
            result.append((self.questions.index(question) + 1, question, [question.option(o).label for o in allowed]))
        return result

    def to_json(self) -> str:
        """What the browser's evaluator needs: ids, conditions and rules, nothing else."""
        import json

        def groups(condition: Condition) -> list[dict[str, list[str]]]:
            return [{question: list(allowed) for question, allowed in group.items()} for group in condition]

        data = {
            "questions": [{"id": q.id, "options": [o.id for o in q.options], "askIf": groups(q.ask_if),
                           "instant": {o.id: outcome for o in q.options if (outcome := self.instant(o))}}
                          for q in self.questions],
            "rules": [{"when": groups(rule.when), "outcome": rule.outcome} for rule in self.rules],
            "notes": [{"when": groups(note.when)} for note in self.notes],
        }
        # "</" cannot appear inside a <script> data block; ids are plain words, but stay safe
        return json.dumps(data, separators=(",", ":"), sort_keys=True).replace("</", "<\\/")

    def samples(self) -> list[dict[str, str]]:
        """Answers that between them reach every group of answers the rules and notes tell apart."""
        return list(_Proof(self).samples())


# --- reading the file -----------------------------------------------------------------------

_ID = dict(pattern=r"[a-z0-9][a-z0-9-]*", pattern_hint="use lowercase letters, digits and hyphens, like not-sure")


class ConditionField(Field):
    """question id → the answers that match (one, or a list); or a list of such groups, any of which may hold."""

    kind = "a group of 'question: answers' lines, or a list of such groups"
    layout = "write it like {key}: {question: [\"yes\", not-sure]}, or a list of those for 'any of'"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.group = MapOf(ListOf(Str(), one_ok=True, min_items=1))

    def check(self, value: Any, keypath: tuple, report: Report) -> Condition | None:
        if isinstance(value, dict):
            group = self.group.check(value, keypath, report)
            return None if group is None else ({k: tuple(v) for k, v in group.items()},)
        if not isinstance(value, list) or not value:
            raise Invalid("'{key}' must be " + self.kind, self.layout)
        groups = ListOf(self.group).check(value, keypath, report)
        if any(group is None for group in groups):
            return None
        return tuple({k: tuple(v) for k, v in group.items()} for group in groups)


OPTION = Record({"id": Str(required=True, **_ID), "label": Str(required=True, max_length=120),
                 "at_least": Str(**_ID), "notes": ListOf(Str(), one_ok=True, default=[])})
QUESTION = Record({"id": Str(required=True, **_ID), "text": Str(required=True, max_length=300),
                   "hint": Str(max_length=400), "ask_if": ConditionField(),
                   "options": ListOf(OPTION, min_items=2, required=True)})
OUTCOME = Record({"id": Str(required=True, **_ID), "title": Str(required=True, max_length=120),
                  "urgency": Str(required=True, choices=URGENCIES), "body": Str(required=True),
                  "next_steps": ListOf(Str(), default=[])})
QUIZ = Record({
    "checklist_page": Str(required=True),
    "questions": ListOf(QUESTION, min_items=1, required=True),
    "outcomes": ListOf(OUTCOME, min_items=1, required=True),
    "rules": ListOf(Record({"when": ConditionField(), "outcome": Str(required=True)}), min_items=1, required=True),
    "notes": ListOf(Record({"id": Str(required=True, **_ID), "when": ConditionField(required=True),
                            "text": Str(required=True)}), default=[]),
})


def load_quiz(path: Path, page_paths: set[str], errors: list[ContentError]) -> Quiz | None:
    """Load and prove the quiz; every mistake goes to `errors` with its line."""
    doc = read_yaml_file(path, errors)
    if doc is None:
        return None
    before = len(errors)
    values = check_document(QUIZ, doc, errors)
    if values is None or len(errors) > before:
        return None
    quiz = Quiz(
        questions=tuple(Question(q["id"], q["text"],
                                 tuple(Option(o["id"], o["label"], o["at_least"], tuple(o["notes"])) for o in q["options"]),
                                 q["hint"], q["ask_if"] or ()) for q in values["questions"]),
        outcomes=tuple(Outcome(o["id"], o["title"], o["urgency"], o["body"], tuple(o["next_steps"]))
                       for o in values["outcomes"]),
        rules=tuple(Rule(r["outcome"], r["when"] or ()) for r in values["rules"]),
        notes=tuple(Note(n["id"], n["text"], n["when"]) for n in values["notes"]),
        checklist_page=values["checklist_page"],
        path=doc.path,
        source=doc.text,
    )
    checker = _Checker(quiz, doc, errors)
    checker.check_references(page_paths)
    if len(errors) == before:
        checker.check_every_answer()
    return quiz if len(errors) == before else None


class _Checker:
    """Cross-checks that need the whole quiz; each error points at the line that causes it."""

    def __init__(self, quiz: Quiz, doc: YamlDoc, errors: list[ContentError]):
        self.quiz, self.doc, self.errors = quiz, doc, errors
        self.add = Report(doc, errors).add  # each error at the line of the key that causes it

    def check_references(self, page_paths: set[str]) -> None:
        quiz = self.quiz
        if quiz.checklist_page not in page_paths:
            self.add(("checklist_page",), f"checklist_page names '{quiz.checklist_page}', which is not a page in content/",
                     did_you_mean(quiz.checklist_page, page_paths, "write the file's path below content/"))
        self.unique(("questions",), [q.id for q in quiz.questions], "question")
        self.unique(("outcomes",), [o.id for o in quiz.outcomes], "outcome")
        self.unique(("notes",), [n.id for n in quiz.notes], "note")
        outcome_ids = [o.id for o in quiz.outcomes]
        note_ids = [n.id for n in quiz.notes]
        for qi, question in enumerate(quiz.questions):
            self.unique(("questions", qi, "options"), [o.id for o in question.options], "option")
            self.check_condition(("questions", qi, "ask_if"), question.ask_if, before=qi)
            for oi, option in enumerate(question.options):
                key = ("questions", qi, "options", oi)
                if option.at_least and option.at_least not in outcome_ids:
                    self.add(key + ("at_least",), f"'at_least' names an unknown outcome '{option.at_least}'",
                             did_you_mean(option.at_least, outcome_ids, "use an outcome id from outcomes:"))
                for note in option.notes:
                    if note not in note_ids:
                        self.add(key + ("notes",), f"'notes' names an unknown note '{note}'",
                                 did_you_mean(note, note_ids, "use a note id from notes:"))
        if not any(o.urgency == "crisis" for o in quiz.outcomes):
            self.add(("outcomes",), "no outcome has 'urgency: crisis'", "the crisis outcome needs 'urgency: crisis'")
        elif not any(o.at_least and quiz.outcome(o.at_least).urgency == "crisis"
                     for q in quiz.questions for o in q.options if o.at_least in outcome_ids):
            self.add(("questions",), "no answer is marked as needing the crisis outcome",
                     "add 'at_least: crisis' to the answers that mean someone may be in danger right now")
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

    def check_condition(self, keypath: tuple, condition: Condition, before: int | None = None) -> None:
        """Every question and answer a condition names exists (and, for ask_if, comes before the question)."""
        positions = {q.id: index for index, q in enumerate(self.quiz.questions)}
        for gi, group in enumerate(condition):
            where = keypath + ((gi,) if len(condition) > 1 else ())
            for question_id, allowed in group.items():
                if question_id not in positions:
                    self.add(where + (question_id,), f"unknown question '{question_id}'",
                             did_you_mean(question_id, positions, "use a question id from questions:"))
                    continue
                if before is not None and positions[question_id] >= before:
                    self.add(where + (question_id,), f"'ask_if' names question '{question_id}', which does not come before this one",
                             "a question can only depend on the answers to questions above it")
                option_ids = [o.id for o in self.quiz.questions[positions[question_id]].options]
                for option_id in allowed:
                    if option_id not in option_ids:
                        self.add(where + (question_id,), f"question '{question_id}' has no option '{option_id}'",
                                 did_you_mean(option_id, option_ids, "its options are: " + ", ".join(option_ids)))

    def unique(self, keypath: tuple, ids: list[str], what: str) -> None:
        for index, item in enumerate(ids):
            if item in ids[:index]:
                self.add(keypath + (index,), f"the {what} id '{item}' is used twice", f"give each {what} its own id")

    def check_every_answer(self) -> None:
        quiz = self.quiz
        try:
            proof = _Proof(quiz)
            regions = proof.rule_regions()
        except _TooComplex as problem:
            self.add(("rules",), f"the self-check is too complex to prove safe ({problem})",
                     "use fewer rules, questions or answers, or simpler conditions")
            return
        for index, region in enumerate(regions):
            if not region and index < len(quiz.rules) - 1:
                self.add(("rules", index), f"rule {index + 1} can never apply: earlier rules match every answer it matches",
                         "remove it, or move it above the rule that catches its answers")
        reached = {quiz.rules[index].outcome for index, region in enumerate(regions) if region}
        for index, outcome in enumerate(quiz.outcomes):
            if outcome.id not in reached:
                self.add(("outcomes", index), f"no answers lead to the outcome '{outcome.id}'",
                         "add a rule that leads to it, or remove it")
        for qi, question in enumerate(quiz.questions):
            if not proof.can_be_asked(qi):
                self.add(("questions", qi, "ask_if"), f"question '{question.id}' can never be asked",
                         "change its 'ask_if' so that some answers above it lead to it")
            for oi in range(len(question.options)):
                self.check_answer_safety(proof, regions, qi, oi)
        for index, note in enumerate(quiz.notes):
            if not proof.can_hold(note.when):
                self.add(("notes", index, "when"), f"the note '{note.id}' can never be shown",
                         "its answers cannot all be given together; check 'when' against the questions' 'ask_if'")

    def check_answer_safety(self, proof: _Proof, regions: list[list[Box]], qi: int, oi: int) -> None:
        quiz = self.quiz
        question, option = quiz.questions[qi], quiz.questions[qi].options[oi]
        key = ("questions", qi, "options", oi)
        if option.at_least:  # check_references has made sure it names an outcome
            limit = quiz.rank(option.at_least)
            for index, region in enumerate(regions):
                if quiz.rank(quiz.rules[index].outcome) <= limit:
                    continue
                example = proof.example(region, qi, option.id)
                if example is not None:
                    self.add(key + ("at_least",),
                             f"the answer '{option.id}' to '{question.id}' can lead to '{quiz.rules[index].outcome}', "
                             f"which is less urgent than '{option.at_least}' (for example: {proof.describe(example)})",
                             "put a rule for this answer above the rule that catches it")
                    break
        for note_id in option.notes:
            note = next(n for n in quiz.notes if n.id == note_id)
            example = proof.example(proof.outside(proof.valid, note.when), qi, option.id)
            if example is not None:
                self.add(key + ("notes",),
                         f"the answer '{option.id}' to '{question.id}' can be given without the note '{note_id}' "
                         f"(for example: {proof.describe(example)})",
                         f"add this answer to the note '{note_id}''s 'when'")


# --- the proof ----------------------------------------------------------------------------------

class _TooComplex(Exception):
    pass


class _Proof:
    """Sets of answers as unions of disjoint boxes, and the operations the checks need on them."""

    def __init__(self, quiz: Quiz):
        self.quiz = quiz
        self.index = {q.id: i for i, q in enumerate(quiz.questions)}
        # a question that may be skipped has one more possible "answer": none
        self.full: Box = tuple(frozenset([o.id for o in q.options] + ([SKIPPED] if q.ask_if else []))
                               for q in quiz.questions)
        self.deadline = time.monotonic() + MAX_PROOF_SECONDS
        self.valid = self._answer_space()

    def _answer_space(self) -> list[Box]:
        """Every combination a reader can give: a question is answered exactly when its ask_if holds."""
        space = [self.full]
        for qi, question in enumerate(self.quiz.questions):
            if not question.ask_if:
                continue
            answered = frozenset(o.id for o in question.options)
            inside, outside = self.split(space, question.ask_if)
            space = [self._with(box, qi, answered) for box in inside] + \
                    [self._with(box, qi, frozenset([SKIPPED])) for box in outside]
        return space

    @staticmethod
    def _with(box: Box, qi: int, values: frozenset[str]) -> Box:
        return box[:qi] + (box[qi] & values,) + box[qi + 1:]

    def constraints(self, condition: Condition) -> list[Constraint]:
        """Each group of a condition as the few questions it narrows down; no groups: no narrowing."""
        if not condition:
            return [()]
        return [tuple((self.index[question], frozenset(allowed)) for question, allowed in group.items())
                for group in condition]

    def split(self, space: list[Box], condition: Condition) -> tuple[list[Box], list[Box]]:
        """(the part of `space` where the condition holds, the part where it does not), each as disjoint boxes."""
        inside: list[Box] = []
        rest = space
        for constraint in self.constraints(condition):
            remaining: list[Box] = []
            for count, piece in enumerate(rest):
                if count % 4096 == 4095:
                    self._check_limits(len(inside) + len(rest))
                common = _intersect(piece, constraint)
                if common is None:
                    remaining.append(piece)
                    continue
                inside.append(common)
                remaining.extend(_subtract(piece, constraint))
            rest = remaining
            self._check_limits(len(inside) + len(rest))
        return inside, rest

    def outside(self, space: list[Box], condition: Condition) -> list[Box]:
        return self.split(space, condition)[1]

    def _check_limits(self, count: int) -> None:
        if count > MAX_BOXES:
            raise _TooComplex(f"more than {MAX_BOXES:,} groups of answers to tell apart")
        if time.monotonic() > self.deadline:
            raise _TooComplex(f"the check took more than {MAX_PROOF_SECONDS:.0f} seconds")

    def rule_regions(self) -> list[list[Box]]:
        """For each rule, the answers it decides (those no earlier rule matched)."""
        regions, rest = [], self.valid
        for rule in self.quiz.rules:
            inside, rest = self.split(rest, rule.when)
            regions.append(inside)
        return regions

    def samples(self) -> Iterator[dict[str, str]]:
        """Answers from every box the rules tell apart, and from both sides of every note's condition.

        Within a rule's region every combination gets the same result, and on each side of a note's
        condition the same note, so an evaluator that agrees with this one on these answers agrees
        on every combination. Skipped questions are also given an answer, which must be ignored.
        """
        boxes = [box for region in self.rule_regions() for box in region]
        for note in self.quiz.notes:
            boxes.extend(box for side in self.split(self.valid, note.when) for box in side)
        for box in boxes:
            yield from _points(self.quiz, box)

    def can_be_asked(self, qi: int) -> bool:
        return any(box[qi] - {SKIPPED} for box in self.valid)

    def can_hold(self, condition: Condition) -> bool:
        return bool(self.split(self.valid, condition)[0])

    def example(self, space: list[Box], qi: int, option_id: str) -> dict[str, str] | None:
        """One combination in `space` that answers question `qi` with `option_id`, if there is one;
        only the answers that matter are named (those the box narrows down, and the one asked about)."""
        for box in space:
            if option_id in box[qi]:
                answers = {q.id: option_id if i == qi else min(box[i]) for i, q in enumerate(self.quiz.questions)
                           if i == qi or box[i] != self.full[i]}
                return {question: answer or "(not asked)" for question, answer in answers.items()}
        return None

    @staticmethod
    def describe(answers: dict[str, str]) -> str:
        return ", ".join(f"{question}={answer}" for question, answer in answers.items())


def _intersect(box: Box, constraint: Constraint) -> Box | None:
    narrowed = list(box)
    for qi, allowed in constraint:
        narrowed[qi] = narrowed[qi] & allowed
        if not narrowed[qi]:
            return None
    return tuple(narrowed)


def _subtract(box: Box, constraint: Constraint) -> Iterator[Box]:
    """Disjoint boxes covering box − constraint (given that they overlap)."""
    current = list(box)
    for qi, allowed in constraint:
        left = current[qi] - allowed
        if left:
            yield tuple(current[:qi]) + (left,) + tuple(current[qi + 1:])
            current[qi] = current[qi] & allowed


def _points(quiz: Quiz, box: Box) -> Iterator[dict[str, str]]:
    """A few combinations from a box that between them give every answer the box allows; the second
    of each pair also answers the questions the box skips, as a reader who went back might have."""
    widest = max(len(values) for values in box)
    ordered = [sorted(values) for values in box]
    for k in range(widest):
        chosen = [values[k % len(values)] for values in ordered]
        yield {q.id: answer for q, answer in zip(quiz.questions, chosen) if answer != SKIPPED}
        if SKIPPED in chosen:
            yield {q.id: answer if answer != SKIPPED else q.options[k % len(q.options)].id
                   for q, answer in zip(quiz.questions, chosen)}
