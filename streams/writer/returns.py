"""Return actions: approve, decline, refund.

* APPROVE_RETURN / DECLINE_RETURN read the return's status first. The state
  the decision asks for (approved = ``OPEN``/``CLOSED``, declined =
  ``DECLINED``) -> ``ALREADY_APPLIED``; the opposite decision already taken,
  or a cancelled return -> ``FAILED`` with ``CONFLICTING_STATE`` (a human
  must look; retrying cannot help).
* REFUND is exactly-once by Shopify's ``@idempotent(key:)`` with the action's
  idempotency key: a replay gets the first refund back. The key is also
  written into the refund note as ``[<key>]``, and existing refunds are read
  first, so a refund made under the key is found even once Shopify has
  forgotten the key (its retention is limited) and no second call is sent.

  Money: with ``WriterConfig.refund_transactions == "suggested"`` (the
  default) the transactions are computed from the order's ``suggestedRefund``
  for exactly the refunded lines (amount, gateway, parent transaction), since
  Shopify moves no money for a refund without transactions. ``"omit"`` sends
  none (Shopify then moves no money; the emulator refunds the lines' value).
  A retry computes the same suggestion as long as nothing was refunded, and
  once something was, the marker check above answers before any new call.
"""

from __future__ import annotations

from typing import Any, cast

from connectors.shopify import operations as ops
from connectors.shopify.documents import writer as queries
from streams.writer.context import ActionContext, JsonObject, Outcome
from streams.writer.errors import ActionRejected

__all__ = ["approve_return", "decline_return", "refund", "refund_marker"]

DECLINE_REASONS = frozenset({"FINAL_SALE", "RETURN_PERIOD_ENDED", "OTHER"})
_APPROVED = frozenset({"OPEN", "CLOSED"})


async def _read_return(ctx: ActionContext, return_id: str) -> JsonObject:
    data = await ctx.client.execute(queries.RETURN_STATE, {"id": return_id})
    found = data.get("return")
    if not isinstance(found, dict):
        raise ActionRejected("NOT_FOUND", f"return {return_id} does not exist")
    return found


async def approve_return(ctx: ActionContext) -> Outcome:
    """APPROVE_RETURN: ``returnApproveRequest`` of a ``REQUESTED`` return."""
    return_id = ctx.text("id", required=False) or ctx.action.target_id
    status = str((await _read_return(ctx, return_id)).get("status"))
    if status in _APPROVED:
        return Outcome.already("returnApproveRequest", return_id)
    if status != "REQUESTED":
        raise ActionRejected(
            "CONFLICTING_STATE", f"return {return_id} is {status}; it cannot be approved"
        )
    await ops.return_approve_request(
        ctx.client, return_id, notify_customer=ctx.flag("notifyCustomer")
    )
    return Outcome.applied("returnApproveRequest", return_id)


async def decline_return(ctx: ActionContext) -> Outcome:
    """DECLINE_RETURN: ``returnDeclineRequest`` of a ``REQUESTED`` return, with the reason."""
    return_id = ctx.text("id", required=False) or ctx.action.target_id
    reason = (ctx.text("declineReason", required=False) or "OTHER").upper()
    if reason not in DECLINE_REASONS:
        raise ActionRejected("INVALID_PARAMS", f"unknown decline reason {reason!r}")
    status = str((await _read_return(ctx, return_id)).get("status"))
    if status == "DECLINED":
        return Outcome.already("returnDeclineRequest", return_id)
    if status != "REQUESTED":
        raise ActionRejected(
            "CONFLICTING_STATE", f"return {return_id} is {status}; it cannot be declined"
        )
    await ops.return_decline_request(
        ctx.client,
        return_id,
        reason=cast(ops.DeclineReason, reason),
        note=ctx.text("declineNote", required=False),
        notify_customer=ctx.flag("notifyCustomer"),
    )
    return Outcome.applied("returnDeclineRequest", return_id)


def refund_marker(idempotency_key: str) -> str:
    """The text put in a refund's note so the refund can be recognised later."""
    return f"[{idempotency_key}]"


def _refund_lines(ctx: ActionContext) -> list[JsonObject]:
    lines: list[JsonObject] = []
    for position, line in enumerate(ctx.objects("refundLineItems")):
        quantity: Any = line.get("quantity")
        if (
            not line.get("lineItemId")
            or isinstance(quantity, bool)
            or not isinstance(quantity, int)
        ):
            raise ActionRejected(
                "INVALID_PARAMS", f"refundLineItems[{position}] needs lineItemId and quantity"
            )
        entry: JsonObject = {"lineItemId": str(line["lineItemId"]), "quantity": quantity}
        if line.get("restockType"):
            entry["restockType"] = str(line["restockType"]).upper()
        lines.append(entry)
    return lines


async def _suggested_transactions(
    ctx: ActionContext, order_id: str, lines: list[JsonObject]
) -> list[JsonObject]:
    """The refund transactions Shopify suggests for ``lines``: one per original payment."""
    data = await ctx.client.execute(queries.SUGGESTED_REFUND, {"id": order_id, "lines": lines})
    order = data.get("order")
    if not isinstance(order, dict):
        raise ActionRejected("NOT_FOUND", f"order {order_id} does not exist")
    suggested = (order.get("suggestedRefund") or {}).get("suggestedTransactions") or []
    transactions: list[JsonObject] = []
    for item in suggested:
        money = (item.get("amountSet") or {}).get("shopMoney") or {}
        if not money.get("amount") or not item.get("gateway"):
            continue
        transaction: JsonObject = {
            "orderId": order_id,
            "amount": str(money["amount"]),
            "gateway": str(item["gateway"]),
            "kind": "REFUND",
        }
        parent = item.get("parentTransaction") or {}
        if parent.get("id"):
            transaction["parentId"] = str(parent["id"])
        transactions.append(transaction)
    return transactions


async def refund(ctx: ActionContext) -> Outcome:
    """REFUND: ``refundCreate`` under ``@idempotent(key: idempotency_key)``."""
    order_id = ctx.text("orderId", required=False) or ctx.action.target_id
    key = ctx.action.idempotency_key
    if not key.strip():
        # Without a key a replay could refund twice: refuse rather than risk it.
        raise ActionRejected("INVALID_PARAMS", "REFUND needs an idempotency key")
    marker = refund_marker(key)
    # Sized to the bucket: a 50-line page costs more than a small plan's bucket holds.
    lines = ctx.page_size(50, per_item=2)
    for existing in await ops.get_refunds(ctx.client, order_id, lines_first=lines):
        if marker in str(existing.get("note") or ""):
            return Outcome.already("refundCreate", str(existing.get("id")))
    note = ctx.text("note", required=False)
    refund_input: JsonObject = {
        "orderId": order_id,
        "note": f"{note} {marker}" if note else marker,
        "notify": ctx.flag("notify"),
        "refundLineItems": _refund_lines(ctx),
    }
    if ctx.config.refund_transactions == "suggested":
        refund_input["transactions"] = await _suggested_transactions(
            ctx, order_id, refund_input["refundLineItems"]
        )
    created = await ops.refund_create(ctx.client, refund_input, idempotency_key=key)
    refund_id = created.get("id")
    return Outcome.applied("refundCreate", str(refund_id) if refund_id else None)
