"""The YAML schema: every kind of field turns each mistake into `path:line: what is wrong — how to fix`,
at the line the editor wrote it, and a document's mistakes all come back together."""
from __future__ import annotations

import datetime as dt

import pytest

from iopguide.errors import ContentError
from iopguide.source.schema import Bool, Date, Int, ListOf, MapOf, Record, Str, Template, Url, check_document
from iopguide.source.yaml_lines import parse_yaml

SCHEMA = Record({
    "title": Str(required=True),
    "summary": Str(max_length=20),
    "template": Str(choices=("page", "home", "help")),
    "call": Str(pattern=r"[0-9-]{3,12}", pattern_hint="write the number with digits and dashes"),
    "greeting": Template(("number", "total")),
    "url": Url(),
    "order": Int(min=0, max=9),
    "draft": Bool(),
    "reviewed": Date(),
    "tags": ListOf(Str(), min_items=1),
    "labels": MapOf(Str()),
    "contact": Record({"name": Str(required=True), "email": Str()}),
})


def check(text: str) -> tuple[object, list[ContentError]]:
    errors: list[ContentError] = []
    return check_document(SCHEMA, parse_yaml(text, "config.yaml"), errors), errors


def test_a_document_without_mistakes_gives_plain_python_values() -> None:
    result, errors = check("title: Home\nreviewed: 2026-01-15\ntags:\n  - a\n  - b\nlabels:\n  one: One\n"
                           "contact:\n  name: Ana\n")
    assert errors == []
    assert result["title"] == "Home"
    assert result["reviewed"] == dt.date(2026, 1, 15)
    assert result["tags"] == ["a", "b"]
    assert result["labels"] == {"one": "One"}
    assert result["contact"] == {"name": "Ana", "email": None}
    assert result["order"] is None


# Each mistake is written on line 3, below a comment and a good line: the line, what the message says, what the hint says.
MISTAKES = {
    "text read as true/false": ("template: yes", "'template' was read as true/false", 'like "yes"'),
    "text that is a list": ("template: [a, b]", "'template' must be text, not list", "template: your text"),
    "empty text": ("template: ' '", "'template' is empty", "write some text after the colon"),
    "text too long": ("summary: " + "x" * 25, "25 characters long; the limit is 20", "shorten it by at least 5"),
    "a word not among the choices": ("template: hme", "'hme', which is not one of: page, home, help",
                                     "did you mean 'home'?"),
    "text of the wrong form": ("call: call me", "'call' has the wrong form: 'call me'", "with digits and dashes"),
    "a placeholder not allowed": ("greeting: 'Hi {name}'", "can use only {number} and {total}",
                                  "write each as its name in braces"),
    "a placeholder with a format": ("greeting: '{number:>99}'", "the placeholder '{number:>99}'", "write {number}"),
    "a brace that closes nothing": ("greeting: 'a } b'", "can use only {number} and {total}", "write it twice"),
    "an address without a scheme": ("url: example.org/page", "is not a full web address", "start it with https://"),
    "an address with an unclosed bracket": ("url: 'https://[example.org'", "is not a valid web address", "%5B"),
    "a number that is text": ("order: three", "'order' must be a whole number, not str 'three'", "order: 3"),
    "a number out of range": ("order: 12", "'order' is 12; it must be between 0 and 9", "from 0 to 9"),
    "true/false that is text": ("draft: maybe", "'draft' must be true or false", "draft: true"),
    "a date in another form": ("reviewed: 15/01/2026", "must be a date written YYYY-MM-DD", "reviewed: 2026-11-22"),
    "a date that does not exist": ("reviewed: '2026-02-30'", "'reviewed' is not a real date", "check the month"),
    "a list that is text": ("tags: a, b", "'tags' must be a list of text", "below 'tags:', starting with '- '"),
    "a list with too few items": ("tags: []", "'tags' needs at least 1 item(s)", "add them as '- ' lines"),
    "a group that is text": ("labels: one", "'labels' must be a group of 'name: value' lines", "indented by two"),
    "an unknown key": ("titel: Home", "unknown key 'titel'", "did you mean 'title'?"),
    "an unknown key in a group": ("contact: {name: Ana, emial: a@b}", "unknown key 'emial' in 'contact'",
                                  "did you mean 'email'?"),
    "a required key left out of a group": ("contact: {email: a@b}", "'contact.name' is missing",
                                           "add a line 'name: your text'"),
}


@pytest.mark.parametrize("mistake", MISTAKES, ids=list(MISTAKES))
def test_each_kind_of_mistake_names_its_line_what_is_wrong_and_how_to_fix_it(mistake: str) -> None:
    line, message, hint = MISTAKES[mistake]
    result, errors = check(f"# The site's settings\ntitle: Home\n{line}\n")
    assert result is None
    [error] = errors
    assert (error.path, error.line) == ("config.yaml", 3), str(error)
    assert message in error.message, str(error)
    assert hint in error.hint, str(error)


@pytest.mark.parametrize("text, name", [
    ("title: Home\ntags:\n  - fine\n  - [not, text]\n", "tags item 2"),
    ("title: Home\nlabels:\n  one: fine\n  two: [not, text]\n", "labels.two"),
], ids=["list item", "group entry"])
def test_a_mistake_inside_a_list_or_group_names_the_entry_at_its_own_line(text: str, name: str) -> None:
    _, errors = check(text)
    [error] = errors
    assert error.line == 4
    assert error.message.startswith(f"'{name}' must be text")


def test_every_mistake_in_a_document_comes_back_not_just_the_first() -> None:
    result, errors = check("order: 12\ndraft: maybe\ntags:\n  - ok\n  - [1]\ntitel: Home\n"
                           "contact:\n  email: a@b\nreviewed: soon\n")
    assert result is None
    assert sorted((error.line, error.message.split("'")[1]) for error in errors) == [
        (1, "order"), (1, "title"), (2, "draft"), (5, "tags item 2"), (6, "titel"), (7, "contact.name"),
        (9, "reviewed")]


def test_a_document_that_is_not_key_value_lines_is_one_mistake_at_its_first_line() -> None:
    errors: list[ContentError] = []
    assert check_document(SCHEMA, parse_yaml("- a\n- b\n", "config.yaml", first_line=5), errors) is None
    [error] = errors
    assert (error.line, error.message) == (5, "expected 'key: value' lines, but this is a list")
