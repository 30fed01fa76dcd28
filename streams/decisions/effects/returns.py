"""RETURN_REVIEW effects: approve (and refund or create a replacement), decline."""

from __future__ import annotations

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
    "DECLINE_REASONS",
    "approve_return",
    "decline_return",
    "refund",
    "replacement",
    "replacement_tag",
]

DECLINE_REASONS = frozenset({"FINAL_SALE", "RETURN_PERIOD_ENDED", "OTHER"})


def _return(ctx: EffectContext, why: str) -> str:
    return gid("Return", ctx.variables.require("returnId", why))


def approve_return(ctx: EffectContext) -> list[ActionDraft]:
    """``returnApproveRequest``."""
    ret = _return(ctx, "to approve the return")
    params = {"id": ret, "notifyCustomer": ctx.policy.notify_customer}
    return [ActionDraft(ActionKind.APPROVE_RETURN, ret, params)]


def replacement_tag(case_id: str) -> str:
    """The tag that finds a case's replacement draft order again (one replacement per case)."""
    return f"casebridge-replacement:{case_id}"[:255]


def refund(ctx: EffectContext) -> list[ActionDraft]:
    """Refund the returned lines, or create their replacement (``resolution``)."""
    order = order_gid(ctx, "to refund the return")
    ret = _return(ctx, "to refund the return")
    resolution = (ctx.variables.text("resolution") or "refund").lower()
    if resolution == "replacement":
        return replacement(ctx, order, ret)
    if resolution != "refund":
        raise DecisionDataError(
            f"variable 'resolution': expected 'refund' or 'replacement', got {resolution!r}",
            case_id=ctx.case_id,
        )
    name = "refundLineItems" if ctx.variables.has("refundLineItems") else "returnLineItems"
    lines = json_objects(ctx.variables.json_list(name) or [], name)
    restock = (ctx.variables.text("refundRestockType") or "NO_RESTOCK").upper()
    refund_lines = []
    for position, line in enumerate(lines):
        line_id = line.get("lineItemId")
        if not line_id:
            raise DecisionDataError(f"variable {name!r}: line {position} has no 'lineItemId'")
        quantity = positive_int(line.get("quantity"), f"{name}[{position}].quantity")
        refund_lines.append(
            {
                "lineItemId": gid("LineItem", str(line_id)),
                "quantity": quantity,
                "restockType": str(line.get("restockType") or restock).upper(),
            }
        )
    if not refund_lines:
        raise DecisionDataError(f"nothing to refund: {name!r} lists no lines", case_id=ctx.case_id)
    params = {
        "orderId": order,
        "returnId": ret,
        "notify": ctx.policy.notify_customer,
        "note": staff_note(ctx, ctx.variables.text("reason")),
        "refundLineItems": refund_lines,
    }
    return [ActionDraft(ActionKind.REFUND, order, params)]


def replacement(ctx: EffectContext, order: str, ret: str) -> list[ActionDraft]:
    """CREATE_REPLACEMENT: a draft order of the replacement items, then the policy's step.

    The items are ``replacementLineItems`` (``[{"variantId", "quantity"}]``; the
    decision may set them, enrichment defaults them to the returned variants).
    Nothing is refunded. ``decisions.replacement`` says whether the draft is
    completed into an order at once, its invoice sent to the customer, or it is
    left for staff; whether it is free of charge; and the tag put on both orders.
    (Shopify's ``returnProcess`` can only process exchange lines a return was
    created with, and no mutation adds them to a requested return, so the
    replacement is an order of its own.)
    """
    name = "replacementLineItems"
    lines = json_objects(ctx.variables.json_list(name) or [], name)
    items = []
    for position, line in enumerate(lines):
        variant = line.get("variantId")
        if not variant:
            raise DecisionDataError(f"variable {name!r}: line {position} has no 'variantId'")
        quantity = positive_int(line.get("quantity"), f"{name}[{position}].quantity")
        items.append({"variantId": gid("ProductVariant", str(variant)), "quantity": quantity})
    if not items:
        raise DecisionDataError(
            f"nothing to replace: {name!r} lists no lines (the returned variants are unknown)",
            case_id=ctx.case_id,
        )
    rules = ctx.policy.replacement
    params = {
        "orderId": order,
        "returnId": ret,
        "mode": rules.mode,
        "freeOfCharge": rules.free_of_charge,
        "marker": replacement_tag(ctx.case_id),
        "tags": [rules.tag],
        "note": staff_note(ctx, f"replacement for return {ret} of order {order}"),
        "lineItems": items,
    }
    return [
        ActionDraft(ActionKind.CREATE_REPLACEMENT, order, params),
        ActionDraft(ActionKind.ADD_TAGS, order, {"tags": [rules.tag]}),
    ]


def decline_return(ctx: EffectContext) -> list[ActionDraft]:
    """``returnDeclineRequest`` with a reason and a note."""
    ret = _return(ctx, "to decline the return")
    raw = ctx.variables.text("declineReason") or "OTHER"
    reason = raw.upper()
    if reason not in DECLINE_REASONS:
        raise DecisionDataError(
            f"variable 'declineReason': expected one of {sorted(DECLINE_REASONS)}, got {raw!r}",
            case_id=ctx.case_id,
        )
    params: dict[str, Any] = {
        "id": ret,
        "declineReason": reason,
        "notifyCustomer": ctx.policy.notify_customer,
    }
    note = ctx.variables.first_text("declineNote", "reason")
    if note is not None:
        params["declineNote"] = note
    return [ActionDraft(ActionKind.DECLINE_RETURN, ret, params)]
