"""State transitions for orders: creation, risk, tags, updates, metafields, refunds, cancel.

Each function validates its whole input first (raising :class:`UserErrorRaised`
before any write), then changes the shop and queues webhook events. They run
inside :meth:`Store.transaction`, which publishes the events only on success.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from emulators.shopify import ops_refunds, payloads
from emulators.shopify.errors import ResourceNotFound, UserErrorRaised
from emulators.shopify.models import (
    FULFILLMENT_SERVICE_LOCATION_NAME,
    MAIN_LOCATION_NAME,
    Address,
    Customer,
    FulfillmentOrder,
    FulfillmentOrderLine,
    Job,
    LineItem,
    Metafield,
    Order,
    OrderEvent,
    Product,
    Refund,
    RefundLine,
    RiskAssessment,
    TaxLine,
    money,
    parse_gid,
)
from emulators.shopify.store import ShopState


@dataclass
class Ctx:
    """What an operation needs besides the shop: the time now and on the monotonic scale."""

    shop: ShopState
    now: datetime
    monotonic: float = 0.0
    job_duration_s: float = 0.0


@dataclass
class LineSpec:
    """One line of a new order or draft."""

    title: str
    quantity: int
    price: Decimal
    sku: str = ""
    variant_id: int | None = None


@dataclass
class OrderSpec:
    """A new order (orderCreate, draftOrderComplete, scenario seeding)."""

    lines: list[LineSpec]
    email: str = ""
    phone: str = ""
    currency: str | None = None
    customer_id: int | None = None
    shipping_address: Address | None = None
    billing_address: Address | None = None
    tags: list[str] = field(default_factory=list)
    note: str = ""
    note_attributes: list[tuple[str, str]] = field(default_factory=list)
    source_name: str = "web"
    financial_status: str = "PAID"
    shipping_price: Decimal = Decimal("0.00")
    tax: Decimal = Decimal("0.00")
    tax_lines: list[TaxLine] = field(default_factory=list)
    taxes_included: bool = False
    decrement_inventory: bool = True
    fulfill_at: datetime | None = None
    #: The payment gateway of a paid order's SALE; "" = by source (web: shopify_payments).
    gateway: str = ""
    #: An order-level discount amount (a completed draft's ``appliedDiscount``).
    discount: Decimal = Decimal("0.00")
    #: Stocked at the fulfillment service's location: its fulfillment order is assigned there.
    fulfillment_service: bool = False


def dedup_tags(tags: list[str]) -> list[str]:
    """Trim tags and drop case-insensitive duplicates, keeping the first spelling."""
    out: list[str] = []
    for tag in tags:
        tag = tag.strip()
        if tag and tag.lower() not in {t.lower() for t in out}:
            out.append(tag)
    return out


def order_changed(ctx: Ctx, order: Order, *topics: str) -> None:
    """Stamp ``updated_at`` and queue the topics plus ``orders/updated``."""
    order.updated_at = ctx.now
    body = payloads.order(ctx.shop, order)
    for topic in (*topics, "orders/updated"):
        ctx.shop.emit(topic, body)


def adjust_stock(ctx: Ctx, variant_id: int | None, delta: int) -> None:
    """Change a variant's stock; queue inventory_levels/update (and out_of_stock at 0)."""
    if variant_id is None or variant_id not in ctx.shop.variants:
        return
    var = ctx.shop.variants[variant_id]
    before = var.inventory_quantity
    var.inventory_quantity += delta
    ctx.shop.emit("inventory_levels/update", payloads.inventory_level(var, ctx.now))
    if before > 0 >= var.inventory_quantity:
        ctx.shop.emit("variants/out_of_stock", payloads.variant(var))


def check_lines(lines: list[LineSpec]) -> None:
    """Refuse an empty order or a line with a quantity below 1."""
    if not lines:
        raise UserErrorRaised("Line items must have at least one line item", ["lineItems"])
    for index, line in enumerate(lines):
        if line.quantity <= 0:
            raise UserErrorRaised(
                "Quantity must be greater than 0", ["lineItems", str(index), "quantity"]
            )


def create_order(ctx: Ctx, spec: OrderSpec) -> Order:
    """Create an order with one fulfillment order; queue orders/create (and paid)."""
    shop = ctx.shop
    check_lines(spec.lines)
    cust = shop.customers.get(spec.customer_id) if spec.customer_id else None
    order = Order(
        id=shop.new_id(),
        number=shop.next_order_number,
        email=spec.email or (cust.email if cust else ""),
        phone=spec.phone,
        currency=spec.currency or shop.config.currency,
        line_item_ids=[],
        shipping_price=money(spec.shipping_price),
        tax=money(spec.tax),
        discount=money(spec.discount),
        financial_status=spec.financial_status,
        paid=Decimal("0.00"),
        customer_id=cust.id if cust else None,
        shipping_address=spec.shipping_address,
        billing_address=spec.billing_address or spec.shipping_address,
        tags=dedup_tags(spec.tags),
        note=spec.note,
        note_attributes=list(spec.note_attributes),
        source_name=spec.source_name,
        created_at=ctx.now,
        updated_at=ctx.now,
        processed_at=ctx.now,
        taxes_included=spec.taxes_included,
        tax_lines=list(spec.tax_lines),
    )
    shop.next_order_number += 1
    shop.orders[order.id] = order
    for line in spec.lines:
        var = shop.variants.get(line.variant_id) if line.variant_id else None
        item = LineItem(
            id=shop.new_id(),
            order_id=order.id,
            title=line.title or (var.title if var else "Item"),
            sku=line.sku or (var.sku if var else ""),
            variant_id=var.id if var else None,
            product_id=var.product_id if var else None,
            quantity=line.quantity,
            current_quantity=line.quantity,
            price=money(line.price),
        )
        shop.line_items[item.id] = item
        order.line_item_ids.append(item.id)
    if order.financial_status == "PAID":
        order.paid = shop.total(order)
        gateway = spec.gateway or ("shopify_payments" if spec.source_name == "web" else "manual")
        ops_refunds.record_payment(shop, order, order.paid, gateway, ctx.now)
    fo = FulfillmentOrder(
        id=shop.new_id(),
        order_id=order.id,
        status="SCHEDULED" if spec.fulfill_at else "OPEN",
        lines=[
            FulfillmentOrderLine(
                id=shop.new_id(),
                line_item_id=li.id,
                total_quantity=li.quantity,
                remaining_quantity=li.quantity,
            )
            for li in shop.lines_of(order)
        ],
        holds=[],
        fulfill_at=spec.fulfill_at,
        created_at=ctx.now,
        updated_at=ctx.now,
        fulfillment_service=spec.fulfillment_service,
        location_name=(
            FULFILLMENT_SERVICE_LOCATION_NAME if spec.fulfillment_service else MAIN_LOCATION_NAME
        ),
    )
    shop.fulfillment_orders[fo.id] = fo
    body = payloads.order(shop, order)
    shop.emit("orders/create", body)
    record_event(ctx, order, "placed", f"Order {order.name} was placed ({spec.source_name}).")
    if order.financial_status == "PAID":
        shop.emit("orders/paid", body)
    if spec.decrement_inventory:
        for li in shop.lines_of(order):
            adjust_stock(ctx, li.variant_id, -li.quantity)
    return order


def record_event(
    ctx: Ctx, order: Order, action: str, message: str, *, author: str | None = None
) -> OrderEvent:
    """Add an entry to the order's timeline (``Order.events``); ``author``: a staff comment."""
    event = OrderEvent(
        id=ctx.shop.new_id(),
        order_id=order.id,
        action="comment" if author is not None else action,
        message=message,
        created_at=ctx.now,
        author=author,
    )
    ctx.shop.order_events[event.id] = event
    return event


def set_risk(ctx: Ctx, order: Order, level: str, facts: list[tuple[str, str]]) -> None:
    """Add a risk assessment; queue ``orders/risk_assessment_changed``."""
    order.risks.append(RiskAssessment(risk_level=level, facts=facts))
    order.updated_at = ctx.now
    ctx.shop.emit("orders/risk_assessment_changed", payloads.risk_assessment(ctx.shop, order))


def tags_change(ctx: Ctx, ref: str, tags: list[str], *, add: bool) -> Any:
    """tagsAdd / tagsRemove on an order, customer, product or draft order."""
    shop = ctx.shop
    try:
        node = shop.node(ref)
    except ResourceNotFound:
        raise UserErrorRaised("Resource not found", ["id"]) from None
    if not hasattr(node, "tags"):
        raise UserErrorRaised("Resource does not support tags", ["id"])
    if add:
        node.tags = dedup_tags([*node.tags, *tags])
    else:
        drop = {t.strip().lower() for t in tags}
        node.tags = [t for t in node.tags if t.lower() not in drop]
    if isinstance(node, Order):
        order_changed(ctx, node)
    elif isinstance(node, Customer):
        node.updated_at = ctx.now
        shop.emit("customers/update", payloads.customer(shop, node))
    elif isinstance(node, Product):
        node.updated_at = ctx.now
        shop.emit("products/update", payloads.product(shop, node))
    return node


def order_update(ctx: Ctx, order: Order, changes: dict[str, Any]) -> Order:
    """orderUpdate: note, tags, email and custom attributes overwrite; address replaces."""
    if "note" in changes:
        order.note = changes["note"] or ""
    if "tags" in changes:
        order.tags = dedup_tags(changes["tags"] or [])
    if "email" in changes:
        order.email = changes["email"] or ""
    if "customAttributes" in changes:
        order.note_attributes = [(a["key"], a["value"]) for a in changes["customAttributes"] or []]
    if changes.get("shippingAddress") is not None:
        order.shipping_address = address_from_input(changes["shippingAddress"])
    order_changed(ctx, order)
    return order


def address_from_input(value: dict[str, Any]) -> Address:
    """A MailingAddressInput (camelCase) as an :class:`Address`."""
    return Address(
        first_name=value.get("firstName") or "",
        last_name=value.get("lastName") or "",
        address1=value.get("address1") or "",
        address2=value.get("address2") or "",
        city=value.get("city") or "",
        # MailingAddressInput has codes only; the read side's names echo them.
        province=value.get("provinceCode") or "",
        province_code=value.get("provinceCode") or "",
        country=value.get("countryCode") or "",
        country_code=value.get("countryCode") or "",
        zip=value.get("zip") or "",
        phone=value.get("phone") or "",
        company=value.get("company") or "",
    )


def metafield_digest(namespace: str, key: str, type_: str, value: str) -> str:
    """The ``compareDigest`` of a metafield value (changes whenever the value does)."""
    raw = json.dumps([namespace, key, type_, value]).encode()
    return hashlib.sha256(raw).hexdigest()


def metafields_set(ctx: Ctx, inputs: list[dict[str, Any]]) -> list[Metafield]:
    """metafieldsSet with compare-and-set on ``compareDigest``."""
    shop = ctx.shop
    if len(inputs) > 25:
        raise UserErrorRaised(
            "Exceeded the maximum metafields input limit of 25.",
            ["metafields"],
            "LESS_THAN_OR_EQUAL_TO",
        )
    # Validate every entry before writing any, so a refusal leaves nothing half-set.
    checked: list[tuple[dict[str, Any], str, Metafield | None, str]] = []
    for index, item in enumerate(inputs):
        path = ["metafields", str(index)]
        try:
            shop.node(item["ownerId"])
        except ResourceNotFound:
            raise UserErrorRaised("Owner does not exist.", [*path, "ownerId"], "INVALID") from None
        ns = item.get("namespace") or "$app"
        existing = next(
            (
                m
                for m in shop.metafields_of(item["ownerId"])
                if (m.namespace, m.key) == (ns, item["key"])
            ),
            None,
        )
        type_ = item.get("type") or (existing.type if existing else "")
        if not type_:
            raise UserErrorRaised("Type can't be blank", [*path, "type"], "BLANK")
        if "compareDigest" in item:
            expected = item["compareDigest"]
            current = existing.digest if existing else None
            if expected != current:
                raise UserErrorRaised(
                    "The resource has been updated since it was loaded. Try again with an updated "
                    "`compareDigest` value.",
                    [*path, "compareDigest"],
                    "STALE_OBJECT",
                )
        checked.append((item, ns, existing, type_))
    out: list[Metafield] = []
    for item, ns, existing, type_ in checked:
        digest = metafield_digest(ns, item["key"], type_, item["value"])
        if existing is None:
            existing = Metafield(
                id=shop.new_id(),
                owner_gid=item["ownerId"],
                namespace=ns,
                key=item["key"],
                type=type_,
                value=item["value"],
                digest=digest,
                created_at=ctx.now,
                updated_at=ctx.now,
            )
            shop.metafields[existing.id] = existing
        else:
            existing.type, existing.value, existing.digest = type_, item["value"], digest
            existing.updated_at = ctx.now
        out.append(existing)
    return out


refundable_amount = ops_refunds.refundable_amount


def create_refund(
    ctx: Ctx,
    order: Order,
    *,
    note: str,
    lines: list[dict[str, Any]],
    shipping: dict[str, Any] | None,
    transactions: list[dict[str, Any]] | None,
) -> Refund:
    """refundCreate: refund lines (restocking if asked) and money.

    With ``transactions`` (even an empty list) the money is exactly theirs,
    checked against the parents and the refundable amount. Without, the
    emulator refunds the lines' value (plus shipping) on its own, spread over
    the order's payments: a convenience real Shopify does not offer (it moves
    no money for a refund without transactions).
    """
    shop = ctx.shop
    # Validate every line (counting repeats of one line) before changing anything.
    planned: list[tuple[LineItem, int, str]] = []
    asked: dict[int, int] = {}
    for index, item in enumerate(lines):
        path = ["refundLineItems", str(index)]
        try:
            _, li_id = parse_gid(item["lineItemId"], "LineItem")
            li = shop.line_items[li_id]
        except (ResourceNotFound, KeyError):
            raise UserErrorRaised("Line item does not exist", [*path, "lineItemId"]) from None
        if li.order_id != order.id:
            raise UserErrorRaised("Line item does not belong to the order", [*path, "lineItemId"])
        qty = int(item["quantity"])
        asked[li.id] = asked.get(li.id, 0) + qty
        if qty <= 0 or asked[li.id] > li.current_quantity - li.refunded_quantity:
            raise UserErrorRaised(
                f"Quantity cannot refund more items than were purchased ({qty})",
                [*path, "quantity"],
            )
        restock = item.get("restockType") or "NO_RESTOCK"
        if restock == "CANCEL" and asked[li.id] > li.fulfillable_quantity:
            raise UserErrorRaised("Cannot cancel fulfilled items", [*path, "restockType"])
        planned.append((li, qty, restock))
    refund_lines = [
        RefundLine(li.id, qty, restock, money(li.price * qty)) for li, qty, restock in planned
    ]
    shipping_left = money(order.shipping_price - shop.refunded_shipping(order))
    shipping_amount = Decimal("0.00")
    if shipping:
        if shipping.get("fullRefund"):
            shipping_amount = shipping_left
        elif shipping.get("amount") is not None:
            shipping_amount = money(shipping["amount"])
        if shipping_amount < 0 or shipping_amount > shipping_left:
            raise UserErrorRaised(
                f"Shipping refund {shipping_amount} is more than the refundable shipping "
                f"{shipping_left}",
                ["shipping", "amount"],
            )
    money_out: list[ops_refunds.PlannedTransaction]
    if transactions is not None:
        money_out = ops_refunds.check_transactions(shop, order, transactions)
        amount = money(sum((t.amount for t in money_out), Decimal(0)))
    else:
        amount = money(sum((line.subtotal for line in refund_lines), Decimal(0)) + shipping_amount)
        if amount > refundable_amount(shop, order):
            raise UserErrorRaised(
                f"Refund amount {amount} is greater than the refundable amount "
                f"{refundable_amount(shop, order)}",
                ["refundLineItems"],
            )
        money_out = ops_refunds.allocate(shop, order, amount) if amount > 0 else []
    for li, qty, restock in planned:
        li.refunded_quantity += qty
        if restock == "CANCEL":
            resize_fo_lines(shop, order, li.id, -qty)
        if restock in {"CANCEL", "RETURN", "LEGACY_RESTOCK"}:
            adjust_stock(ctx, li.variant_id, qty)
    refund = Refund(
        shop.new_id(), order.id, note, amount, refund_lines, ctx.now, shipping=shipping_amount
    )
    shop.refunds[refund.id] = refund
    ops_refunds.record_refund_transactions(shop, refund, money_out, ctx.now)
    order.refunded = money(order.refunded + amount)
    if amount > 0:
        order.financial_status = (
            "REFUNDED" if order.refunded >= order.paid else "PARTIALLY_REFUNDED"
        )
    shop.emit("refunds/create", payloads.refund(shop, refund))
    order_changed(ctx, order)
    return refund


def cancel_order(
    ctx: Ctx, order: Order, *, reason: str, restock: bool, refund: bool, staff_note: str
) -> Job:
    """orderCancel: cancel FOs, optionally restock and refund; return the async job."""
    shop = ctx.shop
    if order.cancelled_at is not None:
        raise UserErrorRaised("Order has already been cancelled.", ["orderId"], "INVALID")
    if any(f.status == "SUCCESS" for f in shop.fulfillments_of(order)):
        raise UserErrorRaised(
            "Cannot cancel an order with fulfillments. Cancel the fulfillments first.",
            ["orderId"],
            "INVALID",
        )
    order.cancelled_at = ctx.now
    order.cancel_reason = reason
    order.closed_at = ctx.now
    # staffNote lives on the order timeline in Shopify, not in the customer-visible note.
    for fo in shop.fulfillment_orders_of(order):
        if fo.status not in {"CLOSED", "CANCELLED"}:
            fo.status, fo.holds, fo.updated_at = "CANCELLED", [], ctx.now
            for line in fo.lines:
                line.remaining_quantity = 0
            shop.emit("fulfillment_orders/cancelled", payloads.fulfillment_order_event(shop, fo))
    if restock:
        for li in shop.lines_of(order):
            if li.fulfillable_quantity:
                adjust_stock(ctx, li.variant_id, li.fulfillable_quantity)
    if refund and refundable_amount(shop, order) > 0:
        amount = refundable_amount(shop, order)
        ref = Refund(shop.new_id(), order.id, "Order cancelled", amount, [], ctx.now)
        shop.refunds[ref.id] = ref
        ops_refunds.record_refund_transactions(
            shop, ref, ops_refunds.allocate(shop, order, amount), ctx.now
        )
        order.refunded = money(order.refunded + amount)
        order.financial_status = "REFUNDED"
        shop.emit("refunds/create", payloads.refund(shop, ref))
    elif order.financial_status in {"PENDING", "AUTHORIZED"}:
        order.financial_status = "VOIDED"
    order_changed(ctx, order, "orders/cancelled")
    job = Job(shop.new_id(), ctx.monotonic + ctx.job_duration_s)
    shop.jobs[job.id] = job
    return job


def resize_fo_lines(shop: ShopState, order: Order, line_item_id: int, delta: int) -> None:
    """Grow or shrink the open fulfillment-order lines of an order line by ``delta``."""
    for fo in shop.fulfillment_orders_of(order):
        if fo.status in {"CLOSED", "CANCELLED"}:
            continue
        for fo_line in fo.lines:
            if fo_line.line_item_id == line_item_id:
                change = max(delta, -fo_line.remaining_quantity)
                fo_line.remaining_quantity += change
                fo_line.total_quantity += change
                delta -= change
                if delta == 0:
                    return
