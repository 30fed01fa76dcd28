"""Fakes for the reconciler: a paging GraphQL executor, a recording producer, a JSON encoder."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.shopify.cost import operation_name
from schemas.records import AvroRecord


def order_node(
    number: int,
    updated_at: str,
    *,
    risk: str | None = None,
    total: str = "80.00",
    country: str = "DE",
) -> dict[str, Any]:
    """An order node as :data:`RECONCILE_ORDERS` returns it."""
    return {
        "id": f"gid://shopify/Order/{number}",
        "name": f"#{number}",
        "email": "ada@example.com",
        "phone": None,
        "note": None,
        "tags": ["web", "gift"],
        "customAttributes": [{"key": "gift_wrap", "value": "yes"}],
        "sourceName": "web",
        "createdAt": "2026-11-26T08:00:00Z",
        "updatedAt": updated_at,
        "processedAt": "2026-11-26T08:00:00Z",
        "cancelledAt": None,
        "cancelReason": None,
        "closedAt": None,
        "currencyCode": "EUR",
        "displayFinancialStatus": "PAID",
        "displayFulfillmentStatus": "UNFULFILLED",
        "subtotalPriceSet": {"shopMoney": {"amount": total, "currencyCode": "EUR"}},
        "totalPriceSet": {"shopMoney": {"amount": total, "currencyCode": "EUR"}},
        "customer": {
            "id": "gid://shopify/Customer/77",
            "email": "ada@example.com",
            "firstName": "Ada",
            "lastName": "L",
            "tags": ["newsletter"],
            "numberOfOrders": "3",
        },
        "shippingAddress": {
            "address1": "1 Main St",
            "address2": None,
            "city": "Hamburg",
            "province": None,
            "provinceCode": "",
            "countryCodeV2": country,
            "zip": "20095",
            "firstName": "Ada",
            "lastName": "L",
        },
        "risk": {
            "recommendation": "CANCEL" if risk == "HIGH" else "ACCEPT",
            "assessments": [{"riskLevel": risk}] if risk else [],
        },
        "lineItems": {
            "nodes": [
                {
                    "id": "gid://shopify/LineItem/11",
                    "title": "Widget",
                    "sku": "W-1",
                    "quantity": 2,
                    "currentQuantity": 2,
                    "unfulfilledQuantity": 2,
                    "originalUnitPriceSet": {
                        "shopMoney": {"amount": "40.00", "currencyCode": "EUR"}
                    },
                    "variant": {"id": "gid://shopify/ProductVariant/31"},
                }
            ]
        },
    }


class PagedOrders:
    """Answers ``CasebridgeReconcileOrders`` from a list, ``first`` per page."""

    def __init__(self, nodes: list[dict[str, Any]]) -> None:
        self.nodes = nodes
        self.calls: list[dict[str, Any]] = []

    async def execute(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        cost_estimate: float | None = None,
    ) -> dict[str, Any]:
        assert operation_name(document) == "CasebridgeReconcileOrders"
        args = dict(variables or {})
        self.calls.append(args)
        start = int(args["after"] or 0)
        page = self.nodes[start : start + args["first"]]
        end = start + len(page)
        return {
            "orders": {
                "edges": [{"cursor": str(start + i + 1), "node": n} for i, n in enumerate(page)],
                "pageInfo": {"hasNextPage": end < len(self.nodes), "endCursor": str(end)},
            }
        }


class RecordingProducer:
    """Remembers every record instead of sending it."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None, bytes | None, Any]] = []

    async def send(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None = None,
        headers: Any = None,
    ) -> None:
        self.sent.append((topic, value, key, headers))


class JsonEncoder:
    """Stands in for the Avro serde: the record as JSON."""

    def encode(self, record: AvroRecord) -> bytes:
        return record.model_dump_json().encode()
