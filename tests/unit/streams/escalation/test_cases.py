"""track: how each CaseState updates the escalation table's view of an open case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schemas.records import CaseState, CaseStatus, CaseType, Priority
from streams.escalation import REPEATED_COMPLAINT, OpenCase, is_repeated, track

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
SLA = NOW + timedelta(hours=4)
TYPES = frozenset({CaseType.COMPLAINT})


def state(**fields: Any) -> CaseState:
    base: dict[str, Any] = {
        "case_id": "COMPLAINT:s.myshopify.com:c-1",
        "case_type": CaseType.COMPLAINT,
        "shop": "s.myshopify.com",
        "subject_id": "c-1",
        "status": CaseStatus.OPEN,
        "priority": Priority.NORMAL,
        "sla_due_at": SLA,
        "updated_at": NOW,
    }
    base.update(fields)
    return CaseState(**base)


def apply(existing: OpenCase | None, record: CaseState, offset: int = 7) -> OpenCase | None:
    return track(
        existing,
        record,
        partition=2,
        offset=offset,
        case_types=TYPES,
        repeated_reason=REPEATED_COMPLAINT,
    )


def test_open_complaint_is_tracked() -> None:
    tracked = apply(None, state(process_instance_id="pi-1"))

    assert tracked is not None
    assert (tracked.status, tracked.priority, tracked.sla_due_at) == (
        CaseStatus.OPEN,
        Priority.NORMAL,
        SLA,
    )
    assert (tracked.partition, tracked.offset, tracked.process_instance_id) == (2, 7, "pi-1")
    assert tracked.escalation_level == 0 and tracked.escalated_at is None
    assert not tracked.repeated


@pytest.mark.parametrize(
    "status",
    [
        CaseStatus.DECIDED,
        CaseStatus.APPLYING,
        CaseStatus.APPLIED,
        CaseStatus.CLOSED,
        CaseStatus.FAILED,
    ],
)
def test_closed_cases_are_forgotten(status: CaseStatus) -> None:
    tracked = apply(None, state())

    assert apply(tracked, state(status=status)) is None
    assert apply(None, state(status=status)) is None


def test_non_complaints_are_not_tracked() -> None:
    assert apply(None, state(case_type=CaseType.ORDER_REVIEW)) is None


def test_unknown_status_keeps_what_was_known() -> None:
    tracked = apply(None, state())

    assert apply(tracked, state(status=CaseStatus.UNKNOWN)) == tracked
    assert apply(None, state(status=CaseStatus.UNKNOWN)) is None


def test_repeated_reason_is_read_from_the_detail_and_sticks() -> None:
    requested = state(
        status=CaseStatus.REQUESTED,
        priority=Priority.HIGH,
        detail="ISSUE_DAMAGED_GOODS; ESCALATED_ISSUE_TYPE; REPEATED_COMPLAINT",
    )
    tracked = apply(None, requested)
    assert tracked is not None and tracked.repeated

    # The sink's OPEN record carries no reason codes; the fact must survive it.
    opened = apply(tracked, state(detail=None, process_instance_id="pi-1"))
    assert opened is not None and opened.repeated
    assert opened.process_instance_id == "pi-1"


def test_is_repeated_matches_whole_codes_only() -> None:
    assert is_repeated(state(detail="REPEATED_COMPLAINT"), REPEATED_COMPLAINT)
    assert not is_repeated(state(detail="NOT_REPEATED_COMPLAINT"), REPEATED_COMPLAINT)
    assert not is_repeated(state(detail=None), REPEATED_COMPLAINT)


def test_escalated_record_sets_level_and_escalated_at() -> None:
    tracked = apply(None, state())
    later = NOW + timedelta(hours=5)

    escalated = apply(
        tracked,
        state(
            status=CaseStatus.ESCALATED,
            escalation_level=1,
            priority=Priority.HIGH,
            updated_at=later,
        ),
        offset=9,
    )

    assert escalated is not None
    assert (escalated.escalation_level, escalated.escalated_at, escalated.priority) == (
        1,
        later,
        Priority.HIGH,
    )
    assert escalated.offset == 9


def test_a_later_open_update_does_not_undo_the_escalation() -> None:
    # The sink re-publishes OPEN (level 0, the request's priority and a new SLA)
    # when it attaches an update to an open case.
    escalated = OpenCase(
        case_id="COMPLAINT:s.myshopify.com:c-1",
        case_type=CaseType.COMPLAINT,
        shop="s.myshopify.com",
        subject_id="c-1",
        status=CaseStatus.ESCALATED,
        priority=Priority.HIGH,
        sla_due_at=SLA,
        escalation_level=1,
        escalated_at=NOW,
    )

    after = apply(escalated, state(priority=Priority.NORMAL, sla_due_at=SLA + timedelta(days=1)))

    assert after is not None
    assert (after.escalation_level, after.escalated_at) == (1, NOW)
    assert after.priority is Priority.HIGH
    assert after.sla_due_at == SLA


def test_a_case_reopened_after_closing_starts_fresh() -> None:
    assert apply(None, state(status=CaseStatus.REQUESTED)) is not None


def test_table_round_trip() -> None:
    tracked = apply(None, state(detail="REPEATED_COMPLAINT"))
    assert tracked is not None

    assert OpenCase.from_table(tracked.to_table()) == tracked
    assert OpenCase.from_table(None) is None
    assert OpenCase.from_table({"case_id": 1}) is None
