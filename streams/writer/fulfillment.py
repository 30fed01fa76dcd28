"""Fulfillment-order actions: release our hold, split, reschedule.

* RELEASE_HOLD releases only *our* holds: those whose ``handle`` is the
  case's (:func:`streams.runtime.keys.hold_handle`) or whose id the
  enricher recorded in ``holdIds``. Holds placed by people or other apps stay.
  With recorded ids the release goes out without a read first (see
  :func:`release_hold`). With ``allFulfillmentOrders`` every fulfillment order
  of the order is searched. No hold of ours left -> ``ALREADY_APPLIED``.
* SPLIT_FULFILLMENT: the fulfillment order keeps the listed quantities and
  the rest moves to a new one; if it already holds exactly the listed
  quantities, the split happened before -> ``ALREADY_APPLIED``; a fulfillment
  order that is done (e.g. cancelled with its order meanwhile) supersedes the
  decision (``FULFILLMENT_ORDER_DONE``: the case closes), lines it does not hold with
  ``LINES_NOT_ON_FULFILLMENT_ORDER``. The split is marked on the order first
  (``casebridge.own_splits``, one ``metafieldsSet``), so its webhook opens no case.
* RESCHEDULE_FULFILLMENT: ``fulfillAt`` already equal -> ``ALREADY_APPLIED``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from connectors.shopify import operations as ops
from connectors.shopify.documents import writer as queries
from connectors.shopify.errors import ShopifyUserError
from connectors.shopify.ids import gid_tail
from streams.runtime import own_splits
from streams.runtime.own_splits import OwnSplit
from streams.writer.context import ActionContext, JsonObject, Outcome
from streams.writer.errors import ActionRejected, ActionSuperseded

__all__ = ["release_hold", "reschedule_fulfillment", "split_fulfillment"]

log = logging.getLogger(__name__)

#: Fulfillment order statuses with nothing left to split.
_DONE = frozenset({"CANCELLED", "CLOSED", "INCOMPLETE"})


async def release_hold(ctx: ActionContext) -> Outcome:
    """RELEASE_HOLD: ``fulfillmentOrderReleaseHold`` of our holds, per fulfillment order.

    When the case recorded the ids of our holds on one fulfillment order, the
    release is sent straight away (10 points, no read): Shopify refuses an id
    that is no longer there with a ``userError`` and changes nothing, and only
    then are the fulfillment order's holds read to see whether the release
    happened before. Without recorded ids the holds are read first (2 points).
    """
    handle = ctx.require("handle")
    hold_ids = {str(h) for h in ctx.params.get("holdIds") or []}
    if ctx.flag("allFulfillmentOrders"):
        order_id = ctx.require("orderId")
        fulfillment_orders = await ops.get_fulfillment_orders(
            ctx.client,
            order_id,
            first=ctx.page_size(ctx.config.fulfillment_orders_first, per_item=7),
            lines_first=1,  # lines are not needed; keeps the query cheap
        )
        return await _release_ours(ctx, fulfillment_orders, handle, hold_ids)
    fo_id = ctx.text("fulfillmentOrderId", required=False) or ctx.action.target_id
    if hold_ids:
        try:
            await ops.fulfillment_order_release_hold(ctx.client, fo_id, sorted(hold_ids))
        except ShopifyUserError as exc:
            if exc.transient:
                raise
            # Nothing was released: see whether it happened before (a replay).
        else:
            return Outcome.applied("fulfillmentOrderReleaseHold", fo_id)
    return await _release_ours(ctx, [await _read_holds(ctx, fo_id)], handle, hold_ids)


async def _read_holds(ctx: ActionContext, fo_id: str) -> JsonObject:
    data = await ctx.client.execute(queries.FULFILLMENT_ORDER_HOLDS, {"id": fo_id})
    fo = data.get("fulfillmentOrder")
    if not isinstance(fo, dict):
        raise ActionRejected("NOT_FOUND", f"fulfillment order {fo_id} does not exist")
    return fo


async def _release_ours(
    ctx: ActionContext, fulfillment_orders: list[JsonObject], handle: str, hold_ids: set[str]
) -> Outcome:
    """Release the holds of ours (by handle or recorded id) found on ``fulfillment_orders``."""
    released: list[str] = []
    for fo in fulfillment_orders:
        ours = [
            str(hold["id"])
            for hold in fo.get("fulfillmentHolds") or []
            if hold.get("handle") == handle or hold.get("id") in hold_ids
        ]
        if not ours:
            continue
        await ops.fulfillment_order_release_hold(ctx.client, str(fo["id"]), ours)
        released.append(str(fo["id"]))
    if not released:
        return Outcome.already("fulfillmentOrderReleaseHold", ctx.action.target_id)
    return Outcome.applied("fulfillmentOrderReleaseHold", ",".join(released))


async def split_fulfillment(ctx: ActionContext) -> Outcome:
    """SPLIT_FULFILLMENT: ``fulfillmentOrderSplit`` unless the order already has that shape.

    The split is marked on its order first (:mod:`streams.runtime.own_splits`), so
    the ``fulfillment_orders/split`` webhook Shopify sends for it opens no case.
    """
    fo_id = ctx.text("fulfillmentOrderId", required=False) or ctx.action.target_id
    wanted: dict[str, int] = {}
    for position, line in enumerate(ctx.objects("fulfillmentOrderLineItems")):
        quantity = line.get("quantity")
        if not line.get("id") or isinstance(quantity, bool) or not isinstance(quantity, int):
            raise ActionRejected(
                "INVALID_PARAMS", f"fulfillmentOrderLineItems[{position}] needs id and quantity"
            )
        wanted[str(line["id"])] = quantity
    data = await ctx.client.execute(
        queries.FULFILLMENT_ORDER,
        {"id": fo_id, "linesFirst": ctx.page_size(ctx.config.lines_first, per_item=1)},
    )
    fo = data.get("fulfillmentOrder")
    if not isinstance(fo, dict):
        raise ActionRejected("NOT_FOUND", f"fulfillment order {fo_id} does not exist")
    status = str(fo.get("status") or "")
    if status in _DONE:
        # e.g. the order was cancelled by another case's decision since this case opened
        raise ActionSuperseded(
            "FULFILLMENT_ORDER_DONE", f"fulfillment order {fo_id} is {status}: nothing to split"
        )
    remaining = {
        str(line["id"]): int(line.get("remainingQuantity") or 0)
        for line in (fo.get("lineItems") or {}).get("nodes") or []
        if isinstance(line, dict)
    }
    live = {line_id: qty for line_id, qty in remaining.items() if qty > 0}
    if live == wanted:
        return Outcome.already("fulfillmentOrderSplit", fo_id)
    strangers = sorted(set(wanted) - set(live))
    if strangers:
        # Shopify would refuse the split for these lines: say which, before marking it.
        raise ActionRejected(
            "LINES_NOT_ON_FULFILLMENT_ORDER",
            f"fulfillment order {fo_id} has no unfulfilled line {', '.join(strangers)}",
        )
    moved = sum(live.values()) - sum(wanted.values())
    await _mark_own_split(ctx, fo, OwnSplit(gid_tail(str(fo["id"])), moved, ctx.decision.case_id))
    splits = await ops.fulfillment_order_split(
        ctx.client,
        [
            {
                "fulfillmentOrderId": fo_id,
                "fulfillmentOrderLineItems": [
                    {"id": line_id, "quantity": qty} for line_id, qty in wanted.items()
                ],
            }
        ],
    )
    new_id = None
    if splits:
        rest = splits[0].get("remainingFulfillmentOrder") or {}
        new_id = rest.get("id")
    return Outcome.applied("fulfillmentOrderSplit", str(new_id) if new_id else fo_id)


async def _mark_own_split(ctx: ActionContext, fo: JsonObject, split: OwnSplit) -> None:
    """Add ``split`` to its order's ``casebridge.own_splits`` (compare-and-set; once)."""
    order = fo.get("order")
    if not isinstance(order, dict) or not order.get("id"):
        raise ActionRejected(
            "NOT_FOUND", f"fulfillment order {split.fulfillment_order_id} has no order"
        )
    current = order.get("ownSplits")
    value = current.get("value") if isinstance(current, dict) else None
    try:
        markers = own_splits.parse(value)
    except own_splits.OwnSplitsError as exc:
        # Someone wrote the metafield: start it again rather than leave the split unmarked.
        log.warning("order %s: %s; the markers start again", order["id"], exc)
        markers = []
    written = own_splits.with_split(markers, split)
    if written is None:
        return  # marked by an earlier attempt of this decision
    await ops.metafields_set(
        ctx.client,
        [
            {
                "ownerId": str(order["id"]),
                "namespace": own_splits.METAFIELD_NAMESPACE,
                "key": own_splits.METAFIELD_KEY,
                "type": own_splits.METAFIELD_TYPE,
                "value": written,
                # null = "must not exist yet": a concurrent first write is a conflict too.
                "compareDigest": current.get("compareDigest")
                if isinstance(current, dict)
                else None,
            }
        ],
    )


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ActionRejected("INVALID_PARAMS", f"fulfillAt {text!r} is not ISO-8601") from None
    if moment.tzinfo is None:
        raise ActionRejected("INVALID_PARAMS", f"fulfillAt {text!r} has no time zone")
    return moment


async def reschedule_fulfillment(ctx: ActionContext) -> Outcome:
    """RESCHEDULE_FULFILLMENT: ``fulfillmentOrderReschedule`` unless ``fulfillAt`` matches."""
    fo_id = ctx.text("id", required=False) or ctx.action.target_id
    fulfill_at = ctx.require("fulfillAt")
    wanted = _instant(fulfill_at)
    fo = await _read_holds(ctx, fo_id)  # fulfillAt without the lines
    current = fo.get("fulfillAt")
    if isinstance(current, str) and _instant(current) == wanted:
        return Outcome.already("fulfillmentOrderReschedule", fo_id)
    await ops.fulfillment_order_reschedule(ctx.client, fo_id, fulfill_at)
    return Outcome.applied("fulfillmentOrderReschedule", fo_id)
