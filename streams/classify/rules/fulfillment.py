"""UC4 FULFILLMENT_EXCEPTION: carrier exceptions, holds by others, cancellations, stock-outs.

=================================  =======================================================
topic                              opens a case when
=================================  =======================================================
``fulfillment_events/create``      ``status`` (any case) is in ``fulfillment.event_statuses``
                                   (default failure, delayed, attempted_delivery); one case
                                   per fulfillment (``fulfillment_id``), subject the order
``fulfillment_orders/placed_on_hold``  a hold's ``reason`` is in ``hold_reasons`` and its
                                   ``handle`` does not start with ``own_hold_handle_prefix``
                                   (casebridge's own review holds never open a case)
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

from schemas.records import CaseType, Priority, Reason, ShopifyEvent, SubjectType
from streams.classify.rules.build import CaseDraft, Variables
from streams.classify.rules.errors import ClassificationError
from streams.classify.rules.payload import Fields
from streams.policy.model import Policy

EVENT_TOPIC = "fulfillment_events/create"
HOLD_TOPIC = "fulfillment_orders/placed_on_hold"
CANCELLED_TOPIC = "fulfillment_orders/cancelled"
OUT_OF_STOCK_TOPIC = "variants/out_of_stock"
INVENTORY_TOPIC = "inventory_levels/update"
TOPICS = frozenset({EVENT_TOPIC, HOLD_TOPIC, CANCELLED_TOPIC, OUT_OF_STOCK_TOPIC, INVENTORY_TOPIC})


def fulfillment_drafts(event: ShopifyEvent, payload: Fields, policy: Policy) -> list[CaseDraft]:
    """The FULFILLMENT_EXCEPTION cases (zero or one) for a fulfillment-related event."""
    if event.topic == EVENT_TOPIC:
        return _carrier_exception(event, payload, policy)
    if event.topic in (HOLD_TOPIC, CANCELLED_TOPIC):
        return _fulfillment_order(event, payload, policy)
    if event.topic == OUT_OF_STOCK_TOPIC:
        return _out_of_stock(payload, policy)
    if event.topic == INVENTORY_TOPIC:
        return _oversold(payload, policy)
    return []


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
