"""Order-level actions: cancel, update (address, note), append a note, tags, metafields.

Each handler reads the order (or tagged node) first and writes only what is
missing, because none of these mutations takes an idempotency key:

* CANCEL_ORDER: ``cancelledAt`` set -> skip; else ``orderCancel`` and wait for
  its asynchronous job, then confirm the order reads as cancelled.
* UPDATE_ORDER: only the fields whose current value differs are sent.
* ADD_NOTE: appends the line to the note unless the note already contains it
  (``orderUpdate`` overwrites the note, so the current text is re-sent).
* ADD_TAGS: ``tagsAdd`` of the missing tags only (any taggable node).
* SET_METAFIELD: equal value -> skip; else ``metafieldsSet`` with the current
  ``compareDigest``, so a concurrent change is a transient STALE_OBJECT retry
  rather than a lost update.
"""

from __future__ import annotations

import json
import math
from typing import Any, cast

from connectors.shopify import operations as ops
from connectors.shopify.documents import writer as queries
from streams.writer.context import ActionContext, JsonObject, Outcome
from streams.writer.errors import ActionRejected, WriterUnavailableError

__all__ = [
    "add_note",
    "add_tags",
    "cancel_order",
    "read_order",
    "set_metafield",
    "update_order",
]

CANCEL_REASONS = frozenset({"CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "OTHER", "STAFF"})

# Input name -> the MailingAddress field it is read back as.
_ADDRESS_READ_NAME = {"countryCode": "countryCodeV2"}
_CODE_FIELDS = frozenset({"countryCode", "provinceCode"})
_UPDATABLE = frozenset({"id", "note", "shippingAddress", "email"})


async def read_order(ctx: ActionContext, order_id: str, *, lines: bool = False) -> JsonObject:
    """The order's writer-relevant state; a missing order is a permanent ``NOT_FOUND``.

    Only order edits need the line items (about 2 points a line); every other
    action reads the order's head for 2 points.
    """
    if lines:
        data = await ctx.client.execute(
            queries.ORDER_STATE,
            {"id": order_id, "linesFirst": ctx.page_size(ctx.config.lines_first, per_item=2)},
        )
    else:
        data = await ctx.client.execute(queries.ORDER_HEAD, {"id": order_id})
    order = data.get("order")
    if not isinstance(order, dict):
        raise ActionRejected("NOT_FOUND", f"order {order_id} does not exist")
    return order


async def cancel_order(ctx: ActionContext) -> Outcome:
    """CANCEL_ORDER: ``orderCancel`` unless already cancelled; waits for the job."""
    order_id = ctx.require("orderId")
    reason = ctx.require("reason").upper()
    if reason not in CANCEL_REASONS:
        raise ActionRejected("INVALID_PARAMS", f"unknown cancel reason {reason!r}")
    order = await read_order(ctx, order_id)
    if order.get("cancelledAt"):
        return Outcome.already("orderCancel", order_id)
    job = await ops.order_cancel(
        ctx.client,
        order_id,
        reason=cast(ops.CancelReason, reason),
        restock=ctx.flag("restock"),
        refund=ctx.flag("refund", True),
        notify_customer=ctx.flag("notifyCustomer"),
        staff_note=ctx.text("staffNote", required=False),
    )
    if not job.done:
        await _wait_for_job(ctx, job.id)
    # A finished job is not proof of success (Shopify jobs can fail): re-read.
    confirmed = await read_order(ctx, order_id)
    if not confirmed.get("cancelledAt"):
        raise ActionRejected(
            "CANCEL_NOT_COMPLETED",
            f"orderCancel job {job.id} finished but order {order_id} is not cancelled",
            mutation="orderCancel",
        )
    return Outcome.applied("orderCancel", job.id)


async def _wait_for_job(ctx: ActionContext, job_id: str) -> None:
    polls = max(1, math.ceil(ctx.config.job_timeout_s / ctx.config.job_poll_interval_s))
    for _ in range(polls):
        await ctx.sleep(ctx.config.job_poll_interval_s)
        data = await ctx.client.execute(queries.JOB, {"id": job_id})
        job = data.get("job")
        if not isinstance(job, dict) or job.get("done"):
            # A job Shopify no longer knows is long finished.
            return
    # Not lost: the agent re-applies later and then finds the order cancelled.
    raise WriterUnavailableError(
        f"orderCancel job {job_id} not done after {ctx.config.job_timeout_s:.0f}s"
    )


def _address_differs(current: JsonObject | None, wanted: JsonObject) -> bool:
    if not current:
        return True
    for key, value in wanted.items():
        have = current.get(_ADDRESS_READ_NAME.get(key, key))
        if key in _CODE_FIELDS:
            if str(have or "").upper() != str(value or "").upper():
                return True
        elif (have or None) != (value or None):
            return True
    return False


async def update_order(ctx: ActionContext) -> Outcome:
    """UPDATE_ORDER: ``orderUpdate`` of the fields that differ from the order's current ones."""
    order_id = ctx.text("id", required=False) or ctx.action.target_id
    unknown = sorted(set(ctx.params) - _UPDATABLE)
    if unknown:
        # Refuse rather than pass through: ``tags`` here would overwrite every tag.
        raise ActionRejected("INVALID_PARAMS", f"UPDATE_ORDER cannot set {', '.join(unknown)}")
    order = await read_order(ctx, order_id)
    changes: JsonObject = {}
    if "note" in ctx.params and (ctx.params["note"] or "") != (order.get("note") or ""):
        changes["note"] = ctx.params["note"]
    if "email" in ctx.params and ctx.params["email"] != order.get("email"):
        changes["email"] = ctx.params["email"]
    address = ctx.params.get("shippingAddress")
    if address is not None:
        if not isinstance(address, dict):
            raise ActionRejected("INVALID_PARAMS", "shippingAddress must be an object")
        if _address_differs(order.get("shippingAddress"), address):
            changes["shippingAddress"] = address
    if not changes:
        return Outcome.already("orderUpdate", order_id)
    await ops.order_update(ctx.client, {"id": order_id, **changes})
    return Outcome.applied("orderUpdate", order_id)


async def add_note(ctx: ActionContext) -> Outcome:
    """ADD_NOTE: append the line to the order note unless it is already there."""
    order_id = ctx.text("orderId", required=False) or ctx.action.target_id
    line = ctx.require("note").strip()
    order = await read_order(ctx, order_id)
    current = order.get("note") or ""
    if line in current:
        return Outcome.already("orderUpdate", order_id)
    note = f"{current.rstrip()}\n{line}" if current.strip() else line
    await ops.order_update(ctx.client, {"id": order_id, "note": note})
    return Outcome.applied("orderUpdate", order_id)


async def add_tags(ctx: ActionContext) -> Outcome:
    """ADD_TAGS: ``tagsAdd`` of the tags the node does not carry yet (case-insensitive)."""
    node_id = ctx.text("id", required=False) or ctx.action.target_id
    tags = ctx.strings("tags")
    data = await ctx.client.execute(queries.NODE_TAGS, {"id": node_id})
    node = data.get("node")
    if not isinstance(node, dict):
        raise ActionRejected("NOT_FOUND", f"{node_id} does not exist")
    if "tags" not in node:
        raise ActionRejected("NOT_TAGGABLE", f"{node_id} cannot carry tags")
    present = {str(t).strip().lower() for t in node.get("tags") or []}
    missing: list[str] = []
    for tag in tags:
        if tag.lower() not in present and tag.lower() not in {m.lower() for m in missing}:
            missing.append(tag)
    if not missing:
        return Outcome.already("tagsAdd", node_id)
    await ops.tags_add(ctx.client, node_id, missing)
    return Outcome.applied("tagsAdd", node_id)


def _same_value(type_: str, current: str, wanted: str) -> bool:
    if current == wanted:
        return True
    if type_ == "json":
        # Key order and spacing are not part of a JSON value.
        try:
            return bool(json.loads(current) == json.loads(wanted))
        except ValueError:
            return False
    return False


async def set_metafield(ctx: ActionContext) -> Outcome:
    """SET_METAFIELD: compare-and-set ``metafieldsSet``; an equal value is skipped."""
    owner = ctx.text("ownerId", required=False) or ctx.action.target_id
    namespace = ctx.require("namespace")
    key = ctx.require("key")
    type_ = ctx.require("type")
    value = ctx.require("value")
    data = await ctx.client.execute(
        queries.NODE_METAFIELD, {"id": owner, "namespace": namespace, "key": key}
    )
    node = data.get("node")
    if not isinstance(node, dict):
        raise ActionRejected("NOT_FOUND", f"{owner} does not exist")
    current: Any = node.get("metafield")
    digest: str | None = None
    if isinstance(current, dict):
        if current.get("type") == type_ and _same_value(type_, str(current.get("value")), value):
            return Outcome.already("metafieldsSet", current.get("id"))
        digest = current.get("compareDigest")
    written = await ops.metafields_set(
        ctx.client,
        [
            {
                "ownerId": owner,
                "namespace": namespace,
                "key": key,
                "type": type_,
                "value": value,
                # null = "must not exist yet": a concurrent first write is a conflict too.
                "compareDigest": digest,
            }
        ],
    )
    result_id = written[0].get("id") if written else None
    return Outcome.applied("metafieldsSet", str(result_id) if result_id else None)
