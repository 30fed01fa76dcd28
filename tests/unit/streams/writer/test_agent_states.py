"""The case states the writer agent reports for a decision (cases.state).

An approved offline intake's decision carries only CREATE_ORDER, which the
offline-orders agent carries out from ``orders.offline`` and reports itself:
the decision path must not report the case too (it raced the offline agent's
FAILED with an APPLIED of its own).
"""

from __future__ import annotations

import json

from connectors.shopify.errors import ShopifyUnavailableError
from schemas import CASES_STATE
from schemas.records import Action, ActionKind, CaseType
from streams.ops.metrics import DECISIONS
from tests.unit.streams.writer.fakes import FakeShopify
from tests.unit.streams.writer.harness import FO, ORDER, SHOP, Harness, decision, shopify


def count(case_type: CaseType, result: str) -> float:
    return DECISIONS.labels(SHOP, case_type.value, result)._value.get()  # type: ignore[attr-defined]


async def test_an_offline_approval_leaves_the_case_state_to_the_offline_orders_agent() -> None:
    h = Harness()

    (event,) = await h.deliver(decision(CaseType.OFFLINE_ORDER, ActionKind.CREATE_ORDER))

    assert h.writebacks() == ["CREATE_ORDER"]  # still audited on shopify.writebacks
    assert h.states() == []
    assert event.acked


async def test_a_decision_with_writes_goes_applying_then_applied() -> None:
    h = Harness()

    (event,) = await h.deliver(
        decision(CaseType.ORDER_REVIEW, ActionKind.RELEASE_HOLD, ActionKind.ADD_TAGS)
    )

    assert h.writebacks() == ["RELEASE_HOLD", "ADD_TAGS"]
    assert h.states() == ["APPLYING", "APPLIED"]
    assert h.store.called("CasebridgeTagsAdd") and event.acked


async def test_a_decision_without_effect_is_only_decided() -> None:
    h = Harness()

    await h.deliver(decision(CaseType.COMPLAINT, ActionKind.NONE))

    assert h.states() == ["DECIDED"]


async def test_applied_decisions_are_counted_by_case_type() -> None:
    h = Harness()
    before = count(CaseType.CHARGEBACK, "applied")

    await h.deliver(decision(CaseType.CHARGEBACK, ActionKind.ADD_TAGS))

    assert h.states() == ["APPLYING", "APPLIED"]
    assert count(CaseType.CHARGEBACK, "applied") == before + 1


async def test_an_outage_is_waited_out_and_the_action_applied_once() -> None:
    down = ShopifyUnavailableError("503 from Shopify", attempts=1)
    store = (
        FakeShopify()
        .script("CasebridgeWriterNodeTags", *[down] * 5, {"node": {"id": ORDER, "tags": []}})
        .script("CasebridgeTagsAdd", {"tagsAdd": {"node": {"id": ORDER}, "userErrors": []}})
    )
    h = Harness(store=store)

    (event,) = await h.deliver(decision(CaseType.ORDER_REVIEW, ActionKind.ADD_TAGS))

    # Two re-runs inside the action, then the agent's wait: never dead-lettered.
    assert len(store.called("CasebridgeWriterNodeTags")) == 6
    assert len(store.called("CasebridgeTagsAdd")) == 1
    assert h.letters() == [] and h.states() == ["APPLYING", "APPLIED"] and event.acked


async def test_a_decision_on_an_order_cancelled_meanwhile_closes_its_case_without_a_dlq() -> None:
    # Another case's decision cancelled the order (and its fulfillment order) first.
    cancelled = {
        "fulfillmentOrder": {
            "id": FO,
            "status": "CANCELLED",
            "lineItems": {"nodes": [{"id": "l1", "totalQuantity": 2, "remainingQuantity": 0}]},
            "order": {"id": ORDER, "ownSplits": None},
        }
    }
    h = Harness(store=shopify().script("CasebridgeWriterFulfillmentOrder", cancelled))
    split = Action(
        kind=ActionKind.SPLIT_FULFILLMENT,
        target_id=FO,
        params=json.dumps({"fulfillmentOrderLineItems": [{"id": "l1", "quantity": 1}]}),
        idempotency_key="k0",
    )
    tags = decision(CaseType.FULFILLMENT_EXCEPTION, ActionKind.ADD_TAGS).actions[0]
    record = decision(CaseType.FULFILLMENT_EXCEPTION).model_copy(
        update={"actions": [split, tags], "outcome": "split"}
    )
    failed_before = count(CaseType.FULFILLMENT_EXCEPTION, "failed")
    superseded_before = count(CaseType.FULFILLMENT_EXCEPTION, "superseded")

    (event,) = await h.deliver(record)

    assert h.writebacks() == ["SPLIT_FULFILLMENT"]  # audited; the tags are not written
    assert h.states() == ["APPLYING", "CLOSED"]
    (closed,) = [s for s in h.producer.records(CASES_STATE) if s.status.value == "CLOSED"]
    assert closed.detail is not None
    assert (
        closed.detail.startswith("superseded: fulfillment order")
        and "is CANCELLED" in closed.detail
    )
    assert h.letters() == []  # nothing to replay: not an operator's failure
    assert count(CaseType.FULFILLMENT_EXCEPTION, "superseded") == superseded_before + 1
    assert count(CaseType.FULFILLMENT_EXCEPTION, "failed") == failed_before
    assert event.acked
