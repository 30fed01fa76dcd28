"""State transitions for order edits and draft orders (offline intake)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from emulators.shopify import payloads
from emulators.shopify.errors import ResourceNotFound, UserErrorRaised
from emulators.shopify.models import (
    DraftLine,
    DraftOrder,
    EditLine,
    FulfillmentOrder,
    FulfillmentOrderLine,
    LineItem,
    Order,
    OrderEdit,
    money,
    parse_gid,
)
from emulators.shopify.ops_orders import (
    Ctx,
    LineSpec,
    OrderSpec,
    address_from_input,
    adjust_stock,
    create_order,
    dedup_tags,
    order_changed,
    resize_fo_lines,
)


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
    additions: list[dict[str, Any]] = []
    removals: list[dict[str, Any]] = []
    for line in edit.lines:
        if line.line_item_id is not None:
            li = shop.line_items[line.line_item_id]
            delta = line.quantity - li.current_quantity
            if delta:
                (additions if delta > 0 else removals).append({"id": li.id, "delta": abs(delta)})
            li.current_quantity = line.quantity
            resize_fo_lines(shop, order, li.id, delta)
            if delta:
                adjust_stock(ctx, li.variant_id, -delta)
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
            adjust_stock(ctx, li.variant_id, -line.quantity)
            additions.append({"id": li.id, "delta": line.quantity})
    edit.committed = True
    order.edited = True
    total = shop.total(order)
    if order.financial_status == "PAID" and total > order.paid:
        order.financial_status = "PARTIALLY_PAID"
    # orders/edited carries the edit itself (REST OrderEdit), not the order.
    shop.emit(
        "orders/edited",
        {
            "order_edit": {
                "id": edit.id,
                "app_id": None,
                "created_at": payloads.timestamp(ctx.now),
                "committed_at": payloads.timestamp(ctx.now),
                "notify_customer": False,
                "order_id": order.id,
                "staff_note": staff_note,
                "user_id": None,
                "line_items": {"additions": additions, "removals": removals},
            }
        },
    )
    order_changed(ctx, order)
    return order


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
        if int(item.get("quantity") or 0) <= 0:
            raise UserErrorRaised(
                "Quantity must be greater than 0", ["lineItems", str(index), "quantity"]
            )
        price = (item.get("originalUnitPriceWithCurrency") or {}).get("amount")
        lines.append(
            DraftLine(
                id=shop.new_id(),
                title=item.get("title") or (shop.products[var.product_id].title if var else ""),
                sku=item.get("sku") or (var.sku if var else ""),
                variant_id=var.id if var else None,
                quantity=int(item["quantity"]),
                price=money(price if price is not None else (var.price if var else 0)),
            )
        )
    if not lines:
        raise UserErrorRaised("Add at least 1 product", ["lineItems"])
    discount = _applied_discount(data.get("appliedDiscount"), lines)
    customer_id = None
    wanted_customer = (data.get("purchasingEntity") or {}).get("customerId")
    if wanted_customer:
        try:
            customer_id = shop.customer(wanted_customer).id
        except ResourceNotFound:
            raise UserErrorRaised(
                "Customer does not exist", ["purchasingEntity", "customerId"]
            ) from None
    draft = DraftOrder(
        id=shop.new_id(),
        number=shop.next_draft_number,
        email=data.get("email") or "",
        note=data.get("note") or "",
        tags=dedup_tags(data.get("tags") or []),
        currency=data.get("presentmentCurrencyCode") or shop.config.currency,
        lines=lines,
        customer_id=customer_id,
        shipping_address=address_from_input(data["shippingAddress"])
        if data.get("shippingAddress")
        else None,
        status="OPEN",
        created_at=ctx.now,
        updated_at=ctx.now,
        discount=discount,
    )
    shop.next_draft_number += 1
    shop.draft_orders[draft.id] = draft
    return draft


def _applied_discount(value: dict[str, Any] | None, lines: list[DraftLine]) -> Decimal:
    """The amount of a ``DraftOrderAppliedDiscountInput`` over ``lines`` (0 without one)."""
    if not value:
        return Decimal("0.00")
    subtotal = sum((x.price * x.quantity for x in lines), Decimal(0))
    amount = Decimal(str(value["value"]))
    if amount < 0:
        raise UserErrorRaised(
            "Value must be greater than or equal to 0", ["appliedDiscount", "value"]
        )
    if value["valueType"] == "PERCENTAGE":
        if amount > 100:
            raise UserErrorRaised(
                "Value must be less than or equal to 100", ["appliedDiscount", "value"]
            )
        return money(subtotal * amount / 100)
    # A fixed amount larger than the lines brings the total to zero, never below.
    return money(min(amount, subtotal))


def draft_invoice_send(ctx: Ctx, draft: DraftOrder) -> DraftOrder:
    """draftOrderInvoiceSend: e-mail the checkout link; the draft becomes INVOICE_SENT."""
    if draft.status == "COMPLETED":
        raise UserErrorRaised("Draft order has already been completed", ["id"])
    if not draft.email:
        raise UserErrorRaised("To can't be blank", ["email", "to"])
    draft.status, draft.invoice_sent_at, draft.updated_at = "INVOICE_SENT", ctx.now, ctx.now
    return draft


def draft_complete(ctx: Ctx, draft: DraftOrder) -> Order:
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
        financial_status="PAID",
        discount=draft.discount,
    )
    order = create_order(ctx, spec)
    draft.status, draft.order_id, draft.completed_at = "COMPLETED", order.id, ctx.now
    draft.updated_at = ctx.now
    return order
