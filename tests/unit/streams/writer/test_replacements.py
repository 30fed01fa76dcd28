"""CREATE_REPLACEMENT: a return's replacement as a draft order, exactly once, per mode."""

from __future__ import annotations

from typing import Any

import pytest

from schemas.records import ActionKind, WritebackStatus
from tests.unit.streams.writer.fakes import FakeShopify, user_errors
from tests.unit.streams.writer.test_executor import run

ORDER = "gid://shopify/Order/1001"
MARKER = "casebridge-replacement:RETURN_REVIEW-1"
DRAFT = "gid://shopify/DraftOrder/7"


def params(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "orderId": ORDER,
        "returnId": "gid://shopify/Return/55",
        "mode": "complete",
        "freeOfCharge": True,
        "marker": MARKER,
        "tags": ["return-replacement"],
        "note": "casebridge RETURN_REVIEW case RETURN_REVIEW-1: replacement",
        "lineItems": [{"variantId": "gid://shopify/ProductVariant/31", "quantity": 2}],
    }
    values.update(overrides)
    return values


def original() -> dict[str, Any]:
    return {
        "order": {
            "id": ORDER,
            "name": "#1001",
            "email": "ada@example.com",
            "currencyCode": "EUR",
            "customer": {"id": "gid://shopify/Customer/77"},
            "shippingAddress": {
                "firstName": "Ada",
                "lastName": "Lovelace",
                "company": None,
                "phone": None,
                "address1": "1 Main St",
                "address2": None,
                "city": "Austin",
                "provinceCode": "TX",
                "countryCodeV2": "US",
                "zip": "78701",
            },
        }
    }


def drafts(*found: dict[str, Any]) -> dict[str, Any]:
    return {"draftOrders": {"nodes": list(found)}}


def created(status: str = "OPEN") -> dict[str, Any]:
    return {
        "draftOrderCreate": {
            "draftOrder": {"id": DRAFT, "name": "#D7", "status": status},
            "userErrors": [],
        }
    }


def completed() -> dict[str, Any]:
    order = {"id": "gid://shopify/Order/2002", "name": "#2002"}
    return {
        "draftOrderComplete": {
            "draftOrder": {"id": DRAFT, "status": "COMPLETED", "order": order},
            "userErrors": [],
        }
    }


async def test_a_free_replacement_is_created_from_the_original_order_and_completed() -> None:
    fake = (
        FakeShopify()
        .script("CasebridgeDraftOrdersTagged", drafts())
        .script("CasebridgeReplacementOrder", original())
        .script("CasebridgeDraftOrderCreate", created())
        .script("CasebridgeDraftOrderComplete", completed())
    )

    result = await run(fake, ActionKind.CREATE_REPLACEMENT, ORDER, **params())

    assert result.status is WritebackStatus.APPLIED
    assert (result.mutation, result.result_id) == ("draftOrderComplete", "gid://shopify/Order/2002")
    (search,) = fake.called("CasebridgeDraftOrdersTagged")
    assert search == {"query": f"tag:'{MARKER}'"}
    (sent,) = fake.called("CasebridgeDraftOrderCreate")
    draft = sent["input"]
    assert draft["lineItems"] == [{"variantId": "gid://shopify/ProductVariant/31", "quantity": 2}]
    assert draft["tags"] == ["return-replacement", MARKER]
    assert draft["email"] == "ada@example.com"
    assert draft["purchasingEntity"] == {"customerId": "gid://shopify/Customer/77"}
    assert draft["presentmentCurrencyCode"] == "EUR"
    assert draft["shippingAddress"] == {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "address1": "1 Main St",
        "city": "Austin",
        "provinceCode": "TX",
        "countryCode": "US",
        "zip": "78701",
    }
    assert draft["appliedDiscount"]["value"] == 100.0
    assert draft["appliedDiscount"]["valueType"] == "PERCENTAGE"
    assert fake.called("CasebridgeDraftOrderComplete") == [{"id": DRAFT}]


async def test_a_charged_replacement_gets_no_discount_and_invoice_mode_sends_the_invoice() -> None:
    fake = (
        FakeShopify()
        .script("CasebridgeDraftOrdersTagged", drafts())
        .script("CasebridgeReplacementOrder", original())
        .script("CasebridgeDraftOrderCreate", created())
        .script(
            "CasebridgeDraftOrderInvoiceSend",
            {"draftOrderInvoiceSend": {"draftOrder": {"id": DRAFT}, "userErrors": []}},
        )
    )

    result = await run(
        fake, ActionKind.CREATE_REPLACEMENT, ORDER, **params(mode="invoice", freeOfCharge=False)
    )

    assert (result.status, result.mutation) == (WritebackStatus.APPLIED, "draftOrderInvoiceSend")
    assert "appliedDiscount" not in fake.called("CasebridgeDraftOrderCreate")[0]["input"]
    assert fake.called("CasebridgeDraftOrderComplete") == []


async def test_draft_mode_leaves_the_draft_open() -> None:
    fake = (
        FakeShopify()
        .script("CasebridgeDraftOrdersTagged", drafts())
        .script("CasebridgeReplacementOrder", original())
        .script("CasebridgeDraftOrderCreate", created())
    )

    result = await run(fake, ActionKind.CREATE_REPLACEMENT, ORDER, **params(mode="draft"))

    assert (result.status, result.mutation, result.result_id) == (
        WritebackStatus.APPLIED,
        "draftOrderCreate",
        DRAFT,
    )


async def test_a_replay_finds_the_completed_replacement_and_writes_nothing() -> None:
    done = {
        "id": DRAFT,
        "status": "COMPLETED",
        "tags": [MARKER],
        "order": {"id": "gid://shopify/Order/2002"},
    }
    fake = FakeShopify().script("CasebridgeDraftOrdersTagged", drafts(done))

    result = await run(fake, ActionKind.CREATE_REPLACEMENT, ORDER, **params())

    assert result.status is WritebackStatus.ALREADY_APPLIED
    assert result.result_id == "gid://shopify/Order/2002"
    assert fake.names == ["CasebridgeDraftOrdersTagged"]


async def test_a_draft_left_open_by_a_crash_is_completed_not_created_again() -> None:
    left = {"id": DRAFT, "status": "OPEN", "tags": [MARKER.upper()], "order": None}
    fake = (
        FakeShopify()
        .script("CasebridgeDraftOrdersTagged", drafts(left))
        .script("CasebridgeDraftOrderComplete", completed())
    )

    result = await run(fake, ActionKind.CREATE_REPLACEMENT, ORDER, **params())

    assert (result.status, result.mutation) == (WritebackStatus.APPLIED, "draftOrderComplete")
    assert fake.called("CasebridgeDraftOrderCreate") == []


async def test_a_search_hit_on_another_tag_is_not_taken_for_ours() -> None:
    other = {"id": "gid://shopify/DraftOrder/9", "status": "COMPLETED", "tags": [MARKER + "-g2"]}
    fake = (
        FakeShopify()
        .script("CasebridgeDraftOrdersTagged", drafts(other))
        .script("CasebridgeReplacementOrder", original())
        .script("CasebridgeDraftOrderCreate", created())
        .script("CasebridgeDraftOrderComplete", completed())
    )

    result = await run(fake, ActionKind.CREATE_REPLACEMENT, ORDER, **params())

    assert result.status is WritebackStatus.APPLIED
    assert len(fake.called("CasebridgeDraftOrderCreate")) == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"mode": "ship"},
        {"lineItems": [{"variantId": "gid://shopify/ProductVariant/31", "quantity": 0}]},
        {"lineItems": [{"quantity": 1}]},
        {"lineItems": []},
        {"marker": ""},
    ],
)
async def test_bad_params_fail_without_calling_shopify(bad: dict[str, Any]) -> None:
    fake = FakeShopify()

    result = await run(fake, ActionKind.CREATE_REPLACEMENT, ORDER, **params(**bad))

    assert result.status is WritebackStatus.FAILED
    assert fake.calls == []


async def test_a_variant_shopify_refuses_fails_with_its_message() -> None:
    refused = user_errors(
        "draftOrderCreate",
        {"field": ["lineItems", "0", "variantId"], "message": "Variant does not exist"},
    )
    fake = (
        FakeShopify()
        .script("CasebridgeDraftOrdersTagged", drafts())
        .script("CasebridgeReplacementOrder", original())
        .script("CasebridgeDraftOrderCreate", refused)
    )

    result = await run(fake, ActionKind.CREATE_REPLACEMENT, ORDER, **params())

    assert result.status is WritebackStatus.FAILED
    assert "Variant does not exist" in (result.error_message or "")


async def test_empty_address_fields_are_left_out_and_a_bad_address_fails_cleanly() -> None:
    german = original()
    german["order"]["shippingAddress"].update({"provinceCode": "", "countryCodeV2": "DE"})
    fake = (
        FakeShopify()
        .script("CasebridgeDraftOrdersTagged", drafts())
        .script("CasebridgeReplacementOrder", german)
        .script("CasebridgeDraftOrderCreate", created())
        .script("CasebridgeDraftOrderComplete", completed())
    )

    result = await run(fake, ActionKind.CREATE_REPLACEMENT, ORDER, **params())

    assert result.status is WritebackStatus.APPLIED
    address = fake.called("CasebridgeDraftOrderCreate")[0]["input"]["shippingAddress"]
    assert "provinceCode" not in address and address["countryCode"] == "DE"

    broken = original()
    broken["order"]["shippingAddress"]["countryCodeV2"] = "Germany"
    fake = (
        FakeShopify()
        .script("CasebridgeDraftOrdersTagged", drafts())
        .script("CasebridgeReplacementOrder", broken)
    )

    result = await run(fake, ActionKind.CREATE_REPLACEMENT, ORDER, **params())

    assert (result.status, result.error_code) == (WritebackStatus.FAILED, "INVALID_ADDRESS")
    assert fake.called("CasebridgeDraftOrderCreate") == []
