"""State transitions for orders, customers, products, refunds, edits and drafts.

Each function validates, changes the shop and queues webhook events. They run
inside :meth:`Store.transaction`, so raising :class:`UserErrorRaised` half-way
is safe: the transaction restores the snapshot.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from connectors.shopify.emulator import payloads
from connectors.shopify.emulator.errors import ResourceNotFound, UserErrorRaised
from connectors.shopify.emulator.models import (
    Address,
    Customer,
    DraftLine,
    DraftOrder,
    EditLine,
    FulfillmentOrder,
    FulfillmentOrderLine,
    Job,
    LineItem,
    Metafield,
    Order,
    OrderEdit,
    Product,
    Refund,
    RefundLine,
    RiskAssessment,
    Variant,
    money,
    parse_gid,
)
from connectors.shopify.emulator.store import ShopState


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
    decrement_inventory: bool = True
    fulfill_at: datetime | None = None


def _dedup(tags: list[str]) -> list[str]:
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


def create_customer(
    ctx: Ctx,
    *,
    email: str,
    first_name: str = "",
    last_name: str = "",
    tags: list[str] | None = None,
    address: Address | None = None,
    phone: str = "",
    note: str = "",
) -> Customer:
    """Create a customer and queue ``customers/create``."""
    cust = Customer(
        id=ctx.shop.new_id(),
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        tags=_dedup(tags or []),
        note=note,
        default_address=address,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.shop.customers[cust.id] = cust
    ctx.shop.emit("customers/create", payloads.customer(ctx.shop, cust))
    return cust


def create_product(
    ctx: Ctx,
    *,
    title: str,
    variants: list[tuple[str, str, Decimal, int]],
    tags: list[str] | None = None,
    description_html: str = "",
    vendor: str = "Casebridge Demo",
    product_type: str = "",
) -> Product:
    """Create a product with (title, sku, price, stock) variants; queue ``products/create``."""
    shop = ctx.shop
    prod = Product(
        id=shop.new_id(),
        title=title,
        handle=title.lower().replace(" ", "-"),
        description_html=description_html,
        vendor=vendor,
        product_type=product_type,
        status="ACTIVE",
        tags=_dedup(tags or []),
        variant_ids=[],
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    shop.products[prod.id] = prod
    for v_title, sku, price, qty in variants:
        var = Variant(
            id=shop.new_id(),
            product_id=prod.id,
            title=v_title,
            sku=sku,
            price=money(price),
            inventory_quantity=qty,
            inventory_item_id=shop.new_id(),
        )
        shop.variants[var.id] = var
        prod.variant_ids.append(var.id)
    shop.emit("products/create", payloads.product(shop, prod))
    return prod


def update_product(
    ctx: Ctx,
    product: Product,
    *,
    title: str | None = None,
    description_html: str | None = None,
    prices: dict[int, Decimal] | None = None,
) -> None:
    """Change content or variant prices; queue ``products/update``."""
    if title is not None:
        product.title = title
    if description_html is not None:
        product.description_html = description_html
    for var_id, price in (prices or {}).items():
        ctx.shop.variants[var_id].price = money(price)
    product.updated_at = ctx.now
    ctx.shop.emit("products/update", payloads.product(ctx.shop, product))


def _adjust_stock(ctx: Ctx, variant_id: int | None, delta: int) -> None:
    if variant_id is None or variant_id not in ctx.shop.variants:
        return
    var = ctx.shop.variants[variant_id]
    before = var.inventory_quantity
    var.inventory_quantity += delta
    ctx.shop.emit(
        "inventory_levels/update",
        {
            "inventory_item_id": var.inventory_item_id,
            "available": var.inventory_quantity,
            "updated_at": payloads._ts(ctx.now),
        },
    )
    if before > 0 >= var.inventory_quantity:
        ctx.shop.emit("variants/out_of_stock", payloads.variant(var))


def create_order(ctx: Ctx, spec: OrderSpec) -> Order:
    """Create an order with one fulfillment order; queue orders/create (and paid)."""
    shop = ctx.shop
    if not spec.lines:
        raise UserErrorRaised("Line items must have at least one line item", ["lineItems"])
    for index, line in enumerate(spec.lines):
        if line.quantity <= 0:
            raise UserErrorRaised(
                "Quantity must be greater than 0", ["lineItems", str(index), "quantity"]
            )
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
        discount=Decimal("0.00"),
        financial_status=spec.financial_status,
        paid=Decimal("0.00"),
        customer_id=cust.id if cust else None,
        shipping_address=spec.shipping_address,
        billing_address=spec.billing_address or spec.shipping_address,
        tags=_dedup(spec.tags),
        note=spec.note,
        note_attributes=list(spec.note_attributes),
        source_name=spec.source_name,
        created_at=ctx.now,
        updated_at=ctx.now,
        processed_at=ctx.now,
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
    )
    shop.fulfillment_orders[fo.id] = fo
    body = payloads.order(shop, order)
    shop.emit("orders/create", body)
    if order.financial_status == "PAID":
        shop.emit("orders/paid", body)
    if spec.decrement_inventory:
        for li in shop.lines_of(order):
            _adjust_stock(ctx, li.variant_id, -li.quantity)
    return order


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
        node.tags = _dedup([*node.tags, *tags])
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
        order.tags = _dedup(changes["tags"] or [])
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
        province=value.get("province") or "",
        province_code=value.get("provinceCode") or "",
        country=value.get("country") or "",
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
    out: list[Metafield] = []
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


def refundable_amount(shop: ShopState, order: Order) -> Decimal:
    """What can still be refunded: paid minus refunded."""
    return money(order.paid - order.refunded)


def create_refund(
    ctx: Ctx,
    order: Order,
    *,
    note: str,
    lines: list[dict[str, Any]],
    shipping: dict[str, Any] | None,
    transactions: list[dict[str, Any]] | None,
) -> Refund:
    """refundCreate: refund lines (restocking if asked) and money."""
    shop = ctx.shop
    refund_lines: list[RefundLine] = []
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
        if qty <= 0 or qty > li.current_quantity - li.refunded_quantity:
            raise UserErrorRaised(
                f"Quantity cannot refund more items than were purchased ({qty})",
                [*path, "quantity"],
            )
        restock = item.get("restockType") or "NO_RESTOCK"
        if restock == "CANCEL" and qty > li.fulfillable_quantity:
            raise UserErrorRaised("Cannot cancel fulfilled items", [*path, "restockType"])
        li.refunded_quantity += qty
        if restock in {"CANCEL", "RETURN", "LEGACY_RESTOCK"}:
            _adjust_stock(ctx, li.variant_id, qty)
        refund_lines.append(RefundLine(li.id, qty, restock, money(li.price * qty)))
    if transactions:
        amount = money(sum((Decimal(str(t["amount"])) for t in transactions), Decimal(0)))
    else:
        amount = money(sum((line.subtotal for line in refund_lines), Decimal(0)))
        if shipping:
            if shipping.get("fullRefund"):
                amount += order.shipping_price
            elif shipping.get("amount") is not None:
                amount += money(shipping["amount"])
    if amount < 0:
        raise UserErrorRaised("Amount must be positive", ["transactions"])
    if amount > refundable_amount(shop, order):
        raise UserErrorRaised(
            f"Refund amount {amount} is greater than the refundable amount "
            f"{refundable_amount(shop, order)}",
            ["transactions", "0", "amount"] if transactions else ["refundLineItems"],
        )
    refund = Refund(shop.new_id(), order.id, note, amount, refund_lines, ctx.now)
    shop.refunds[refund.id] = refund
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
    if staff_note:
        order.note = f"{order.note}\n{staff_note}".strip()
    for fo in shop.fulfillment_orders_of(order):
        if fo.status not in {"CLOSED", "CANCELLED"}:
            fo.status, fo.holds, fo.updated_at = "CANCELLED", [], ctx.now
            for line in fo.lines:
                line.remaining_quantity = 0
            shop.emit("fulfillment_orders/cancelled", payloads.fulfillment_order_event(shop, fo))
    if restock:
        for li in shop.lines_of(order):
            if li.fulfillable_quantity:
                _adjust_stock(ctx, li.variant_id, li.fulfillable_quantity)
    if refund and refundable_amount(shop, order) > 0:
        amount = refundable_amount(shop, order)
        ref = Refund(shop.new_id(), order.id, "Order cancelled", amount, [], ctx.now)
        shop.refunds[ref.id] = ref
        order.refunded = money(order.refunded + amount)
        order.financial_status = "REFUNDED"
        shop.emit("refunds/create", payloads.refund(shop, ref))
    elif order.financial_status in {"PENDING", "AUTHORIZED"}:
        order.financial_status = "VOIDED"
    order_changed(ctx, order, "orders/cancelled")
    job = Job(shop.new_id(), ctx.monotonic + ctx.job_duration_s)
    shop.jobs[job.id] = job
    return job


# --- order edits ----------------------------------------------------------------


def edit_begin(ctx: Ctx, order: Order) -> OrderEdit:
    """orderEditBegin: stage the order's current lines."""
    if order.cancelled_at is not None:
        raise UserErrorRaised("Cannot edit a cancelled order", ["id"])
    shop = ctx.shop
    edit = OrderEdit(
        id=shop.new_id(),
        order_id=order.id,
        lines=[
            EditLine(
                id=li.id,
                line_item_id=li.id,
                variant_id=li.variant_id,
                title=li.title,
                sku=li.sku,
                price=li.price,
                quantity=li.current_quantity,
                original_quantity=li.current_quantity,
            )
            for li in shop.lines_of(order)
        ],
    )
    shop.edits[edit.id] = edit
    return edit


def _open_edit(ctx: Ctx, ref: str) -> OrderEdit:
    try:
        edit = ctx.shop.edit(ref)
    except ResourceNotFound:
        raise UserErrorRaised("The calculated order does not exist.", ["id"]) from None
    if edit.committed:
        raise UserErrorRaised("The calculated order has already been committed.", ["id"])
    return edit


def edit_set_quantity(
    ctx: Ctx, ref: str, line_ref: str, quantity: int
) -> tuple[OrderEdit, EditLine]:
    """orderEditSetQuantity: 0 removes a line; never below what already shipped."""
    edit = _open_edit(ctx, ref)
    try:
        _, line_id = parse_gid(line_ref, "CalculatedLineItem")
        line = next(x for x in edit.lines if x.id == line_id)
    except (ResourceNotFound, StopIteration):
        raise UserErrorRaised("The line item does not exist.", ["lineItemId"]) from None
    if quantity < 0:
        raise UserErrorRaised("Quantity must be greater than or equal to 0", ["quantity"])
    if line.line_item_id is not None:
        li = ctx.shop.line_items[line.line_item_id]
        if li.fulfilled_quantity > 0 and quantity < li.fulfilled_quantity + li.refunded_quantity:
            raise UserErrorRaised(
                "Cannot edit the quantity of a line item that has been fulfilled.", ["lineItemId"]
            )
    line.quantity = quantity
    return edit, line


def edit_add_variant(
    ctx: Ctx, ref: str, variant_ref: str, quantity: int
) -> tuple[OrderEdit, EditLine]:
    """orderEditAddVariant: stage a new line."""
    edit = _open_edit(ctx, ref)
    try:
        var = ctx.shop.variant(variant_ref)
    except ResourceNotFound:
        raise UserErrorRaised("The variant does not exist.", ["variantId"]) from None
    if quantity <= 0:
        raise UserErrorRaised("Quantity must be greater than 0", ["quantity"])
    product = ctx.shop.products[var.product_id]
    line = EditLine(
        id=ctx.shop.new_id(),
        line_item_id=None,
        variant_id=var.id,
        title=product.title,
        sku=var.sku,
        price=var.price,
        quantity=quantity,
        original_quantity=0,
    )
    edit.lines.append(line)
    return edit, line


def edit_commit(ctx: Ctx, ref: str, staff_note: str) -> Order:
    """orderEditCommit: apply staged quantities and new lines; queue orders/edited."""
    shop = ctx.shop
    edit = _open_edit(ctx, ref)
    order = shop.orders[edit.order_id]
    open_fo = next(
        (
            fo
            for fo in shop.fulfillment_orders_of(order)
            if fo.status in {"OPEN", "ON_HOLD", "SCHEDULED"}
        ),
        None,
    )
    for line in edit.lines:
        if line.line_item_id is not None:
            li = shop.line_items[line.line_item_id]
            delta = line.quantity - li.current_quantity
            li.current_quantity = line.quantity
            _resize_fo_lines(shop, order, li.id, delta)
            if delta:
                _adjust_stock(ctx, li.variant_id, -delta)
        elif line.quantity > 0:
            var = shop.variants[line.variant_id] if line.variant_id else None
            li = LineItem(
                id=shop.new_id(),
                order_id=order.id,
                title=line.title,
                sku=line.sku,
                variant_id=line.variant_id,
                product_id=var.product_id if var else None,
                quantity=line.quantity,
                current_quantity=line.quantity,
                price=line.price,
            )
            shop.line_items[li.id] = li
            order.line_item_ids.append(li.id)
            if open_fo is None:
                open_fo = FulfillmentOrder(
                    id=shop.new_id(),
                    order_id=order.id,
                    status="OPEN",
                    lines=[],
                    holds=[],
                    fulfill_at=None,
                    created_at=ctx.now,
                    updated_at=ctx.now,
                )
                shop.fulfillment_orders[open_fo.id] = open_fo
            open_fo.lines.append(
                FulfillmentOrderLine(shop.new_id(), li.id, line.quantity, line.quantity)
            )
            _adjust_stock(ctx, li.variant_id, -line.quantity)
    edit.committed = True
    order.edited = True
    if staff_note:
        order.note = f"{order.note}\n{staff_note}".strip()
    total = shop.total(order)
    if order.financial_status == "PAID" and total > order.paid:
        order.financial_status = "PARTIALLY_PAID"
    order_changed(ctx, order, "orders/edited")
    return order


def _resize_fo_lines(shop: ShopState, order: Order, line_item_id: int, delta: int) -> None:
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


# --- drafts -------------------------------------------------------------------------


def draft_create(ctx: Ctx, data: dict[str, Any]) -> DraftOrder:
    """draftOrderCreate from a DraftOrderInput (camelCase)."""
    shop = ctx.shop
    lines: list[DraftLine] = []
    for index, item in enumerate(data.get("lineItems") or []):
        var = None
        if item.get("variantId"):
            try:
                var = shop.variant(item["variantId"])
            except ResourceNotFound:
                raise UserErrorRaised(
                    "Variant does not exist", ["lineItems", str(index), "variantId"]
                ) from None
        if var is None and not item.get("title"):
            raise UserErrorRaised(
                "Title can't be blank for custom line items", ["lineItems", str(index), "title"]
            )
        price = item.get("originalUnitPrice")
        lines.append(
            DraftLine(
                id=shop.new_id(),
                title=item.get("title") or (shop.products[var.product_id].title if var else ""),
                sku=item.get("sku") or (var.sku if var else ""),
                variant_id=var.id if var else None,
                quantity=int(item.get("quantity") or 1),
                price=money(price if price is not None else (var.price if var else 0)),
            )
        )
    if not lines:
        raise UserErrorRaised("Add at least 1 product", ["lineItems"])
    customer_id = None
    if data.get("customerId"):
        try:
            customer_id = shop.customer(data["customerId"]).id
        except ResourceNotFound:
            raise UserErrorRaised("Customer does not exist", ["customerId"]) from None
    draft = DraftOrder(
        id=shop.new_id(),
        number=shop.next_draft_number,
        email=data.get("email") or "",
        note=data.get("note") or "",
        tags=_dedup(data.get("tags") or []),
        currency=data.get("presentmentCurrencyCode") or shop.config.currency,
        lines=lines,
        customer_id=customer_id,
        shipping_address=address_from_input(data["shippingAddress"])
        if data.get("shippingAddress")
        else None,
        status="OPEN",
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    shop.next_draft_number += 1
    shop.draft_orders[draft.id] = draft
    return draft


def draft_complete(ctx: Ctx, draft: DraftOrder, *, payment_pending: bool) -> Order:
    """draftOrderComplete: turn the draft into an order."""
    if draft.status == "COMPLETED":
        raise UserErrorRaised("This order has been paid", ["id"])
    spec = OrderSpec(
        lines=[LineSpec(x.title, x.quantity, x.price, x.sku, x.variant_id) for x in draft.lines],
        email=draft.email,
        currency=draft.currency,
        customer_id=draft.customer_id,
        shipping_address=draft.shipping_address,
        tags=list(draft.tags),
        note=draft.note,
        source_name="shopify_draft_order",
        financial_status="PENDING" if payment_pending else "PAID",
    )
    order = create_order(ctx, spec)
    draft.status, draft.order_id, draft.completed_at = "COMPLETED", order.id, ctx.now
    draft.updated_at = ctx.now
    return order
