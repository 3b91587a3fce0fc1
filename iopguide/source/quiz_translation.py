"""The self-check in another language: content/<code>/quiz.yaml gives the texts for the ids of
content/quiz.yaml, and nothing else. The questions, answers, rules and safety stay the main file's,
proven once (quiz.py) and answered as every person in the scenarios; the translation only puts its
words on them. A translation that misses a text, adds an id, or tries to change a rule is refused,
each mistake at its line, so a translator can never make the self-check less safe.

    questions:
      who:                   # a question id, in the main file's order
        text: ¿Para quién …?
        hint: …              # exactly when the main file's question has one
        options:
          me-adult: Para mí, y tengo 18 años o más
    outcomes:
      emergency: {title: …, body: …, next_steps: [… one per step of the main file …]}
    notes:
      overdose: …
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from iopguide.errors import ContentError, did_you_mean
from iopguide.source.quiz import OPTION, OUTCOME, QUESTION, Outcome, Question, Quiz
from iopguide.source.schema import Report
from iopguide.source.yaml_lines import read_yaml_file

# Keys that carry the self-check's logic in the main file: a translation that writes one is trying to
# change a rule, which only the main file (and its proof and scenarios) may do.
RULE_KEYS = frozenset({"id", "ask_if", "at_least", "when", "urgency", "rules", "checklist_page"})
# A translated text has the main file's length limits, read from its schema.
LIMITS = {"text": QUESTION.fields["text"].max_length, "hint": QUESTION.fields["hint"].max_length,
          "label": OPTION.fields["label"].max_length, "title": OUTCOME.fields["title"].max_length}
# What every translated text keeps of the main text: its numbers (911, 988, 1-800-799-7233, 12 to 17 …)
# and the targets of its links.
_NUMBER = re.compile(r"\d+(?:-\d+)*")
_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)")


def _kept(text: str) -> set[str]:
    # "24/7" is a phrase, often said in words ("las 24 horas, todos los días"): its 24 is kept, its 7 need not be
    return set(_NUMBER.findall(text.replace("24/7", "24"))) | set(_LINK.findall(text))


# How an unquoted id YAML reads as true or false may have been written, to find its line.
_BOOL_WORDS = {True: ("yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE", "y", "Y"),
               False: ("no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE", "n", "N")}
RULES_HINT = "the rules live in content/quiz.yaml and apply to every language: a translation gives only texts"


class _Translation:
    """Reads one translation file against the main quiz, collecting every mistake with its line."""

    def __init__(self, quiz: Quiz, doc: Any, errors: list[ContentError]):
        self.quiz, self.doc, self.errors = quiz, doc, errors
        self.add = Report(doc, errors).add

    def section(self, name: str, ids: list[str], data: dict) -> dict[str, Any]:
        """The `name:` section: one entry per id of the main file, in its order, and no other."""
        found = data.get(name)
        if found is None:
            if ids:
                self.add((), f"'{name}:' is missing", f"translate every one of the {len(ids)} {name} of content/quiz.yaml")
            return {}
        if not isinstance(found, dict):
            self.add((name,), f"'{name}' must be 'id: texts' lines", f"write each of the main file's {name} ids under '{name}:'")
            return {}
        return self.entries((name,), ids, found, name.rstrip("s"))

    def entries(self, keypath: tuple, ids: list[str], found: dict, what: str) -> dict[str, Any]:
        for key in found:
            if isinstance(key, bool):  # YAML reads an unquoted yes, no, on or off as true or false
                written = next((word for word in _BOOL_WORDS[key] if (*keypath, word) in self.doc.lines), key)
                self.add((*keypath, written), f"this {what} id was read as {str(key).lower()}, not as text",
                         'put the id in quotes, like "yes": or "no":, as content/quiz.yaml does')
            elif key in RULE_KEYS:
                self.add((*keypath, key), f"'{key}' changes a rule, which a translation cannot do", RULES_HINT)
            elif key not in ids:
                self.add((*keypath, key), f"content/quiz.yaml has no {what} '{key}', so a translation cannot add it",
                         did_you_mean(str(key), ids, f"translate only the {what}s of content/quiz.yaml: " + ", ".join(ids)))
        missing = [item for item in ids if item not in found]
        for item in missing:
            self.add(keypath, f"the {what} '{item}' is not translated", f"add '{item}:' with its text, as in content/quiz.yaml")
        if not missing and [key for key in found if key in ids] != ids:
            self.add(keypath, f"the {what}s are not in the order of content/quiz.yaml",
                     "list them in the same order: " + ", ".join(ids))
        return {key: found[key] for key in ids if key in found}

    def record(self, keypath: tuple, value: Any, texts: dict[str, bool]) -> dict | None:
        """A question's or an outcome's texts: `texts` maps each key to whether it must be there."""
        if not isinstance(value, dict):
            self.add(keypath, f"'{keypath[-1]}' must be 'key: text' lines", "write its " + ", ".join(texts) + " below it")
            return None
        for key in value:
            if key in RULE_KEYS or key not in texts:
                known = key in RULE_KEYS or key in ("notes", "options", "next_steps")
                self.add((*keypath, key), f"'{key}' changes a rule, which a translation cannot do" if known
                         else f"unknown key '{key}'", RULES_HINT if known else did_you_mean(str(key), texts, "allowed: " + ", ".join(texts)))
        for key, needed in texts.items():
            if needed and value.get(key) is None:
                self.add(keypath, f"'{key}' of '{keypath[-1]}' is not translated", f"add its {key}: as in content/quiz.yaml")
            elif not needed and value.get(key) is not None:
                self.add((*keypath, key), f"'{key}' has no counterpart in content/quiz.yaml",
                         "remove it, or add it to content/quiz.yaml first")
        return value

    def text(self, keypath: tuple, value: Any, main: str, limit: int | None = None) -> str:
        """The translation of `main` at `keypath`: text, within `limit`, with every number and link of `main`."""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)) or not str(value).strip():
            self.add(keypath, f"'{keypath[-1]}' must be text", 'write the translated text after the colon; put "Sí" and "No" in quotes')
            return main
        text = str(value).strip()
        if limit and len(text) > limit:
            self.add(keypath, f"'{keypath[-1]}' is {len(text)} characters long, more than {limit}", "shorten it")
        left_out = sorted(_kept(main) - _kept(text))
        if left_out:
            where = ".".join(map(str, keypath))
            self.add(keypath, f"'{where}' leaves out {', '.join(repr(item) for item in left_out)}, which content/quiz.yaml gives",
                     "keep every number and every link of the main text: a phone number or a link left out could keep "
                     "a reader from help")
        return text

    def question(self, question: Question, value: Any) -> Question:
        keypath = ("questions", question.id)
        value = self.record(keypath, value, {"text": True, "hint": question.hint is not None, "options": True}) or {}
        labels = value.get("options") or {}
        if not isinstance(labels, dict):
            self.add((*keypath, "options"), "'options' must be 'answer id: label' lines", "write one line per answer id")
            labels = {}
        ids = [option.id for option in question.options]
        labels = self.entries((*keypath, "options"), ids, labels, "answer") if "options" in value else {}
        options = tuple(replace(option, label=self.text((*keypath, "options", option.id), labels[option.id], option.label,
                                                        LIMITS["label"]))
                        if option.id in labels else option for option in question.options)
        hint = (self.text((*keypath, "hint"), value["hint"], question.hint, LIMITS["hint"])
                if value.get("hint") is not None and question.hint is not None else question.hint)
        text = self.text((*keypath, "text"), value["text"], question.text, LIMITS["text"]) if value.get("text") is not None else question.text
        return replace(question, text=text, hint=hint, options=options)

    def outcome(self, outcome: Outcome, value: Any) -> Outcome:
        keypath = ("outcomes", outcome.id)
        value = self.record(keypath, value, {"title": True, "body": True, "next_steps": bool(outcome.next_steps)}) or {}
        steps = value.get("next_steps") or []
        if not isinstance(steps, list) or len(steps) != len(outcome.next_steps):
            if "next_steps" in value:
                self.add((*keypath, "next_steps"), f"'next_steps' must list {len(outcome.next_steps)} steps, as content/quiz.yaml does",
                         "translate each step, in the same order; add or remove steps in content/quiz.yaml first")
            steps = outcome.next_steps
        return replace(outcome,
                       title=self.text((*keypath, "title"), value.get("title", outcome.title), outcome.title, LIMITS["title"]),
                       body=self.text((*keypath, "body"), value.get("body", outcome.body), outcome.body),
                       next_steps=tuple(self.text((*keypath, "next_steps", index), step, main)
                                        for index, (step, main) in enumerate(zip(steps, outcome.next_steps))))


def translate_quiz(quiz: Quiz, path: Path, code: str, page_paths: frozenset[str], errors: list[ContentError]) -> Quiz | None:
    """The main quiz with the texts of the translation at `path` (for language `code`); None, with every
    mistake in `errors`, when it misses a text, adds an id or tries to change a rule. Its checklist is
    the translation of the main quiz's, which must be one of `page_paths`."""
    doc = read_yaml_file(path, errors)
    if doc is None:
        return None
    before = len(errors)
    reader = _Translation(quiz, doc, errors)
    data = doc.data
    if not isinstance(data, dict):
        reader.add((), "expected 'questions:', 'outcomes:' and 'notes:'", "copy the layout from docs/translating.md")
        return None
    for key in data:
        if key in RULE_KEYS:
            reader.add((key,), f"'{key}' changes a rule, which a translation cannot do", RULES_HINT)
        elif key not in ("questions", "outcomes", "notes"):
            reader.add((key,), f"unknown key '{key}'", did_you_mean(str(key), ("questions", "outcomes", "notes"),
                                                                    "a translation has questions:, outcomes: and notes:"))
    checklist = f"{code}/{quiz.checklist_page}"
    if checklist not in page_paths:
        reader.add((), f"every result links to the provider checklist, and content/{checklist} does not exist",
                   f"translate content/{quiz.checklist_page} into content/{checklist} first")
    questions = reader.section("questions", [q.id for q in quiz.questions], data)
    outcomes = reader.section("outcomes", [o.id for o in quiz.outcomes], data)
    notes = reader.section("notes", [n.id for n in quiz.notes], data)
    translated = replace(
        quiz,
        questions=tuple(reader.question(q, questions[q.id]) if q.id in questions else q for q in quiz.questions),
        outcomes=tuple(reader.outcome(o, outcomes[o.id]) if o.id in outcomes else o for o in quiz.outcomes),
        notes=tuple(replace(n, text=reader.text(("notes", n.id), notes[n.id], n.text)) if n.id in notes else n for n in quiz.notes),
        checklist_page=checklist,
        path=doc.path,
        source=doc.text,
    )
    return translated if len(errors) == before else None
