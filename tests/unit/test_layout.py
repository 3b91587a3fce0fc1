"""The package's layout, as a newcomer reads it: stages in the pipeline's order, no import circles,
and module names that cannot be mistaken for each other."""
from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_no_import_circle_and_no_stage_imports_a_later_one() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "import_graph.py")], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    assert "circles, with TYPE_CHECKING imports too: none" in done.stdout
    assert "layers (source → markup → render → build → commands): kept" in done.stdout


def _one_letter_apart(a: str, b: str) -> bool:
    """Whether `b` is `a` with one letter added, removed or changed."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    shorter, longer = sorted((a, b), key=len)
    return any(longer[:i] + longer[i + 1:] == shorter for i in range(len(longer)))


def test_no_two_modules_are_a_letter_apart() -> None:
    names = sorted({path.stem for path in (ROOT / "iopguide").rglob("*.py") if path.stem != "__init__"})
    assert [(a, b) for a in names for b in names if a < b and _one_letter_apart(a, b)] == []


def test_the_architecture_page_names_every_module() -> None:
    """docs/architecture.md lists the layout module by module; one left out is one a newcomer cannot place."""
    layout = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "iopguide").rglob("*.py")
                     if path.name != "__init__.py")
    assert [module for module in modules if f" {module.rpartition('/')[2]} " not in layout] == []
