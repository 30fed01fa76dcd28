"""The emulator answers the documents of returns, complaints and disputes as Shopify does:
returned lines with warranty metafields, customers by e-mail, an order's timeline, tagged
draft orders with a discount completed or invoiced, and disputes that end."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.shopify.documents import enrich
from connectors.shopify.documents import operations as ops

from .conftest import Running
from .helpers import seed, seed_order

pytestmark = pytest.mark.integration


async def _product(emulator: Running, **extra: Any) -> dict[str, Any]:
    product = {
        "title": "Headphones",
        "product_type": "Electronics",
        "variants": [{"title": "Black", "sku": "HP-B", "price": "100.00", "inventory_quantity": 5}],
        **extra,
    }
    created = await seed(emulator, {"products": [product]})
    gid = created["products"][0]
    data = await emulator.data(
        "query($id: ID!) { product(id: $id) { id variants(first: 1) { nodes { id } } } }",
        {"id": gid},
    )
    return {"id": gid, "variant": data["product"]["variants"]["nodes"][0]["id"]}


async def test_returned_lines_carry_order_date_variant_type_and_warranty_metafield(
    emulator: Running,
) -> None:
    warranty = {"namespace": "casebridge", "key": "warranty_months", "type": "number_integer"}
    product = await _product(emulator, metafields=[{**warranty, "value": "36"}])
    order = await seed_order(
        emulator,
        line_items=[{"variant_id": product["variant"], "quantity": 1, "price": "100.00"}],
    )
    line = (
        await emulator.data(
            "query($id: ID!) { order(id: $id) { lineItems(first: 1) { nodes { id } } } }",
            {"id": order},
        )
    )["order"]["lineItems"]["nodes"][0]["id"]
    variables = {
        "order": order,
        "lines": [line, "gid://shopify/LineItem/999999999"],
        "warrantyNamespace": "casebridge",
        "warrantyKey": "warranty_months",
    }

    data = await emulator.data(enrich.RETURN_LINES, variables)

    assert data["order"]["processedAt"] is not None
    known, unknown = data["nodes"]
    assert unknown is None  # a line Shopify does not know is null, not an error
    assert known["variant"] == {"id": product["variant"]}
    assert known["product"]["productType"] == "Electronics"
    assert known["product"]["warranty"] == {"value": "36"}


async def test_a_customer_is_found_by_email_with_tags_and_nobody_else_is(
    emulator: Running,
) -> None:
    await seed(
        emulator,
        {
            "customers": [
                {"email": "vip@example.com", "first_name": "Vi", "tags": ["vip-gold"]},
                {"email": "other@example.com", "first_name": "Ot", "tags": []},
            ]
        },
    )

    found = await emulator.data(enrich.CUSTOMER_BY_EMAIL, {"query": 'email:"vip@example.com"'})
    none = await emulator.data(enrich.CUSTOMER_BY_EMAIL, {"query": 'email:"nobody@example.com"'})

    (customer,) = found["customers"]["nodes"]
    assert customer["tags"] == ["vip-gold"] and customer["numberOfOrders"] == "0"
    assert none["customers"]["nodes"] == []


async def test_an_orders_timeline_has_events_and_staff_comments_newest_first_in_pages(
    emulator: Running,
) -> None:
    order = await seed_order(emulator)
    numeric = order.rsplit("/", 1)[-1]
    for text in ("Customer called about the parcel", "Sent a photo of the slip"):
        response = await emulator.http.post(
            f"/_emulator/orders/{numeric}/comments", json={"author": "Sam Support", "message": text}
        )
        assert response.status_code == 200, response.text

    first = await emulator.data(enrich.ORDER_TIMELINE, {"id": order, "first": 2, "after": None})
    page = first["order"]["events"]
    assert [e["__typename"] for e in page["nodes"]] == ["CommentEvent", "CommentEvent"]
    assert page["nodes"][0]["rawMessage"] == "Sent a photo of the slip"
    assert page["nodes"][0]["author"] == {"name": "Sam Support"}
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await emulator.data(
        enrich.ORDER_TIMELINE, {"id": order, "first": 2, "after": page["pageInfo"]["endCursor"]}
    )
    (placed,) = rest["order"]["events"]["nodes"]
    assert (placed["__typename"], placed["action"]) == ("BasicEvent", "placed")
    assert rest["order"]["events"]["pageInfo"]["hasNextPage"] is False


async def test_a_comment_needs_an_author_and_a_message(emulator: Running) -> None:
    order = (await seed_order(emulator)).rsplit("/", 1)[-1]
    response = await emulator.http.post(f"/_emulator/orders/{order}/comments", json={"author": ""})
    assert response.status_code == 400


async def test_a_free_replacement_draft_is_found_by_tag_and_completed_at_zero(
    emulator: Running,
) -> None:
    product = await _product(emulator)
    marker = "casebridge-replacement:RETURN_REVIEW-x"
    draft_input = {
        "lineItems": [{"variantId": product["variant"], "quantity": 2}],
        "tags": ["return-replacement", marker],
        "email": "ava@example.com",
        "appliedDiscount": {"value": 100.0, "valueType": "PERCENTAGE", "title": "Replacement"},
    }

    created = (await emulator.data(ops.DRAFT_ORDER_CREATE, {"input": draft_input}))[
        "draftOrderCreate"
    ]
    assert created["userErrors"] == []
    draft = created["draftOrder"]
    found = await emulator.data(ops.DRAFT_ORDERS_TAGGED, {"query": f"tag:'{marker}'"})
    assert [d["id"] for d in found["draftOrders"]["nodes"]] == [draft["id"]]
    other = await emulator.data(ops.DRAFT_ORDERS_TAGGED, {"query": "tag:'something-else'"})
    assert other["draftOrders"]["nodes"] == []

    done = (await emulator.data(ops.DRAFT_ORDER_COMPLETE, {"id": draft["id"]}))[
        "draftOrderComplete"
    ]
    assert done["userErrors"] == [] and done["draftOrder"]["status"] == "COMPLETED"
    order = await emulator.data(
        """query($id: ID!) { order(id: $id) { tags totalPriceSet { shopMoney { amount } }
            totalDiscountsSet { shopMoney { amount } } displayFinancialStatus } }""",
        {"id": done["draftOrder"]["order"]["id"]},
    )
    assert order["order"]["totalPriceSet"]["shopMoney"]["amount"] == "0.00"
    assert order["order"]["totalDiscountsSet"]["shopMoney"]["amount"] == "200.00"
    assert marker in order["order"]["tags"]


async def test_invoice_send_needs_an_email_and_a_draft_not_completed(emulator: Running) -> None:
    product = await _product(emulator)
    lines = [{"variantId": product["variant"], "quantity": 1}]
    without = await emulator.data(ops.DRAFT_ORDER_CREATE, {"input": {"lineItems": lines}})
    with_email = await emulator.data(
        ops.DRAFT_ORDER_CREATE, {"input": {"lineItems": lines, "email": "a@example.com"}}
    )

    refused = await emulator.data(
        ops.DRAFT_ORDER_INVOICE_SEND, {"id": without["draftOrderCreate"]["draftOrder"]["id"]}
    )
    sent = await emulator.data(
        ops.DRAFT_ORDER_INVOICE_SEND, {"id": with_email["draftOrderCreate"]["draftOrder"]["id"]}
    )

    assert refused["draftOrderInvoiceSend"]["userErrors"][0]["message"] == "To can't be blank"
    assert sent["draftOrderInvoiceSend"]["draftOrder"]["status"] == "INVOICE_SENT"


async def test_a_discount_over_100_percent_is_refused(emulator: Running) -> None:
    product = await _product(emulator)
    draft_input = {
        "lineItems": [{"variantId": product["variant"], "quantity": 1}],
        "appliedDiscount": {"value": 150.0, "valueType": "PERCENTAGE"},
    }
    answer = await emulator.data(ops.DRAFT_ORDER_CREATE, {"input": draft_input})
    (error,) = answer["draftOrderCreate"]["userErrors"]
    assert error["field"] == ["appliedDiscount", "value"]


async def test_a_dispute_ends_once_and_says_so_on_disputes_update(emulator: Running) -> None:
    await seed(emulator, {"scenario": {"n": 1, "kinds": ["dispute_chargeback"]}})
    dispute = next(iter(emulator.emu.store.shop().disputes.values()))

    ended = await emulator.http.post(
        f"/_emulator/disputes/{dispute.id}/status", json={"status": "accepted"}
    )
    again = await emulator.http.post(
        f"/_emulator/disputes/{dispute.id}/status", json={"status": "won"}
    )
    unknown = await emulator.http.post("/_emulator/disputes/1/status", json={"status": "won"})

    assert ended.status_code == 200 and ended.json()["status"] == "accepted"
    assert ended.json()["finalized_on"] is not None
    assert again.status_code == 409 and "already ended" in again.json()["error"]
    assert unknown.status_code == 404


async def test_the_dispute_outcome_scenario_ends_an_open_dispute(emulator: Running) -> None:
    created = await seed(emulator, {"scenario": {"n": 1, "kinds": ["dispute_outcome"]}})
    (entry,) = created["scenario"]
    assert entry["detail"] in {"won", "lost", "accepted"}
    (dispute,) = emulator.emu.store.shop().disputes.values()
    assert dispute.status == entry["detail"] and dispute.finalized_on is not None
