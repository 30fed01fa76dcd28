"""Building the :class:`~schemas.records.WritebackResult` audit records.

``writeback_id`` is deterministic (``wb-<idempotency key>`` for an action,
``wb-offline-<intake case id>`` for an offline order), so re-applying the same
action after a crash produces a record with the same id: the audit consumer
can keep the latest per id instead of counting duplicates as extra effects.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from schemas.records import Action, ActionKind, CaseDecision, WritebackResult, WritebackStatus
from streams.writer.context import Outcome

__all__ = ["Clock", "action_result", "failed_result", "offline_result", "utc_now", "writeback_id"]

Clock = Callable[[], datetime]

# Avro ``int``: a runaway sum must not make the record unencodable.
_MAX_COST = 2**31 - 1


def writeback_id(action: Action) -> str:
    """The audit id of an action's write-back."""
    return f"wb-{action.idempotency_key}"


def _cost(cost: float | None) -> int | None:
    return None if cost is None else min(round(cost), _MAX_COST)


def _result(
    *,
    writeback_id: str,
    case_id: str,
    decision_id: str | None,
    shop: str,
    action: ActionKind,
    target_id: str,
    mutation: str,
    status: WritebackStatus,
    attempts: int,
    cost: float | None,
    clock: Clock,
    requested: float | None = None,
    **details: str | None,
) -> WritebackResult:
    """The one place a write-back record is assembled (attempts >= 1, cost capped)."""
    return WritebackResult(
        writeback_id=writeback_id,
        case_id=case_id,
        decision_id=decision_id,
        shop=shop,
        action=action,
        target_id=target_id,
        mutation=mutation,
        status=status,
        attempts=max(attempts, 1),
        query_cost=_cost(cost),
        query_cost_requested=_cost(requested),
        finished_at=clock(),
        **details,
    )


def action_result(
    decision: CaseDecision,
    action: Action,
    outcome: Outcome,
    *,
    attempts: int,
    cost: float | None,
    clock: Clock,
    requested: float | None = None,
) -> WritebackResult:
    """The record of an action that was applied now or found already applied."""
    return _result(
        writeback_id=writeback_id(action),
        case_id=decision.case_id,
        decision_id=decision.decision_id,
        shop=decision.shop,
        action=action.kind,
        target_id=action.target_id,
        mutation=outcome.mutation,
        status=outcome.status,
        attempts=attempts,
        cost=cost,
        clock=clock,
        requested=requested,
        # Not an error: the note says why nothing was written (e.g. CREATE_ORDER).
        error_message=outcome.note,
        result_id=outcome.result_id,
    )


def failed_result(
    decision: CaseDecision,
    action: Action,
    *,
    mutation: str,
    code: str,
    message: str,
    attempts: int,
    cost: float | None,
    clock: Clock,
    requested: float | None = None,
) -> WritebackResult:
    """The record of an action Shopify (or the writer) refused for good."""
    return _result(
        writeback_id=writeback_id(action),
        case_id=decision.case_id,
        decision_id=decision.decision_id,
        shop=decision.shop,
        action=action.kind,
        target_id=action.target_id,
        mutation=mutation,
        status=WritebackStatus.FAILED,
        attempts=attempts,
        cost=cost,
        clock=clock,
        requested=requested,
        error_code=code,
        error_message=message,
    )


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(UTC)


def offline_result(
    *,
    intake_case_id: str,
    shop: str,
    status: WritebackStatus,
    mutation: str,
    result_id: str | None,
    attempts: int,
    cost: float | None,
    clock: Clock,
    note: str | None = None,
) -> WritebackResult:
    """The record of an offline order created now or found by its intake tag."""
    return _result(
        writeback_id=f"wb-offline-{intake_case_id}",
        case_id=intake_case_id,
        decision_id=None,
        shop=shop,
        action=ActionKind.CREATE_ORDER,
        target_id=intake_case_id,
        mutation=mutation,
        status=status,
        attempts=attempts,
        cost=cost,
        clock=clock,
        error_message=note,
        result_id=result_id,
    )
