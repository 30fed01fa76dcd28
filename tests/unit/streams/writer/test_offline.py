"""OfflineOrderCreator with a scripted GraphQL executor."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.shopify.errors import ShopifyUnavailableError
from schemas.records import (
    ActionKind,
    Address,
    OfflineCustomer,
    OfflineLineItem,
    OfflineOrder,
    PaymentStatus,
    WritebackStatus,
)
from streams.settings import Retry, WriterSettings
from streams.writer import (
    OfflineOrderCreator,
    OfflineOrderInvalid,
    WriterUnavailableError,
    intake_tag,
)
from tests.unit.streams.writer.fakes import FakeShopify, user_errors

VARIANT = "gid://shopify/ProductVariant/11"
TAG = "casebridge-intake:intake-1"


async def no_sleep(seconds: float) -> None:
    return None


def creator(fake: FakeShopify) -> OfflineOrderCreator:
    config = WriterSettings(retry=Retry(initial_s=0, attempts=3))
    return OfflineOrderCreator(fake, config=config, sleep=no_sleep)


def offline(**changes: Any) -> OfflineOrder:
    base: dict[str, Any] = {
        "intake_case_id": "intake-1",
        "shop": "demo.myshopify.com",
        "customer": OfflineCustomer(
            email="grace@example.com",
            first_name="Grace",
            last_name="Hopper",
            shipping_address=Address(address1="1 Navy Way", city="Arlington", country_code="US"),
        ),
        "line_items": [
            OfflineLineItem(
                variant_id="11", quantity=2, price_override="9.50", override_reason="vip"
            )
        ],
        "currency": "USD",
        "tax_exempt": True,
        "tax_note": "reseller certificate 42",
        "payment_status": PaymentStatus.PENDING,
        "note": "phone order",
        "tags": ["phone"],
        "approved_at": "2026-11-26T08:00:00Z",
    }
    base.update(changes)
    return OfflineOrder.model_validate(base)


def none_found() -> dict[str, Any]:
    return {"orders": {"nodes": []}}


def variant_ok() -> dict[str, Any]:
    return {"productVariant": {"id": VARIANT, "price": "10.00"}}


def test_intake_tag_drops_commas() -> None:
    assert intake_tag("a,b") == "casebridge-intake:a b"


async def test_existing_order_with_the_intake_tag_is_already_applied() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterOrdersByQuery",
        {"orders": {"nodes": [{"id": "gid://shopify/Order/5", "tags": [TAG.upper()]}]}},
    )
    result = await creator(fake).create(offline())
    assert result.status is WritebackStatus.ALREADY_APPLIED
    assert result.result_id == "gid://shopify/Order/5"
    assert fake.names == ["CasebridgeWriterOrdersByQuery"]
    assert fake.called("CasebridgeWriterOrdersByQuery")[0]["query"] == f"tag:'{TAG}'"


async def test_search_hit_without_the_exact_tag_is_ignored() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterOrdersByQuery",
        {"orders": {"nodes": [{"id": "gid://shopify/Order/5", "tags": [TAG + "0"]}]}},
    )
    fake.script("CasebridgeWriterProductVariant", variant_ok())
    fake.script(
        "CasebridgeOrderCreate", {"orderCreate": {"order": {"id": "gid://shopify/Order/6"}}}
    )
    result = await creator(fake).create(offline())
    assert result.status is WritebackStatus.APPLIED and result.result_id == "gid://shopify/Order/6"


async def test_creates_the_order_with_overrides_tags_and_customer() -> None:
    fake = FakeShopify().script("CasebridgeWriterOrdersByQuery", none_found())
    fake.script("CasebridgeWriterProductVariant", variant_ok())
    fake.script(
        "CasebridgeOrderCreate", {"orderCreate": {"order": {"id": "gid://shopify/Order/6"}}}
    )
    result = await creator(fake).create(offline())
    assert result.status is WritebackStatus.APPLIED
    assert result.action is ActionKind.CREATE_ORDER and result.mutation == "orderCreate"
    assert result.writeback_id == "wb-offline-intake-1" and result.case_id == "intake-1"
    [sent] = fake.called("CasebridgeOrderCreate")
    order = sent["order"]
    assert order["lineItems"] == [
        {
            "variantId": VARIANT,
            "quantity": 2,
            "priceSet": {"shopMoney": {"amount": "9.50", "currencyCode": "USD"}},
        }
    ]
    assert order["tags"] == ["phone", TAG]
    assert order["financialStatus"] == "PENDING"
    assert order["customer"] == {
        "toUpsert": {"email": "grace@example.com", "firstName": "Grace", "lastName": "Hopper"}
    }
    assert order["shippingAddress"]["countryCode"] == "US"
    attributes = {a["key"]: a["value"] for a in order["customAttributes"]}
    assert attributes["casebridge_tax_exempt"] == "true"
    assert attributes["casebridge_tax_note"] == "reseller certificate 42"
    assert attributes["casebridge_price_override_1"] == "vip"
    assert "taxLines" not in order  # exempt: no tax is added


async def test_paid_order_and_existing_customer() -> None:
    fake = FakeShopify().script("CasebridgeWriterOrdersByQuery", none_found())
    fake.script("CasebridgeWriterProductVariant", variant_ok())
    fake.script("CasebridgeWriterCustomer", {"customer": {"id": "gid://shopify/Customer/3"}})
    fake.script("CasebridgeOrderCreate", {"orderCreate": {"order": {"id": "o"}}})
    order = offline(payment_status=PaymentStatus.PAID, customer=OfflineCustomer(customer_id="3"))
    await creator(fake).create(order)
    [sent] = fake.called("CasebridgeOrderCreate")
    assert sent["order"]["financialStatus"] == "PAID"
    assert sent["order"]["customer"] == {"toAssociate": {"id": "gid://shopify/Customer/3"}}


async def test_every_problem_is_listed() -> None:
    fake = FakeShopify().script("CasebridgeWriterOrdersByQuery", none_found())
    fake.script("CasebridgeWriterProductVariant", variant_ok(), {"productVariant": None})
    zero = OfflineLineItem.model_construct(variant_id="13", quantity=0)
    order = offline(
        customer=OfflineCustomer(phone="+1 555"),
        line_items=[
            OfflineLineItem(variant_id="11", quantity=1, price_override="-2.00"),
            OfflineLineItem(variant_id="12", quantity=1),
        ],
        currency="usd",
    )
    order = order.model_copy(update={"line_items": [*order.line_items, zero]})
    with pytest.raises(OfflineOrderInvalid) as caught:
        await creator(fake).create(order)
    problems = caught.value.problems
    assert caught.value.intake_case_id == "intake-1"
    text = " | ".join(problems)
    assert "line 1 (11): price override -2.00 is negative" in text
    assert "line 3 (13): quantity must be at least 1" in text
    assert "neither a Shopify customer id nor an email" in text
    assert "neither a Shopify customer id nor a name" in text
    assert "currency 'usd'" in text
    assert "line 2: variant 12 does not exist" in text
    assert "CasebridgeOrderCreate" not in fake.names


async def test_unknown_customer_id_is_invalid() -> None:
    fake = FakeShopify().script("CasebridgeWriterOrdersByQuery", none_found())
    fake.script("CasebridgeWriterProductVariant", variant_ok())
    fake.script("CasebridgeWriterCustomer", {"customer": None})
    with pytest.raises(OfflineOrderInvalid, match="customer 99 does not exist"):
        await creator(fake).create(offline(customer=OfflineCustomer(customer_id="99")))


async def test_no_line_items_is_invalid() -> None:
    fake = FakeShopify().script("CasebridgeWriterOrdersByQuery", none_found())
    with pytest.raises(OfflineOrderInvalid, match="no line items"):
        await creator(fake).create(offline(line_items=[]))


async def test_permanent_user_error_is_failed() -> None:
    fake = FakeShopify().script("CasebridgeWriterOrdersByQuery", none_found())
    fake.script("CasebridgeWriterProductVariant", variant_ok())
    fake.script(
        "CasebridgeOrderCreate",
        user_errors("orderCreate", {"field": ["order"], "message": "bad", "code": "INVALID"}),
    )
    result = await creator(fake).create(offline())
    assert result.status is WritebackStatus.FAILED and result.error_code == "INVALID"
    assert len(fake.called("CasebridgeOrderCreate")) == 2  # re-checked once


async def test_transient_user_error_retries_after_looking_again() -> None:
    fake = FakeShopify().script("CasebridgeWriterOrdersByQuery", none_found())
    fake.script("CasebridgeWriterProductVariant", variant_ok())
    fake.script(
        "CasebridgeOrderCreate",
        user_errors("orderCreate", {"field": None, "message": "please try again", "code": None}),
        {"orderCreate": {"order": {"id": "gid://shopify/Order/6"}}},
    )
    result = await creator(fake).create(offline())
    assert result.status is WritebackStatus.APPLIED and result.attempts == 2
    assert len(fake.called("CasebridgeWriterOrdersByQuery")) == 2


async def test_lost_answer_of_order_create_is_found_by_tag() -> None:
    # orderCreate went through but its answer was lost (Shopify "unavailable"):
    # the re-run finds the order by its tag instead of creating a second one.
    fake = FakeShopify().script(
        "CasebridgeWriterOrdersByQuery",
        none_found(),
        {"orders": {"nodes": [{"id": "gid://shopify/Order/6", "tags": [TAG]}]}},
    )
    fake.script("CasebridgeWriterProductVariant", variant_ok())
    fake.script("CasebridgeOrderCreate", ShopifyUnavailableError("timeout", attempts=1))
    result = await creator(fake).create(offline())
    assert result.status is WritebackStatus.ALREADY_APPLIED
    assert result.result_id == "gid://shopify/Order/6" and result.attempts == 2
    assert len(fake.called("CasebridgeOrderCreate")) == 1


async def test_unavailable_raises() -> None:
    fake = FakeShopify().script(
        "CasebridgeWriterOrdersByQuery", ShopifyUnavailableError("down", attempts=3)
    )
    with pytest.raises(WriterUnavailableError):
        await creator(fake).create(offline())
