"""orders/risk_assessment_changed is keyed by its order (found by tests/reliability).

Its payload has no ``id`` of its own, only ``order_id``: keyed by the webhook id
instead, the event landed on another partition than the order's other events, so
classify read and wrote the order's state on the wrong partition.
"""

from __future__ import annotations

from streams.ingress.resource import resource_ref


def test_a_risk_assessment_is_keyed_by_its_order() -> None:
    payload = {
        "provider_id": None,
        "provider_title": "Shopify Fraud Protect",
        "risk_level": "HIGH",
        "created_at": "2026-11-26T04:47:05Z",
        "order_id": 5600000000308,
        "admin_graphql_api_order_id": "gid://shopify/Order/5600000000308",
    }
    ref = resource_ref("orders/risk_assessment_changed", payload)
    assert ref.order_id == "5600000000308"
    assert ref.key("s.myshopify.com", "webhook-id") == "s.myshopify.com/5600000000308"


def test_an_order_payload_keeps_its_own_id() -> None:
    ref = resource_ref("orders/updated", {"id": 42, "order_id": 7})
    assert (ref.resource_id, ref.order_id) == ("42", "42")


def test_a_risk_assessment_naming_its_order_only_by_gid_is_keyed_by_it() -> None:
    payload = {"risk_level": "HIGH", "admin_graphql_api_order_id": "gid://shopify/Order/77"}
    ref = resource_ref("orders/risk_assessment_changed", payload)
    assert (ref.resource_id, ref.order_id) == ("77", "77")


def test_shopifys_sample_risk_assessment_names_no_order() -> None:
    # Shopify's published sample: no order at all. There is nothing to key by but
    # the webhook id, and classify must not take that for an order (issue 13).
    payload = {
        "provider_id": None,
        "provider_title": None,
        "risk_level": "high",
        "created_at": None,
        "order_id": None,
        "admin_graphql_api_order_id": None,
    }
    ref = resource_ref("orders/risk_assessment_changed", payload)
    assert (ref.resource_id, ref.order_id) == (None, None)
    assert ref.key("s.myshopify.com", "webhook-id") == "s.myshopify.com/webhook-id"
