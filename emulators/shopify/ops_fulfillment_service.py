"""The fulfillment-service (3PL) flow of a fulfillment order: request, accept, reject, close.

A fulfillment order assigned to the fulfillment service's location ships only
once the service accepts a fulfillment request for it. The transitions, as
Shopify documents them (``status`` / ``requestStatus``; webhook topics under
``fulfillment_orders/``):

* ``fulfillmentOrderSubmitFulfillmentRequest`` (the merchant's app): OPEN with
  request UNSUBMITTED or REJECTED -> request SUBMITTED; ``fulfillment_request_submitted``.
* ``fulfillmentOrderAcceptFulfillmentRequest`` (the service): OPEN / SUBMITTED ->
  IN_PROGRESS / ACCEPTED; ``fulfillment_request_accepted``.
* ``fulfillmentOrderRejectFulfillmentRequest`` (the service): OPEN / SUBMITTED ->
  OPEN / REJECTED; ``fulfillment_request_rejected`` (with the message and reason).
* ``fulfillmentOrderClose`` (the service): IN_PROGRESS / ACCEPTED -> INCOMPLETE /
  CLOSED; ``fulfillment_service_failed_to_complete`` (with the message).

Anything else is refused with a ``userErrors`` entry and changes nothing. Who
may call which mutation is checked by access scope before the resolvers run
(:data:`emulators.shopify.app.FIELD_SCOPES`); each acts only on a fulfillment
order assigned to the fulfillment service's location.
"""

from __future__ import annotations

from typing import Any

from emulators.shopify.errors import ResourceNotFound, UserErrorRaised
from emulators.shopify.models import FulfillmentOrder, parse_gid
from emulators.shopify.ops_fulfillment import fo_changed, split
from emulators.shopify.ops_orders import Ctx

#: Request statuses a merchant may (re)submit from.
_SUBMITTABLE = frozenset({"UNSUBMITTED", "REJECTED"})


def _assigned(fo: FulfillmentOrder) -> None:
    if not fo.fulfillment_service:
        raise UserErrorRaised(
            "The fulfillment order is not assigned to a fulfillment service location.", ["id"]
        )


def _line_ids(fo: FulfillmentOrder) -> set[int]:
    return {line.id for line in fo.lines}


def submit(
    ctx: Ctx, fo: FulfillmentOrder, message: str, items: list[dict[str, Any]] | None
) -> tuple[FulfillmentOrder, FulfillmentOrder | None]:
    """fulfillmentOrderSubmitFulfillmentRequest: (submitted, unsubmitted remainder or None).

    Given some lines only, the rest is split off to a new fulfillment order first
    (Shopify's partial fulfillment request), which stays unsubmitted.
    """
    _assigned(fo)
    if fo.status != "OPEN" or fo.request_status not in _SUBMITTABLE:
        raise UserErrorRaised(
            f"A fulfillment request cannot be submitted for a fulfillment order with status "
            f"{fo.status} and request status {fo.request_status}.",
            ["id"],
        )
    rest = None
    if items and sum(int(i["quantity"]) for i in items) < sum(
        line.remaining_quantity for line in fo.lines
    ):
        rest = split(ctx, fo, items, [])
    elif items:
        for index, item in enumerate(items):
            _line_of(fo, item["id"], ["fulfillmentOrderLineItems", str(index), "id"])
    fo.request_status = "SUBMITTED"
    fo_changed(ctx, fo, "fulfillment_orders/fulfillment_request_submitted", message=message)
    return fo, rest


def accept(ctx: Ctx, fo: FulfillmentOrder, message: str) -> FulfillmentOrder:
    """fulfillmentOrderAcceptFulfillmentRequest: the service takes the work on."""
    _submitted(fo, "accepted")
    fo.status, fo.request_status = "IN_PROGRESS", "ACCEPTED"
    fo_changed(ctx, fo, "fulfillment_orders/fulfillment_request_accepted", message=message)
    return fo


def reject(
    ctx: Ctx,
    fo: FulfillmentOrder,
    message: str,
    reason: str | None,
    line_items: list[dict[str, Any]],
) -> FulfillmentOrder:
    """fulfillmentOrderRejectFulfillmentRequest: the service refuses; the order is OPEN again."""
    _submitted(fo, "rejected")
    for index, item in enumerate(line_items):
        _line_of(fo, item["fulfillmentOrderLineItemId"], ["lineItems", str(index)])
    fo.request_status = "REJECTED"
    fo_changed(
        ctx,
        fo,
        "fulfillment_orders/fulfillment_request_rejected",
        message=message,
        reason=reason.lower() if reason else None,
    )
    return fo


def close(ctx: Ctx, fo: FulfillmentOrder, message: str) -> FulfillmentOrder:
    """fulfillmentOrderClose: the service gives up on accepted work; the order is INCOMPLETE."""
    _require(fo, "IN_PROGRESS", "ACCEPTED", "closed")
    fo.status, fo.request_status = "INCOMPLETE", "CLOSED"
    fo_changed(
        ctx, fo, "fulfillment_orders/fulfillment_service_failed_to_complete", message=message
    )
    return fo


def _submitted(fo: FulfillmentOrder, verb: str) -> None:
    _require(fo, "OPEN", "SUBMITTED", verb)


def _require(fo: FulfillmentOrder, status: str, request_status: str, verb: str) -> None:
    """Refuse unless ``fo`` is the service's and in ``status`` with ``request_status``."""
    _assigned(fo)
    if fo.status != status or fo.request_status != request_status:
        raise UserErrorRaised(
            f"The fulfillment request cannot be {verb}: the fulfillment order has status "
            f"{fo.status} and request status {fo.request_status} (it must be {status} and "
            f"{request_status}).",
            ["id"],
        )


def _line_of(fo: FulfillmentOrder, ref: str, field: list[str]) -> int:
    try:
        _, line_id = parse_gid(ref, "FulfillmentOrderLineItem")
    except ResourceNotFound:
        line_id = -1
    if line_id not in _line_ids(fo):
        raise UserErrorRaised(
            f"Fulfillment order line item {ref} does not belong to the fulfillment order.", field
        )
    return line_id
