"""ORDER_REVIEW and HIGH_VALUE_REVIEW effects: release the hold, cancel, correct."""

from __future__ import annotations

from typing import Any

from connectors.shopify.operations import InvalidAddressError, mailing_address_input
from schemas.records import ActionKind, CaseType
from streams.decisions.effects.base import (
    ActionDraft,
    EffectContext,
    camel,
    json_objects,
    order_gid,
    staff_note,
)
from streams.decisions.errors import DecisionDataError
from streams.runtime.keys import gid, hold_handle

__all__ = ["CANCEL_REASONS", "cancel_order", "release_hold", "update_order"]

CANCEL_REASONS = frozenset({"CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "OTHER", "STAFF"})


def _held_fulfillment_orders(ctx: EffectContext) -> list[tuple[str, str | None]]:
    """``(fulfillment order GID, hold id or None)`` for each order our hold may be on."""
    placed = json_objects(ctx.variables.json_list("holdsPlaced") or [], "holdsPlaced")
    held = [
        (gid("FulfillmentOrder", str(item["fulfillmentOrderId"])), item.get("holdId"))
        for item in placed
        if item.get("fulfillmentOrderId")
    ]
    if held:
        return [(fo, str(hold) if hold else None) for fo, hold in held]
    # No record of placed holds (placement failed or a reviewer held by hand):
    # try every fulfillment order; the writer releases only holds with our handle.
    ids = ctx.variables.text_list("fulfillmentOrderIds") or []
    if not ids:
        single = ctx.variables.text("fulfillmentOrderId")
        ids = [single] if single else []
    return [(gid("FulfillmentOrder", fo), None) for fo in ids]


def release_hold(ctx: EffectContext) -> list[ActionDraft]:
    """Release our hold (handle from the case id) on each held fulfillment order.

    Targets, in order of preference: the enricher's ``holdsPlaced`` (with the
    hold ids ``fulfillmentOrderReleaseHold`` needs), ``fulfillmentOrderIds``,
    ``fulfillmentOrderId``; with none of them, the whole order
    (``allFulfillmentOrders``), the writer finding our handle itself.
    """
    order = order_gid(ctx, "to release the order's hold")
    handle = hold_handle(ctx.case_id)
    held = _held_fulfillment_orders(ctx)
    if not held:
        return [
            ActionDraft(
                ActionKind.RELEASE_HOLD,
                order,
                {"orderId": order, "handle": handle, "allFulfillmentOrders": True},
            )
        ]
    drafts = []
    for fo, hold_id in held:
        params: dict[str, Any] = {"orderId": order, "fulfillmentOrderId": fo, "handle": handle}
        if hold_id:
            params["holdIds"] = [hold_id]
        drafts.append(ActionDraft(ActionKind.RELEASE_HOLD, fo, params))
    return drafts


def _reason_codes(ctx: EffectContext) -> list[str]:
    # The sink stores the case reasons as ``reasons`` ([{code, detail}]);
    # ``reasonCodes`` (a plain list) is accepted from other producers.
    codes = list(ctx.variables.text_list("reasonCodes") or [])
    reasons = ctx.variables.json_list("reasons") or []
    codes += [str(r["code"]) for r in reasons if isinstance(r, dict) and r.get("code")]
    return codes


def _cancel_reason(ctx: EffectContext) -> str:
    explicit = ctx.variables.text("cancelReason")
    if explicit is not None:
        reason = explicit.upper()
        if reason not in CANCEL_REASONS:
            raise DecisionDataError(
                f"variable 'cancelReason': expected one of {sorted(CANCEL_REASONS)},"
                f" got {explicit!r}"
            )
        return reason
    if ctx.case_type in (CaseType.ORDER_REVIEW, CaseType.HIGH_VALUE_REVIEW):
        risk = (ctx.variables.text("riskLevel") or "").upper()
        codes = _reason_codes(ctx)
        risky = risk in ctx.policy.fraud_risk_levels or any(
            code.upper().startswith("RISK_") for code in codes
        )
        return "FRAUD" if risky else "DECLINED"
    if ctx.case_type is CaseType.FULFILLMENT_EXCEPTION and ctx.variables.has("variantId"):
        return "INVENTORY"  # an out-of-stock case
    return "OTHER"


def cancel_order(ctx: EffectContext) -> list[ActionDraft]:
    """Cancel the order: reason FRAUD/DECLINED/..., refund, restock, notify."""
    order = order_gid(ctx, "to cancel the order")
    policy = ctx.policy
    params = {
        "orderId": order,
        "reason": _cancel_reason(ctx),
        "refund": policy.refund_on_cancel,
        "restock": policy.restock_on_cancel,
        "notifyCustomer": policy.notify_customer,
        "staffNote": staff_note(ctx, ctx.variables.text("reason")),
    }
    return [ActionDraft(ActionKind.CANCEL_ORDER, order, params)]


def update_order(ctx: EffectContext) -> list[ActionDraft]:
    """Correct the order: address and note by ``orderUpdate``, tags appended by ``tagsAdd``.

    Tags are not sent through ``orderUpdate`` because it replaces the whole
    tag list, which would drop tags others (and our audit tags) have set.
    """
    order = order_gid(ctx, "to correct the order")
    update: dict[str, Any] = {"id": order}
    address = ctx.variables.json_object("shippingAddress")
    if address:
        # A reviewer's correction is free-form JSON: checked here so a wrong field
        # (``country`` instead of ``countryCode``) dead-letters the decision with the
        # reason instead of failing the whole orderUpdate at Shopify.
        try:
            update["shippingAddress"] = mailing_address_input(
                {camel(key): value for key, value in address.items()}
            )
        except InvalidAddressError as exc:
            raise DecisionDataError(
                f"shippingAddress: {'; '.join(exc.problems)}", case_id=ctx.case_id
            ) from exc
    note = ctx.variables.text("note")
    if note is not None:
        update["note"] = note
    tags = ctx.variables.text_list("addTags") or []
    if len(update) == 1 and not tags:
        raise DecisionDataError(
            f"outcome {ctx.outcome!r} corrects the order but the decision sets none of"
            " 'shippingAddress', 'note' or 'addTags'",
            case_id=ctx.case_id,
        )
    drafts = []
    if len(update) > 1:
        drafts.append(ActionDraft(ActionKind.UPDATE_ORDER, order, update))
    if tags:
        drafts.append(ActionDraft(ActionKind.ADD_TAGS, order, {"tags": tags}))
    return drafts
