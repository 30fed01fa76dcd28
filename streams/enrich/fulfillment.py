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
out of stock / oversold  the newest open order with the variant's SKU (one ``orders``
                         search by ``sku``, then that order's fulfillment orders); an
                         oversold event names an inventory item, resolved to its
                         variant first. The unavailable units are ``shortage`` (oversold)
                         or the variant's whole line (out of stock)
=======================  ===============================================================

Outcomes and their defaults (variable names as the effects read them):

==============  ==========================================================================
outcome         offered when / default variables
==============  ==========================================================================
(no shortage)   a hold or carrier case on an open fulfillment order does not know which
                lines are unavailable: split (2+ units left), substitute, and
                cancel_lines (2+ unfulfilled lines) are offered without defaults, the
                reviewer picking lines from ``fulfillmentOrderLineItems``
split           the fulfillment order is open and the unavailable units are known, with
                something left to ship: ``splitLineItems`` keeps every available unit on
                the fulfillment order, so the unavailable ones move to a new one
cancel_lines    the unavailable line is known, unfulfilled, and the order keeps another
                line: ``cancelLineItemIds``
substitute      as cancel_lines, and another variant of the product has the stock:
                ``removeLineItemId``, ``substituteVariantId``, ``substituteQuantity``
reschedule      the fulfillment order is SCHEDULED: ``fulfillAt`` = its date (or now,
                if later) + :data:`RESCHEDULE_AFTER`
cancel          the order is open, nothing of it was shipped and something is left to ship
resolved        always: the resolution is noted on the order (handled outside Shopify,
                e.g. the carrier or the customer was contacted)
==============  ==========================================================================

Every case also gets ``fulfillmentOrderId``, ``fulfillmentOrderLineItems`` (the
lines a reviewer's form lists) and, for stock cases, ``orderId`` and
``unavailableLineItems``. Costs: one order read (~100 points with
:data:`FULFILLMENT_ORDERS_FIRST` x :data:`LINES_FIRST`), plus a SKU search
(~5) for stock cases, an inventory-item read (~3) for oversold ones and a
product's variants (~12) when a substitute is looked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.shopify.client import GraphQLExecutor
from schemas.records import CaseRequest, CaseType, CaseVariable
from streams.classify.build import Variables
from streams.classify.payload import normalise_id
from streams.decisions.keys import gid
from streams.enrich.variables import connection_nodes, merge

__all__ = [
    "OPEN_STATUSES",
    "OUTCOMES",
    "FulfillmentLine",
    "FulfillmentOrderView",
    "OrderView",
    "Shortage",
    "fulfillment_context",
    "resolution_variables",
]

#: The outcomes of the FULFILLMENT_EXCEPTION model, in the order a form lists them.
OUTCOMES = ("split", "substitute", "cancel_lines", "reschedule", "cancel", "resolved")

#: Fulfillment order statuses with work left to do (a split or reschedule can apply).
OPEN_STATUSES = frozenset({"OPEN", "IN_PROGRESS", "ON_HOLD", "SCHEDULED"})

#: Statuses that mean some of the order was shipped (it can no longer be cancelled).
_SHIPPED_STATUSES = frozenset({"CLOSED", "IN_PROGRESS"})

#: Default delay of a reschedule.
RESCHEDULE_AFTER = timedelta(days=7)

FULFILLMENT_ORDERS_FIRST = 3
LINES_FIRST = 10
#: Newest open orders with the SKU that are looked at (each costs one order read).
CANDIDATE_ORDERS = 2

_ORDER_FULFILLMENT = """
query CasebridgeFulfillmentCase($id: ID!, $fulfillmentOrdersFirst: Int!, $linesFirst: Int!) {
  order(id: $id) {
    id
    cancelledAt
    fulfillmentOrders(first: $fulfillmentOrdersFirst) {
      nodes {
        id
        status
        fulfillAt
        lineItems(first: $linesFirst) {
          nodes { id remainingQuantity totalQuantity sku lineItem { id } variant { id } }
        }
      }
    }
  }
}
"""

_ORDERS_WITH_SKU = """
query CasebridgeStockOrders($query: String!, $first: Int!) {
  orders(first: $first, query: $query, sortKey: CREATED_AT, reverse: true) { nodes { id } }
}
"""

_INVENTORY_ITEM = """
query CasebridgeInventoryItem($id: ID!) {
  inventoryItem(id: $id) { id sku variant { id product { id } } }
}
"""

_PRODUCT_VARIANTS = """
query CasebridgeSubstitutes($id: ID!, $first: Int!) {
  product(id: $id) { variants(first: $first) { nodes { id sku inventoryQuantity } } }
}
"""


@dataclass(frozen=True)
class FulfillmentLine:
    """One fulfillment order line: its ids and how many units are still to ship."""

    id: str
    line_item_id: str | None
    variant_id: str | None
    sku: str | None
    remaining: int
    total: int


@dataclass(frozen=True)
class FulfillmentOrderView:
    """A fulfillment order as the outcomes need it."""

    id: str
    status: str
    fulfill_at: datetime | None
    lines: tuple[FulfillmentLine, ...]

    @property
    def open(self) -> bool:
        """Whether work is left on it."""
        return self.status in OPEN_STATUSES and any(line.remaining > 0 for line in self.lines)


@dataclass(frozen=True)
class OrderView:
    """An order and its fulfillment orders."""

    id: str
    cancelled: bool
    fulfillment_orders: tuple[FulfillmentOrderView, ...]

    @property
    def shipped(self) -> bool:
        """Whether any of it was shipped."""
        return any(fo.status in _SHIPPED_STATUSES for fo in self.fulfillment_orders)


@dataclass(frozen=True)
class Shortage:
    """The unavailable variant and, when known, how many units are short (else its whole line)."""

    variant_id: str
    units: int | None = None


@dataclass(frozen=True)
class Substitute:
    """A variant that could replace the unavailable one."""

    variant_id: str
    available: int


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
    views = []
    for fo in connection_nodes(order.get("fulfillmentOrders")):
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
        views.append(
            FulfillmentOrderView(
                id=str(fo.get("id")),
                status=str(fo.get("status") or "").upper(),
                fulfill_at=_time(fo.get("fulfillAt")),
                lines=lines,
            )
        )
    return OrderView(
        id=str(order.get("id")),
        cancelled=order.get("cancelledAt") is not None,
        fulfillment_orders=tuple(views),
    )


async def _read_order(client: GraphQLExecutor, order_id: str) -> OrderView | None:
    data = await client.execute(
        _ORDER_FULFILLMENT,
        {
            "id": gid("Order", order_id),
            "fulfillmentOrdersFirst": FULFILLMENT_ORDERS_FIRST,
            "linesFirst": LINES_FIRST,
        },
    )
    order = data.get("order")
    return order_view(order) if isinstance(order, dict) else None


def _has_open_line(order: OrderView, variant_id: str) -> bool:
    return any(
        fo.open and any(_same(line.variant_id, variant_id) and line.remaining for line in fo.lines)
        for fo in order.fulfillment_orders
    )


def _same(left: str | None, right: str | None) -> bool:
    return bool(left and right) and normalise_id(str(left)) == normalise_id(str(right))


async def _stock_order(client: GraphQLExecutor, sku: str, variant_id: str) -> OrderView | None:
    """The newest open order still to ship some of ``variant_id``."""
    # Quoted: SKUs may hold spaces or colons, which the search syntax would split on.
    query = f'sku:"{sku}" status:open'
    data = await client.execute(_ORDERS_WITH_SKU, {"query": query, "first": CANDIDATE_ORDERS})
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
        _PRODUCT_VARIANTS, {"id": gid("Product", product_id), "first": LINES_FIRST}
    )
    product = data.get("product")
    if not isinstance(product, dict):
        return []
    return [
        Substitute(str(node["id"]), _int(node.get("inventoryQuantity")))
        for node in connection_nodes(product.get("variants"))
        if node.get("id") and not _same(str(node["id"]), variant_id)
    ]


async def _find(client: GraphQLExecutor, request: CaseRequest) -> _Found:
    values = {v.name: v.value for v in request.variables}
    found = _Found(product_id=values.get("productId"))
    variant_id, sku = values.get("variantId"), values.get("sku")
    shortage_units: int | None = None
    if values.get("inventoryItemId") and not variant_id:
        # Oversold: the inventory_levels/update event names the inventory item only.
        data = await client.execute(
            _INVENTORY_ITEM, {"id": gid("InventoryItem", values["inventoryItemId"])}
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
    if request.order_id:
        found.order = await _read_order(client, request.order_id)
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


# --- deciding what each outcome needs -----------------------------------------------------------


def _affected_fo(
    order: OrderView, fulfillment_order_id: str | None, shortage: Shortage | None
) -> FulfillmentOrderView | None:
    if fulfillment_order_id:
        for fo in order.fulfillment_orders:
            if _same(fo.id, fulfillment_order_id):
                return fo
    for fo in order.fulfillment_orders:
        if not fo.open:
            continue
        if shortage is None or any(
            _same(line.variant_id, shortage.variant_id) and line.remaining for line in fo.lines
        ):
            return fo
    return None


def _unavailable(fo: FulfillmentOrderView, shortage: Shortage) -> dict[str, int]:
    """FO line id -> units that cannot ship (the shortage, taken from the variant's lines)."""
    left = shortage.units
    short: dict[str, int] = {}
    for line in fo.lines:
        if not _same(line.variant_id, shortage.variant_id) or line.remaining <= 0:
            continue
        units = line.remaining if left is None else min(left, line.remaining)
        if units > 0:
            short[line.id] = units
            if left is not None:
                left -= units
    return short


def resolution_variables(
    order: OrderView | None,
    *,
    fulfillment_order_id: str | None,
    shortage: Shortage | None,
    substitutes: Sequence[Substitute] = (),
    now: datetime,
    reschedule_after: timedelta = RESCHEDULE_AFTER,
) -> Variables:
    """The outcome defaults and ``allowedOutcomes`` of a case (see the module docstring)."""
    out = Variables()
    allowed: list[str] = []
    fo = _affected_fo(order, fulfillment_order_id, shortage) if order is not None else None
    if order is not None and fo is not None and not order.cancelled:
        out.string("fulfillmentOrderId", fo.id)
        out.json(
            "fulfillmentOrderLineItems",
            [
                {
                    "id": line.id,
                    "lineItemId": line.line_item_id,
                    "variantId": line.variant_id,
                    "sku": line.sku,
                    "remainingQuantity": line.remaining,
                }
                for line in fo.lines
            ],
        )
        short = _unavailable(fo, shortage) if shortage is not None and fo.open else {}
        if short:
            lines = {line.id: line for line in fo.lines}
            out.json(
                "unavailableLineItems",
                [
                    {
                        "fulfillmentOrderLineItemId": line_id,
                        "lineItemId": lines[line_id].line_item_id,
                        "variantId": lines[line_id].variant_id,
                        "sku": lines[line_id].sku,
                        "quantity": units,
                    }
                    for line_id, units in short.items()
                ],
            )
            keep = [
                {"id": line.id, "quantity": line.remaining - short.get(line.id, 0)}
                for line in fo.lines
                if line.remaining - short.get(line.id, 0) > 0
            ]
            if keep:
                allowed.append("split")
                out.json("splitLineItems", keep)
            _line_outcomes(out, allowed, order, fo, short, substitutes)
        elif shortage is None and fo.open:
            _picked_outcomes(allowed, order, fo)
        if fo.status == "SCHEDULED":
            start = max(fo.fulfill_at or now, now)
            allowed.append("reschedule")
            out.date("fulfillAt", start + reschedule_after)
    cancellable = order is not None and not order.cancelled and not order.shipped
    if cancellable and order is not None and any(fo.open for fo in order.fulfillment_orders):
        allowed.append("cancel")
    allowed.append("resolved")
    return out.json("allowedOutcomes", [o for o in OUTCOMES if o in allowed])


def _picked_outcomes(allowed: list[str], order: OrderView, fo: FulfillmentOrderView) -> None:
    """A hold or carrier case does not know which lines are unavailable: the reviewer picks
    them from ``fulfillmentOrderLineItems``, so split, cancel_lines and substitute are
    offered without defaults wherever the fulfillment order can support them."""
    if sum(line.remaining for line in fo.lines) >= 2:
        allowed.append("split")
    unfulfilled = {
        line.line_item_id
        for other in order.fulfillment_orders
        if other.open
        for line in other.lines
        if line.remaining > 0 and line.line_item_id
    }
    allowed.append("substitute")
    if len(unfulfilled) >= 2:
        allowed.append("cancel_lines")


def _line_outcomes(
    out: Variables,
    allowed: list[str],
    order: OrderView,
    fo: FulfillmentOrderView,
    short: Mapping[str, int],
    substitutes: Sequence[Substitute],
) -> None:
    """cancel_lines and substitute: only when the order keeps a line besides the short ones."""
    lines = {line.id: line for line in fo.lines}
    short_items = {lines[i].line_item_id for i in short if lines[i].line_item_id}
    others = [
        line
        for other in order.fulfillment_orders
        if other.status in OPEN_STATUSES
        for line in other.lines
        if line.remaining > 0 and line.line_item_id not in short_items
    ]
    if not short_items or not others:
        return  # removing every line is a cancellation: "cancel" covers it
    allowed.append("cancel_lines")
    out.json("cancelLineItemIds", sorted(i for i in short_items if i))
    first = next(iter(short))
    wanted = sum(
        line.remaining for line in fo.lines if line.line_item_id == lines[first].line_item_id
    )
    candidate = next((s for s in substitutes if s.available >= wanted), None)
    if candidate is not None and lines[first].line_item_id:
        allowed.append("substitute")
        out.string("removeLineItemId", lines[first].line_item_id)
        out.string("substituteVariantId", candidate.variant_id)
        out.integer("substituteQuantity", wanted)
