"""What each FULFILLMENT_EXCEPTION outcome needs, from the affected order: pure, no I/O.

:mod:`streams.classify.enrich.fulfillment` reads the affected order and its fulfillment
orders from Shopify; :func:`resolution_variables` turns them into the defaults
of every outcome the case can support and ``allowedOutcomes``.

Outcomes and their defaults (variable names as the effects read them):

==============  ==========================================================================
outcome         offered when / default variables
==============  ==========================================================================
(no shortage)   a hold or carrier case on an open fulfillment order does not know which
                lines are unavailable: split (2+ units left), substitute, and
                cancel_lines (2+ unfulfilled lines) are offered without defaults, the
                reviewer picking lines from ``fulfillmentOrderLineItems``. A partial
                shipment knows the lines nothing of which shipped
                (``untouched_line_items``): cancel_lines is offered with them as
                ``cancelLineItemIds`` (the order keeps what shipped)
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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from streams.classify.rules.build import Variables
from streams.classify.rules.payload import normalise_id

__all__ = [
    "OPEN_STATUSES",
    "OUTCOMES",
    "RESCHEDULE_AFTER",
    "FulfillmentLine",
    "FulfillmentOrderView",
    "OrderView",
    "Shortage",
    "Substitute",
    "resolution_variables",
    "same_id",
]

#: The outcomes of the FULFILLMENT_EXCEPTION model, in the order a form lists them.
OUTCOMES = ("split", "substitute", "cancel_lines", "reschedule", "cancel", "resolved")

#: Fulfillment order statuses with work left to do (a split or reschedule can apply).
OPEN_STATUSES = frozenset({"OPEN", "IN_PROGRESS", "ON_HOLD", "SCHEDULED"})

#: Statuses that mean some of the order was shipped (it can no longer be cancelled).
_SHIPPED_STATUSES = frozenset({"CLOSED", "IN_PROGRESS"})

#: Default delay of a reschedule.
RESCHEDULE_AFTER = timedelta(days=7)


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


def same_id(left: str | None, right: str | None) -> bool:
    """Whether two ids (GID or numeric) name the same resource."""
    return bool(left and right) and normalise_id(str(left)) == normalise_id(str(right))


def _affected_fo(
    order: OrderView, fulfillment_order_id: str | None, shortage: Shortage | None
) -> FulfillmentOrderView | None:
    if fulfillment_order_id:
        # The case is about this one: another's lines would be split or cancelled under
        # its id (Shopify refuses them), so none is offered when it is not there.
        named = (fo for fo in order.fulfillment_orders if same_id(fo.id, fulfillment_order_id))
        return next(named, None)
    for fo in order.fulfillment_orders:
        if not fo.open:
            continue
        if shortage is None or any(
            same_id(line.variant_id, shortage.variant_id) and line.remaining for line in fo.lines
        ):
            return fo
    return None


def _unavailable(fo: FulfillmentOrderView, shortage: Shortage) -> dict[str, int]:
    """FO line id -> units that cannot ship (the shortage, taken from the variant's lines)."""
    left = shortage.units
    short: dict[str, int] = {}
    for line in fo.lines:
        if not same_id(line.variant_id, shortage.variant_id) or line.remaining <= 0:
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
    untouched_line_items: Sequence[str] = (),
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
            _untouched_outcome(out, allowed, order, untouched_line_items)
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


def _untouched_outcome(
    out: Variables, allowed: list[str], order: OrderView, untouched: Sequence[str]
) -> None:
    """cancel_lines of a partly shipped order's lines nothing of which shipped, by default.

    Only lines still to ship on an open fulfillment order, and only when the
    order shipped something: then the order keeps lines, so it is no cancellation.
    """
    if not untouched or not order.shipped:
        return
    waiting = {
        line.line_item_id
        for fo in order.fulfillment_orders
        if fo.open
        for line in fo.lines
        if line.remaining > 0 and line.remaining == line.total and line.line_item_id
    }
    ids = sorted(i for i in waiting if any(same_id(i, wanted) for wanted in untouched))
    if not ids:
        return
    if "cancel_lines" not in allowed:
        allowed.append("cancel_lines")
    out.json("cancelLineItemIds", ids)


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
