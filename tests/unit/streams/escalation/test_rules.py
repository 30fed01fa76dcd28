"""next_escalation and friends: which open cases are due at a fixed ``now``, and how."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schemas.records import CaseStatus, CaseType, Priority
from streams.escalation import (
    REPEATED_COMPLAINT,
    SLA_BREACHED,
    EscalationRules,
    EscalationSettings,
    OpenCase,
    escalated_state,
    is_due,
    next_due_at,
    next_escalation,
    opentext_variables,
)
from streams.policy.model import Policy

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
RULES = EscalationRules.from_settings(EscalationSettings(), Policy())


def case(**fields: Any) -> OpenCase:
    base: dict[str, Any] = {
        "case_id": "COMPLAINT:s.myshopify.com:c-1",
        "case_type": CaseType.COMPLAINT,
        "shop": "s.myshopify.com",
        "subject_id": "c-1",
        "status": CaseStatus.OPEN,
        "priority": Priority.NORMAL,
        "sla_due_at": NOW - timedelta(minutes=1),
        "process_instance_id": "pi-1",
        "partition": 3,
    }
    base.update(fields)
    return OpenCase(**base)


def test_complaint_past_its_sla_escalates_one_level_and_one_priority_step() -> None:
    escalation = next_escalation(case(), RULES, NOW)

    assert escalation is not None
    assert escalation.level == 1
    assert escalation.priority is Priority.HIGH
    assert escalation.reason == SLA_BREACHED
    assert escalation.at == NOW


def test_complaint_before_its_sla_is_not_due() -> None:
    open_case = case(sla_due_at=NOW + timedelta(seconds=1))

    assert next_escalation(open_case, RULES, NOW) is None
    assert next_due_at(open_case, RULES) == NOW + timedelta(seconds=1)


def test_due_exactly_at_the_sla() -> None:
    assert is_due(case(sla_due_at=NOW), RULES, NOW)


def test_case_without_sla_and_not_repeated_is_never_due() -> None:
    open_case = case(sla_due_at=None)

    assert next_escalation(open_case, RULES, NOW + timedelta(days=365)) is None
    assert next_due_at(open_case, RULES) is None


def test_once_per_level_an_escalated_case_is_not_due_again_at_once() -> None:
    escalated = case(escalation_level=1, priority=Priority.HIGH, escalated_at=NOW)

    assert next_escalation(escalated, RULES, NOW) is None
    assert next_escalation(escalated, RULES, NOW + timedelta(minutes=30)) is None


def test_next_level_follows_one_step_after_the_last_escalation() -> None:
    # Default step: the policy's COMPLAINT SLA at the escalated priority (1d).
    escalated = case(escalation_level=1, priority=Priority.HIGH, escalated_at=NOW)
    step = Policy().cases.COMPLAINT.sla_for(Priority.HIGH)

    assert next_due_at(escalated, RULES) == NOW + step
    assert next_escalation(escalated, RULES, NOW + step - timedelta(seconds=1)) is None
    second = next_escalation(escalated, RULES, NOW + step)
    assert second is not None
    assert (second.level, second.priority, second.reason) == (2, Priority.URGENT, SLA_BREACHED)


def test_fixed_level_step_from_settings() -> None:
    rules = EscalationRules.from_settings(EscalationSettings(level_step_s=60), Policy())
    escalated = case(escalation_level=1, escalated_at=NOW)

    assert next_due_at(escalated, rules) == NOW + timedelta(seconds=60)


def test_max_level_is_never_exceeded() -> None:
    top = case(escalation_level=2, priority=Priority.URGENT, escalated_at=NOW - timedelta(days=9))

    assert next_escalation(top, RULES, NOW) is None
    assert next_due_at(top, RULES) is None


def test_priority_step_is_capped_at_urgent() -> None:
    escalation = next_escalation(case(priority=Priority.URGENT), RULES, NOW)

    assert escalation is not None
    assert escalation.priority is Priority.URGENT


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Priority.LOW, Priority.NORMAL),
        (Priority.NORMAL, Priority.HIGH),
        (Priority.HIGH, Priority.URGENT),
    ],
)
def test_priority_rises_one_step(before: Priority, after: Priority) -> None:
    escalation = next_escalation(case(priority=before), RULES, NOW)

    assert escalation is not None
    assert escalation.priority is after


def test_repeated_complaint_escalates_at_once_even_before_its_sla() -> None:
    repeated = case(repeated=True, sla_due_at=NOW + timedelta(hours=5))

    escalation = next_escalation(repeated, RULES, NOW)

    assert escalation is not None
    assert (escalation.level, escalation.reason) == (1, REPEATED_COMPLAINT)


def test_repeated_complaint_escalates_only_once_for_the_repeat() -> None:
    done = case(
        repeated=True, escalation_level=1, escalated_at=NOW, sla_due_at=NOW + timedelta(hours=5)
    )

    assert next_escalation(done, RULES, NOW + timedelta(hours=1)) is None
    # Its SLA passing is the next level.
    at_sla = next_escalation(done, RULES, NOW + timedelta(hours=5))
    assert at_sla is not None
    assert (at_sla.level, at_sla.reason) == (2, SLA_BREACHED)


def test_repeat_escalation_can_be_switched_off() -> None:
    rules = EscalationRules.from_settings(EscalationSettings(escalate_repeated=False), Policy())
    repeated = case(repeated=True, sla_due_at=NOW + timedelta(hours=5))

    assert next_escalation(repeated, rules, NOW) is None


def test_far_overdue_case_climbs_one_level_per_decision() -> None:
    overdue = case(sla_due_at=NOW - timedelta(days=30))

    first = next_escalation(overdue, RULES, NOW)

    assert first is not None and first.level == 1


def test_non_complaint_is_ignored_by_default() -> None:
    for case_type in (CaseType.FULFILLMENT_EXCEPTION, CaseType.ORDER_REVIEW, CaseType.UNKNOWN):
        assert next_escalation(case(case_type=case_type), RULES, NOW) is None


def test_fulfillment_exceptions_escalate_when_enabled() -> None:
    settings = EscalationSettings(
        case_types=frozenset({CaseType.COMPLAINT, CaseType.FULFILLMENT_EXCEPTION})
    )
    rules = EscalationRules.from_settings(settings, Policy())

    escalation = next_escalation(case(case_type=CaseType.FULFILLMENT_EXCEPTION), rules, NOW)

    assert escalation is not None and escalation.level == 1


def test_escalated_state_carries_level_priority_and_reasons() -> None:
    open_case = case(repeated=True, shopify_order_id="1001")
    escalation = next_escalation(open_case, RULES, NOW)
    assert escalation is not None

    state = escalated_state(escalation, "pi-9")

    assert state.status is CaseStatus.ESCALATED
    assert (state.case_id, state.case_type) == (open_case.case_id, CaseType.COMPLAINT)
    assert (state.escalation_level, state.priority) == (1, Priority.HIGH)
    assert state.process_instance_id == "pi-9"
    assert state.sla_due_at == open_case.sla_due_at
    assert state.shopify_order_id == "1001"
    assert state.updated_at == NOW
    assert state.detail is not None
    assert state.detail.split("; ")[:2] == ["ESCALATED_L1", REPEATED_COMPLAINT]


def test_escalated_state_keeps_the_repeat_code_on_an_sla_escalation() -> None:
    escalation = next_escalation(case(repeated=True, escalation_level=1), RULES, NOW)
    assert escalation is not None and escalation.reason == SLA_BREACHED

    detail = escalated_state(escalation).detail or ""

    assert "ESCALATED_L2" in detail and SLA_BREACHED in detail and REPEATED_COMPLAINT in detail


def test_opentext_variables_are_typed() -> None:
    escalation = next_escalation(case(), RULES, NOW)
    assert escalation is not None

    got = {v.name: (v.type, v.value) for v in opentext_variables(escalation)}

    assert got["priority"] == ("string", "HIGH")
    assert got["escalationLevel"] == ("integer", 1)
    assert got["escalatedAt"][0] == "date"
    assert datetime.fromisoformat(str(got["escalatedAt"][1])) == NOW
    assert got["escalationReason"] == ("string", SLA_BREACHED)


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="max_level"):
        EscalationSettings(max_level=0)
    with pytest.raises(ValueError, match="interval_s"):
        EscalationSettings(interval_s=0)
    with pytest.raises(ValueError, match="case_types"):
        EscalationSettings.model_validate({"case_types": ["NOT_A_TYPE"]})
    assert EscalationSettings.model_validate(
        {"case_types": ["COMPLAINT", "FULFILLMENT_EXCEPTION"]}
    ).case_types == frozenset({CaseType.COMPLAINT, CaseType.FULFILLMENT_EXCEPTION})
