"""State transitions for fulfillment orders, shipments, returns and disputes."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from emulators.shopify import payloads
from emulators.shopify.errors import ResourceNotFound, UserErrorRaised
from emulators.shopify.models import (
    Dispute,
    Fulfillment,
    FulfillmentEvent,
    FulfillmentHold,
    FulfillmentOrder,
    FulfillmentOrderLine,
    Order,
    Return,
    ReturnLine,
    money,
    parse_gid,
)
from emulators.shopify.ops_orders import Ctx, order_changed, record_event

#: Shopify allows up to 10 active holds per app on one fulfillment order.
MAX_HOLDS = 10
_DONE = {"CLOSED", "CANCELLED"}


def lookup_fo(ctx: Ctx, ref: str) -> FulfillmentOrder:
    """A fulfillment order or a FULFILLMENT_ORDER_NOT_FOUND user error."""
    try:
        return ctx.shop.fulfillment_order(ref)
    except ResourceNotFound:
        raise UserErrorRaised(
            "Fulfillment order does not exist.", ["id"], "FULFILLMENT_ORDER_NOT_FOUND"
        ) from None


def fo_changed(ctx: Ctx, fo: FulfillmentOrder, topic: str, **extra: Any) -> None:
    """Stamp ``updated_at``; queue ``topic`` with the fulfillment order's body and ``extra``."""
    fo.updated_at = ctx.now
    ctx.shop.emit(topic, payloads.fulfillment_order_event(ctx.shop, fo, **extra))


def hold(
    ctx: Ctx, fo: FulfillmentOrder, data: dict[str, Any]
) -> tuple[FulfillmentHold, FulfillmentOrder | None]:
    """fulfillmentOrderHold: add a hold with a handle unique on this fulfillment order.

    With ``fulfillmentOrderLineItems`` covering only part of the fulfillment
    order, the rest is split off first and returned (``remainingFulfillmentOrder``).
    """
    if fo.status in _DONE or fo.status == "IN_PROGRESS":
        raise UserErrorRaised(
            f"The fulfillment order's status {fo.status} does not allow a hold.", ["id"]
        )
    handle = data.get("handle") or ""
    if len(handle) > 64:
        raise UserErrorRaised(
            "Handle is too long (maximum is 64 characters)", ["fulfillmentHold", "handle"]
        )
    if any(h.handle == handle for h in fo.holds):
        raise UserErrorRaised(
            "The handle provided for the fulfillment hold is already in use by this app for "
            "another hold on this fulfillment order.",
            ["fulfillmentHold", "handle"],
            "DUPLICATE_FULFILLMENT_HOLD_HANDLE",
        )
    if len(fo.holds) >= MAX_HOLDS:
        raise UserErrorRaised(
            "The maximum number of fulfillment holds for this fulfillment order has been reached "
            "for this app. An app can only have up to 10 holds on a single fulfillment order "
            "at any one time.",
            ["id"],
            "FULFILLMENT_ORDER_HOLD_LIMIT_REACHED",
        )
    items = data.get("fulfillmentOrderLineItems") or []
    remaining = None
    if items and sum(int(i["quantity"]) for i in items) < sum(
        x.remaining_quantity for x in fo.lines
    ):
        remaining = split(ctx, fo, items, ["fulfillmentHold"])
    new = FulfillmentHold(
        id=ctx.shop.new_id(),
        fulfillment_order_id=fo.id,
        handle=handle,
        reason=data["reason"],
        reason_notes=data.get("reasonNotes") or "",
        external_id=data.get("externalId") or "",
    )
    if not fo.holds:
        fo.status_before_hold = fo.status
    fo.holds.append(new)
    fo.status = "ON_HOLD"
    fo_changed(
        ctx, fo, "fulfillment_orders/placed_on_hold", created_fulfillment_hold=payloads.hold(new)
    )
    ctx.shop.emit(
        "fulfillment_holds/added",
        {"fulfillment_hold": payloads.hold(new), "fulfillment_order_id": fo.id},
    )
    return new, remaining


def release_hold(ctx: Ctx, fo: FulfillmentOrder, hold_ids: list[str] | None) -> FulfillmentOrder:
    """fulfillmentOrderReleaseHold: release the given holds (all when ``None``)."""
    if hold_ids is None:
        if not fo.holds:
            raise UserErrorRaised("The fulfillment order is not on hold.", ["id"], "INVALID_ACCESS")
        released = list(fo.holds)
    else:
        released = []
        for index, ref in enumerate(hold_ids):
            try:
                _, hold_id = parse_gid(ref, "FulfillmentHold")
            except ResourceNotFound:
                hold_id = -1
            found = next((h for h in fo.holds if h.id == hold_id), None)
            if found is None:
                raise UserErrorRaised(
                    f"Fulfillment hold {ref} was not found on this fulfillment order.",
                    ["holdIds", str(index)],
                    "INVALID_ACCESS",
                )
            released.append(found)
    fo.holds = [h for h in fo.holds if h not in released]
    if not fo.holds:
        fo.status = fo.status_before_hold
    for item in released:
        ctx.shop.emit(
            "fulfillment_holds/released",
            {"fulfillment_hold": payloads.hold(item), "fulfillment_order_id": fo.id},
        )
    fo_changed(ctx, fo, "fulfillment_orders/hold_released")
    return fo


def split(
    ctx: Ctx, fo: FulfillmentOrder, items: list[dict[str, Any]], path: list[str]
) -> FulfillmentOrder:
    """fulfillmentOrderSplit: keep the given quantities, move the rest to a new FO.

    ``path`` prefixes the ``field`` of user errors (the input being split).
    """
    if fo.status in _DONE or fo.status == "INCOMPLETE":
        # INCOMPLETE: a fulfillment service closed it; it moves or is re-requested whole.
        raise UserErrorRaised(
            "The fulfillment order cannot be split.", [*path, "fulfillmentOrderId"]
        )
    if not items:
        raise UserErrorRaised(
            "No line items provided to split.",
            [*path, "fulfillmentOrderLineItems"],
            "NO_LINE_ITEMS_PROVIDED_TO_SPLIT",
        )
    keep: dict[int, int] = {}
    for i, item in enumerate(items):
        lpath = [*path, "fulfillmentOrderLineItems", str(i)]
        try:
            _, line_id = parse_gid(item["id"], "FulfillmentOrderLineItem")
        except ResourceNotFound:
            line_id = -1
        line = next((x for x in fo.lines if x.id == line_id), None)
        if line is None:
            raise UserErrorRaised("Fulfillment order line item does not exist.", [*lpath, "id"])
        qty = int(item["quantity"])
        if qty <= 0 or qty > line.remaining_quantity:
            raise UserErrorRaised(
                "Invalid line item quantity.", [*lpath, "quantity"], "INVALID_LINE_ITEM_QUANTITY"
            )
        keep[line.id] = qty
    moved = sum(x.remaining_quantity for x in fo.lines) - sum(keep.values())
    if moved <= 0:
        raise UserErrorRaised(
            "The quantities to split must leave something in the remaining fulfillment order.",
            [*path, "fulfillmentOrderLineItems"],
            "GREATER_THAN",
        )
    rest = FulfillmentOrder(
        id=ctx.shop.new_id(),
        order_id=fo.order_id,
        status=fo.status,
        lines=[],
        holds=[],
        fulfill_at=fo.fulfill_at,
        created_at=ctx.now,
        updated_at=ctx.now,
        status_before_hold=fo.status_before_hold if fo.holds else fo.status,
        location_name=fo.location_name,
        fulfillment_service=fo.fulfillment_service,
    )
    if rest.status == "ON_HOLD":
        rest.status = fo.status_before_hold
    for line in list(fo.lines):
        stay = keep.get(line.id, 0)
        go = line.remaining_quantity - stay
        if go > 0:
            rest.lines.append(FulfillmentOrderLine(ctx.shop.new_id(), line.line_item_id, go, go))
            line.remaining_quantity -= go
            line.total_quantity -= go
        if line.total_quantity == 0:
            fo.lines.remove(line)
    ctx.shop.fulfillment_orders[rest.id] = rest
    fo_changed(
        ctx,
        fo,
        "fulfillment_orders/split",
        # Shopify's body: the lines split off with their quantities, both fulfillment orders.
        split_line_items=[{"id": line.gid, "quantity": line.total_quantity} for line in rest.lines],
        remaining_fulfillment_order=payloads.fulfillment_order(ctx.shop, rest),
        replacement_fulfillment_order=None,
    )
    return rest


def reschedule(ctx: Ctx, fo: FulfillmentOrder, fulfill_at: datetime) -> FulfillmentOrder:
    """fulfillmentOrderReschedule: only scheduled fulfillment orders move."""
    if fo.status != "SCHEDULED":
        raise UserErrorRaised("Fulfillment order must be scheduled to be rescheduled.", ["id"])
    fo.fulfill_at = fulfill_at
    fo_changed(ctx, fo, "fulfillment_orders/rescheduled")
    return fo


def fulfill(
    ctx: Ctx, order: Order, *, company: str, number: str, quantities: dict[int, int] | None = None
) -> Fulfillment:
    """Ship lines (all remaining when ``quantities`` is None) from open fulfillment orders."""
    shop = ctx.shop
    shipped: dict[int, int] = {}
    wanted = dict(quantities or {})
    for fo in shop.fulfillment_orders_of(order):
        if fo.status not in {"OPEN", "IN_PROGRESS", "SCHEDULED"}:
            continue
        for line in fo.lines:
            if quantities is None:
                want = line.remaining_quantity
            else:
                want = min(wanted.get(line.line_item_id, 0), line.remaining_quantity)
                wanted[line.line_item_id] = wanted.get(line.line_item_id, 0) - max(want, 0)
            if want <= 0:
                continue
            line.remaining_quantity -= want
            shipped[line.line_item_id] = shipped.get(line.line_item_id, 0) + want
    if not shipped:
        raise UserErrorRaised("Nothing to fulfill", ["lineItems"])
    for fo in shop.fulfillment_orders_of(order):
        shipped_here = fo.status in {"OPEN", "IN_PROGRESS", "SCHEDULED"} and any(
            x.line_item_id in shipped for x in fo.lines
        )
        if shipped_here:
            done = all(x.remaining_quantity == 0 for x in fo.lines)
            fo.status, fo.updated_at = ("CLOSED" if done else "IN_PROGRESS"), ctx.now
    for li_id, qty in shipped.items():
        shop.line_items[li_id].fulfilled_quantity += qty
    count = len(shop.fulfillments_of(order)) + 1
    ful = Fulfillment(
        id=shop.new_id(),
        order_id=order.id,
        name=f"{order.name}.{count}",
        status="SUCCESS",
        display_status="CONFIRMED",
        tracking_company=company,
        tracking_number=number,
        tracking_url=f"https://tracking.example/{company.lower()}/{number}",
        line_quantities=shipped,
        events=[],
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    shop.fulfillments[ful.id] = ful
    state = shop.fulfillment_status(order)
    shop.emit("fulfillments/create", payloads.fulfillment(shop, ful))
    record_event(ctx, order, "fulfillment_success", f"{company} shipped {ful.name}: {number}.")
    order_changed(
        ctx, order, "orders/fulfilled" if state == "FULFILLED" else "orders/partially_fulfilled"
    )
    return ful


def add_event(ctx: Ctx, ful: Fulfillment, status: str, message: str = "") -> FulfillmentEvent:
    """A carrier event; queue ``fulfillment_events/create``."""
    event = FulfillmentEvent(ctx.shop.new_id(), ful.id, status, message, ctx.now)
    ful.events.append(event)
    ful.display_status, ful.updated_at = status, ctx.now
    ctx.shop.emit("fulfillment_events/create", payloads.tracking_event(ctx.shop, ful, event))
    return event


def request_return(ctx: Ctx, order: Order, lines: list[tuple[int, int, str, str, str]]) -> Return:
    """Customer return request of (line id, qty, REASON, reason note, customer note)."""
    shop = ctx.shop
    for li_id, qty, *_ in lines:
        li = shop.line_items[li_id]
        if qty <= 0 or qty > li.fulfilled_quantity:
            raise UserErrorRaised("Quantity exceeds the fulfilled quantity", ["returnLineItems"])
    count = len(shop.returns_of(order)) + 1
    ret = Return(
        id=shop.new_id(),
        order_id=order.id,
        name=f"{order.name}-R{count}",
        status="REQUESTED",
        lines=[ReturnLine(shop.new_id(), li, q, r, rn, cn) for li, q, r, rn, cn in lines],
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    shop.returns[ret.id] = ret
    shop.emit("returns/request", payloads.return_(shop, ret))
    return ret


def lookup_return(ctx: Ctx, ref: str) -> Return:
    """A return or a user error on ``id``."""
    try:
        return ctx.shop.return_(ref)
    except ResourceNotFound:
        raise UserErrorRaised("Return does not exist.", ["id"], "NOT_FOUND") from None


def approve_return(ctx: Ctx, ret: Return) -> Return:
    """returnApproveRequest: REQUESTED -> OPEN."""
    if ret.status != "REQUESTED":
        raise UserErrorRaised(
            f"Return is not approvable. Only returns with status REQUESTED can be approved "
            f"(status is {ret.status}).",
            ["id"],
            "INVALID_STATE",
        )
    ret.status, ret.updated_at = "OPEN", ctx.now
    ctx.shop.emit("returns/approve", payloads.return_(ctx.shop, ret))
    return ret


def decline_return(ctx: Ctx, ret: Return, reason: str, note: str) -> Return:
    """returnDeclineRequest: REQUESTED -> DECLINED."""
    if ret.status != "REQUESTED":
        raise UserErrorRaised(
            f"Return is not declinable. Only returns with status REQUESTED can be declined "
            f"(status is {ret.status}).",
            ["id"],
            "INVALID_STATE",
        )
    ret.status, ret.decline_reason, ret.decline_note = "DECLINED", reason, note
    ret.updated_at = ctx.now
    ctx.shop.emit("returns/decline", payloads.return_(ctx.shop, ret))
    return ret


def open_dispute(
    ctx: Ctx,
    order: Order,
    *,
    kind: str,
    reason: str,
    amount: Decimal | None = None,
    network_reason_code: str = "4837",
) -> Dispute:
    """A chargeback or inquiry; queue ``disputes/create``."""
    dispute = Dispute(
        id=ctx.shop.new_id(),
        order_id=order.id,
        type=kind,
        amount=money(amount if amount is not None else ctx.shop.total(order)),
        currency=order.currency,
        reason=reason,
        network_reason_code=network_reason_code,
        status="needs_response",
        initiated_at=ctx.now,
        evidence_due_by=ctx.now + timedelta(days=7),
        evidence_id=ctx.shop.new_id(),
    )
    ctx.shop.disputes[dispute.id] = dispute
    ctx.shop.emit("disputes/create", payloads.dispute(ctx.shop, dispute))
    record_event(
        ctx,
        order,
        "dispute_opened",
        f"The customer opened a {kind} for {dispute.amount} ({reason}).",
    )
    return dispute


#: Statuses a dispute can end in, and the ones it can reach them from.
FINAL_DISPUTE_STATUSES = frozenset({"won", "lost", "accepted", "charge_refunded", "prevented"})


def finalize_dispute(ctx: Ctx, dispute: Dispute, status: str) -> Dispute:
    """The bank's (or the merchant's) final word: ``won``, ``lost``, ``accepted``...;
    queue ``disputes/update``. A dispute that already ended cannot end again."""
    if status not in FINAL_DISPUTE_STATUSES:
        raise UserErrorRaised(
            f"status must be one of {sorted(FINAL_DISPUTE_STATUSES)}", ["status"], "INVALID"
        )
    if dispute.status in FINAL_DISPUTE_STATUSES:
        raise UserErrorRaised(f"The dispute already ended ({dispute.status}).", ["id"], "INVALID")
    if status == "accepted" and dispute.status != "needs_response":
        raise UserErrorRaised("Only a dispute awaiting a response can be accepted.", ["id"])
    dispute.status, dispute.finalized_on = status, ctx.now
    ctx.shop.emit("disputes/update", payloads.dispute(ctx.shop, dispute))
    if dispute.order_id is not None and dispute.order_id in ctx.shop.orders:
        record_event(
            ctx,
            ctx.shop.orders[dispute.order_id],
            f"dispute_{status}",
            f"The dispute was {status}.",
        )
    return dispute


def update_evidence(ctx: Ctx, dispute: Dispute, data: dict[str, Any]) -> Dispute:
    """disputeEvidenceUpdate; submitting moves the dispute to under_review."""
    if dispute.status not in {"needs_response", "under_review"}:
        raise UserErrorRaised("The dispute is no longer open to evidence.", ["id"], "INVALID")
    for key, value in data.items():
        if key != "submitEvidence" and isinstance(value, str):
            dispute.evidence[key] = value
    if data.get("submitEvidence"):
        dispute.evidence_submitted = True
        dispute.status = "under_review"
        dispute.evidence_sent_on = ctx.now
    ctx.shop.emit("disputes/update", payloads.dispute(ctx.shop, dispute))
    return dispute
