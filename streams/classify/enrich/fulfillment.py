"""FULFILLMENT_EXCEPTION context: the affected order and lines, and what each outcome needs.

A reviewer deciding a fulfillment exception in OpenText picks an outcome; they
cannot be expected to type Shopify ids. So before the case opens, this module
reads the affected fulfillment order and its lines from Shopify, works out a
sensible default for every outcome the case can support, and lists those
outcomes in ``allowedOutcomes``. The decision side refuses an outcome that is
not listed (:class:`~streams.decisions.errors.OutcomeNotOfferedError`), and
the reviewer's own variables, when given, override the defaults.

Finding the affected order:

=======================  ===============================================================
trigger                  affected order and fulfillment order
=======================  ===============================================================
carrier exception        the event's order; the first fulfillment order still open (a
                         shipped order has none: only ``resolved`` is offered)
hold by someone else     the event's order and held fulfillment order
partial shipment         the event's order; the first fulfillment order still open. Lines of
                         ``unshippedLineItems`` nothing of which shipped are the default
                         ``cancelLineItemIds`` (the order keeps what shipped)
split                    the fulfillment order the units moved to; its order is read from it
                         (one ``fulfillmentOrder`` read, ~2 points: Shopify's payload names
                         none), as for any case naming a fulfillment order but no order
out of stock / oversold  the newest open order with the variant's SKU (one ``orders``
                         search by ``sku``, then that order's fulfillment orders); an
                         oversold event names an inventory item, resolved to its
                         variant first. The unavailable units are ``shortage`` (oversold)
                         or the variant's whole line (out of stock)
=======================  ===============================================================

Every case also gets ``fulfillmentOrderId``, ``fulfillmentOrderLineItems`` (the
lines a reviewer's form lists) and, for stock cases, ``orderId`` and
``unavailableLineItems``. Costs: one order read (~100 points with
:data:`FULFILLMENT_ORDERS_FIRST` x :data:`LINES_FIRST`), plus a SKU search
(~5) for stock cases, an inventory-item read (~3) for oversold ones and a
product's variants (~12) when a substitute is looked for. What each outcome
needs is decided in :mod:`streams.classify.enrich.fulfillment_outcomes`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from connectors.shopify.cost import GraphQLExecutor
from connectors.shopify.documents.fulfillment import (
    FULFILLMENT_ORDER_LINES,
    FULFILLMENT_ORDER_ORDER,
    INVENTORY_ITEM,
    ORDER_FULFILLMENT,
    ORDERS_WITH_SKU,
    PRODUCT_VARIANTS,
)
from schemas.records import CaseRequest, CaseType, CaseVariable
from streams.classify.enrich.fulfillment_outcomes import (
    FulfillmentLine,
    FulfillmentOrderView,
    OrderView,
    Shortage,
    Substitute,
    resolution_variables,
    same_id,
)
from streams.classify.enrich.variables import connection_nodes, merge
from streams.classify.rules.build import Variables
from streams.classify.rules.payload import normalise_id
from streams.runtime.keys import gid

__all__ = [
    "FULFILLMENT_ORDERS_FIRST",
    "LINES_FIRST",
    "fulfillment_context",
    "order_view",
    "resolved_only",
]

FULFILLMENT_ORDERS_FIRST = 3
LINES_FIRST = 10
#: Newest open orders with the SKU that are looked at (each costs one order read).
CANDIDATE_ORDERS = 2


@dataclass
class _Found:
    order: OrderView | None = None
    shortage: Shortage | None = None
    product_id: str | None = None
    substitutes: list[Substitute] = field(default_factory=list)


# --- reading Shopify ----------------------------------------------------------------------------


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ident(obj: Any) -> str | None:
    return str(obj["id"]) if isinstance(obj, dict) and obj.get("id") else None


def order_view(order: Mapping[str, Any]) -> OrderView:
    """An :class:`OrderView` from the ``CasebridgeFulfillmentCase`` answer's ``order``."""
    return OrderView(
        id=str(order.get("id")),
        cancelled=order.get("cancelledAt") is not None,
        fulfillment_orders=tuple(
            _fulfillment_order_view(fo) for fo in connection_nodes(order.get("fulfillmentOrders"))
        ),
    )


def _fulfillment_order_view(fo: Mapping[str, Any]) -> FulfillmentOrderView:
    lines = tuple(
        FulfillmentLine(
            id=str(line.get("id")),
            line_item_id=_ident(line.get("lineItem")),
            variant_id=_ident(line.get("variant")),
            sku=line.get("sku") if isinstance(line.get("sku"), str) else None,
            remaining=_int(line.get("remainingQuantity")),
            total=_int(line.get("totalQuantity")),
        )
        for line in connection_nodes(fo.get("lineItems"))
        if line.get("id")
    )
    return FulfillmentOrderView(
        id=str(fo.get("id")),
        status=str(fo.get("status") or "").upper(),
        fulfill_at=_time(fo.get("fulfillAt")),
        lines=lines,
    )


async def _read_order(
    client: GraphQLExecutor, order_id: str, fulfillment_order_id: str | None = None
) -> OrderView | None:
    """The order and its first fulfillment orders, plus the case's own when it is not one
    of them (an order split several times has more): its lines are what the case offers."""
    data = await client.execute(
        ORDER_FULFILLMENT,
        {
            "id": gid("Order", order_id),
            "fulfillmentOrdersFirst": FULFILLMENT_ORDERS_FIRST,
            "linesFirst": LINES_FIRST,
        },
    )
    order = data.get("order")
    if not isinstance(order, dict):
        return None
    view = order_view(order)
    if fulfillment_order_id is None or any(
        same_id(fo.id, fulfillment_order_id) for fo in view.fulfillment_orders
    ):
        return view
    data = await client.execute(
        FULFILLMENT_ORDER_LINES,
        {"id": gid("FulfillmentOrder", fulfillment_order_id), "linesFirst": LINES_FIRST},
    )
    fo = data.get("fulfillmentOrder")
    if not isinstance(fo, dict) or not same_id(str(fo.get("orderId") or ""), view.id):
        return view  # gone, or not this order's: the case offers no lines of another
    extra = _fulfillment_order_view(fo)
    return replace(view, fulfillment_orders=(*view.fulfillment_orders, extra))


def _has_open_line(order: OrderView, variant_id: str) -> bool:
    return any(
        fo.open
        and any(same_id(line.variant_id, variant_id) and line.remaining for line in fo.lines)
        for fo in order.fulfillment_orders
    )


async def _stock_order(client: GraphQLExecutor, sku: str, variant_id: str) -> OrderView | None:
    """The newest open order still to ship some of ``variant_id``."""
    # Quoted: SKUs may hold spaces or colons, which the search syntax would split on.
    query = f'sku:"{sku}" status:open'
    data = await client.execute(ORDERS_WITH_SKU, {"query": query, "first": CANDIDATE_ORDERS})
    for node in connection_nodes(data.get("orders") or {}):
        ident = _ident(node)
        if ident is None:
            continue
        order = await _read_order(client, ident)
        if order is not None and not order.cancelled and _has_open_line(order, variant_id):
            return order
    return None


async def _substitutes(
    client: GraphQLExecutor, product_id: str, variant_id: str
) -> list[Substitute]:
    data = await client.execute(
        PRODUCT_VARIANTS, {"id": gid("Product", product_id), "first": LINES_FIRST}
    )
    product = data.get("product")
    if not isinstance(product, dict):
        return []
    return [
        Substitute(str(node["id"]), _int(node.get("inventoryQuantity")))
        for node in connection_nodes(product.get("variants"))
        if node.get("id") and not same_id(str(node["id"]), variant_id)
    ]


async def _order_of_fulfillment_order(client: GraphQLExecutor, fo_id: str) -> str | None:
    data = await client.execute(FULFILLMENT_ORDER_ORDER, {"id": gid("FulfillmentOrder", fo_id)})
    fo = data.get("fulfillmentOrder")
    order_id = fo.get("orderId") if isinstance(fo, dict) else None
    return normalise_id(order_id) if isinstance(order_id, str) and order_id else None


def _untouched_lines(values: Mapping[str, str]) -> list[str]:
    """Line items of a partial shipment's ``unshippedLineItems`` nothing of which shipped."""
    try:
        lines = json.loads(values.get("unshippedLineItems") or "[]")
    except ValueError:
        return []
    if not isinstance(lines, list):
        return []
    return [
        str(line["lineItemId"])
        for line in lines
        if isinstance(line, dict) and line.get("lineItemId") and line.get("shippedQuantity") == 0
    ]


async def _find(client: GraphQLExecutor, request: CaseRequest) -> _Found:
    values = {v.name: v.value for v in request.variables}
    found = _Found(product_id=values.get("productId"))
    variant_id, sku = values.get("variantId"), values.get("sku")
    shortage_units: int | None = None
    if values.get("inventoryItemId") and not variant_id:
        # Oversold: the inventory_levels/update event names the inventory item only.
        data = await client.execute(
            INVENTORY_ITEM, {"id": gid("InventoryItem", values["inventoryItemId"])}
        )
        item = data.get("inventoryItem")
        if isinstance(item, dict):
            variant = item.get("variant") or {}
            variant_id = _ident(variant)
            sku = item.get("sku") if isinstance(item.get("sku"), str) else sku
            found.product_id = found.product_id or _ident(variant.get("product"))
        if values.get("shortage", "").isdigit():
            shortage_units = int(values["shortage"])
    if variant_id:
        found.shortage = Shortage(variant_id, shortage_units)
    order_id = request.order_id
    if not order_id and values.get("fulfillmentOrderId") and not variant_id:
        order_id = await _order_of_fulfillment_order(client, values["fulfillmentOrderId"])
    if order_id:
        found.order = await _read_order(client, order_id, values.get("fulfillmentOrderId"))
    elif variant_id and sku:
        found.order = await _stock_order(client, sku, variant_id)
    if found.order is not None and found.shortage is not None and found.product_id:
        found.substitutes = await _substitutes(client, found.product_id, found.shortage.variant_id)
    return found


async def fulfillment_context(
    client: GraphQLExecutor, request: CaseRequest, *, now: datetime | None = None
) -> CaseRequest:
    """``request`` with its affected order (stock cases) and the outcome variables.

    Raises:
        ShopifyError: a read failed after the client's retries (the caller
            records it as an enrichment failure; the case still opens, offering
            ``resolved`` only, so nothing is guessed).
    """
    if request.case_type is not CaseType.FULFILLMENT_EXCEPTION:
        return request
    found = await _find(client, request)
    values = {v.name: v.value for v in request.variables}
    added = resolution_variables(
        found.order,
        fulfillment_order_id=values.get("fulfillmentOrderId"),
        shortage=found.shortage,
        substitutes=found.substitutes,
        untouched_line_items=_untouched_lines(values),
        now=now or datetime.now(UTC),
    )
    update: dict[str, Any] = {"variables": merge(request.variables, added.items)}
    if request.order_id is None and found.order is not None:
        update["order_id"] = normalise_id(found.order.id)
        update["variables"] = merge(
            update["variables"],
            [CaseVariable(name="orderId", value=normalise_id(found.order.id))],
        )
    return request.model_copy(update=update)


def resolved_only() -> Variables:
    """What a case offers when its Shopify context could not be read."""
    return Variables().json("allowedOutcomes", ["resolved"])
