"""Builders for classify tests: events, orders and a policy, no sockets."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from schemas.records import ShopifyEvent
from streams.policy import Policy, default_policy

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SHOP = "example.myshopify.com"

EventFactory = Callable[..., ShopifyEvent]


@pytest.fixture(scope="session")
def policy() -> Policy:
    return default_policy()


def make_event(
    topic: str,
    payload: dict[str, Any] | str,
    *,
    event_id: str = "evt-1",
    shop: str = SHOP,
    resource_id: str = "1",
    order_id: str | None = None,
) -> ShopifyEvent:
    """A ``shopify.webhooks`` record around ``payload``."""
    return ShopifyEvent(
        event_id=event_id,
        webhook_id=f"wh-{event_id}",
        shop=shop,
        topic=topic,
        api_version="2026-01",
        received_at=NOW,
        resource_id=resource_id,
        order_id=order_id,
        payload=payload if isinstance(payload, str) else json.dumps(payload),
    )


def make_order(**overrides: Any) -> dict[str, Any]:
    """An ordinary order that no rule flags."""
    order: dict[str, Any] = {
        "id": 450789469,
        "admin_graphql_api_id": "gid://shopify/Order/450789469",
        "name": "#1001",
        "email": "bob@example.com",
        "currency": "EUR",
        "total_price": "120.00",
        "total_price_set": {
            "shop_money": {"amount": "120.00", "currency_code": "EUR"},
            "presentment_money": {"amount": "130.00", "currency_code": "USD"},
        },
        "financial_status": "paid",
        "tags": "",
        "note": None,
        "note_attributes": [],
        "cancelled_at": None,
        "line_items": [
            {
                "id": 1,
                "variant_id": 11,
                "sku": "MUG-1",
                "title": "Mug",
                "quantity": 2,
                "price": "60.00",
            }
        ],
        "shipping_address": {"country_code": "DE", "province_code": "BE", "zip": "10115"},
        "customer": {"id": 207119551, "email": "bob@example.com", "tags": ""},
    }
    order.update(overrides)
    return order
