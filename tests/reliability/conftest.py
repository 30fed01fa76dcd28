"""Reliability scenarios: a private broker + registry, and one result row per scenario.

Each scenario fills a :class:`Row` (what was injected, how many records, how
many lost and duplicated); the fixture appends it, with pass/fail from the
test's outcome, to ``<basetemp>/reliability-results.json``. At the end of a
session that ran every scenario, ``docs/reliability.md`` is rendered from
those rows (:mod:`tests.reliability.report`); ``python -m
tests.reliability.report <results.json>`` renders it by hand.
"""

from __future__ import annotations

import json
import time
from collections.abc import Generator, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from deploy.local.stack import LocalStack
from tests.reliability.harness import Tally, private_stack
from tests.reliability.report import RESULTS_NAME, SCENARIOS, render_file


def pytest_configure(config: pytest.Config) -> None:
    # Also declared in pyproject's markers; here so the suite runs with --strict-markers alone.
    config.addinivalue_line(
        "markers", "reliability: fault-injection scenarios against real processes and a broker"
    )
    config.addinivalue_line("markers", "scenario(n): the reliability scenario a test implements")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, Any]:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    """The suite's own Kafka + registry (free ports, own data dir), stopped at the end."""
    with private_stack() as local:
        yield local


@dataclass
class Row:
    """One scenario's line of the results table."""

    scenario: int
    name: str
    injected: str = ""
    records: int = 0
    lost: int = 0
    duplicated: int = 0
    result: str = "fail"
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def take(self, tally: Tally) -> None:
        """Copy an audit's counts."""
        self.records = tally.records
        self.lost = tally.lost
        self.duplicated = tally.duplicated
        self.notes += tally.problems[:20]


def _results_path(factory: pytest.TempPathFactory) -> Path:
    return factory.getbasetemp() / RESULTS_NAME


@pytest.fixture
def row(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Row]:
    """The result row of the running scenario; written out whatever the outcome."""
    marker = request.node.get_closest_marker("scenario")
    assert marker is not None, "a reliability test needs @pytest.mark.scenario(n)"
    number = int(marker.args[0])
    current = Row(scenario=number, name=SCENARIOS[number])
    began = time.monotonic()
    yield current
    current.seconds = round(time.monotonic() - began, 1)
    call = getattr(request.node, "rep_call", None)
    passed = call is not None and call.passed
    current.result = "pass" if passed else "fail"
    if call is not None and call.failed and not current.notes:
        current.notes.append(str(call.longrepr).splitlines()[-1][:300])
    path = _results_path(tmp_path_factory)
    rows = json.loads(path.read_text()) if path.exists() else []
    rows = [r for r in rows if r["scenario"] != number] + [asdict(current)]
    path.write_text(json.dumps(sorted(rows, key=lambda r: r["scenario"]), indent=2))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Render docs/reliability.md when this session ran every scenario."""
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return
    try:
        path = _results_path(factory)
    except Exception:
        return
    if not path.exists():
        return
    rows = json.loads(path.read_text())
    if {r["scenario"] for r in rows} >= set(SCENARIOS):
        render_file(path)
