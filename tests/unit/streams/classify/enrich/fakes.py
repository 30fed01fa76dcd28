"""A fake Shopify GraphQL executor for the enricher: answers by operation name, records calls."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.shopify.client import operation_name
from schemas.records import CaseRequest, CaseType, Reason, SubjectType

ORDER_GID = "gid://shopify/Order/1001"
CUSTOMER_GID = "gid://shopify/Customer/77"
FO_OPEN = "gid://shopify/FulfillmentOrder/501"
FO_CLOSED = "gid://shopify/FulfillmentOrder/502"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def customer_node() -> dict[str, Any]:
    """A returning customer: 4 orders, one earlier return, one earlier dispute."""
    return {
        "id": CUSTOMER_GID,
        "numberOfOrders": "4",
        "amountSpent": {"amount": "812.50", "currencyCode": "EUR"},
        "orders": {
            "nodes": [
                {"id": ORDER_GID, "cancelledAt": None, "returns": {"nodes": []}, "disputes": []},
                {
                    "id": "gid://shopify/Order/990",
                    "cancelledAt": None,
                    "returns": {"nodes": [{"id": "gid://shopify/Return/9", "status": "CLOSED"}]},
                    "disputes": [{"id": "gid://shopify/ShopifyPaymentsDispute/5", "status": "WON"}],
                },
            ]
        },
    }


def order_node() -> dict[str, Any]:
    return {
        "id": ORDER_GID,
        "name": "#1001",
        "currencyCode": "EUR",
        "displayFinancialStatus": "PAID",
        "displayFulfillmentStatus": "UNFULFILLED",
        "totalPriceSet": {"shopMoney": {"amount": "250.00", "currencyCode": "EUR"}},
        "totalRefundedSet": {"shopMoney": {"amount": "0.00", "currencyCode": "EUR"}},
        "customer": customer_node(),
        "fulfillmentOrders": {
            "nodes": [
                {"id": FO_OPEN, "status": "OPEN", "fulfillmentHolds": []},
                {"id": FO_CLOSED, "status": "CLOSED", "fulfillmentHolds": []},
            ]
        },
    }


class FakeShopify:
    """Implements ``GraphQLExecutor.execute`` over an in-memory store."""

    def __init__(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {ORDER_GID: order_node()}
        self.customers: dict[str, dict[str, Any]] = {CUSTOMER_GID: customer_node()}
        self.fulfillments: list[dict[str, Any]] = [
            {
                "id": "gid://shopify/Fulfillment/3",
                "status": "SUCCESS",
                "displayStatus": "DELIVERED",
                "createdAt": "2026-11-20T10:00:00Z",
                "trackingInfo": [
                    {"company": "UPS", "number": "1Z999", "url": "https://ups.example/1Z999"}
                ],
            }
        ]
        self.refunds: list[dict[str, Any]] = [
            {
                "id": "gid://shopify/Refund/8",
                "createdAt": "2026-11-21T10:00:00Z",
                "note": "partial",
                "totalRefundedSet": {"shopMoney": {"amount": "20.00", "currencyCode": "EUR"}},
            }
        ]
        self.failures: dict[str, Exception] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._next_hold = 900

    def calls_of(self, name: str) -> list[dict[str, Any]]:
        return [variables for op, variables in self.calls if op == name]

    async def execute(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        cost_estimate: float | None = None,
    ) -> dict[str, Any]:
        name = operation_name(document)
        args = dict(variables or {})
        self.calls.append((name, args))
        if name in self.failures:
            raise self.failures[name]
        order = self.orders.get(str(args.get("id") or args.get("orderId")))
        if name in ("CasebridgeEnrichOrder", "CasebridgeEnrichOrderHist"):
            answer = copy.deepcopy(order)
            if answer is not None and name == "CasebridgeEnrichOrder":
                answer["customer"] = {"id": answer["customer"]["id"]}
            return {"order": answer}
        if name == "CasebridgeEnrichCustomer":
            return {"customer": copy.deepcopy(self.customers.get(args["id"]))}
        if name == "CasebridgeCustomerSummary":
            found = self.customers.get(args["id"])
            summary = None
            if found is not None:
                summary = {k: found[k] for k in ("id", "numberOfOrders", "amountSpent")}
            return {"customer": copy.deepcopy(summary)}
        if name in ("CasebridgeHoldTargets", "CasebridgeHoldTargetsWithOrder"):
            targets = self._hold_targets(order, args)
            if targets is not None and order is not None and name.endswith("WithOrder"):
                record = {k: v for k, v in order.items() if k != "fulfillmentOrders"}
                customer = record["customer"]
                record["customer"] = {
                    k: customer[k] for k in ("id", "numberOfOrders", "amountSpent")
                }
                targets = {**copy.deepcopy(record), **targets}
            return {"order": targets}
        if name == "CasebridgeFulfillments":
            return {"order": {"id": args["orderId"], "fulfillments": self.fulfillments}}
        if name in ("CasebridgeRefunds", "CasebridgeEnrichRefunds"):
            if "id" in args:
                return {"order": {"id": args["id"], "refunds": self.refunds}}
            return {"order": {"id": args["orderId"], "refunds": self.refunds}}
        if name in ("CasebridgeFulfillmentOrders", "CasebridgeFulfillmentCase"):
            return {"order": copy.deepcopy(order) if order else None}
        if name == "CasebridgeFulfillmentOrderHold":
            return self._hold(args)
        raise AssertionError(f"unexpected operation {name}")

    def _hold_targets(
        self, order: dict[str, Any] | None, args: dict[str, Any]
    ) -> dict[str, Any] | None:
        """One page of (id, status) fulfillment orders; the cursor is the index of the next."""
        if order is None:
            return None
        nodes = order["fulfillmentOrders"]["nodes"]
        start = int(args.get("after") or 0)
        page = nodes[start : start + args["first"]]
        more = start + len(page) < len(nodes)
        return {
            "id": order["id"],
            "fulfillmentOrders": {
                "pageInfo": {
                    "hasNextPage": more,
                    "endCursor": str(start + len(page)) if more else None,
                },
                "nodes": [{"id": n["id"], "status": n["status"]} for n in page],
            },
        }

    def _hold(self, args: dict[str, Any]) -> dict[str, Any]:
        for order in self.orders.values():
            for node in order["fulfillmentOrders"]["nodes"]:
                if node["id"] != args["id"]:
                    continue
                handle = args["fulfillmentHold"]["handle"]
                if any(h["handle"] == handle for h in node["fulfillmentHolds"]):
                    return {
                        "fulfillmentOrderHold": {
                            "fulfillmentHold": None,
                            "fulfillmentOrder": None,
                            "userErrors": [
                                {
                                    "field": ["fulfillmentHold", "handle"],
                                    "message": "in use",
                                    "code": "DUPLICATE_FULFILLMENT_HOLD_HANDLE",
                                }
                            ],
                        }
                    }
                self._next_hold += 1
                hold = {
                    "id": f"gid://shopify/FulfillmentHold/{self._next_hold}",
                    "handle": handle,
                    "reason": args["fulfillmentHold"]["reason"],
                }
                node["fulfillmentHolds"].append(hold)
                node["status"] = "ON_HOLD"
                return {
                    "fulfillmentOrderHold": {
                        "fulfillmentHold": hold,
                        "fulfillmentOrder": {"id": node["id"], "status": "ON_HOLD"},
                        "userErrors": [],
                    }
                }
        raise AssertionError(f"no fulfillment order {args['id']}")


def request(
    case_type: CaseType,
    *,
    subject_type: SubjectType = SubjectType.ORDER,
    subject_id: str = "1001",
    order_id: str | None = "1001",
    customer_id: str | None = None,
    reasons: list[Reason] | None = None,
) -> CaseRequest:
    """A case request as the classifier builds it."""
    return CaseRequest(
        case_id=f"{case_type.value.lower()}-{subject_id}",
        case_type=case_type,
        shop="casebridge-demo.myshopify.com",
        subject_type=subject_type,
        subject_id=subject_id,
        order_id=order_id,
        customer_id=customer_id,
        sla_due_at=NOW + timedelta(hours=4),
        reasons=reasons or [Reason(code="UNUSUAL_VALUE_ABSOLUTE", detail="big")],
        requested_at=NOW,
    )
