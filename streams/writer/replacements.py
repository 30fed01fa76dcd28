"""CREATE_REPLACEMENT: the replacement of an approved return, as a draft order.

Exactly once by a marker tag (``casebridge-replacement:<case id>``) on the
draft: the drafts carrying it are looked up first (``draftOrders(query:
"tag:...")``), so a replay finds the draft made before and only takes the
step still missing. The draft copies the original order's customer, e-mail,
currency and shipping address, lists the replacement variants, carries the
policy's tag and a staff note, and (``freeOfCharge``) a 100 % applied
discount. Then, by ``mode``:

* ``complete`` — ``draftOrderComplete``: the replacement is an order, paid
  (at zero), and goes to fulfillment like any other;
* ``invoice`` — ``draftOrderInvoiceSend``: the customer gets the checkout link
  (the draft stays ``INVOICE_SENT`` until they pay);
* ``draft`` — left ``OPEN`` for staff.

A draft already ``COMPLETED`` (or already invoiced, for ``invoice``) is
``ALREADY_APPLIED``. Shopify's search is eventually consistent: a retry within
seconds of a create that answered but was lost could miss the draft; the
writer's retries of a failed *call* never get there, because the create is
one call and its answer carries the draft.
"""

from __future__ import annotations

from typing import Any

from connectors.shopify import operations as ops
from connectors.shopify.documents.operations import REPLACEMENT_ORDER
from streams.writer.context import ActionContext, JsonObject, Outcome
from streams.writer.errors import ActionRejected

__all__ = ["MODES", "create_replacement"]

MODES = frozenset({"complete", "invoice", "draft"})

#: ``CasebridgeReplacementOrder`` address fields -> ``MailingAddressInput`` names.
_ADDRESS_INPUT = {"countryCodeV2": "countryCode"}


def _lines(ctx: ActionContext) -> list[JsonObject]:
    lines: list[JsonObject] = []
    for position, line in enumerate(ctx.objects("lineItems")):
        quantity: Any = line.get("quantity")
        variant = line.get("variantId")
        if (
            not variant
            or isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or quantity < 1
        ):
            raise ActionRejected(
                "INVALID_PARAMS", f"lineItems[{position}] needs variantId and a quantity >= 1"
            )
        lines.append({"variantId": str(variant), "quantity": quantity})
    return lines


async def _draft_input(ctx: ActionContext, order_id: str, marker: str) -> JsonObject:
    """The ``DraftOrderInput`` of the replacement, from the original order."""
    data = await ctx.client.execute(REPLACEMENT_ORDER, {"id": order_id})
    order = data.get("order")
    if not isinstance(order, dict):
        raise ActionRejected("NOT_FOUND", f"order {order_id} does not exist")
    tags = [*ctx.strings("tags"), marker]
    draft: JsonObject = {
        "lineItems": _lines(ctx),
        "tags": list(dict.fromkeys(tags)),
        "note": ctx.text("note", required=False) or f"replacement for {order.get('name')}",
        "presentmentCurrencyCode": order.get("currencyCode"),
    }
    if order.get("email"):
        draft["email"] = order["email"]
    customer = order.get("customer")
    if isinstance(customer, dict) and customer.get("id"):
        draft["purchasingEntity"] = {"customerId": customer["id"]}
    address = order.get("shippingAddress")
    if isinstance(address, dict):
        # Shopify answers "" for what an address lacks (a province in Germany): left out.
        renamed = {_ADDRESS_INPUT.get(str(k), str(k)): v for k, v in address.items() if v}
        try:
            draft["shippingAddress"] = ops.mailing_address_input(renamed)
        except ops.InvalidAddressError as exc:
            raise ActionRejected(
                "INVALID_ADDRESS", f"order {order_id}: shipping address unusable: {exc}"
            ) from None
    if ctx.flag("freeOfCharge"):
        draft["appliedDiscount"] = {
            "value": 100.0,
            "valueType": "PERCENTAGE",
            "title": "Replacement",
            "description": f"replacement for return {ctx.text('returnId', required=False)}",
        }
    return {k: v for k, v in draft.items() if v is not None}


async def _finish(ctx: ActionContext, draft: JsonObject, mode: str) -> Outcome | None:
    """The step ``mode`` still needs on ``draft``; None when there is none."""
    draft_id, status = str(draft.get("id")), str(draft.get("status") or "")
    if status == "COMPLETED":
        return None
    if mode == "complete":
        done = await ops.draft_order_complete(ctx.client, draft_id)
        order = done.get("order") or {}
        return Outcome.applied("draftOrderComplete", str(order.get("id") or draft_id))
    if mode == "invoice" and status == "OPEN":
        await ops.draft_order_invoice_send(ctx.client, draft_id)
        return Outcome.applied("draftOrderInvoiceSend", draft_id)
    return None


async def create_replacement(ctx: ActionContext) -> Outcome:
    """CREATE_REPLACEMENT: find or create the tagged draft, then complete or invoice it."""
    order_id = ctx.text("orderId", required=False) or ctx.action.target_id
    marker = ctx.require("marker")
    mode = ctx.require("mode").lower()
    if mode not in MODES:
        raise ActionRejected("INVALID_PARAMS", f"mode must be one of {sorted(MODES)}, got {mode!r}")
    _lines(ctx)  # refuse bad lines before anything is read or written
    found = await ops.draft_orders_tagged(ctx.client, marker)
    if found:
        draft = found[0]
        finished = await _finish(ctx, draft, mode)
        if finished is not None:
            return finished
        order = draft.get("order") or {}
        return Outcome.already("draftOrderCreate", str(order.get("id") or draft.get("id")))
    created = await ops.draft_order_create(ctx.client, await _draft_input(ctx, order_id, marker))
    if not created.get("id"):
        raise ActionRejected("NOT_CREATED", "draftOrderCreate answered no draft order")
    finished = await _finish(ctx, created, mode)
    return finished or Outcome.applied("draftOrderCreate", str(created["id"]))
