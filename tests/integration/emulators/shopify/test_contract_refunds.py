"""Contract: order transactions, ``Order.suggestedRefund``, refunds with transactions,
and ``disputeEvidenceUpdate`` by evidence id."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Running
from .helpers import seed, seed_order

pytestmark = pytest.mark.integration

TRANSACTIONS = """query($id: ID!) { order(id: $id) {
  lineItems(first: 10) { nodes { id sku } }
  transactions { id kind status gateway amountSet { shopMoney { amount currencyCode } }
                 parentTransaction { id } }
} }"""
SUGGEST = """query($id: ID!, $lines: [RefundLineItemInput!], $shipping: Boolean) {
  order(id: $id) {
    suggestedRefund(refundLineItems: $lines, refundShipping: $shipping) {
      amountSet { shopMoney { amount currencyCode } }
      subtotalSet { shopMoney { amount } }
      totalTaxSet { shopMoney { amount } }
      maximumRefundableSet { shopMoney { amount } }
      shipping { amountSet { shopMoney { amount } } }
      refundLineItems { lineItem { id } quantity restockType }
      suggestedTransactions {
        amountSet { shopMoney { amount currencyCode } }
        gateway kind parentTransaction { id }
      }
    }
  }
}"""
REFUND = """mutation($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    refund { id totalRefundedSet { shopMoney { amount } }
             transactions(first: 5) { nodes { kind gateway amountSet { shopMoney { amount } }
                                              parentTransaction { id } } } }
    userErrors { field message }
  }
}"""


async def _order(emulator: Running, **extra: Any) -> tuple[str, dict[str, Any]]:
    """A paid order: 2 x 50.00 + 1 x 20.00, tax 12.00, shipping 8.00 (total 140.00)."""
    order = await seed_order(emulator, tax="12.00", shipping_price="8.00", **extra)
    data = await emulator.data(TRANSACTIONS, {"id": order})
    return order, data["order"]


async def _suggest(emulator: Running, order: str, **variables: Any) -> dict[str, Any]:
    data = await emulator.data(SUGGEST, {"id": order, **variables})
    result: dict[str, Any] = data["order"]["suggestedRefund"]
    return result


def _amount(bag: dict[str, Any]) -> str:
    return str(bag["shopMoney"]["amount"])


async def test_paid_order_has_a_sale_transaction(emulator: Running) -> None:
    _, order = await _order(emulator)
    [sale] = order["transactions"]
    assert sale["kind"] == "SALE" and sale["status"] == "SUCCESS"
    assert sale["gateway"] == "shopify_payments" and sale["parentTransaction"] is None
    assert sale["amountSet"]["shopMoney"] == {"amount": "140.00", "currencyCode": "USD"}
    pending, _ = await _order(emulator, financial_status="pending")
    assert (await emulator.data(TRANSACTIONS, {"id": pending}))["order"]["transactions"] == []


async def test_suggested_refund_of_lines_then_refund_with_its_transactions(
    emulator: Running,
) -> None:
    order, view = await _order(emulator)
    sweater = view["lineItems"]["nodes"][0]["id"]
    [sale] = view["transactions"]
    lines = [{"lineItemId": sweater, "quantity": 1, "restockType": "RETURN"}]
    suggested = await _suggest(emulator, order, lines=lines)
    # 50.00 of 120.00 subtotal carries 50/120 of the 12.00 tax.
    assert _amount(suggested["subtotalSet"]) == "50.00"
    assert _amount(suggested["totalTaxSet"]) == "5.00"
    assert _amount(suggested["amountSet"]) == "55.00"
    assert _amount(suggested["maximumRefundableSet"]) == "140.00"
    assert suggested["refundLineItems"] == [
        {"lineItem": {"id": sweater}, "quantity": 1, "restockType": "RETURN"}
    ]
    [txn] = suggested["suggestedTransactions"]
    assert txn["kind"] == "SUGGESTED_REFUND" and txn["gateway"] == "shopify_payments"
    assert txn["parentTransaction"] == {"id": sale["id"]}
    assert txn["amountSet"]["shopMoney"] == {"amount": "55.00", "currencyCode": "USD"}

    transactions = [
        {
            "orderId": order,
            "amount": txn["amountSet"]["shopMoney"]["amount"],
            "gateway": txn["gateway"],
            "kind": "REFUND",
            "parentId": txn["parentTransaction"]["id"],
        }
    ]
    result = await emulator.data(
        REFUND,
        {
            "input": {"orderId": order, "refundLineItems": lines, "transactions": transactions},
            "key": "suggested-1",
        },
    )
    payload = result["refundCreate"]
    assert payload["userErrors"] == []
    assert _amount(payload["refund"]["totalRefundedSet"]) == "55.00"
    [refund_txn] = payload["refund"]["transactions"]["nodes"]
    assert refund_txn["kind"] == "REFUND" and refund_txn["parentTransaction"] == {"id": sale["id"]}

    # The next suggestion starts from what is left: one sweater, 85.00 of the sale.
    again = await _suggest(emulator, order, lines=[{"lineItemId": sweater, "quantity": 5}])
    assert again["refundLineItems"][0]["quantity"] == 1  # clamped to what is refundable
    assert _amount(again["maximumRefundableSet"]) == "85.00"
    after = (await emulator.data(TRANSACTIONS, {"id": order}))["order"]["transactions"]
    assert [t["kind"] for t in after] == ["SALE", "REFUND"]


async def test_suggested_refund_shipping_and_unknown_line(emulator: Running) -> None:
    order, _ = await _order(emulator)
    shipping = await _suggest(emulator, order, lines=[], shipping=True)
    assert _amount(shipping["shipping"]["amountSet"]) == "8.00"
    assert _amount(shipping["amountSet"]) == "8.00"
    assert len(shipping["suggestedTransactions"]) == 1
    # Shopify has no suppressTransactions argument (any more): refused, as a store would.
    refused = await emulator.gql(
        "query($id: ID!) { order(id: $id) { suggestedRefund(suppressTransactions: true) { "
        "amountSet { shopMoney { amount } } } } }",
        {"id": order},
    )
    assert "suppressTransactions" in refused["errors"][0]["message"]
    _, other_view = await _order(emulator)
    foreign = other_view["lineItems"]["nodes"][0]["id"]
    body = await emulator.gql(
        SUGGEST, {"id": order, "lines": [{"lineItemId": foreign, "quantity": 1}]}
    )
    assert body["errors"] and body["data"]["order"]["suggestedRefund"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "140.01"}, "amount"),  # more than the sale
        ({"parentId": "gid://shopify/OrderTransaction/1"}, "parentId"),  # unknown parent
        ({"kind": "SALE"}, "kind"),
        ({"gateway": "paypal"}, "gateway"),  # not the parent's gateway
        ({"amount": "0"}, "amount"),
    ],
)
async def test_refund_transactions_are_checked(
    emulator: Running, change: dict[str, str], field: str
) -> None:
    order, view = await _order(emulator)
    [sale] = view["transactions"]
    transaction = {
        "orderId": order,
        "amount": "10.00",
        "gateway": "shopify_payments",
        "kind": "REFUND",
        "parentId": sale["id"],
        **change,
    }
    result = await emulator.data(
        REFUND, {"input": {"orderId": order, "transactions": [transaction]}, "key": field}
    )
    payload = result["refundCreate"]
    assert payload["refund"] is None
    [error] = payload["userErrors"]
    assert error["field"] == ["transactions", "0", field]
    after = (await emulator.data(TRANSACTIONS, {"id": order}))["order"]["transactions"]
    assert [t["kind"] for t in after] == ["SALE"]  # nothing recorded


async def test_refund_transaction_of_another_orders_parent_is_refused(emulator: Running) -> None:
    order, _ = await _order(emulator)
    _, other = await _order(emulator)
    [foreign_sale] = other["transactions"]
    transaction = {
        "orderId": order,
        "amount": "10.00",
        "gateway": "shopify_payments",
        "kind": "REFUND",
        "parentId": foreign_sale["id"],
    }
    result = await emulator.data(
        REFUND, {"input": {"orderId": order, "transactions": [transaction]}, "key": "foreign"}
    )
    [error] = result["refundCreate"]["userErrors"]
    assert error["field"] == ["transactions", "0", "parentId"]


async def test_two_refunds_cannot_take_more_than_the_parent(emulator: Running) -> None:
    order, view = await _order(emulator)
    [sale] = view["transactions"]

    def refund(amount: str) -> dict[str, Any]:
        return {
            "orderId": order,
            "transactions": [
                {
                    "orderId": order,
                    "amount": amount,
                    "gateway": "shopify_payments",
                    "kind": "REFUND",
                    "parentId": sale["id"],
                }
            ],
        }

    first = await emulator.data(REFUND, {"input": refund("100.00"), "key": "a"})
    assert first["refundCreate"]["userErrors"] == []
    second = await emulator.data(REFUND, {"input": refund("40.01"), "key": "b"})
    assert "refundable" in second["refundCreate"]["userErrors"][0]["message"]
    last = await emulator.data(REFUND, {"input": refund("40.00"), "key": "c"})
    assert last["refundCreate"]["userErrors"] == []
    left = await _suggest(emulator, order, lines=[], shipping=True)
    assert _amount(left["amountSet"]) == "0.00" and left["suggestedTransactions"] == []


EVIDENCE_UPDATE = """mutation($id: ID!, $text: String!) {
  disputeEvidenceUpdate(id: $id, input: {uncategorizedText: $text}) {
    disputeEvidence { id uncategorizedText dispute { id } }
    userErrors { field message code }
  }
}"""


async def test_dispute_evidence_update_takes_the_evidence_id(emulator: Running) -> None:
    created = await seed(emulator, {"scenario": {"n": 1, "kinds": ["dispute_chargeback"]}})
    data = await emulator.data(
        """query($id: ID!) { order(id: $id) { disputes { id } } }""",
        {"id": created["scenario"][0]["order_id"]},
    )
    dispute_id = data["order"]["disputes"][0]["id"]
    read = await emulator.data(
        "query($id: ID!) { dispute(id: $id) { disputeEvidence { id } } }", {"id": dispute_id}
    )
    evidence_id = read["dispute"]["disputeEvidence"]["id"]
    assert evidence_id.startswith("gid://shopify/ShopifyPaymentsDisputeEvidence/")
    assert evidence_id.rsplit("/", 1)[1] != dispute_id.rsplit("/", 1)[1]  # its own id

    by_evidence = await emulator.data(EVIDENCE_UPDATE, {"id": evidence_id, "text": "tracking"})
    payload = by_evidence["disputeEvidenceUpdate"]
    assert payload["userErrors"] == []
    assert payload["disputeEvidence"] == {
        "id": evidence_id,
        "uncategorizedText": "tracking",
        "dispute": {"id": dispute_id},
    }
    # The dispute id is still accepted (compatibility with older clients of the emulator).
    by_dispute = await emulator.data(EVIDENCE_UPDATE, {"id": dispute_id, "text": "receipt"})
    assert by_dispute["disputeEvidenceUpdate"]["disputeEvidence"]["id"] == evidence_id
    unknown = await emulator.data(
        EVIDENCE_UPDATE,
        {"id": "gid://shopify/ShopifyPaymentsDisputeEvidence/1", "text": "x"},
    )
    [error] = unknown["disputeEvidenceUpdate"]["userErrors"]
    assert error["code"] == "DISPUTE_EVIDENCE_NOT_FOUND" and error["field"] == ["id"]
