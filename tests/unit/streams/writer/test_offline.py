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
    OfflinePaymentTerms,
    OfflineShippingLine,
    OfflineTaxLine,
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
            "taxable": False,
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


def taxed(**changes: Any) -> OfflineOrder:
    """A taxed order: 8 % state tax on 2 x 10.00 (catalogue price) and on 5.55 shipping."""
    values: dict[str, Any] = {
        "line_items": [OfflineLineItem(variant_id="11", quantity=2)],
        "tax_exempt": False,
        "tax_note": None,
        "tax_lines": [OfflineTaxLine(title="State tax", rate="0.08")],
        "shipping_lines": [OfflineShippingLine(title="Ground", price="5.55", code="UPS")],
    }
    values.update(changes)
    return offline(**values)


def money(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


async def test_taxes_and_shipping_reach_the_order_with_amounts_from_the_line_prices() -> None:
    fake = FakeShopify().script("CasebridgeWriterOrdersByQuery", none_found())
    fake.script("CasebridgeWriterProductVariant", variant_ok())
    fake.script(
        "CasebridgeOrderCreate", {"orderCreate": {"order": {"id": "gid://shopify/Order/6"}}}
    )
    result = await creator(fake).create(taxed())
    assert result.status is WritebackStatus.APPLIED
    [sent] = fake.called("CasebridgeOrderCreate")
    order = sent["order"]
    [line] = order["lineItems"]
    assert line["taxable"] is True
    assert line["taxLines"] == [{"title": "State tax", "rate": "0.08", "priceSet": money("1.60")}]
    [shipping] = order["shippingLines"]
    assert shipping["title"] == "Ground" and shipping["code"] == "UPS"
    assert shipping["priceSet"] == money("5.55")
    # 5.55 x 8 % = 0.444 -> 0.44 (to the cent, half up)
    assert shipping["taxLines"] == [
        {"title": "State tax", "rate": "0.08", "priceSet": money("0.44")}
    ]
    assert order["taxesIncluded"] is False
    assert "CasebridgeOrderPaymentTerms" not in fake.names  # no terms asked for


async def test_untaxed_shipping_carries_no_tax_lines() -> None:
    fake = FakeShopify().script("CasebridgeWriterOrdersByQuery", none_found())
    fake.script("CasebridgeWriterProductVariant", variant_ok())
    fake.script(
        "CasebridgeOrderCreate", {"orderCreate": {"order": {"id": "gid://shopify/Order/6"}}}
    )
    charge = OfflineShippingLine(title="Ground", price="5.00", taxable=False)
    await creator(fake).create(taxed(shipping_lines=[charge]))
    [sent] = fake.called("CasebridgeOrderCreate")
    assert "taxLines" not in sent["order"]["shippingLines"][0]


TEMPLATES = {
    "paymentTermsTemplates": [
        {"id": "gid://shopify/PaymentTermsTemplate/4", "name": "Net 30", "paymentTermsType": "NET"},
        {
            "id": "gid://shopify/PaymentTermsTemplate/7",
            "name": "Fixed",
            "paymentTermsType": "FIXED",
        },
    ]
}


async def test_payment_terms_are_put_on_the_new_order() -> None:
    fake = FakeShopify().script("CasebridgeWriterOrdersByQuery", none_found())
    fake.script("CasebridgeWriterProductVariant", variant_ok())
    fake.script("CasebridgePaymentTermsTemplates", TEMPLATES)
    fake.script(
        "CasebridgeOrderCreate", {"orderCreate": {"order": {"id": "gid://shopify/Order/6"}}}
    )
    fake.script("CasebridgeOrderPaymentTerms", {"order": {"id": "x", "paymentTerms": None}})
    fake.script(
        "CasebridgePaymentTermsCreate", {"paymentTermsCreate": {"paymentTerms": {"id": "t"}}}
    )
    terms = OfflinePaymentTerms(template="net 30")
    order = taxed(payment_status=PaymentStatus.PAYMENT_TERMS, payment_terms=terms)
    result = await creator(fake).create(order)
    assert result.status is WritebackStatus.APPLIED
    assert fake.called("CasebridgeOrderCreate")[0]["order"]["financialStatus"] == "PENDING"
    [created] = fake.called("CasebridgePaymentTermsCreate")
    assert created == {
        "referenceId": "gid://shopify/Order/6",
        "paymentTermsAttributes": {
            "paymentTermsTemplateId": "gid://shopify/PaymentTermsTemplate/4",
            "paymentSchedules": [{"issuedAt": "2026-11-26T08:00:00+00:00"}],
        },
    }


async def test_a_replay_adds_missing_terms_to_the_existing_order_and_never_twice() -> None:
    existing = {"orders": {"nodes": [{"id": "gid://shopify/Order/5", "tags": [TAG]}]}}
    terms = OfflinePaymentTerms(template="Net 30")
    order = taxed(payment_status=PaymentStatus.PAYMENT_TERMS, payment_terms=terms)
    fake = FakeShopify().script("CasebridgeWriterOrdersByQuery", existing)
    fake.script("CasebridgeOrderPaymentTerms", {"order": {"id": "x", "paymentTerms": None}})
    fake.script("CasebridgePaymentTermsTemplates", TEMPLATES)
    fake.script(
        "CasebridgePaymentTermsCreate", {"paymentTermsCreate": {"paymentTerms": {"id": "t"}}}
    )
    result = await creator(fake).create(order)
    assert result.status is WritebackStatus.APPLIED  # the crash left the terms unwritten
    assert "CasebridgeOrderCreate" not in fake.names
    again = FakeShopify().script("CasebridgeWriterOrdersByQuery", existing)
    again.script("CasebridgeOrderPaymentTerms", {"order": {"id": "x", "paymentTerms": {"id": "t"}}})
    result = await creator(again).create(order)
    assert result.status is WritebackStatus.ALREADY_APPLIED
    assert "CasebridgePaymentTermsCreate" not in again.names


async def test_unknown_or_incomplete_payment_terms_are_invalid_before_any_order_exists() -> None:
    for terms, expected in (
        (OfflinePaymentTerms(template="Net 31"), "'Net 31' is not a template of the shop"),
        (OfflinePaymentTerms(template="Fixed"), "need a due date (paymentDueAt)"),
    ):
        fake = FakeShopify().script("CasebridgeWriterOrdersByQuery", none_found())
        fake.script("CasebridgeWriterProductVariant", variant_ok())
        fake.script("CasebridgePaymentTermsTemplates", TEMPLATES)
        order = taxed(payment_status=PaymentStatus.PAYMENT_TERMS, payment_terms=terms)
        with pytest.raises(
            OfflineOrderInvalid, match=expected.replace("(", r"\(").replace(")", r"\)")
        ):
            await creator(fake).create(order)
        assert "CasebridgeOrderCreate" not in fake.names
