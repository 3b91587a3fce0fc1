"""The one error type for editor mistakes, and the exception that carries a build's worth of them."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable


# Not frozen: raising an exception through a `with` block sets its __traceback__, which a frozen
# dataclass refuses. unsafe_hash keeps it hashable, so BuildFailed can drop duplicates.
@dataclass(unsafe_hash=True)
class ContentError(Exception):
    """A mistake an editor can fix: where it is, what is wrong, and how to fix it."""

    path: str
    line: int | None
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return _one_line(f"{where}: {self.message}" + (f" — {self.hint}" if self.hint else ""))

    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.message)


class BuildFailed(Exception):
    """Every editor mistake found in one build, so they can all be fixed in one pass."""

    def __init__(self, errors: Iterable[ContentError]):
        self.errors = sorted(set(errors), key=ContentError.sort_key)
        super().__init__(f"{len(self.errors)} problem(s)")


def stop_if(errors: list[ContentError]) -> None:
    """End the build here, with every mistake found so far, if there are any."""
    if errors:
        raise BuildFailed(errors)


def _one_line(text: str) -> str:
    """Messages quote the editor's text, which may hold line breaks; each problem stays one line of output."""
    return " ".join(text.splitlines())


# C0 controls but the line break, DEL and C1 controls: in a terminal or a CI log, ESC [ … and the C1
# CSI (\x9b) move the cursor, clear the screen, set the window title or forge colours and links, and a
# carriage return overwrites the line. Editors' file names, links and YAML quoted "\e" can hold them.
_CONTROL_ESCAPES = {code: f"\\x{code:02x}" for code in [*range(0x20), *range(0x7f, 0xa0)] if code != 0x0a}


def terminal_safe(text: str) -> str:
    """`text` with every control character but the line break written out, like \\x1b, so it shows as itself."""
    return text.translate(_CONTROL_ESCAPES)


def display_path(path: Path | str) -> str:
    """A path as the editor knows it: relative to where they ran the command, when it is below it."""
    path = Path(path)
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def did_you_mean(word: str, choices: Iterable[str], fallback: str = "") -> str:
    """A hint naming the closest allowed word, or the fallback when nothing is close."""
    import difflib  # here, not at the top: only a build with a mistake to point out needs it

    match = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else fallback
