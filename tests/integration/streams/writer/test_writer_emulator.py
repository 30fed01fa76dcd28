"""The writer against the in-process Shopify emulator over HTTP on 127.0.0.1.

Each test applies decisions mapped by the real decision mapper, then checks
the store through GraphQL: the effect is there once, and a second apply of
the same decision writes nothing (``ALREADY_APPLIED``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from connectors.shopify import operations as ops
from schemas.records import (
    Action,
    ActionKind,
    Address,
    CaseDecision,
    CaseType,
    OfflineCustomer,
    OfflineLineItem,
    OfflineOrder,
    OfflinePaymentTerms,
    OfflineShippingLine,
    OfflineTaxLine,
    PaymentStatus,
    WritebackResult,
    WritebackStatus,
)
from streams.runtime.keys import hold_handle, idempotency_key
from streams.writer import OfflineOrderInvalid, intake_tag
from tests.integration.streams.writer.conftest import SHOP, Store, decide

pytestmark = pytest.mark.integration

APPLIED = WritebackStatus.APPLIED
ALREADY = WritebackStatus.ALREADY_APPLIED


async def apply_all(store: Store, decision: CaseDecision) -> list[WritebackResult]:
    results = await store.executor.apply_all(decision)
    assert len(results) == len(decision.actions), [r.error_message for r in results]
    return results


def statuses(results: list[WritebackResult]) -> list[tuple[ActionKind, WritebackStatus]]:
    return [(r.action, r.status) for r in results]


async def fulfillment_orders(store: Store, order_id: str) -> list[dict[str, Any]]:
    return await ops.get_fulfillment_orders(store.client, order_id)


async def test_release_hold_only_ours_then_already_applied(store: Store) -> None:
    [variant] = await store.product_variants("Lamp", ("L-1", "30.00"))
    order_id = await store.order([(variant, 1, "30.00")])
    [fo] = await fulfillment_orders(store, order_id)
    await ops.fulfillment_order_hold(
        store.client, fo["id"], reason="HIGH_RISK_OF_FRAUD", handle=hold_handle("case-1")
    )
    foreign = await ops.fulfillment_order_hold(
        store.client, fo["id"], reason="OTHER", handle="someone-else"
    )
    decision = decide(CaseType.ORDER_REVIEW, "approve", orderId=order_id)
    first = await apply_all(store, decision)
    assert statuses(first) == [(ActionKind.RELEASE_HOLD, APPLIED), (ActionKind.ADD_TAGS, APPLIED)]
    assert first[0].mutation == "fulfillmentOrderReleaseHold"
    assert first[0].query_cost is not None and first[0].query_cost > 0
    [after] = await fulfillment_orders(store, order_id)
    assert [h["id"] for h in after["fulfillmentHolds"]] == [foreign.id]

    second = await apply_all(store, decision)
    assert statuses(second) == [(ActionKind.RELEASE_HOLD, ALREADY), (ActionKind.ADD_TAGS, ALREADY)]
    assert second[0].writeback_id == first[0].writeback_id


async def test_release_hold_then_no_hold_left(store: Store) -> None:
    [variant] = await store.product_variants("Desk", ("D-1", "80.00"))
    order_id = await store.order([(variant, 1, "80.00")])
    [fo] = await fulfillment_orders(store, order_id)
    hold = await ops.fulfillment_order_hold(
        store.client, fo["id"], reason="HIGH_RISK_OF_FRAUD", handle=hold_handle("case-2")
    )
    decision = decide(
        CaseType.ORDER_REVIEW,
        "approve",
        case_id="case-2",
        orderId=order_id,
        holdsPlaced=[{"fulfillmentOrderId": fo["id"], "holdId": hold.id}],
    )
    assert statuses(await apply_all(store, decision))[0] == (ActionKind.RELEASE_HOLD, APPLIED)
    [after] = await fulfillment_orders(store, order_id)
    assert after["fulfillmentHolds"] == [] and after["status"] == "OPEN"
    assert statuses(await apply_all(store, decision))[0] == (ActionKind.RELEASE_HOLD, ALREADY)


async def test_cancel_with_refund_and_restock_exactly_once(store: Store) -> None:
    [variant] = await store.product_variants("Chair", ("C-1", "45.00"))
    order_id = await store.order([(variant, 2, "45.00")])
    decision = decide(CaseType.ORDER_REVIEW, "reject", orderId=order_id, riskLevel="HIGH")
    first = await apply_all(store, decision)
    assert statuses(first) == [(ActionKind.CANCEL_ORDER, APPLIED), (ActionKind.ADD_TAGS, APPLIED)]
    assert first[0].result_id is not None and "Job" in first[0].result_id
    second = await apply_all(store, decision)
    assert statuses(second) == [(ActionKind.CANCEL_ORDER, ALREADY), (ActionKind.ADD_TAGS, ALREADY)]
    order = await ops.get_order_with_history(store.client, order_id)
    assert order is not None and order["cancelledAt"] is not None
    assert len(order["refunds"]) == 1
    assert order["refunds"][0]["totalRefundedSet"]["shopMoney"]["amount"] in {"90.0", "90.00"}


async def _return_of(store: Store, order_id: str) -> tuple[str, str]:
    data = await store.gql(
        """query R($id: ID!) { order(id: $id) { returns(first: 5) { nodes {
            id returnLineItems(first: 5) { nodes {
              ... on ReturnLineItem { fulfillmentLineItem { lineItem { id } } }
            } }
        } } } }""",
        id=order_id,
    )
    [ret] = data["order"]["returns"]["nodes"]
    line = ret["returnLineItems"]["nodes"][0]["fulfillmentLineItem"]["lineItem"]["id"]
    return ret["id"], line


async def test_return_approve_and_refund_once(store: Store) -> None:
    order_id = await store.scenario("return_request")
    return_id, line_id = await _return_of(store, order_id)
    decision = decide(
        CaseType.RETURN_REVIEW,
        "approve",
        case_id="case-ret",
        orderId=order_id,
        returnId=return_id,
        returnLineItems=[{"lineItemId": line_id, "quantity": 1}],
    )
    first = await apply_all(store, decision)
    assert statuses(first) == [
        (ActionKind.APPROVE_RETURN, APPLIED),
        (ActionKind.REFUND, APPLIED),
        (ActionKind.ADD_TAGS, APPLIED),
    ]
    refund_id = first[1].result_id
    assert refund_id is not None and "Refund" in refund_id
    second = await apply_all(store, decision)
    assert [r.status for r in second] == [ALREADY, ALREADY, ALREADY]
    assert second[1].result_id == refund_id
    refunds = await ops.get_refunds(store.client, order_id)
    assert [r["id"] for r in refunds] == [refund_id]
    data = await store.gql("query R($id: ID!) { return(id: $id) { status } }", id=return_id)
    assert data["return"]["status"] == "OPEN"


async def test_refund_replay_uses_idempotent_key(store: Store) -> None:
    # Even without the note marker (another tool may rewrite notes) the key
    # makes Shopify answer with the first refund.
    order_id = await store.scenario("return_request")
    _, line_id = await _return_of(store, order_id)
    key = idempotency_key("case-x:task-1", 0, ActionKind.REFUND)
    refund_input = {
        "orderId": order_id,
        "note": f"[{key}]",
        "notify": False,
        "refundLineItems": [{"lineItemId": line_id, "quantity": 1}],
    }
    first = await ops.refund_create(store.client, refund_input, idempotency_key=key)
    again = await ops.refund_create(store.client, refund_input, idempotency_key=key)
    assert first["id"] == again["id"]
    assert len(await ops.get_refunds(store.client, order_id)) == 1


async def test_decline_return_with_reason(store: Store) -> None:
    order_id = await store.scenario("return_request")
    return_id, _ = await _return_of(store, order_id)
    decision = decide(
        CaseType.RETURN_REVIEW,
        "decline",
        case_id="case-dec",
        orderId=order_id,
        returnId=return_id,
        declineReason="FINAL_SALE",
        declineNote="Clearance items are final sale",
    )
    first = await apply_all(store, decision)
    assert first[0].action is ActionKind.DECLINE_RETURN and first[0].status is APPLIED
    data = await store.gql(
        "query R($id: ID!) { return(id: $id) { status decline { reason note } } }", id=return_id
    )
    assert data["return"]["status"] == "DECLINED"
    assert data["return"]["decline"] == {
        "reason": "FINAL_SALE",
        "note": "Clearance items are final sale",
    }
    assert (await apply_all(store, decision))[0].status is ALREADY


async def test_split_fulfillment_once(store: Store) -> None:
    a, b = await store.product_variants("Cups", ("CUP-A", "5.00"), ("CUP-B", "6.00"))
    order_id = await store.order([(a, 2, "5.00"), (b, 3, "6.00")])
    [fo] = await fulfillment_orders(store, order_id)
    first_line = fo["lineItems"]["nodes"][0]["id"]
    decision = decide(
        CaseType.FULFILLMENT_EXCEPTION,
        "split",
        case_id="case-split",
        orderId=order_id,
        fulfillmentOrderId=fo["id"],
        splitLineItems=[{"id": first_line, "quantity": 2}],
    )
    first = await apply_all(store, decision)
    assert statuses(first)[0] == (ActionKind.SPLIT_FULFILLMENT, APPLIED)
    assert first[0].result_id not in (None, fo["id"])
    assert len(await fulfillment_orders(store, order_id)) == 2
    assert statuses(await apply_all(store, decision))[0] == (ActionKind.SPLIT_FULFILLMENT, ALREADY)
    assert len(await fulfillment_orders(store, order_id)) == 2


async def test_reschedule_scheduled_fulfillment(store: Store) -> None:
    order_id = await store.scenario("scheduled_order")
    [fo] = await fulfillment_orders(store, order_id)
    assert fo["status"] == "SCHEDULED"
    decision = decide(
        CaseType.FULFILLMENT_EXCEPTION,
        "reschedule",
        case_id="case-res",
        orderId=order_id,
        fulfillmentOrderId=fo["id"],
        fulfillAt="2030-01-15T09:00:00Z",
    )
    first = await apply_all(store, decision)
    assert statuses(first)[0] == (ActionKind.RESCHEDULE_FULFILLMENT, APPLIED)
    [after] = await fulfillment_orders(store, order_id)
    assert after["fulfillAt"].startswith("2030-01-15T09:00:00")
    assert (await apply_all(store, decision))[0].status is ALREADY


async def test_substitute_via_order_edit(store: Store) -> None:
    old, new = await store.product_variants("Mug", ("MUG-RED", "12.00"), ("MUG-BLUE", "12.00"))
    order_id = await store.order([(old, 2, "12.00")])
    order = await ops.get_order_with_history(store.client, order_id)
    assert order is not None
    lines = await store.gql(
        "query L($id: ID!) { order(id: $id) { lineItems(first: 5) { nodes { id } } } }",
        id=order_id,
    )
    [line_id] = [n["id"] for n in lines["order"]["lineItems"]["nodes"]]
    decision = decide(
        CaseType.FULFILLMENT_EXCEPTION,
        "substitute",
        case_id="case-sub",
        orderId=order_id,
        removeLineItemId=line_id,
        substituteVariantId=new,
    )
    first = await apply_all(store, decision)
    assert statuses(first)[0] == (ActionKind.EDIT_ORDER, APPLIED)
    after = await store.gql(
        """query L($id: ID!) { order(id: $id) { lineItems(first: 5) {
            nodes { currentQuantity variant { id } } } } }""",
        id=order_id,
    )
    quantities = {
        n["variant"]["id"]: n["currentQuantity"] for n in after["order"]["lineItems"]["nodes"]
    }
    assert quantities == {old: 0, new: 2}  # the substitute keeps the removed quantity
    assert (await apply_all(store, decision))[0].status is ALREADY


async def test_chargeback_note_tags_metafield(store: Store) -> None:
    order_id = await store.scenario("dispute_chargeback")
    data = await store.gql("query D($id: ID!) { order(id: $id) { disputes { id } } }", id=order_id)
    dispute_id = data["order"]["disputes"][0]["id"]
    decision = decide(
        CaseType.CHARGEBACK,
        "accept",
        case_id="case-cb",
        orderId=order_id,
        disputeId=dispute_id,
        notes="refund issued to the customer",
    )
    first = await apply_all(store, decision)
    kinds = [r.action for r in first]
    assert ActionKind.ADD_NOTE in kinds and ActionKind.SET_METAFIELD in kinds
    assert all(r.status is APPLIED for r in first), [r.error_message for r in first]
    second = await apply_all(store, decision)
    assert all(r.status is ALREADY for r in second)
    read = await store.gql(
        """query O($id: ID!) { order(id: $id) { note tags
            metafields(first: 5) { nodes { namespace key value } } } }""",
        id=order_id,
    )
    state = read["order"]
    assert state["note"].count("refund issued to the customer") == 1
    assert "chargeback:accept" in state["tags"]
    [metafield] = state["metafields"]["nodes"]
    assert metafield["namespace"] == "casebridge" and '"outcome":"accept"' in metafield["value"]


async def test_permanent_user_error_is_failed(store: Store) -> None:
    [variant] = await store.product_variants("Vase", ("V-1", "20.00"))
    order_id = await store.order([(variant, 1, "20.00")])
    [fo] = await fulfillment_orders(store, order_id)
    assert fo["status"] == "OPEN"  # not scheduled: Shopify refuses a reschedule
    decision = decide(
        CaseType.FULFILLMENT_EXCEPTION,
        "reschedule",
        case_id="case-bad",
        orderId=order_id,
        fulfillmentOrderId=fo["id"],
        fulfillAt="2030-01-15T09:00:00Z",
    )
    results = await store.executor.apply_all(decision)
    assert len(results) == 1  # stops at the failure; the audit tag is not applied
    [failed] = results
    assert failed.status is WritebackStatus.FAILED
    assert failed.mutation == "fulfillmentOrderReschedule"
    assert failed.error_message is not None and "scheduled" in failed.error_message
    assert failed.attempts == 2  # re-read once in case the refusal echoed our own write


async def test_edit_of_cancelled_order_is_superseded_without_asking_shopify(store: Store) -> None:
    old, new = await store.product_variants("Pen", ("PEN-1", "2.00"), ("PEN-2", "2.00"))
    order_id = await store.order([(old, 1, "2.00")])
    cancel = decide(CaseType.ORDER_REVIEW, "reject", case_id="case-c", orderId=order_id)
    await apply_all(store, cancel)
    lines = await store.gql(
        "query L($id: ID!) { order(id: $id) { lineItems(first: 5) { nodes { id } } } }",
        id=order_id,
    )
    line_id = lines["order"]["lineItems"]["nodes"][0]["id"]
    edit = decide(
        CaseType.FULFILLMENT_EXCEPTION,
        "substitute",
        case_id="case-e",
        orderId=order_id,
        removeLineItemId=line_id,
        substituteVariantId=new,
        substituteQuantity=1,
    )
    [result] = await store.executor.apply_all(edit)
    # Read from the order, not learnt from Shopify refusing orderEditBegin: the agent
    # closes such a case as superseded (SUPERSEDED) instead of dead-lettering it.
    assert result.status is WritebackStatus.FAILED and result.error_code == "ORDER_CANCELLED"
    assert result.mutation == "none"


def offline(case_id: str, **changes: Any) -> OfflineOrder:
    base: dict[str, Any] = {
        "intake_case_id": case_id,
        "shop": SHOP,
        "customer": OfflineCustomer(
            email="grace@example.com",
            first_name="Grace",
            last_name="Hopper",
            shipping_address=Address(
                address1="1 Navy Way", city="Arlington", country_code="US", zip="22201"
            ),
        ),
        "line_items": [],
        "currency": "USD",
        "tax_exempt": True,
        "payment_status": PaymentStatus.PENDING,
        "note": "phone order",
        "tags": ["phone"],
        "approved_at": "2026-11-26T08:00:00Z",
    }
    base.update(changes)
    return OfflineOrder.model_validate(base)


async def test_offline_order_created_once(store: Store) -> None:
    a, b = await store.product_variants("Books", ("BK-1", "30.00"), ("BK-2", "40.00"))
    order = offline(
        "intake-7",
        line_items=[
            OfflineLineItem(variant_id=a, quantity=2),
            OfflineLineItem(
                variant_id=b, quantity=1, price_override="35.00", override_reason="loyal"
            ),
        ],
    )
    first = await store.creator.create(order)
    assert first.status is APPLIED and first.result_id is not None
    assert first.action is ActionKind.CREATE_ORDER and first.case_id == "intake-7"
    second = await store.creator.create(order)
    assert second.status is ALREADY and second.result_id == first.result_id
    found = await store.gql(
        "query F($q: String!) { orders(first: 10, query: $q) { nodes { id } } }",
        q=f"tag:'{intake_tag('intake-7')}'",
    )
    assert [n["id"] for n in found["orders"]["nodes"]] == [first.result_id]
    created = await store.gql(
        """query O($id: ID!) { order(id: $id) { tags note displayFinancialStatus
            totalPriceSet { shopMoney { amount } } customer { email } } }""",
        id=first.result_id,
    )
    state = created["order"]
    assert Decimal(state["totalPriceSet"]["shopMoney"]["amount"]) == Decimal("95.00")
    assert state["displayFinancialStatus"] == "PENDING"
    assert state["customer"]["email"] == "grace@example.com"
    assert {"phone", "casebridge-intake:intake-7"} <= set(state["tags"])


async def test_offline_order_carries_its_taxes_shipping_and_payment_terms(store: Store) -> None:
    [variant] = await store.product_variants("Lamps", ("LA-1", "45.00"))
    order = offline(
        "intake-9",
        line_items=[OfflineLineItem(variant_id=variant, quantity=2)],
        tax_exempt=False,
        tax_lines=[OfflineTaxLine(title="Sales tax", rate="0.08")],
        shipping_lines=[OfflineShippingLine(title="Freight", price="12.00")],
        payment_status=PaymentStatus.PAYMENT_TERMS,
        payment_terms=OfflinePaymentTerms(template="Net 30"),
    )
    first = await store.creator.create(order)
    assert first.status is APPLIED and first.result_id is not None
    again = await store.creator.create(order)
    assert again.status is ALREADY  # terms found on the order: nothing written twice
    created = await store.gql(
        """query O($id: ID!) { order(id: $id) { displayFinancialStatus
            totalTaxSet { shopMoney { amount } } totalShippingPriceSet { shopMoney { amount } }
            totalPriceSet { shopMoney { amount } } paymentTerms { paymentTermsName } } }""",
        id=first.result_id,
    )
    state = created["order"]
    # 90.00 of goods and 12.00 of freight at 8 %: 7.20 + 0.96
    assert Decimal(state["totalTaxSet"]["shopMoney"]["amount"]) == Decimal("8.16")
    assert Decimal(state["totalShippingPriceSet"]["shopMoney"]["amount"]) == Decimal("12.00")
    assert Decimal(state["totalPriceSet"]["shopMoney"]["amount"]) == Decimal("110.16")
    assert state["displayFinancialStatus"] == "PENDING"
    assert state["paymentTerms"] == {"paymentTermsName": "Net 30"}


async def test_offline_order_invalid_lists_every_problem(store: Store) -> None:
    [variant] = await store.product_variants("Pens", ("P-1", "3.00"))
    order = offline(
        "intake-8",
        customer=OfflineCustomer(first_name="NoEmail"),
        line_items=[
            OfflineLineItem(variant_id=variant, quantity=1, price_override="-1.00"),
            OfflineLineItem(variant_id="gid://shopify/ProductVariant/999999", quantity=1),
        ],
    )
    with pytest.raises(OfflineOrderInvalid) as caught:
        await store.creator.create(order)
    text = str(caught.value)
    assert len(caught.value.problems) == 3
    assert "negative" in text and "999999 does not exist" in text and "email" in text


async def test_twenty_actions_under_a_small_bucket(store: Store) -> None:
    [variant] = await store.product_variants("Caps", ("CAP-1", "9.00"))
    order_id = await store.order([(variant, 1, "9.00")])
    response = await store.admin.post(
        "/_emulator/faults", json={"restore_rate": 10, "maximum_available": 100}
    )
    response.raise_for_status()
    decision = decide(CaseType.ORDER_REVIEW, "approve", case_id="case-bucket", orderId=order_id)
    for index in range(20):
        action = Action(
            kind=ActionKind.ADD_TAGS,
            target_id=order_id,
            params=f'{{"tags": ["bulk-{index}"]}}',
            idempotency_key=idempotency_key(decision.decision_id, index, ActionKind.ADD_TAGS),
        )
        result = await store.executor.apply(decision, index, action)
        assert result.status is APPLIED, result.error_message
    assert store.client.bucket.synced
    # The client waited on its bucket model instead of being refused.
    assert store.client.stats.throttled == 0
