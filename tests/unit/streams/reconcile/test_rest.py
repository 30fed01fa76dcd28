"""The REST-shaped order built from a GraphQL node, read back by the real classify rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from schemas.records import CaseType, EventSource, ShopifyEvent
from streams.classify.rules import ClassifyContext, classify_event
from streams.kafka.watermark import MemoryWatermarkStore
from streams.policy import default_policy
from streams.reconcile import rest_order
from streams.reconcile.poller import Reconciler
from streams.reconcile.rest import numeric_id
from tests.unit.streams.reconcile.fakes import (
    JsonEncoder,
    PagedOrders,
    RecordingProducer,
    order_node,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SHOP = "casebridge-demo.myshopify.com"


def reconciled_event(node: dict[str, object]) -> ShopifyEvent:
    reconciler = Reconciler(
        PagedOrders([]),
        RecordingProducer(),
        JsonEncoder(),
        MemoryWatermarkStore(),
        shop=SHOP,
        api_version="2026-01",
    )
    return reconciler.event_for(dict(node), NOW)


def test_rest_fields_the_rules_read() -> None:
    rest = rest_order(order_node(1001, "2026-11-26T09:00:00Z", risk="MEDIUM"))

    assert rest["id"] == 1001
    assert rest["admin_graphql_api_id"] == "gid://shopify/Order/1001"
    assert rest["total_price"] == "80.00"
    assert rest["total_price_set"]["shop_money"] == {"amount": "80.00", "currency_code": "EUR"}
    assert rest["currency"] == "EUR"
    assert rest["financial_status"] == "paid"
    assert rest["tags"] == "web, gift"
    assert rest["note_attributes"] == [{"name": "gift_wrap", "value": "yes"}]
    assert rest["shipping_address"]["country_code"] == "DE"
    assert rest["shipping_address"]["province_code"] is None
    assert rest["customer"] == {
        "id": 77,
        "admin_graphql_api_id": "gid://shopify/Customer/77",
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "L",
        "tags": "newsletter",
        "orders_count": 3,
    }
    (line,) = rest["line_items"]
    assert (line["id"], line["variant_id"], line["sku"], line["quantity"]) == (11, 31, "W-1", 2)
    assert (line["price"], line["fulfillable_quantity"]) == ("40.00", 2)
    assert rest["risk_level"] == "medium"
    assert rest["updated_at"] == "2026-11-26T09:00:00Z"
    json.dumps(rest)  # plain JSON


def test_risk_falls_back_to_the_recommendation() -> None:
    node = order_node(1, "2026-11-26T09:00:00Z")
    node["risk"] = {"recommendation": "INVESTIGATE", "assessments": []}

    assert rest_order(node)["risk_level"] == "medium"


def test_numeric_id() -> None:
    assert numeric_id("gid://shopify/Order/123") == 123
    assert numeric_id("gid://shopify/Order/abc") == "gid://shopify/Order/abc"


def test_classify_opens_an_order_review_for_a_risky_reconciled_order() -> None:
    event = reconciled_event(order_node(1001, "2026-11-26T09:00:00Z", risk="HIGH"))

    (case,) = classify_event(event, default_policy(), ClassifyContext(), NOW)

    assert event.source is EventSource.RECONCILIATION
    assert case.case_type is CaseType.ORDER_REVIEW
    assert case.order_id == "1001" and case.customer_id == "77"
    assert [reason.code for reason in case.reasons] == ["RISK_HIGH"]
    found = {v.name: v.value for v in case.variables}
    assert found["orderTotal"] == "80.00"
    assert found["countryCode"] == "DE"
    assert found["riskLevel"] == "HIGH"
    assert found["itemCount"] == "2"


def test_a_normal_reconciled_order_opens_nothing() -> None:
    event = reconciled_event(order_node(1002, "2026-11-26T09:00:00Z"))

    assert classify_event(event, default_policy(), ClassifyContext(), NOW) == []


def test_a_restricted_destination_is_reviewed() -> None:
    event = reconciled_event(order_node(1003, "2026-11-26T09:00:00Z", country="KP"))

    (case,) = classify_event(event, default_policy(), ClassifyContext(), NOW)

    assert [reason.code for reason in case.reasons] == ["RESTRICTED_DESTINATION"]
