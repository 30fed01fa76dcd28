"""The case states the writer agent reports for a decision (cases.state).

An approved offline intake's decision carries only CREATE_ORDER, which the
offline-orders agent carries out from ``orders.offline`` and reports itself:
the decision path must not report the case too (it raced the offline agent's
FAILED with an APPLIED of its own).
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from schemas.records import (
    Action,
    ActionKind,
    CaseDecision,
    CaseState,
    CaseType,
    WritebackResult,
)
from streams.topics import CASES_STATE, SHOPIFY_WRITEBACKS
from streams.writer.agent import Writer
from streams.writer.context import Outcome
from streams.writer.results import action_result

SHOP = "s.myshopify.com"


class ResolvingExecutor:
    """Applies every action as the real executor would answer it, without Shopify."""

    async def apply(self, decision: CaseDecision, index: int, action: Action) -> WritebackResult:
        if action.kind in (ActionKind.NONE, ActionKind.CREATE_ORDER):
            outcome = Outcome.already("none", note="recorded only")
        else:
            outcome = Outcome.applied("fulfillmentOrderReleaseHold", action.target_id)
        return action_result(
            decision, action, outcome, attempts=1, cost=None, clock=lambda: datetime.now(UTC)
        )


def writer() -> tuple[Writer, list[tuple[str, Any]]]:
    sent: list[tuple[str, Any]] = []

    async def emit(agent: str, topic: str, record: Any, key: str) -> None:
        sent.append((topic, record))

    w = Writer.__new__(Writer)  # no Faust app: only apply() is exercised
    w.services = SimpleNamespace(emit=emit)  # type: ignore[assignment]
    resolving = ResolvingExecutor()

    def executor(shop: str) -> ResolvingExecutor:
        assert shop == SHOP  # the decision's own shop's client writes it
        return resolving

    w.executor = executor  # type: ignore[method-assign,assignment]
    w.stats = {"applied": 0, "already_applied": 0, "failed": 0, "offline_created": 0}
    return w, sent


def decision(case_type: CaseType, *kinds: ActionKind) -> CaseDecision:
    actions = [
        Action(kind=kind, target_id=f"t{i}", params="{}", idempotency_key=f"k{i}")
        for i, kind in enumerate(kinds)
    ]
    return CaseDecision(
        decision_id="CASE-1:task-1",
        case_id="CASE-1",
        case_type=case_type,
        shop=SHOP,
        process_instance_id="pi-1",
        task_id="task-1",
        outcome="approved",
        decided_at=datetime.now(UTC),
        actions=actions,
    )


def case_states(sent: list[tuple[str, Any]]) -> list[str]:
    return [r.status.value for t, r in sent if t == CASES_STATE and isinstance(r, CaseState)]


def writeback_kinds(sent: list[tuple[str, Any]]) -> list[str]:
    return [r.action.value for topic, r in sent if topic == SHOPIFY_WRITEBACKS]


async def test_an_offline_approval_leaves_the_case_state_to_the_offline_orders_agent() -> None:
    w, sent = writer()

    await w.apply(None, decision(CaseType.OFFLINE_ORDER, ActionKind.CREATE_ORDER))

    assert writeback_kinds(sent) == ["CREATE_ORDER"]  # still audited on shopify.writebacks
    assert case_states(sent) == []


async def test_a_decision_with_writes_goes_applying_then_applied() -> None:
    w, sent = writer()

    await w.apply(
        None, decision(CaseType.ORDER_REVIEW, ActionKind.RELEASE_HOLD, ActionKind.ADD_TAGS)
    )

    assert writeback_kinds(sent) == ["RELEASE_HOLD", "ADD_TAGS"]
    assert case_states(sent) == ["APPLYING", "APPLIED"]


async def test_a_decision_without_effect_is_only_decided() -> None:
    w, sent = writer()

    await w.apply(None, decision(CaseType.COMPLAINT, ActionKind.NONE))

    assert case_states(sent) == ["DECIDED"]
