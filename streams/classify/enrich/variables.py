"""Pure functions from Shopify GraphQL answers to typed case variables.

No I/O: the enricher fetches, these functions read. Each returns a
:class:`~streams.classify.rules.build.Variables` list (camelCase names, every value
text: decimals as decimal strings, counts as LONG/INTEGER, structures as
compact JSON), so they are tested without a client.

==============================  ========  ==============================================
variable                        type      meaning
==============================  ========  ==============================================
``customerId``                  STRING    the order's customer (when the event had none)
``customerOrdersCount``         LONG      the customer's orders in the shop, all time
``previousOrdersCount``         LONG      the same, without the order of this case
``customerTotalSpent``          DECIMAL   the customer's amount spent (shop currency)
``customerSpentCurrency``       STRING    its currency
``previousReturnsCount``        INTEGER   returns over the customer's recent orders,
                                          without the return of this case
``previousDisputesCount``       INTEGER   disputes over those orders, without this one
``historyOrdersExamined``       INTEGER   how many recent orders the two counts cover
``fulfillmentOrderIds``         JSON      every fulfillment order id (GIDs) of the order
``fulfillmentOrderStatuses``    JSON      ``{id: status}``
``shippingProof``               JSON      fulfillments with status and tracking
``fulfillmentCount``            INTEGER   number of fulfillments
``trackingNumbers``             STRING    all tracking numbers, comma-separated
``orderName``                   STRING    e.g. ``#1001``
``orderTotal``                  DECIMAL   total in shop money
``orderCurrency``               STRING    the order's currency
``orderFinancialStatus``        STRING    ``PAID``, ``PARTIALLY_REFUNDED``...
``orderFulfillmentStatus``      STRING    ``UNFULFILLED``, ``FULFILLED``...
``orderRefunds``                JSON      refunds (id, createdAt, amount, currency, note)
``refundCount``                 INTEGER   number of refunds
``refundedTotal``               DECIMAL   sum of the refunds
==============================  ========  ==============================================

The previous-returns/disputes counts cover the ``historyOrdersExamined`` most
recent orders only (a query is capped at 1000 cost points, so all-time counts
would need paging through every order); the window is a setting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from schemas.records import CaseVariable
from streams.classify.rules.build import Variables
from streams.classify.rules.payload import normalise_id

JsonObject = dict[str, Any]


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _count(value: Any) -> int | None:
    # UnsignedInt64 arrives as a string; older API versions answered an Int.
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def connection_nodes(connection: Any) -> list[JsonObject]:
    """``nodes`` of a connection (or the items of a plain list), objects only."""
    if isinstance(connection, list):
        items: Any = connection
    elif isinstance(connection, dict):
        items = connection.get("nodes")
        if items is None:
            items = [edge.get("node") for edge in connection.get("edges") or []]
    else:
        return []
    return [item for item in items or [] if isinstance(item, dict)]


def _money(obj: Any) -> tuple[Decimal | None, str | None]:
    """(amount, currency) of a MoneyV2 or of a MoneyBag's ``shopMoney``."""
    if not isinstance(obj, dict):
        return None, None
    inner = obj.get("shopMoney") if "shopMoney" in obj else obj
    if not isinstance(inner, dict):
        return None, None
    currency = inner.get("currencyCode")
    return _decimal(inner.get("amount")), currency if isinstance(currency, str) else None


def same_id(left: str | None, right: str | None) -> bool:
    """True when two ids name the same resource (GID and numeric forms compare equal)."""
    if not left or not right:
        return False
    return normalise_id(left) == normalise_id(right)


def customer_history(
    customer: Mapping[str, Any],
    *,
    current_order_id: str | None = None,
    current_return_id: str | None = None,
    current_dispute_id: str | None = None,
) -> Variables:
    """History of ``customer`` (the ``CasebridgeCustomerHistory`` fragment), without this case.

    The case's own order, return and dispute are left out of the "previous"
    counts, so a first-time buyer reads 0, not 1.
    """
    total = _count(customer.get("numberOfOrders"))
    recent = connection_nodes(customer.get("orders"))
    # The customer was read through the case's order, so that order is one of
    # their orders, whether or not it falls inside the history window.
    previous = None if total is None else max(total - (1 if current_order_id else 0), 0)
    spent, currency = _money(customer.get("amountSpent"))
    returns = 0
    disputes = 0
    for order in recent:
        for item in connection_nodes(order.get("returns")):
            returns += not same_id(item.get("id"), current_return_id)
        for item in connection_nodes(order.get("disputes")):
            disputes += not same_id(item.get("id"), current_dispute_id)
    summary = (
        Variables()
        .long("customerOrdersCount", total)
        .long("previousOrdersCount", previous)
        .decimal("customerTotalSpent", spent)
        .string("customerSpentCurrency", currency)
    )
    if "orders" not in customer:
        # A summary read (order count and spend only): no returns or disputes were examined.
        return summary
    return (
        summary.integer("previousReturnsCount", returns)
        .integer("previousDisputesCount", disputes)
        .integer("historyOrdersExamined", len(recent))
    )


def fulfillment_orders(nodes: Sequence[Mapping[str, Any]]) -> Variables:
    """``fulfillmentOrderIds`` (needed later to release holds, split, reschedule) and statuses."""
    ids = [str(node["id"]) for node in nodes if node.get("id")]
    statuses = {str(node["id"]): node.get("status") for node in nodes if node.get("id")}
    return Variables().json("fulfillmentOrderIds", ids).json("fulfillmentOrderStatuses", statuses)


def shipping_proof(fulfillments: Sequence[Mapping[str, Any]]) -> Variables:
    """What was shipped and how to track it: the carrier's proof for a chargeback or exception."""
    proof: list[JsonObject] = []
    numbers: list[str] = []
    for fulfillment in fulfillments:
        tracking = [
            {
                "company": info.get("company"),
                "number": info.get("number"),
                "url": info.get("url"),
            }
            for info in fulfillment.get("trackingInfo") or []
            if isinstance(info, dict)
        ]
        numbers += [str(t["number"]) for t in tracking if t.get("number")]
        proof.append(
            {
                "fulfillmentId": fulfillment.get("id"),
                "status": fulfillment.get("status"),
                "displayStatus": fulfillment.get("displayStatus"),
                "createdAt": fulfillment.get("createdAt"),
                "tracking": tracking,
            }
        )
    return (
        Variables()
        .json("shippingProof", proof)
        .integer("fulfillmentCount", len(proof))
        .string("trackingNumbers", ", ".join(dict.fromkeys(numbers)) or None)
    )


def order_record(order: Mapping[str, Any]) -> Variables:
    """The order as a dispute case shows it: name, total, currency, financial status."""
    total, currency = _money(order.get("totalPriceSet"))
    currency = currency or order.get("currencyCode")
    return (
        Variables()
        .string("orderName", order.get("name"))
        .decimal("orderTotal", total)
        .string("orderCurrency", currency if isinstance(currency, str) else None)
        .string("orderFinancialStatus", order.get("displayFinancialStatus"))
        .string("orderFulfillmentStatus", order.get("displayFulfillmentStatus"))
    )


def refunds(items: Sequence[Mapping[str, Any]]) -> Variables:
    """The order's refunds, their count and total (what the shop already gave back)."""
    listed: list[JsonObject] = []
    total = Decimal(0)
    for refund in items:
        amount, currency = _money(refund.get("totalRefundedSet"))
        total += amount or 0
        listed.append(
            {
                "id": refund.get("id"),
                "createdAt": refund.get("createdAt"),
                "amount": None if amount is None else f"{amount:f}",
                "currency": currency,
                "note": refund.get("note"),
            }
        )
    return (
        Variables()
        .json("orderRefunds", listed)
        .integer("refundCount", len(listed))
        .decimal("refundedTotal", total)
    )


def merge(existing: Sequence[CaseVariable], added: Iterable[CaseVariable]) -> list[CaseVariable]:
    """``existing`` plus the ``added`` variables whose names are new.

    A variable the classifier already set wins: it comes from the event
    itself, which is at least as fresh as what the API answered a moment
    later; and merging twice gives the same list (safe on redelivery).
    """
    merged = list(existing)
    names = {variable.name for variable in merged}
    for variable in added:
        if variable.name not in names:
            merged.append(variable)
            names.add(variable.name)
    return merged


def replace(existing: Sequence[CaseVariable], added: Iterable[CaseVariable]) -> list[CaseVariable]:
    """``existing`` with same-named variables replaced by ``added`` (status variables)."""
    new = {variable.name: variable for variable in added}
    merged = [new.pop(variable.name, variable) for variable in existing]
    return merged + list(new.values())


__all__ = [
    "connection_nodes",
    "customer_history",
    "fulfillment_orders",
    "merge",
    "order_record",
    "refunds",
    "replace",
    "same_id",
    "shipping_proof",
]
