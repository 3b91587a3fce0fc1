"""Declarative validation of YAML data: typed fields that collect every mistake with its line.

A schema is a `Record` of named fields. `Record.check` converts a mapping into plain
Python values and adds a ContentError for each problem instead of stopping at the first.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable
from urllib.parse import urlsplit

from iopguide.errors import ContentError, did_you_mean
from iopguide.source.yaml_lines import YamlDoc


class Invalid(Exception):
    """A value has the wrong form; the enclosing record reports it at the value's line."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


class Report:
    """Where a record's problems go: the document (for lines) and the shared error list."""

    def __init__(self, doc: YamlDoc, errors: list[ContentError]):
        self.doc, self.errors = doc, errors

    def add(self, keypath: tuple, message: str, hint: str = "") -> None:
        self.errors.append(ContentError(self.doc.path, self.doc.line(keypath), message, hint))


_MISSING = object()


class Field:
    """One typed value. Subclasses implement `convert`."""

    kind = "a value"
    example = ""
    # the hint when one example line cannot show it: the editors' guides are in docs/
    layout = "check how '{key}' is written in docs/ (editing.md: pages, configuration.md: site_config.yaml, quiz.md: the quiz)"

    def __init__(self, *, required: bool = False, default: Any = None):
        self.required, self.default = required, default

    def check(self, value: Any, keypath: tuple, report: Report) -> Any:
        return self.convert(value)

    def convert(self, value: Any) -> Any:
        return value

    def wrong_type(self, value: Any) -> Invalid:
        got = "nothing" if value is None else f"{type(value).__name__} {value!r}"[:80]
        one_line = self.example and "\n" not in self.example
        return Invalid(f"'{{key}}' must be {self.kind}, not {got}",
                       f"write it like {{key}}: {self.example}" if one_line else self.layout)


class Str(Field):
    kind, example = "text", "your text"

    def __init__(self, *, max_length: int | None = None, choices: tuple[str, ...] = (),
                 pattern: str | None = None, pattern_hint: str = "", **kwargs):
        super().__init__(**kwargs)
        self.max_length, self.choices = max_length, choices
        self.pattern, self.pattern_hint = (re.compile(pattern) if pattern else None), pattern_hint

    def convert(self, value: Any) -> str:
        if isinstance(value, bool):
            raise Invalid("'{key}' was read as true/false, not as text",
                          'YAML reads yes, no, on, off, true and false that way: put the word in quotes, like "yes"')
        if not isinstance(value, (str, int, float)):
            raise self.wrong_type(value)
        text = str(value).strip()
        if not text:
            raise Invalid("'{key}' is empty", "write some text after the colon, or remove the line")
        if self.max_length and len(text) > self.max_length:
            raise Invalid(f"'{{key}}' is {len(text)} characters long; the limit is {self.max_length}",
                          f"shorten it by at least {len(text) - self.max_length} characters")
        if self.choices and text not in self.choices:
            raise Invalid(f"'{{key}}' is '{text}', which is not one of: {', '.join(self.choices)}",
                          did_you_mean(text, self.choices, "use one of these words exactly"))
        if self.pattern and not self.pattern.fullmatch(text):
            raise Invalid(f"'{{key}}' has the wrong form: '{text}'", self.pattern_hint)
        return text


class Template(Str):
    """Text the build fills in with str.format, like "Question {number} of {total}".

    Each placeholder must be one of `names`, written as just the name in braces: a format spec such
    as {day:>5000000} would let one line of the config make every page megabytes long.
    """

    def __init__(self, names: tuple[str, ...], **kwargs):
        super().__init__(**kwargs)
        self.names = names
        self.example = '"' + " ".join(f"{{{name}}}" for name in names) + '"'

    def convert(self, value: Any) -> str:
        import string  # here, not at the top: only a config with placeholders needs it

        text = super().convert(value)
        allowed = f"'{{key}}' can use only {_and_list([f'{{{name}}}' for name in self.names])}"
        braces = "write each as its name in braces, like {" + self.names[0] + "}; to show a brace, write it twice"
        try:
            fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text)
                      if name is not None]
        except ValueError:  # a brace that opens or closes nothing
            raise Invalid(allowed, braces) from None
        for name, spec, conversion in fields:
            if name not in self.names:
                raise Invalid(allowed, braces)
            if spec or conversion:
                written = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
                raise Invalid(f"'{{key}}' has the placeholder '{written[:40]}'; a placeholder is only a name in braces",
                              f"write {{{name}}}")
        return text


def _and_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


class Url(Str):
    kind, example = "a web address", "https://example.org/page"

    def __init__(self, *, schemes: tuple[str, ...] = ("https", "http"), **kwargs):
        super().__init__(**kwargs)
        self.schemes = schemes

    def convert(self, value: Any) -> str:
        text = super().convert(value)
        try:
            parts = urlsplit(text)
        except ValueError:  # an unclosed '[' reads as the start of an IPv6 address
            raise Invalid(f"'{{key}}' is not a valid web address: '{text}'",
                          "a [ or ] in an address must be written %5B or %5D") from None
        if parts.scheme not in self.schemes or not parts.netloc:
            raise Invalid(f"'{{key}}' is not a full web address: '{text}'",
                          f"start it with {self.schemes[0]}://, like {self.example}")
        return text


class Int(Field):
    kind, example = "a whole number", "3"

    def __init__(self, *, min: int | None = None, max: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.min, self.max = min, max

    def convert(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.wrong_type(value)
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            raise Invalid(f"'{{key}}' is {value}; it must be between {self.min} and {self.max}",
                          f"use a whole number from {self.min} to {self.max}")
        return value


class Bool(Field):
    kind, example = "true or false", "true"

    def convert(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.wrong_type(value)
        return value


class Date(Field):
    kind, example = "a date written YYYY-MM-DD", "2026-11-22"

    def convert(self, value: Any) -> dt.date:
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise self.wrong_type(value)
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise Invalid(f"'{{key}}' is not a real date: {value} ({exc})",
                          "check the month (01-12) and the day") from None


class ListOf(Field):
    layout = "put each item on its own line below '{key}:', starting with '- '"

    def __init__(self, item: Field, *, min_items: int = 0, one_ok: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.item, self.min_items, self.one_ok = item, min_items, one_ok
        self.kind = f"a list of {item.kind}"
        self.example = f"\n  - {item.example}"

    def check(self, value: Any, keypath: tuple, report: Report) -> list:
        if self.one_ok and not isinstance(value, (list, dict)):
            value = [value]
        if not isinstance(value, list):
            raise self.wrong_type(value)
        if len(value) < self.min_items:
            raise Invalid(f"'{{key}}' needs at least {self.min_items} item(s)", "add them as '- ' lines")
        result = []
        for index, item in enumerate(value):
            try:
                result.append(self.item.check(item, keypath + (index,), report))
            except Invalid as exc:
                key = f"{_dotted(keypath)} item {index + 1}"
                report.add(keypath + (index,), _fill(exc.message, key), _fill(exc.hint, key))
        return result


class MapOf(Field):
    """A mapping whose keys are the editor's own names (checked elsewhere) and whose values share a type."""

    kind = "a group of 'name: value' lines"
    layout = "put its 'name: value' lines below '{key}:', indented by two spaces"

    def __init__(self, value: Field, **kwargs):
        super().__init__(**kwargs)
        self.value = value
        self.example = f"\n    name: {value.example.strip()}"

    def check(self, value: Any, keypath: tuple, report: Report) -> dict | None:
        if not isinstance(value, dict) or not value:
            raise self.wrong_type(value)
        result, before = {}, len(report.errors)
        for key, item in value.items():
            try:
                result[str(key)] = self.value.check(item, keypath + (key,), report)
            except Invalid as exc:
                name = _dotted(keypath + (key,))
                report.add(keypath + (key,), _fill(exc.message, name), _fill(exc.hint, str(key)))
        return result if len(report.errors) == before else None


class Record(Field):
    """A mapping with known keys. Unknown keys are errors with a 'did you mean' hint."""

    kind = "a group of 'key: value' lines"
    layout = "put its 'key: value' lines below '{key}:', indented by two spaces"

    def __init__(self, fields: dict[str, Field], *, build: Callable[..., Any] | None = None,
                 shorthand: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.fields, self.build, self.shorthand = fields, build, shorthand
        self.example = "\n    " + "\n    ".join(f"{k}: {f.example}" for k, f in fields.items() if f.required)

    def check(self, value: Any, keypath: tuple, report: Report) -> Any:
        if self.shorthand and isinstance(value, str):
            value = {self.shorthand: value}
        if not isinstance(value, dict):
            raise self.wrong_type(value)
        before = len(report.errors)
        for key in value:
            if key not in self.fields:
                report.add(keypath + (key,), f"unknown key '{key}'" + (f" in '{_dotted(keypath)}'" if keypath else ""),
                           did_you_mean(key, self.fields, "allowed keys: " + ", ".join(self.fields)))
        result: dict[str, Any] = {}
        for key, field in self.fields.items():
            raw = value.get(key, _MISSING)
            if raw is _MISSING or raw is None:
                if field.required:
                    report.add(keypath, f"'{_dotted(keypath + (key,))}' is missing",
                               f"add a line '{key}: {field.example.strip()}'" if "\n" not in field.example
                               else f"add '{key}:' with {field.kind}")
                result[key] = field.default
                continue
            try:
                result[key] = field.check(raw, keypath + (key,), report)
            except Invalid as exc:
                name = _dotted(keypath + (key,))
                report.add(keypath + (key,), _fill(exc.message, name), _fill(exc.hint, key))
                result[key] = field.default
        if len(report.errors) > before:
            return None
        return self.build(**result) if self.build else result


def _fill(template: str, key: str) -> str:
    # replace, not str.format: messages quote the editor's own text, which may hold braces
    return template.replace("{key}", key)


def _dotted(keypath: tuple) -> str:
    return ".".join(str(part) for part in keypath if not isinstance(part, int))


def check_document(schema: Record, doc: YamlDoc, errors: list[ContentError]) -> Any:
    """Validate a whole YAML document against a record schema; None when it had mistakes."""
    report = Report(doc, errors)
    if not isinstance(doc.data, dict):
        what = "empty" if doc.data is None else f"a {type(doc.data).__name__}"
        report.add((), f"expected 'key: value' lines, but this is {what}",
                   "start each line with a name, a colon and a value, like title: My page")
        return None
    return schema.check(doc.data, (), report)
