"""allowedOutcomes, the 'resolved' fulfillment outcome, and a failed decision's state and replay."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from schemas.records import ActionKind, CaseStatus, CaseType, DecisionSource
from streams.decisions import DecisionBuilder, OutcomeMapper
from streams.decisions.build import CompletedTask
from streams.decisions.errors import OutcomeNotOfferedError
from streams.decisions.failures import failure_state, replayed_task
from tests.unit.streams.decisions.test_mapping import ORDER, actions, kinds, var

CASE = "FULFILLMENT_EXCEPTION-0123456789abcdef"
FE = CaseType.FULFILLMENT_EXCEPTION
OFFERED = {"orderId": ORDER, "allowedOutcomes": ["cancel", "resolved"]}


def test_an_outcome_the_case_did_not_offer_is_refused_with_what_it_offered() -> None:
    with pytest.raises(OutcomeNotOfferedError) as caught:
        actions(FE, "split", OFFERED, case_id=CASE)
    assert str(caught.value) == (
        "outcome 'split' was not offered for this FULFILLMENT_EXCEPTION case"
        " (allowedOutcomes: 'cancel', 'resolved')"
    )
    assert caught.value.case_id == CASE


@pytest.mark.parametrize("outcome", ["cancel", "cancelled", "CANCEL", "resolved", "resolve"])
def test_an_offered_outcome_maps_as_usual_in_any_of_its_spellings(outcome: str) -> None:
    assert actions(FE, outcome, OFFERED, case_id=CASE)


def test_a_case_without_allowed_outcomes_is_not_restricted() -> None:
    assert kinds(actions(FE, "cancel", {"orderId": ORDER}, case_id=CASE))[0] is (
        ActionKind.CANCEL_ORDER
    )


def test_resolved_notes_the_resolution_on_the_order_and_tags_it() -> None:
    result = actions(FE, "resolved", {**OFFERED, "notes": "carrier re-sent it"}, case_id=CASE)

    assert kinds(result) == [ActionKind.ADD_NOTE, ActionKind.ADD_TAGS]
    note = json.loads(result[0].params)["note"]
    assert (
        note
        == f"casebridge FULFILLMENT_EXCEPTION case {CASE}: resolved by fraud: carrier re-sent it"
    )


def test_resolved_without_an_order_writes_nothing() -> None:
    assert actions(FE, "resolved", {"allowedOutcomes": ["resolved"]}, case_id=CASE) == []


def task(outcome: str, **variables: object) -> CompletedTask:
    return CompletedTask(
        case_id=CASE,
        case_type=FE,
        process_instance_id="pi-1",
        task_id="t-1",
        outcome=outcome,
        completed_at=datetime(2026, 11, 26, 12, 0, tzinfo=UTC),
        variables=[var(k, v) for k, v in variables.items()],
    )


def test_a_failed_decision_marks_its_case_failed_with_the_reason() -> None:
    built = DecisionBuilder(OutcomeMapper(), default_shop="s.myshopify.com").build(
        task("split", subjectId="1001", **OFFERED), DecisionSource.HISTORY_POLL
    )
    assert built.failure is not None

    state = failure_state(built.failure, default_shop="other.myshopify.com")

    assert state is not None
    assert state.status is CaseStatus.FAILED and state.case_type is FE
    assert state.shop == "s.myshopify.com" and state.subject_id == "1001"
    assert state.process_instance_id == "pi-1"
    assert state.detail is not None and "outcome 'split' was not offered" in state.detail


def test_the_dlq_record_of_a_failed_decision_is_read_back_as_its_task() -> None:
    original = task("resolved", **OFFERED)
    assert replayed_task(original.to_json()) == original
    # Avro in the Confluent wire format starts with a zero byte; other bytes are not tasks.
    assert replayed_task(b"\x00\x00\x00\x00\x01rest") is None
    assert replayed_task(b'{"caseId": "only"}') is None
    assert replayed_task(None) is None
