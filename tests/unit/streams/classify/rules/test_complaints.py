"""UC3 COMPLAINT: routing, escalation, repeated complaints, order notes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from schemas.records import (
    CaseType,
    ComplaintSubmitted,
    IssueType,
    Priority,
    Severity,
    SubjectType,
)
from streams.classify.rules import (
    ClassificationError,
    ClassifyContext,
    ComplaintHistory,
    classify_complaint,
    classify_event,
    complaint_key,
    complaint_key_of,
    record_complaint,
)
from streams.policy import Policy

from .conftest import NOW, SHOP, make_event, make_order


def _complaint(**overrides: Any) -> ComplaintSubmitted:
    values: dict[str, Any] = {
        "complaint_id": "c-1",
        "shop": SHOP,
        "customer_id": "207119551",
        "customer_email": "bob@example.com",
        "order_id": "450789469",
        "issue_type": IssueType.SERVICE,
        "severity": Severity.MEDIUM,
        "subject": "Rude answer",
        "message": "The agent was rude.",
        "submitted_at": NOW - timedelta(minutes=5),
    }
    values.update(overrides)
    return ComplaintSubmitted(**values)


def _history(*times: datetime) -> dict[str, ComplaintHistory]:
    history: ComplaintHistory | None = None
    for index, at in enumerate(times):
        history = record_complaint(history, f"old-{index}", at, window=timedelta(days=30))
    key = complaint_key(SHOP, "207119551")
    assert key is not None and history is not None
    return {key: history}


def test_submitted_complaint_default_routing(policy: Policy) -> None:
    case = classify_complaint(_complaint(), policy, ClassifyContext(), NOW)
    assert case.case_type is CaseType.COMPLAINT
    assert case.subject_type is SubjectType.COMPLAINT and case.subject_id == "c-1"
    assert case.teams == ["customer_service"]
    assert case.priority is Priority.NORMAL
    assert [r.code for r in case.reasons] == ["ISSUE_SERVICE"]
    # SLA 1d for NORMAL, capped by the MEDIUM escalation window (24h).
    assert case.sla_due_at == NOW + timedelta(hours=24)
    assert case.source_event_ids == ["c-1"]
    names = {v.name: v.value for v in case.variables}
    assert names["channel"] == "OTHER" and names["repeatCount"] == "1"


def test_routing_by_issue_type_with_escalation(policy: Policy) -> None:
    case = classify_complaint(
        _complaint(issue_type=IssueType.DELAYED_SHIPMENT), policy, ClassifyContext(), NOW
    )
    assert case.teams == ["customer_service", "logistics"]
    assert case.priority is Priority.HIGH  # NORMAL, escalated one step
    assert [r.code for r in case.reasons] == ["ISSUE_DELAYED_SHIPMENT", "ESCALATED_ISSUE_TYPE"]
    assert case.sla_due_at == NOW + timedelta(hours=8)


def test_routing_by_segment_and_severity(policy: Policy) -> None:
    vip = classify_complaint(_complaint(customer_segment="vip"), policy, ClassifyContext(), NOW)
    assert vip.teams == ["customer_service", "sales"] and vip.priority is Priority.HIGH
    critical = classify_complaint(
        _complaint(severity=Severity.CRITICAL, customer_segment="VIP"),
        policy,
        ClassifyContext(),
        NOW,
    )
    assert critical.teams == ["customer_service", "legal"]
    assert critical.priority is Priority.URGENT
    assert critical.sla_due_at == NOW + timedelta(hours=2)


def test_repeated_complaints_raise_priority(policy: Policy) -> None:
    two_earlier = _history(NOW - timedelta(days=20), NOW - timedelta(days=2))
    case = classify_complaint(
        _complaint(), policy, ClassifyContext(complaint_history=two_earlier), NOW
    )
    assert case.priority is Priority.HIGH
    assert case.reasons[-1].code == "REPEATED_COMPLAINT"
    assert {v.name: v.value for v in case.variables}["repeatCount"] == "3"
    one_in_window = _history(NOW - timedelta(days=40), NOW - timedelta(days=2))
    calm = classify_complaint(
        _complaint(), policy, ClassifyContext(complaint_history=one_in_window), NOW
    )
    assert calm.priority is Priority.NORMAL


def test_redelivered_complaint_is_not_counted_twice(policy: Policy) -> None:
    first = classify_complaint(_complaint(), policy, ClassifyContext(), NOW)
    history = None
    for _ in range(3):  # the same case recorded on every redelivery
        history = record_complaint(
            history, first.case_id, first.requested_at, window=timedelta(days=30)
        )
    assert history is not None and len(history.complaints) == 1
    key = complaint_key_of(first)
    assert key is not None and key == complaint_key(SHOP, "207119551")
    context = ClassifyContext(complaint_history={key: history})
    again = classify_complaint(_complaint(), policy, context, NOW)
    assert again.case_id == first.case_id
    assert again.priority is Priority.NORMAL


def test_history_keyed_by_email_without_customer_id() -> None:
    assert complaint_key(SHOP, None, " Bob@Example.com ") == f"{SHOP}|email:bob@example.com"
    assert complaint_key(SHOP, None, None) is None


def test_complaint_without_id_is_an_error(policy: Policy) -> None:
    with pytest.raises(ClassificationError, match="complaint_id: missing id"):
        classify_complaint(_complaint(complaint_id=" "), policy, ClassifyContext(), NOW)


def test_order_note_complaint(policy: Policy) -> None:
    order = make_order(note="The box arrived broken and I want to talk to a lawyer")
    cases = classify_event(make_event("orders/updated", order), policy, ClassifyContext(), NOW)
    assert [case.case_type for case in cases] == [CaseType.COMPLAINT]
    case = cases[0]
    assert case.subject_type is SubjectType.ORDER and case.order_id == "450789469"
    names = {v.name: v.value for v in case.variables}
    assert names["issueType"] == "DAMAGED_GOODS"
    assert names["severity"] == "HIGH"
    assert names["channel"] == "ORDER_NOTE"
    assert case.teams == ["customer_service", "warehouse"]
    again = classify_event(
        make_event("orders/paid", order, event_id="x"), policy, ClassifyContext(), NOW
    )
    assert again[0].case_id == case.case_id


def test_order_note_segment_from_customer_tags(policy: Policy) -> None:
    order = make_order(
        note="still waiting for my parcel",
        customer={"id": 5, "email": "v@example.com", "tags": "VIP"},
    )
    cases = classify_event(make_event("orders/updated", order), policy, ClassifyContext(), NOW)
    assert cases[0].teams == ["customer_service", "sales"]


def test_plain_note_is_no_complaint(policy: Policy) -> None:
    order = make_order(note="Please leave at the door. Chocolate is for my sister!")
    assert classify_event(make_event("orders/updated", order), policy, ClassifyContext(), NOW) == []
