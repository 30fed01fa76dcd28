"""EDIT_ORDER: substitute an item or cancel lines with an order edit.

An order edit is ``orderEditBegin`` -> ``orderEditSetQuantity`` /
``orderEditAddVariant`` -> ``orderEditCommit``; nothing changes until the
commit, and the commit applies every staged change at once. So the edit is
either wholly on the order or not at all, and the skip test reads the order:

* every ``setQuantity`` line already has its target quantity, and
* every ``addVariant`` variant is already on the order with a live quantity

-> ``ALREADY_APPLIED``. Otherwise the whole edit is staged again (an
uncommitted edit left by a crash is simply abandoned; Shopify expires it).
Lines already at their target are not re-staged.

Params (see ``streams.decisions.effects.fulfillment``): ``orderId``,
``operations`` (``{"op": "setQuantity", "lineItemId", "quantity", "restock"}``
and ``{"op": "addVariant", "variantId", "quantity"}``), ``notifyCustomer``,
``staffNote``. An ``addVariant`` without ``quantity`` keeps the quantity of the
line the edit removes (the substitute replaces it one for one).

An order cancelled since the case opened supersedes the edit (``ORDER_CANCELLED``:
the case closes saying so; Shopify would refuse ``orderEditBegin``).
"""

from __future__ import annotations

from typing import Any

from connectors.shopify import operations as ops
from streams.writer.context import ActionContext, JsonObject, Outcome
from streams.writer.errors import ActionRejected, ActionSuperseded
from streams.writer.orders import read_order

__all__ = ["edit_order"]


def _numeric(gid: str) -> str:
    return gid.rsplit("/", 1)[-1]


def _calculated_line(line_item_id: str) -> str:
    # Shopify's CalculatedLineItem shares the numeric id of the LineItem it stages.
    return f"gid://shopify/CalculatedLineItem/{_numeric(line_item_id)}"


def _int(value: Any, what: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ActionRejected("INVALID_PARAMS", f"EDIT_ORDER {what} must be an integer >= {minimum}")
    return value


async def edit_order(ctx: ActionContext) -> Outcome:
    """EDIT_ORDER: stage and commit the edit unless the order already shows it."""
    order_id = ctx.text("orderId", required=False) or ctx.action.target_id
    operations = ctx.objects("operations")
    order = await read_order(ctx, order_id, lines=True)
    lines: dict[str, JsonObject] = {
        _numeric(str(line["id"])): line
        for line in (order.get("lineItems") or {}).get("nodes") or []
        if isinstance(line, dict) and line.get("id")
    }
    live_variants = {
        _numeric(str((line.get("variant") or {}).get("id")))
        for line in lines.values()
        if (line.get("variant") or {}).get("id") and int(line.get("currentQuantity") or 0) > 0
    }

    set_ops: list[tuple[str, int, bool]] = []  # (line item gid, target, restock) still to do
    add_ops: list[tuple[str, int | None]] = []  # (variant gid, quantity or None)
    removed_quantity: int | None = None
    all_set_done = True
    for position, op in enumerate(operations):
        kind = op.get("op")
        if kind == "setQuantity":
            line_id = str(op.get("lineItemId") or "")
            target = _int(op.get("quantity"), f"operations[{position}].quantity", 0)
            line = lines.get(_numeric(line_id))
            if line is None:
                raise ActionRejected("NOT_FOUND", f"line item {line_id} is not on order {order_id}")
            current = int(line.get("currentQuantity") or 0)
            if target == 0 and removed_quantity is None:
                # The substitute's default quantity: what the customer had ordered.
                removed_quantity = current or int(line.get("quantity") or 0) or None
            if current != target:
                all_set_done = False
                set_ops.append((line_id, target, bool(op.get("restock", True))))
        elif kind == "addVariant":
            variant = str(op.get("variantId") or "")
            if not variant:
                raise ActionRejected("INVALID_PARAMS", f"operations[{position}] lacks variantId")
            quantity = op.get("quantity")
            add_ops.append(
                (
                    variant,
                    None
                    if quantity is None
                    else _int(quantity, f"operations[{position}].quantity", 1),
                )
            )
        else:
            raise ActionRejected("INVALID_PARAMS", f"unknown order edit op {kind!r}")

    adds_done = all(_numeric(variant) in live_variants for variant, _ in add_ops)
    if all_set_done and adds_done:
        return Outcome.already("orderEditCommit", order_id)
    if order.get("cancelledAt"):
        # Cancelled since the case opened (another case's decision, a person): Shopify
        # refuses to edit it, and there is nothing left to substitute or cancel.
        raise ActionSuperseded(
            "ORDER_CANCELLED",
            f"order {order_id} was cancelled at {order['cancelledAt']}: nothing to edit",
        )

    calculated = await ops.order_edit_begin(ctx.client, order_id)
    calculated_id = str(calculated["id"])
    for line_id, target, restock in set_ops:
        await ops.order_edit_set_quantity(
            ctx.client, calculated_id, _calculated_line(line_id), target, restock=restock
        )
    for variant, quantity in add_ops:
        # With the removals on the order the edit was committed before, so a
        # variant present then is ours; otherwise nothing was committed and a
        # present variant is the customer's own line: add ours regardless.
        if all_set_done and _numeric(variant) in live_variants:
            continue
        amount = quantity if quantity is not None else removed_quantity
        if amount is None:
            raise ActionRejected(
                "INVALID_PARAMS",
                f"addVariant {variant} has no quantity and the edit removes no line to copy",
            )
        await ops.order_edit_add_variant(ctx.client, calculated_id, variant, amount)
    await ops.order_edit_commit(
        ctx.client,
        calculated_id,
        notify_customer=ctx.flag("notifyCustomer"),
        staff_note=ctx.text("staffNote", required=False),
    )
    return Outcome.applied("orderEditCommit", order_id)
