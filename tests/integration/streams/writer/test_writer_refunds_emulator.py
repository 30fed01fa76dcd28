"""The writer's money and evidence paths against the emulator over HTTP on 127.0.0.1.

REFUND in the writer's default ``refund_transactions="suggested"`` mode reads
``Order.suggestedRefund`` and sends its transactions; ``"omit"`` sends none.
UPDATE_DISPUTE_EVIDENCE sends the evidence id read from the dispute.
"""

from __future__ import annotations

from typing import Any

import pytest

from connectors.shopify import operations as ops
from schemas.records import ActionKind, CaseType, WritebackStatus
from streams.settings import WriterSettings
from streams.writer import ActionExecutor
from tests.integration.streams.writer.conftest import Store, decide

pytestmark = pytest.mark.integration

APPLIED = WritebackStatus.APPLIED
ALREADY = WritebackStatus.ALREADY_APPLIED

ORDER_MONEY = """query M($id: ID!) { order(id: $id) {
  totalRefundedSet { shopMoney { amount } }
  transactions { id kind gateway amountSet { shopMoney { amount } } parentTransaction { id } }
  returns(first: 5) { nodes { id
    returnLineItems(first: 5) { nodes {
      quantity ... on ReturnLineItem { fulfillmentLineItem { lineItem { id } } }
    } } } }
} }"""
SUGGEST = """query S($id: ID!, $lines: [RefundLineItemInput!]) { order(id: $id) {
  suggestedRefund(refundLineItems: $lines) { amountSet { shopMoney { amount } } }
} }"""


async def _money(store: Store, order_id: str) -> dict[str, Any]:
    data = await store.gql(ORDER_MONEY, id=order_id)
    order: dict[str, Any] = data["order"]
    return order


def _refund_decision(order_id: str, return_id: str, line_id: str, case_id: str) -> Any:
    return decide(
        CaseType.RETURN_REVIEW,
        "approve",
        case_id=case_id,
        orderId=order_id,
        returnId=return_id,
        returnLineItems=[{"lineItemId": line_id, "quantity": 1}],
    )


async def test_refund_sends_the_suggested_transactions(store: Store) -> None:
    order_id = await store.scenario("return_request")
    before = await _money(store, order_id)
    [sale] = [t for t in before["transactions"] if t["kind"] == "SALE"]
    ret = before["returns"]["nodes"][0]
    line_id = ret["returnLineItems"]["nodes"][0]["fulfillmentLineItem"]["lineItem"]["id"]
    suggested = await store.gql(
        SUGGEST, id=order_id, lines=[{"lineItemId": line_id, "quantity": 1}]
    )
    amount = suggested["order"]["suggestedRefund"]["amountSet"]["shopMoney"]["amount"]

    decision = _refund_decision(order_id, ret["id"], line_id, "case-sugg")
    first = await store.executor.apply_all(decision)
    assert [(r.action, r.status) for r in first][:2] == [
        (ActionKind.APPROVE_RETURN, APPLIED),
        (ActionKind.REFUND, APPLIED),
    ], [r.error_message for r in first]

    after = await _money(store, order_id)
    [refund_txn] = [t for t in after["transactions"] if t["kind"] == "REFUND"]
    assert refund_txn["parentTransaction"] == {"id": sale["id"]}
    assert refund_txn["gateway"] == sale["gateway"]
    assert refund_txn["amountSet"]["shopMoney"]["amount"] == amount
    assert after["totalRefundedSet"]["shopMoney"]["amount"] == amount

    second = await store.executor.apply_all(decision)
    assert [r.status for r in second][:2] == [ALREADY, ALREADY]
    assert len(await ops.get_refunds(store.client, order_id)) == 1


async def test_refund_in_omit_mode_sends_no_transactions(store: Store) -> None:
    omit = ActionExecutor(
        store.client,
        config=WriterSettings(
            job_poll_interval_s=0.05, job_timeout_s=5, refund_transactions="omit"
        ),
    )
    order_id = await store.scenario("return_request")
    before = await _money(store, order_id)
    ret = before["returns"]["nodes"][0]
    line_id = ret["returnLineItems"]["nodes"][0]["fulfillmentLineItem"]["lineItem"]["id"]
    results = await omit.apply_all(_refund_decision(order_id, ret["id"], line_id, "case-omit"))
    assert results[1].action is ActionKind.REFUND and results[1].status is APPLIED
    # Without transactions the emulator refunds the line's value on its own.
    refunds = await ops.get_refunds(store.client, order_id)
    assert len(refunds) == 1


async def test_dispute_evidence_is_sent_with_the_evidence_id(store: Store) -> None:
    order_id = await store.scenario("dispute_chargeback")
    data = await store.gql("query D($id: ID!) { order(id: $id) { disputes { id } } }", id=order_id)
    dispute_id = data["order"]["disputes"][0]["id"]
    decision = decide(
        CaseType.CHARGEBACK,
        "fight",
        case_id="case-ev",
        orderId=order_id,
        disputeId=dispute_id,
        evidenceText="Tracking shows delivery on 3 March",
    )
    first = await store.executor.apply_all(decision)
    [evidence] = [r for r in first if r.action is ActionKind.UPDATE_DISPUTE_EVIDENCE]
    assert evidence.status is APPLIED, evidence.error_message
    assert evidence.result_id is not None
    assert "ShopifyPaymentsDisputeEvidence" in evidence.result_id
    read = await store.gql(
        "query E($id: ID!) { dispute(id: $id) { disputeEvidence { id uncategorizedText } } }",
        id=dispute_id,
    )
    assert read["dispute"]["disputeEvidence"] == {
        "id": evidence.result_id,
        "uncategorizedText": "Tracking shows delivery on 3 March",
    }
    second = await store.executor.apply_all(decision)
    [again] = [r for r in second if r.action is ActionKind.UPDATE_DISPUTE_EVIDENCE]
    assert again.status is ALREADY
