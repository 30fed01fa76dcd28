"""UC4 FULFILLMENT_EXCEPTION: carrier exceptions, holds by others, cancellations, stock-outs.

=================================  =======================================================
topic                              opens a case when
=================================  =======================================================
``fulfillment_events/create``      ``status`` (any case) is in ``fulfillment.event_statuses``
                                   (default failure, delayed, attempted_delivery); one case
                                   per fulfillment (``fulfillment_id``), subject the order
``fulfillment_orders/placed_on_hold``  a hold's ``reason`` is in ``hold_reasons`` and its
                                   ``handle`` does not start with ``own_hold_handle_prefix``
                                   (casebridge's own review holds never open a case); a
                                   hold on some lines names them (``heldLineItems``) and
                                   the fulfillment order the rest moved to
``fulfillment_orders/cancelled``   ``open_on_cancelled`` is set
``variants/out_of_stock``          ``open_on_out_of_stock`` is set; subject the product.
                                   Not when the variant went below zero and
                                   ``open_on_oversold`` is set: that same change comes
                                   as ``inventory_levels/update`` and opens the OVERSOLD
                                   case (one case per stock change, not two)
``inventory_levels/update``        ``open_on_oversold`` is set and ``available`` is below
                                   zero (more was sold than stocked: an inventory
                                   mismatch); subject the inventory item (type UNKNOWN:
                                   the schema has no inventory-item subject)
``orders/partially_fulfilled``     ``open_on_partial`` is set, the order is not cancelled
                                   and a line still has units to ship
                                   (``fulfillable_quantity`` > 0, required on every line);
                                   subject the order, the unshipped lines as
                                   ``unshippedLineItems``
``fulfillment_orders/split``       ``open_on_split`` is set: units moved off a fulfillment
                                   order to a new one (``remaining_fulfillment_order``,
                                   else ``replacement_fulfillment_order``, required);
                                   subject the new one (``fulfillmentOrderId``), the
                                   original is ``originalFulfillmentOrderId``, the moved
                                   lines ``movedLineItems``. Never for casebridge's own
                                   splits: the agent reads the original's order and its
                                   ``casebridge.own_splits`` markers first
                                   (:class:`SplitOrigin`); that read also names the
                                   order, which Shopify's payload does not
=================================  =======================================================

The case carries what identifies the exception (order, fulfillment, fulfillment
order, variant, inventory item, the units short as ``shortage``); which open
order and lines are affected, and what each outcome needs, is read from
Shopify when the case is enriched (:mod:`streams.classify.enrich.fulfillment`): stock
events name no order at all.

Fulfillment-order payloads are read as ``{"fulfillment_order": {...},
"fulfillment_hold": {...}}`` (``created_fulfillment_hold`` is accepted too),
or, without that key, from the fulfillment order's ``fulfillment_holds[]``
(the first hold that qualifies); a bare fulfillment order body also works.
The order id comes from ``fulfillment_order.order_id`` or the event's
``order_id``.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.records import CaseType, Priority, Reason, ShopifyEvent, SubjectType
from streams.classify.rules.build import CaseDraft, Variables
from streams.classify.rules.errors import ClassificationError
from streams.classify.rules.payload import Fields, parse_json_object
from streams.policy.model import Policy
from streams.runtime.own_splits import OwnSplit, is_own

EVENT_TOPIC = "fulfillment_events/create"
HOLD_TOPIC = "fulfillment_orders/placed_on_hold"
CANCELLED_TOPIC = "fulfillment_orders/cancelled"
OUT_OF_STOCK_TOPIC = "variants/out_of_stock"
INVENTORY_TOPIC = "inventory_levels/update"
SPLIT_TOPIC = "fulfillment_orders/split"
PARTIAL_TOPIC = "orders/partially_fulfilled"
"""An order topic: the engine reads the order and passes its payload to :func:`partial_drafts`."""
TOPICS = frozenset(
    {EVENT_TOPIC, HOLD_TOPIC, CANCELLED_TOPIC, OUT_OF_STOCK_TOPIC, INVENTORY_TOPIC, SPLIT_TOPIC}
)


@dataclass(frozen=True)
class SplitOrigin:
    """The order of a split fulfillment order and its own-split markers, read before the rules."""

    order_id: str | None = None
    markers: tuple[OwnSplit, ...] = ()
    error: str | None = None
    """Why the order could not be read (or its markers not parsed): the case opens, saying so."""


def split_fulfillment_order(event: ShopifyEvent, policy: Policy) -> str | None:
    """The fulfillment order a split event split, when its case could open; else None.

    The agent reads that fulfillment order's :class:`SplitOrigin` before the rules.
    A payload without it gives None here and is refused by the rules.
    """
    if event.topic != SPLIT_TOPIC or not policy.fulfillment.open_on_split:
        return None
    try:
        original = parse_json_object(event.payload).obj("fulfillment_order")
        return original.require_ident("id", "admin_graphql_api_id") if original else None
    except ClassificationError:
        return None


def fulfillment_drafts(
    event: ShopifyEvent, payload: Fields, policy: Policy, origin: SplitOrigin | None = None
) -> list[CaseDraft]:
    """The FULFILLMENT_EXCEPTION cases (zero or one) for a fulfillment-related event."""
    if event.topic == EVENT_TOPIC:
        return _carrier_exception(event, payload, policy)
    if event.topic in (HOLD_TOPIC, CANCELLED_TOPIC):
        return _fulfillment_order(event, payload, policy)
    if event.topic == OUT_OF_STOCK_TOPIC:
        return _out_of_stock(payload, policy)
    if event.topic == INVENTORY_TOPIC:
        return _oversold(payload, policy)
    if event.topic == SPLIT_TOPIC:
        return _split(event, payload, policy, origin or SplitOrigin())
    return []


def partial_drafts(payload: Fields, policy: Policy) -> list[CaseDraft]:
    """The FULFILLMENT_EXCEPTION of an ``orders/partially_fulfilled`` order (not cancelled)."""
    rules = policy.fulfillment
    if not rules.open_on_partial or payload.has("cancelled_at"):
        return []
    order_id = payload.require_ident("id", "admin_graphql_api_id")
    unshipped: list[dict[str, object]] = []
    shipped_units = 0
    for line in payload.objects("line_items"):
        quantity = line.integer("current_quantity")
        quantity = line.integer("quantity") if quantity is None else quantity
        left = line.integer("fulfillable_quantity")
        if left is None or quantity is None:
            # Without it nothing tells the shipped units from the rest.
            missing = "fulfillable_quantity" if left is None else "quantity"
            raise ClassificationError(f"{line.path}.{missing}: missing")
        if left < 0 or left > quantity:
            raise ClassificationError(
                f"{line.path}.fulfillable_quantity: {left} is not between 0 and the"
                f" line's quantity {quantity}"
            )
        shipped_units += quantity - left
        if left > 0:
            unshipped.append(
                {
                    "lineItemId": line.require_ident("id", "admin_graphql_api_id"),
                    "variantId": line.ident("variant_id"),
                    "sku": line.text("sku"),
                    "title": line.text("title"),
                    "quantity": quantity,
                    "shippedQuantity": quantity - left,
                    "unshippedQuantity": left,
                }
            )
    if not unshipped:
        return []  # everything left was shipped (or removed) since: nothing to decide
    units = sum(int(str(line["unshippedQuantity"])) for line in unshipped)
    variables = (
        Variables()
        .string("orderId", order_id)
        .string("orderName", payload.text("name"))
        .string("fulfillmentStatus", payload.text("fulfillment_status"))
        .integer("shippedUnits", shipped_units)
        .integer("unshippedUnits", units)
        .json("unshippedLineItems", unshipped)
    )
    reason = Reason(
        code="PARTIAL_SHIPMENT",
        detail=(
            f"{shipped_units} units shipped, {units} on {len(unshipped)} line(s) still to ship"
        ),
    )
    return [
        _draft(
            policy,
            SubjectType.ORDER,
            order_id,
            "partial",
            list(rules.teams.partial),
            None,
            reason,
            variables,
            order_id,
        )
    ]


def _split(
    event: ShopifyEvent, payload: Fields, policy: Policy, origin: SplitOrigin
) -> list[CaseDraft]:
    rules = policy.fulfillment
    if not rules.open_on_split:
        return []
    original = payload.obj("fulfillment_order")
    if original is None:
        raise ClassificationError("fulfillment_order: missing (the fulfillment order split)")
    original_id = original.require_ident("id", "admin_graphql_api_id")
    moved_to = payload.obj("remaining_fulfillment_order") or payload.obj(
        "replacement_fulfillment_order"
    )
    if moved_to is None:
        raise ClassificationError(
            "remaining_fulfillment_order: missing (where the split units went)"
        )
    new_id = moved_to.require_ident("id", "admin_graphql_api_id")
    moved = [
        {
            "id": line.require_ident("id", "admin_graphql_api_id"),
            "quantity": line.integer("quantity"),
        }
        for line in payload.objects("split_line_items")
    ]
    quantities = [line.integer("quantity") for line in payload.objects("split_line_items")]
    units = None if not quantities or None in quantities else sum(q or 0 for q in quantities)
    if is_own(origin.markers, original_id, units):
        return []  # casebridge's own split, marked on the order before it was made
    order_id = (
        original.ident("order_id")
        or moved_to.ident("order_id")
        or event.order_id
        or origin.order_id
    )
    variables = (
        Variables()
        .string("orderId", order_id)
        .string("originalFulfillmentOrderId", original_id)
        .string("fulfillmentOrderId", new_id)
        .string("fulfillmentOrderStatus", moved_to.text("status"))
        .json("movedLineItems", moved or None)
    )
    detail = f"fulfillment order {original_id} split: units moved to {new_id}"
    if origin.error:
        detail += f" (not known whether casebridge made it: {origin.error})"
    reason = Reason(code="FULFILLMENT_SPLIT", detail=detail)
    return [
        _draft(
            policy,
            SubjectType.FULFILLMENT_ORDER,
            # The units to decide on are on the new fulfillment order: one case per split.
            new_id,
            "split",
            list(rules.teams.partial),
            None,
            reason,
            variables,
            order_id,
        )
    ]


def _carrier_exception(event: ShopifyEvent, payload: Fields, policy: Policy) -> list[CaseDraft]:
    rules = policy.fulfillment
    status = (payload.text("status") or "").strip().lower()
    if not status:
        raise ClassificationError("status: missing fulfillment event status")
    if status not in rules.event_statuses:
        return []
    order_id = payload.ident("order_id") or event.order_id
    if not order_id:
        raise ClassificationError("order_id: missing id")
    fulfillment_id = payload.require_ident("fulfillment_id")
    variables = (
        Variables()
        .string("orderId", order_id)
        .string("fulfillmentId", fulfillment_id)
        .string("fulfillmentStatus", status.upper())
        .string("carrierMessage", payload.text("message"))
        .date("happenedAt", payload.timestamp("happened_at"))
        .date("estimatedDeliveryAt", payload.timestamp("estimated_delivery_at"))
        .string("countryCode", payload.text("country"))
        .string("city", payload.text("city"))
    )
    return [
        _draft(
            policy,
            SubjectType.ORDER,
            order_id,
            f"carrier:{fulfillment_id}",
            list(rules.teams.carrier),
            rules.status_priority.get(status),
            Reason(code=f"CARRIER_{status.upper()}", detail=f"carrier reports {status}"),
            variables,
            order_id,
        )
    ]


def _fulfillment_order(event: ShopifyEvent, payload: Fields, policy: Policy) -> list[CaseDraft]:
    rules = policy.fulfillment
    fulfillment_order = payload.obj("fulfillment_order") or payload
    fulfillment_order_id = fulfillment_order.require_ident("id", "admin_graphql_api_id")
    order_id = fulfillment_order.ident("order_id") or event.order_id
    variables = (
        Variables()
        .string("fulfillmentOrderId", fulfillment_order_id)
        .string("orderId", order_id)
        .string("fulfillmentOrderStatus", fulfillment_order.text("status"))
    )
    if event.topic == CANCELLED_TOPIC:
        if not rules.open_on_cancelled:
            return []
        reason = Reason(code="FULFILLMENT_CANCELLED", detail="fulfillment order was cancelled")
        teams, trigger = list(rules.teams.cancelled), "cancelled"
    else:
        hold = _foreign_hold(payload, fulfillment_order, policy)
        if hold is None:
            return []
        hold_reason = (hold.text("reason") or "OTHER").strip().upper()
        notes = hold.text("reason_notes")
        reason = Reason(
            code=f"HOLD_{hold_reason}",
            detail=f"fulfillment held: {hold_reason}" + (f" ({notes})" if notes else ""),
        )
        variables.string("holdReason", hold_reason).string("holdNotes", notes)
        # A hold on some lines: Shopify keeps the held ones on this fulfillment order
        # and moves the rest to a remaining one, which can still ship.
        held = [
            {
                "id": line.require_ident("id", "admin_graphql_api_id"),
                "quantity": line.integer("quantity"),
            }
            for line in payload.objects("held_fulfillment_order_line_items")
        ]
        remaining = payload.obj("remaining_fulfillment_order")
        variables.json("heldLineItems", held or None).string(
            "remainingFulfillmentOrderId",
            remaining.require_ident("id", "admin_graphql_api_id") if remaining else None,
        )
        teams, trigger = list(rules.teams.hold), "hold"
    return [
        _draft(
            policy,
            SubjectType.FULFILLMENT_ORDER,
            fulfillment_order_id,
            trigger,
            teams,
            None,
            reason,
            variables,
            order_id,
        )
    ]


def _foreign_hold(payload: Fields, fulfillment_order: Fields, policy: Policy) -> Fields | None:
    """The first hold placed by someone else for a listed reason, else None."""
    rules = policy.fulfillment
    explicit = payload.obj("fulfillment_hold") or payload.obj("created_fulfillment_hold")
    holds = [explicit] if explicit is not None else fulfillment_order.objects("fulfillment_holds")
    if not holds:
        raise ClassificationError("fulfillment_hold: missing hold")
    for hold in holds:
        handle = hold.text("handle") or ""
        ours = bool(rules.own_hold_handle_prefix) and handle.startswith(
            rules.own_hold_handle_prefix
        )
        if not ours and (hold.text("reason") or "OTHER").strip().upper() in rules.hold_reasons:
            return hold
    return None


def _out_of_stock(payload: Fields, policy: Policy) -> list[CaseDraft]:
    rules = policy.fulfillment
    if not rules.open_on_out_of_stock:
        return []
    quantity = payload.integer("inventory_quantity")
    if rules.open_on_oversold and quantity is not None and quantity < 0:
        return []  # the inventory_levels/update of this change opens the OVERSOLD case
    variant_id = payload.require_ident("id", "admin_graphql_api_id")
    product_id = payload.ident("product_id") or variant_id
    sku = payload.text("sku")
    variables = (
        Variables()
        .string("productId", product_id)
        .string("variantId", variant_id)
        .string("sku", sku)
        .string("variantTitle", payload.text("title"))
        .string("inventoryItemId", payload.ident("inventory_item_id"))
        .integer("inventoryQuantity", quantity)
    )
    reason = Reason(code="OUT_OF_STOCK", detail=f"variant {sku or variant_id} is out of stock")
    return [
        _draft(
            policy,
            SubjectType.PRODUCT,
            product_id,
            f"out-of-stock:{variant_id}",
            list(rules.teams.out_of_stock),
            None,
            reason,
            variables,
            None,
        )
    ]


def _oversold(payload: Fields, policy: Policy) -> list[CaseDraft]:
    rules = policy.fulfillment
    available = payload.integer("available")
    if not rules.open_on_oversold or available is None or available >= 0:
        return []
    item_id = payload.require_ident("inventory_item_id")
    location_id = payload.ident("location_id")
    variables = (
        Variables()
        .string("inventoryItemId", item_id)
        .string("locationId", location_id)
        .integer("available", available)
        .integer("shortage", -available)
    )
    reason = Reason(
        code="OVERSOLD",
        detail=f"inventory item {item_id} is oversold: {available} available",
    )
    return [
        _draft(
            policy,
            SubjectType.UNKNOWN,
            item_id,
            f"oversold:{location_id or 'any'}",
            list(rules.teams.out_of_stock),
            None,
            reason,
            variables,
            None,
        )
    ]


def _draft(
    policy: Policy,
    subject_type: SubjectType,
    subject_id: str,
    trigger: str,
    teams: list[str],
    priority: Priority | None,
    reason: Reason,
    variables: Variables,
    order_id: str | None,
) -> CaseDraft:
    return CaseDraft(
        case_type=CaseType.FULFILLMENT_EXCEPTION,
        subject_type=subject_type,
        subject_id=subject_id,
        trigger=trigger,
        teams=teams,
        priority=priority or policy.cases.FULFILLMENT_EXCEPTION.priority,
        reasons=[reason],
        variables=variables,
        order_id=order_id,
    )
