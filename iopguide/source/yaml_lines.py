"""Safe YAML loading that remembers the line of every key, so mistakes point at the right line."""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iopguide.errors import ContentError, display_path
from iopguide.files import read_text
from iopguide.model import nearest_line

if TYPE_CHECKING:
    import yaml

# PyYAML is imported by the functions that parse, not here: most builds parse no YAML at all (the
# config and the front matter of unchanged pages come from the cache), and loading it takes a while.

MAX_YAML_BYTES = 512 * 1024
MAX_NODES = 20_000  # stops "billion laughs" alias bombs before they are walked
# Real files nest four levels at most. The limit also stops an alias that contains itself
# (`&a [*a]`), and keeps PyYAML's recursive composer far from Python's recursion limit.
MAX_DEPTH = 40
# Python's int() refuses more than 4300 digits; no number in the site's files needs more than a few.
MAX_NUMBER_DIGITS = 100


def load_parser() -> None:
    """Load PyYAML now: before forking workers that parse YAML, so that each of them need not."""
    _loaders()


@functools.cache
def _loaders() -> tuple[type, type]:
    """(loader, fast loader): SafeLoader that leaves dates as text, so the schema parses them and can
    say which line is wrong; and the same parsed by libyaml, many times faster, which matters
    with thousands of pages. libyaml's error messages differ from PyYAML's, so a file it refuses is
    parsed again by the first, whose messages the hints are written for."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    class FastLoader(getattr(yaml, "CSafeLoader", Loader)):
        pass

    Loader.yaml_implicit_resolvers = FastLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader, FastLoader


@dataclass
class YamlDoc:
    """Parsed YAML plus the 1-based line of every mapping key and list item, by key path."""

    data: Any
    path: str
    first_line: int = 1
    lines: dict[tuple, int] = field(default_factory=dict)
    text: str = field(default="", repr=False)  # the file's text, when read_yaml_file read it

    def line(self, keypath: tuple = ()) -> int:
        """The line of keypath, or of its nearest parent that has one."""
        return nearest_line(self.lines, keypath, self.first_line)


def read_yaml_file(path: Path, errors: list[ContentError]) -> YamlDoc | None:
    """A YAML file of the editors', read and parsed (its text is `doc.text`); None, with the mistake in
    `errors`, when it cannot be read or is not YAML."""
    shown = display_path(path)
    try:
        text = read_text(path, shown)
        doc = parse_yaml(text, shown)
    except ContentError as error:
        errors.append(error)
        return None
    doc.text = text
    return doc


def parse_yaml(text: str, path: str, first_line: int = 1) -> YamlDoc:
    """Parse one YAML document; `first_line` is the file line the text starts on."""
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise ContentError(path, first_line, f"this YAML is larger than {MAX_YAML_BYTES // 1024} KB",
                           "split it up or shorten it")
    import yaml

    loader, fast_loader = _loaders()
    if not yaml.reader.Reader.NON_PRINTABLE.search(text):
        try:
            return _parse(fast_loader, text, path, first_line)
        except ContentError:
            pass  # parsed again below, for PyYAML's wording of the mistake
    return _parse(loader, text, path, first_line)


def _parse(loader_class: type, text: str, path: str, first_line: int) -> YamlDoc:
    import yaml

    try:
        loader = loader_class(text)  # the reader refuses control characters here, before any parsing
    except yaml.reader.ReaderError as exc:
        raise _unreadable(exc, text, path, first_line) from None
    walk = _Walk(text, first_line)
    try:
        node = loader.get_single_node()
        doc = YamlDoc(None, path, first_line)
        if node is not None:
            _record_lines(node, (), doc, walk)
            doc.data = loader.construct_document(node)
        return doc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = walk.line(mark) if mark else first_line
        problem = (exc.problem or exc.context or "not valid YAML").strip()
        raise ContentError(path, line, f"YAML syntax error: {problem}", _yaml_hint(problem)) from None
    except yaml.YAMLError as exc:
        raise ContentError(path, first_line, f"YAML error: {exc}", "check the indentation and quotes") from None
    except RecursionError:
        raise _too_deep(path, first_line) from None
    finally:
        loader.dispose()


def _unreadable(exc: yaml.reader.ReaderError, text: str, path: str, first_line: int) -> ContentError:
    """Control characters (NUL, escape codes) usually come from pasting out of another program."""
    line = first_line + text[: exc.position].count("\n")
    return ContentError(path, line, f"this line holds a control character YAML does not allow (U+{exc.character:04X})",
                        "retype the line by hand; pasted text can carry invisible control characters")


def _too_deep(path: str, line: int) -> ContentError:
    return ContentError(path, line, f"this YAML is nested more than {MAX_DEPTH} levels deep",
                        "indent less, or remove a '*' alias that refers to the block it sits in")


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "put text that contains ': ' in quotes, like title: \"Cost: what to expect\""
    if "found character '\\t'" in problem:
        return "indent with spaces, not tabs"
    if "could not find expected ':'" in problem:
        return "each line needs the form 'key: value'"
    return "check the indentation, colons and quotes on this line and the one above"


_LINE_BREAK = re.compile("\n")


class _Walk:
    """State of one walk over a document's nodes: how many were visited, and where each one is."""

    def __init__(self, text: str, first_line: int):
        # PyYAML also counts U+0085, U+2028 and U+2029 as line breaks; editors and the rest of
        # the build count only '\n', so lines are worked out from character offsets instead.
        self.breaks = [found.start() for found in _LINE_BREAK.finditer(text)]
        self.first_line, self.visited = first_line, 0

    def line(self, mark: yaml.Mark) -> int:
        return self.first_line + bisect.bisect_left(self.breaks, mark.index)


def _record_lines(node: yaml.Node, keypath: tuple, doc: YamlDoc, walk: _Walk) -> None:
    import yaml

    walk.visited += 1
    if len(keypath) > MAX_DEPTH:
        raise _too_deep(doc.path, walk.line(node.start_mark))
    if walk.visited > MAX_NODES:
        # the line of the top-level key being expanded: the anchored node may sit far above it
        raise ContentError(doc.path, doc.line(keypath[:1]),
                           f"this YAML has more than {MAX_NODES} values (are aliases repeating it?)",
                           "remove the '*' aliases or split the file")
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            _check_number(key_node, doc, walk)
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
            line = walk.line(key_node.start_mark)
            if key in seen:
                raise ContentError(doc.path, line, f"'{key}' appears twice (first on line {seen[key]})",
                                   "keep one of them")
            seen[key] = line
            doc.lines[keypath + (key,)] = line
            _record_lines(value_node, keypath + (key,), doc, walk)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            doc.lines[keypath + (index,)] = walk.line(item.start_mark)
            _record_lines(item, keypath + (index,), doc, walk)
    else:
        _check_number(node, doc, walk)


def _check_number(node: yaml.Node, doc: YamlDoc, walk: _Walk) -> None:
    if node.tag == "tag:yaml.org,2002:int" and sum(char.isdigit() for char in node.value) > MAX_NUMBER_DIGITS:
        raise ContentError(doc.path, walk.line(node.start_mark), f"this number is {len(node.value)} characters long",
                           "a number here needs only a few digits; if it is text, put it in quotes")
