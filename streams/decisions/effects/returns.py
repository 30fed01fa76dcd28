"""RETURN_REVIEW effects: approve (and refund or record a replacement), decline."""

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

__all__ = ["DECLINE_REASONS", "approve_return", "decline_return", "refund"]

DECLINE_REASONS = frozenset({"FINAL_SALE", "RETURN_PERIOD_ENDED", "OTHER"})


def _return(ctx: EffectContext, why: str) -> str:
    return gid("Return", ctx.variables.require("returnId", why))


def approve_return(ctx: EffectContext) -> list[ActionDraft]:
    """``returnApproveRequest``."""
    ret = _return(ctx, "to approve the return")
    params = {"id": ret, "notifyCustomer": ctx.policy.notify_customer}
    return [ActionDraft(ActionKind.APPROVE_RETURN, ret, params)]


def refund(ctx: EffectContext) -> list[ActionDraft]:
    """Refund the returned lines, or record that a replacement was chosen.

    Exchanges (a replacement) are out of casebridge's scope: the choice is
    recorded on the order as a note and a ``return-replacement`` tag for the
    team to fulfil by hand, and nothing is refunded.
    """
    order = order_gid(ctx, "to refund the return")
    ret = _return(ctx, "to refund the return")
    resolution = (ctx.variables.text("resolution") or "refund").lower()
    if resolution == "replacement":
        note = staff_note(ctx, f"return {ret} approved for a replacement; create the exchange")
        return [
            ActionDraft(ActionKind.ADD_NOTE, order, {"note": note}),
            ActionDraft(ActionKind.ADD_TAGS, order, {"tags": ["return-replacement"]}),
        ]
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
