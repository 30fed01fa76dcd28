"""Escalator: table updates from records, and timer passes against a fake OpenText."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import faust
import pytest

from connectors.opentext import OpenTextRequestError, OpenTextUnavailableError, Variable
from connectors.opentext.models import ProcessInstance
from schemas.records import CaseState, CaseStatus, CaseType, Priority
from streams.escalation import EscalationRules, EscalationSettings
from streams.escalation.agent import (
    OPEN_CASES_TABLE,
    WATERMARKS_TABLE,
    Escalator,
    escalation_settings,
    register,
)
from streams.policy.model import Policy

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
CASE_ID = "COMPLAINT:s.myshopify.com:c-1"


class FakeOpenText:
    """Instances by business key; records every variable update; can fail on demand."""

    def __init__(self, instances: dict[str, str] | None = None) -> None:
        self.instances = dict(instances or {CASE_ID: "pi-1"})
        self.updates: list[tuple[str, dict[str, Any]]] = []
        self.fail: Exception | None = None

    async def find_process_instances(
        self, business_key: str | None = None, process_definition_key: str | None = None
    ) -> list[ProcessInstance]:
        if self.fail is not None:
            raise self.fail
        found = self.instances.get(business_key or "")
        return [ProcessInstance(id=found, business_key=business_key)] if found else []

    async def set_variables(self, instance_id: str, variables: list[Variable]) -> list[Variable]:
        if self.fail is not None:
            raise self.fail
        self.updates.append((instance_id, {v.name: v.value for v in variables}))
        return variables


class Harness:
    def __init__(self, **settings: Any) -> None:
        self.opentext = FakeOpenText()
        self.published: list[CaseState] = []
        self.cases: dict[str, Any] = {}
        self.watermarks: dict[str, Any] = {}
        self.offset = 0
        self.fed_back: list[CaseState] = []
        self.escalator = Escalator(
            EscalationRules.from_settings(EscalationSettings(**settings), Policy()),
            self.opentext,
            self.publish,
            cases=self.cases,
            watermarks=self.watermarks,
        )

    async def publish(self, state: CaseState) -> None:
        self.published.append(state)

    def feed(self, record: CaseState | None, partition: int = 0) -> None:
        self.escalator.on_record(record, partition, self.offset)
        self.offset += 1

    async def highwaters(self, partitions: set[int]) -> Mapping[int, int | None]:
        # The agent has read everything that was fed, plus anything published but not fed back.
        pending = sum(1 for s in self.published if s not in self.fed_back)
        return {p: self.offset + pending for p in partitions}

    async def tick(self, now: datetime = NOW, partitions: set[int] | None = None) -> int:
        return await self.escalator.run_pass(
            now, {0} if partitions is None else partitions, self.highwaters
        )

    def read_back(self) -> None:
        """The agent reads the published ESCALATED records back from cases.state."""
        for record in self.published:
            if record not in self.fed_back:
                self.fed_back.append(record)
                self.feed(record)


def opened(**fields: Any) -> CaseState:
    base: dict[str, Any] = {
        "case_id": CASE_ID,
        "case_type": CaseType.COMPLAINT,
        "shop": "s.myshopify.com",
        "subject_id": "c-1",
        "status": CaseStatus.OPEN,
        "priority": Priority.NORMAL,
        "sla_due_at": NOW - timedelta(minutes=5),
        "process_instance_id": "pi-1",
        "updated_at": NOW - timedelta(hours=1),
    }
    base.update(fields)
    return CaseState(**base)


@pytest.fixture
def harness() -> Harness:
    return Harness()


async def test_due_case_updates_opentext_then_publishes_one_escalation(harness: Harness) -> None:
    harness.feed(opened())

    assert await harness.tick() == 1

    assert harness.opentext.updates == [
        (
            "pi-1",
            {
                "priority": "HIGH",
                "escalationLevel": 1,
                "escalatedAt": NOW.isoformat(),
                "escalationReason": "SLA_BREACHED",
            },
        )
    ]
    [state] = harness.published
    assert (state.status, state.escalation_level, state.priority) == (
        CaseStatus.ESCALATED,
        1,
        Priority.HIGH,
    )
    assert harness.escalator.stats["escalated"] == 1


async def test_no_second_escalation_before_or_after_read_back(harness: Harness) -> None:
    harness.feed(opened())
    await harness.tick()

    # Not read back yet: pending (and the partition is behind its high water).
    assert await harness.tick(NOW + timedelta(seconds=30)) == 0
    harness.read_back()
    assert harness.cases[CASE_ID]["escalation_level"] == 1
    assert harness.escalator.pending == {}
    # Read back: level 1 recorded, next level only one step (1d at HIGH) later.
    assert await harness.tick(NOW + timedelta(minutes=5)) == 0
    assert len(harness.published) == 1


async def test_restart_before_read_back_waits_for_the_partition_to_catch_up(
    harness: Harness,
) -> None:
    harness.feed(opened())
    await harness.tick()
    # A restarted worker: the pending map is gone, the table and watermarks survive.
    harness.escalator.pending.clear()

    assert await harness.tick(NOW + timedelta(seconds=30)) == 0
    assert harness.escalator.stats["not_caught_up"] == 1
    assert len(harness.published) == 1


async def test_levels_climb_one_at_a_time_up_to_the_maximum(harness: Harness) -> None:
    harness.feed(opened(sla_due_at=NOW - timedelta(days=30)))
    later = NOW
    for _ in range(5):
        await harness.tick(later)
        harness.read_back()
        later += timedelta(days=2)

    assert [s.escalation_level for s in harness.published] == [1, 2]
    assert [s.priority for s in harness.published] == [Priority.HIGH, Priority.URGENT]


async def test_opentext_unavailable_publishes_nothing_and_retries_next_pass(
    harness: Harness,
) -> None:
    harness.feed(opened())
    harness.opentext.fail = OpenTextUnavailableError(
        "503 from OpenText", status=503, attempts=4, endpoint="runtime"
    )

    assert await harness.tick() == 0
    assert harness.published == []
    assert harness.escalator.stats["opentext_waits"] == 1

    harness.opentext.fail = None
    assert await harness.tick(NOW + timedelta(seconds=30)) == 1
    assert len(harness.published) == 1


async def test_opentext_refusal_is_retried_too(harness: Harness) -> None:
    harness.feed(opened())
    harness.opentext.fail = OpenTextRequestError(
        status=400, message="bad variable", body_excerpt="", attempts=1, endpoint="runtime"
    )

    assert await harness.tick() == 0
    assert harness.escalator.stats["opentext_refused"] == 1
    assert harness.published == []


async def test_case_without_running_instance_waits(harness: Harness) -> None:
    harness.opentext.instances.clear()
    harness.feed(opened())

    assert await harness.tick() == 0
    assert harness.escalator.stats["no_instance"] == 1
    assert harness.published == []


async def test_repeated_complaint_escalates_at_once(harness: Harness) -> None:
    harness.feed(
        opened(
            status=CaseStatus.REQUESTED,
            sla_due_at=NOW + timedelta(hours=8),
            detail="ISSUE_SERVICE; REPEATED_COMPLAINT",
        )
    )
    harness.feed(opened(sla_due_at=NOW + timedelta(hours=8)))

    assert await harness.tick() == 1
    harness.read_back()
    assert await harness.tick(NOW + timedelta(hours=1)) == 0

    [state] = harness.published
    assert state.escalation_level == 1
    assert state.detail is not None and "REPEATED_COMPLAINT" in state.detail


async def test_closed_case_is_forgotten_and_never_escalated(harness: Harness) -> None:
    harness.feed(opened())
    harness.feed(opened(status=CaseStatus.CLOSED))

    assert CASE_ID not in harness.cases
    assert await harness.tick() == 0
    assert harness.opentext.updates == []


async def test_non_complaint_is_not_tracked(harness: Harness) -> None:
    harness.feed(opened(case_type=CaseType.ORDER_REVIEW))

    assert harness.cases == {}
    assert await harness.tick() == 0


async def test_only_owned_partitions_are_escalated(harness: Harness) -> None:
    harness.feed(opened(), partition=4)

    assert await harness.tick(partitions={0, 1}) == 0
    assert await harness.tick(partitions={4}) == 1


async def test_undecodable_record_still_moves_the_watermark(harness: Harness) -> None:
    harness.feed(opened())
    harness.feed(None)

    assert harness.watermarks["0"] == 1
    assert await harness.tick() == 1


async def test_publish_failure_retries_next_pass(harness: Harness) -> None:
    harness.feed(opened())
    calls = 0

    async def flaky(state: CaseState) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("broker down")
        harness.published.append(state)

    harness.escalator.publish = flaky

    assert await harness.tick() == 0
    assert await harness.tick(NOW + timedelta(seconds=30)) == 1
    # The OpenText update was simply done again (idempotent), then published once.
    assert len(harness.opentext.updates) == 2
    assert len(harness.published) == 1


def test_caught_up_needs_the_watermark_at_the_high_water(harness: Harness) -> None:
    harness.watermarks["0"] = 9
    assert harness.escalator.caught_up({0: 10, 1: 0, 2: 5, 3: None}) == {0, 1}


def test_register_declares_the_tables_and_the_agent_on_the_app() -> None:
    app = faust.App("test-escalation-register", store="memory://")
    services = SimpleNamespace(
        settings=SimpleNamespace(escalation=EscalationSettings(interval_s=5)),
        policy=Policy(),
        opentext=FakeOpenText(),
    )

    stage = register(app, services)  # type: ignore[arg-type]

    assert {OPEN_CASES_TABLE, WATERMARKS_TABLE} <= set(app.tables.keys())
    assert "casebridge.escalation-cases" in app.agents
    assert stage.settings.interval_s == 5
    assert stage.escalator.rules.case_types == frozenset({CaseType.COMPLAINT})


def test_settings_fall_back_to_defaults_when_absent() -> None:
    class Services:
        settings = object()

    assert escalation_settings(Services()) == EscalationSettings()  # type: ignore[arg-type]
