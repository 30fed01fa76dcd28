"""Seeding helpers shared by the contract tests (admin routes over HTTP)."""

from __future__ import annotations

from typing import Any

from .conftest import Running


async def seed(running: Running, body: dict[str, Any]) -> dict[str, Any]:
    """POST /_emulator/seed and return the created ids."""
    response = await running.http.post("/_emulator/seed", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def seed_order(running: Running, **overrides: Any) -> str:
    """One paid order of 2 x 50.00 + 1 x 20.00 (total 120.00); returns its gid."""
    order: dict[str, Any] = {
        "email": "ava@example.com",
        "customer": {"email": "ava@example.com", "first_name": "Ava", "tags": ["VIP"]},
        "line_items": [
            {"title": "Sweater", "sku": "SW-1", "quantity": 2, "price": "50.00"},
            {"title": "Socks", "sku": "SO-1", "quantity": 1, "price": "20.00"},
        ],
        "shipping_address": {
            "first_name": "Ava",
            "city": "Austin",
            "country_code": "US",
            "zip": "78701",
        },
    }
    order.update(overrides)
    created = await seed(running, {"orders": [order]})
    gid: str = created["orders"][0]
    return gid


ORDER_FOS = """query($id: ID!) { order(id: $id) {
  id cancelledAt displayFinancialStatus tags note
  totalPriceSet { shopMoney { amount currencyCode } }
  totalRefundedSet { shopMoney { amount } }
  lineItems(first: 10) { nodes { id sku quantity currentQuantity } }
  fulfillmentOrders(first: 5) { nodes { id status
    fulfillmentHolds { id handle reason reasonNotes }
    lineItems(first: 10) { nodes { id remainingQuantity totalQuantity lineItem { id } } } } }
  refunds { id totalRefundedSet { shopMoney { amount } } }
} }"""


async def order_view(running: Running, gid: str) -> dict[str, Any]:
    """The order with its lines, fulfillment orders, holds and refunds."""
    data = await running.data(ORDER_FOS, {"id": gid})
    order: dict[str, Any] = data["order"]
    return order
