#!/usr/bin/env python3
"""Print which iopguide modules import which, and any import circle, for docs/architecture.md.

    python scripts/import_graph.py

Each module is listed with the modules it imports, by kind: at the top of the file (`imports`),
inside a function, where it loads only when called (`lazy`), and under `if TYPE_CHECKING:`, for type
hints alone (`typing`). Its floor is the longest chain of top-of-file imports below it. Then the
circles: the script fails if any import that runs closes one; one closed by type hints alone is shown.
Last the layers: a stage's module imports only the shared modules (iopguide/*.py) and modules of its
own or an earlier stage, in the pipeline's order; the script fails on any import that does not.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "iopguide"
KINDS = ("imports", "lazy", "typing")
STAGES = ("source", "markup", "render", "build", "commands")  # the pipeline's order, then the commands on top


def module_names() -> dict[str, Path]:
    """Every module of the package by dotted name, packages by their __init__."""
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def edges_of(path: Path, known: dict[str, Path]) -> dict[str, set[str]]:
    """The package's modules that `path` imports, by kind."""
    found: dict[str, set[str]] = {kind: set() for kind in KINDS}

    def visit(node: ast.AST, kind: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for part in child.body:
                    visit_one(part, "typing")
                for part in child.orelse:
                    visit_one(part, kind)
            else:
                visit_one(child, kind)

    def visit_one(node: ast.AST, kind: str) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            kind = "lazy" if kind == "imports" else kind
        if isinstance(node, ast.Import):
            found[kind].update(_known(alias.name, known) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            # the package imports absolutely; a relative import would slip past the checks below
            raise SystemExit(f"{path}:{node.lineno}: a relative import — write it as `from iopguide.… import …`")
        elif isinstance(node, ast.ImportFrom) and node.module:
            found[kind].update(_known(f"{node.module}.{alias.name}", known) for alias in node.names)
        visit(node, kind)

    visit(ast.parse(path.read_text(encoding="utf-8")), "imports")
    return {kind: {name for name in names if name} for kind, names in found.items()}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _known(name: str, known: dict[str, Path]) -> str | None:
    """The package's module `name` names: itself, or the module holding the name it imports from."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name if name and name != "iopguide" else None


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, round and round (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return groups


def floors(graph: dict[str, set[str]]) -> dict[str, int]:
    """Each module's floor: 0 if it imports no module of the package, else one above its highest import."""
    found: dict[str, int] = {}

    def floor(node: str, seen: frozenset[str]) -> int:
        if node not in found:
            below = [floor(target, seen | {node}) for target in graph[node] if target not in seen]
            found[node] = 1 + max(below) if below else 0
        return found[node]

    for node in graph:
        floor(node, frozenset())
    return found


def layer(name: str) -> int:
    """0 for a shared module, else 1 + the place of its stage in the pipeline."""
    parts = short(name).split(".")
    return STAGES.index(parts[0]) + 1 if len(parts) > 1 else 0


def against_the_layers(edges: dict[str, dict[str, set[str]]]) -> list[str]:
    """Every import, of any kind, from a module to one of a later stage (or from a shared module to a stage's)."""
    return [f"{short(name)} → {short(target)}" for name in sorted(edges) for kind in KINDS
            for target in sorted(edges[name][kind]) if layer(target) > layer(name)]


def short(name: str) -> str:
    return name.removeprefix("iopguide.")


def main() -> int:
    known = module_names()
    edges = {name: edges_of(path, known) for name, path in known.items()}
    top = {name: found["imports"] - {name} for name, found in edges.items()}
    level = floors(top)
    for name in sorted(known, key=lambda name: (level[name], name)):
        if known[name].name == "__init__.py" and not any(edges[name].values()):
            continue  # a folder of modules, importing nothing itself
        print(f"{short(name):<28} floor {level[name]}")
        for kind in KINDS:
            if edges[name][kind]:
                print(f"    {kind:<8} {', '.join(sorted(short(target) for target in edges[name][kind]))}")
    runtime_circles = False
    for title, kinds in (("top-of-file imports", KINDS[:1]), ("with lazy imports", KINDS[:2]),
                         ("with TYPE_CHECKING imports too", KINDS)):
        graph = {name: set().union(*(edges[name][kind] for kind in kinds)) for name in known}
        groups = circles(graph)
        runtime_circles = runtime_circles or (bool(groups) and "typing" not in kinds)
        print(f"circles, {title}: " + ("; ".join(" ↔ ".join(map(short, group)) for group in groups) or "none"))
    print(f"deepest floor: {max(level.values())}")
    wrong = against_the_layers(edges)
    print("layers (" + " → ".join(STAGES) + "): " + ("; ".join(wrong) if wrong else "kept"))
    return 1 if runtime_circles or wrong else 0


if __name__ == "__main__":
    sys.exit(main())
