"""Imports run one way: each row of :data:`RULES` names a package and what it must not import.

Every module of the package is parsed (``ast``, nothing is imported), and every
``import`` and ``from ... import`` in it counts: at the top, inside a function
(a lazy import is still a dependency) or under ``TYPE_CHECKING``. Relative
imports are resolved against the module's package. :data:`ACYCLIC` lists the
packages whose modules must not import each other in a circle.

Add a row to :data:`RULES` for a new rule (e.g. a stage's rules importing no
other stage); the ids of the parametrised tests name the row.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Rule:
    """Modules under ``package`` import nothing under any of ``forbidden``."""

    package: str
    forbidden: tuple[str, ...]
    why: str


RULES: tuple[Rule, ...] = (
    Rule(
        "schemas",
        ("streams", "connectors", "deploy", "emulators", "bench", "tests"),
        "the Avro schemas are data every other package reads: they import nothing of the project",
    ),
    Rule(
        "connectors",
        ("streams", "deploy", "emulators", "bench", "tests"),
        "the clients of the external systems know nothing of the pipeline that uses them",
    ),
    Rule(
        "deploy",
        ("streams", "emulators", "bench", "tests"),
        "deployment and the local stack configure the workers from outside, as processes",
    ),
    Rule(
        "emulators",
        ("streams", "deploy", "bench", "tests"),
        "the emulators imitate the external services; they must not lean on the pipeline",
    ),
    Rule(
        "streams",
        ("emulators", "bench", "tests"),
        "the production wheel has no emulators (pyproject.toml), and no test or bench code",
    ),
)

#: Packages whose modules must not import one another in a circle.
ACYCLIC: tuple[str, ...] = ("schemas", "connectors", "deploy", "emulators")


def modules(package: str) -> Iterator[tuple[str, Path]]:
    """``(dotted name, path)`` of every module of ``package``."""
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def imported(module: str, path: Path) -> Iterator[tuple[int, str]]:
    """``(line, dotted name)`` of everything ``module`` imports, relative imports resolved."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                # A package's own name is its anchor; a module's anchor is its package.
                keep = len(base) - node.level + (1 if is_package else 0)
                anchor = base[:keep]
                target = ".".join([*anchor, node.module] if node.module else anchor)
            else:
                target = node.module or ""
            yield node.lineno, target
            # ``from pkg import module`` imports pkg.module too.
            for alias in node.names:
                yield node.lineno, f"{target}.{alias.name}"


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(f"{prefix}.")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.package)
def test_imports_run_one_way(rule: Rule) -> None:
    violations = [
        f"{path.relative_to(ROOT)}:{line}: {module} imports {name}"
        for module, path in modules(rule.package)
        for line, name in imported(module, path)
        if any(_under(name, prefix) for prefix in rule.forbidden)
    ]

    assert violations == [], f"{rule.package} must not import {rule.forbidden}: {rule.why}"


def _graph(package: str) -> dict[str, set[str]]:
    names = dict(modules(package))
    graph: dict[str, set[str]] = {name: set() for name in names}
    for module, path in names.items():
        for _line, name in imported(module, path):
            # The module itself, or the package it names (``from pkg import x``: pkg.x).
            if name in names and name != module:
                graph[module].add(name)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _package_edges_only(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    # A package's __init__ re-exporting its modules is not a circle with them: drop the
    # edges from a package module into its own __init__ (``from pkg.sub import x`` in
    # pkg/sub/mod.py names pkg.sub).
    return {
        module: {t for t in targets if not _under(module, t)} for module, targets in graph.items()
    }


@pytest.mark.parametrize("package", ACYCLIC)
def test_no_module_imports_itself_in_a_circle(package: str) -> None:
    assert _cycles(_package_edges_only(_graph(package))) == []


def test_the_checker_sees_relative_lazy_and_circular_imports(tmp_path: Path) -> None:
    # The checker itself: a test that cannot fail proves nothing.
    source = "from . import sibling\nfrom ..other import thing\n\ndef f():\n    import streams.x\n"
    path = tmp_path / "mod.py"
    path.write_text(source)

    names = {name for _line, name in imported("pkg.sub.mod", path)}

    assert {"pkg.sub", "pkg.sub.sibling", "pkg.other", "pkg.other.thing", "streams.x"} <= names
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
