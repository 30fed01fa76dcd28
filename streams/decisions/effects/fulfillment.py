"""FULFILLMENT_EXCEPTION effects: split, substitute, cancel lines, reschedule."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from schemas.records import ActionKind
from streams.decisions.effects.base import (
    ActionDraft,
    EffectContext,
    json_objects,
    order_gid,
    positive_int,
    staff_note,
)
from streams.decisions.errors import DecisionDataError
from streams.runtime.keys import gid

__all__ = [
    "cancel_lines",
    "note_resolution",
    "reschedule_fulfillment",
    "split_fulfillment",
    "substitute_line",
]


def split_fulfillment(ctx: EffectContext) -> list[ActionDraft]:
    """``fulfillmentOrderSplit`` of the listed fulfillment order lines."""
    fo_id = ctx.variables.require("fulfillmentOrderId", "to split a fulfillment order")
    fo = gid("FulfillmentOrder", fo_id)
    lines = json_objects(ctx.variables.json_list("splitLineItems") or [], "splitLineItems")
    if not lines:
        raise DecisionDataError(
            "outcome 'split' needs 'splitLineItems': [{\"id\": ..., \"quantity\": ...}]",
            case_id=ctx.case_id,
        )
    split_lines = []
    for position, line in enumerate(lines):
        line_id = line.get("id") or line.get("fulfillmentOrderLineItemId")
        if not line_id:
            raise DecisionDataError(f"variable 'splitLineItems': line {position} has no 'id'")
        split_lines.append(
            {
                "id": gid("FulfillmentOrderLineItem", str(line_id)),
                "quantity": positive_int(line.get("quantity"), f"splitLineItems[{position}]"),
            }
        )
    params = {"fulfillmentOrderId": fo, "fulfillmentOrderLineItems": split_lines}
    return [ActionDraft(ActionKind.SPLIT_FULFILLMENT, fo, params)]


def _edit(ctx: EffectContext, order: str, operations: list[dict[str, Any]]) -> ActionDraft:
    params = {
        "orderId": order,
        "operations": operations,
        "notifyCustomer": ctx.policy.notify_customer,
        "staffNote": staff_note(ctx, ctx.variables.text("reason")),
    }
    return ActionDraft(ActionKind.EDIT_ORDER, order, params)


def substitute_line(ctx: EffectContext) -> list[ActionDraft]:
    """An order edit: the out-of-stock line to 0, the substitute variant added."""
    order = order_gid(ctx, "to substitute an item")
    removed = ctx.variables.require("removeLineItemId", "to substitute an item")
    variant = ctx.variables.require("substituteVariantId", "to substitute an item")
    quantity = ctx.variables.integer("substituteQuantity")
    if quantity is not None and quantity < 1:
        raise DecisionDataError("variable 'substituteQuantity': must be at least 1")
    operations: list[dict[str, Any]] = [
        {
            "op": "setQuantity",
            "lineItemId": gid("LineItem", removed),
            "quantity": 0,
            "restock": True,
        },
        {"op": "addVariant", "variantId": gid("ProductVariant", variant), "quantity": quantity},
    ]
    return [_edit(ctx, order, operations)]


def cancel_lines(ctx: EffectContext) -> list[ActionDraft]:
    """An order edit setting each listed line's quantity to 0."""
    order = order_gid(ctx, "to cancel order lines")
    lines = ctx.variables.text_list("cancelLineItemIds") or []
    if not lines:
        raise DecisionDataError(
            "outcome 'cancel_lines' needs 'cancelLineItemIds'", case_id=ctx.case_id
        )
    operations = [
        {"op": "setQuantity", "lineItemId": gid("LineItem", line), "quantity": 0, "restock": True}
        for line in lines
    ]
    return [_edit(ctx, order, operations)]


def reschedule_fulfillment(ctx: EffectContext) -> list[ActionDraft]:
    """``fulfillmentOrderReschedule`` to the decided date."""
    fo = gid(
        "FulfillmentOrder",
        ctx.variables.require("fulfillmentOrderId", "to reschedule a fulfillment order"),
    )
    when = ctx.variables.timestamp("fulfillAt")
    if when is None:
        raise DecisionDataError(
            "outcome 'reschedule' needs 'fulfillAt' (ISO-8601)", case_id=ctx.case_id
        )
    fulfill_at = when.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return [ActionDraft(ActionKind.RESCHEDULE_FULFILLMENT, fo, {"id": fo, "fulfillAt": fulfill_at})]


def note_resolution(ctx: EffectContext) -> list[ActionDraft]:
    """The resolution noted on the order (staff note line); no order, nothing to write."""
    order = ctx.variables.text("orderId")
    if order is None:
        return []
    text = ctx.variables.first_text("notes", "reason")
    note = staff_note(ctx, text)
    return [ActionDraft(ActionKind.ADD_NOTE, gid("Order", order), {"note": note})]
