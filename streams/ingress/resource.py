"""Which resource (and which order) a webhook payload is about.

The record key is ``shop/<order id>`` where the payload relates to an order,
so one order's events (order updates, returns, disputes, fulfillment events)
share a partition and stay in order; otherwise ``shop/<resource id>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Some topics wrap the resource in an envelope object (e.g. fulfillment order
# hold events deliver {"fulfillment_order": {...}, "fulfillment_hold": {...}}).
_ENVELOPES = ("fulfillment_order", "original_fulfillment_order", "return", "dispute")
RISK_TOPIC = "orders/risk_assessment_changed"


@dataclass(frozen=True, slots=True)
class ResourceRef:
    """The ids a payload carries, as strings (64-bit ids exceed 2^53)."""

    resource_id: str | None
    order_id: str | None

    def key(self, shop: str, fallback: str) -> str:
        """The Kafka record key for this resource in ``shop``."""
        return f"{shop}/{self.order_id or self.resource_id or fallback}"


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | str) and str(value):
        return str(value)
    return None


def _gid_tail(value: Any) -> str | None:
    """``gid://shopify/Order/123`` -> ``123``; anything else -> None."""
    if isinstance(value, str) and value.startswith("gid://shopify/"):
        tail = value.rsplit("/", 1)[-1].split("?", 1)[0]
        return tail or None
    return None


def resource_ref(topic: str, payload: dict[str, Any]) -> ResourceRef:
    """Extract the resource id and the related order id of a webhook payload."""
    body: dict[str, Any] = payload
    for envelope in _ENVELOPES:
        inner = payload.get(envelope)
        if isinstance(inner, dict) and "id" not in payload:
            body = inner
            break
    resource_id = _text(body.get("id"))
    if topic == RISK_TOPIC:
        # A risk assessment has no id of its own and names its order as order_id
        # (or only as a GraphQL gid). Shopify's test notification names none: then
        # there is no order, and the record is keyed by the webhook id.
        order_id = _text(body.get("order_id")) or _gid_tail(body.get("admin_graphql_api_order_id"))
        return ResourceRef(order_id, order_id)
    if topic.startswith("orders/"):
        # An order payload's id is the order's.
        order_id = resource_id or _text(body.get("order_id"))
        return ResourceRef(order_id, order_id)
    if topic.startswith("inventory_levels/"):
        return ResourceRef(_text(body.get("inventory_item_id")), None)
    order_id = _text(body.get("order_id"))
    order = body.get("order")
    if order_id is None and isinstance(order, dict):
        order_id = _text(order.get("id"))
    return ResourceRef(resource_id, order_id)
