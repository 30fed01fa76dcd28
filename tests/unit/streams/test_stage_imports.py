"""The stages' rules import no I/O, and stages do not import each other sideways.

(a) Each stage's pure rules are imported in a fresh interpreter, which must
not have loaded Faust, an HTTP library or a Kafka client: rules that drag
those in cannot be reused or tested alone, and a change to the wiring ripples
into them. (b) A module of ``streams/<stage>/`` imports its own stage, the
shared infrastructure and ``schemas``/``connectors`` only; what one stage
needs of another is handed over by :mod:`streams.pipeline`, the composition.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
STREAMS = ROOT / "streams"

#: Libraries that do I/O: the event loop framework, HTTP clients and servers, Kafka clients.
IO_LIBRARIES = ("faust", "aiohttp", "httpx", "aiokafka", "confluent_kafka")

#: Each stage's logic that decides without talking to anything (the enrichment's and
#: the writer's handlers talk to Shopify only through the ``GraphQLExecutor`` protocol).
PURE_MODULES = (
    "streams.classify.rules",
    "streams.classify.rules.subjects",
    "streams.classify.enrich",
    "streams.policy",
    "streams.decisions",
    "streams.decisions.mapping",
    "streams.decisions.build",
    "streams.decisions.effects",
    "streams.decisions.failures",
    "streams.decisions.replay",
    "streams.escalation.rules",
    "streams.escalation.cases",
    "streams.escalation.settings",
    "streams.sink.variables",
    "streams.sink.ledger",
    "streams.writer",
    "streams.writer.results",
    "streams.ingress.resource",
    "streams.runtime.keys",
    "streams.runtime.replays",
    "streams.settings",
)

#: Packages every stage may use; they import no stage themselves.
SHARED = frozenset({"runtime", "kafka", "shops", "policy", "ops", "settings", "services", "topics"})

#: The stage packages, in data-flow order, and the operations stage (web).
STAGES = (
    "ingress",
    "reconcile",
    "classify",
    "sink",
    "decisions",
    "writer",
    "escalation",
    "web",
)


@pytest.mark.parametrize("module", PURE_MODULES)
def test_the_rules_load_no_io_library(module: str) -> None:
    probe = (
        f"import sys, {module}; print(','.join(m for m in {IO_LIBRARIES!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"importing {module} loads {done.stdout.strip()}"


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, module)`` of every absolute import in ``path``, lazy and TYPE_CHECKING ones too."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def _package_of(module: str) -> str | None:
    """The ``streams`` package (or top module) ``module`` belongs to, None outside streams."""
    parts = module.split(".")
    if parts[0] != "streams":
        return None
    return parts[1] if len(parts) > 1 else ""


def _violations(package: str, allowed: frozenset[str]) -> list[str]:
    found = []
    for path in sorted((STREAMS / package).rglob("*.py")):
        for line, module in _imports(path):
            imported = _package_of(module)
            if imported is not None and imported not in allowed:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return found


@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_imports_only_itself_and_the_shared_packages(stage: str) -> None:
    assert _violations(stage, SHARED | {stage}) == []


@pytest.mark.parametrize("package", sorted(SHARED - {"settings", "services", "topics"}))
def test_the_shared_packages_import_no_stage(package: str) -> None:
    assert _violations(package, SHARED) == []


@pytest.mark.parametrize("module", ["settings", "services", "topics"])
def test_the_shared_modules_import_no_stage(module: str) -> None:
    path = STREAMS / f"{module}.py"
    stages = [f"{line}: {name}" for line, name in _imports(path) if _package_of(name) in STAGES]
    assert stages == []


def test_every_stage_package_is_listed() -> None:
    packages = {p.name for p in STREAMS.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(STAGES) | SHARED - {"settings", "services", "topics"}
