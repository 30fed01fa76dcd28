"""Holding an order's fulfillment while a review case is open (UC1, UC5).

For ORDER_REVIEW and HIGH_VALUE_REVIEW cases, :class:`HoldPlacer` puts a
``fulfillmentOrderHold`` on each holdable fulfillment order of the order, with

* ``handle`` = :func:`streams.runtime.keys.hold_handle` of the case id, the
  same function the decision mapping uses, so the release names our hold;
* ``reason`` HIGH_RISK_OF_FRAUD when a risk rule fired (``RISK_*`` reason
  codes), else OTHER;
* ``reasonNotes`` naming the case, so a merchant sees in the admin why.

The hold is the one protective write of classify, so it is cheap and first:
its calls are of class :attr:`~connectors.shopify.budget.Priority.PROTECT`
(set by the caller), and it reads only the fulfillment orders' ids and
statuses (:func:`~connectors.shopify.operations.get_hold_targets`, a few
points). ``fulfillmentOrderHold`` has no idempotency key, but Shopify refuses a
second hold with the same handle on a fulfillment order
(``DUPLICATE_FULFILLMENT_HOLD_HANDLE``; older versions answered ``TAKEN``): a
redelivered or replayed request, or a worker that crashed between the hold
and the commit, gets that answer and records the hold as already there, so
existing holds need not be read first. The fulfillment orders read are kept
for the case (``fulfillmentOrderIds``), so enrichment does not read them again.

The result goes into the request's variables: ``holdsPlaced`` (JSON list of
``{fulfillmentOrderId, holdId}``, our holds whether placed now or found),
``holdHandle``, ``holdsSkipped`` (fulfillment orders that cannot be held,
e.g. already in progress), ``fulfillmentOrderIds``/``fulfillmentOrderStatuses``
and ``holdError`` when a hold could not be placed (logged; the case opens
regardless, a reviewer can hold by hand).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.shopify.client import GraphQLExecutor
from connectors.shopify.errors import ShopifyError, ShopifyUserError
from connectors.shopify.operations import HoldReason, fulfillment_order_hold, get_hold_targets
from schemas.records import CaseRequest, CaseType
from streams.classify.enrich import variables as v
from streams.classify.rules.build import Variables
from streams.classify.rules.payload import normalise_id
from streams.runtime.keys import gid, hold_handle

log = logging.getLogger(__name__)

#: Case types whose order is held while the case is open.
HELD_CASE_TYPES = frozenset({CaseType.ORDER_REVIEW, CaseType.HIGH_VALUE_REVIEW})

#: The userError codes of a hold whose handle is already on the fulfillment order.
DUPLICATE_HANDLE_CODES = frozenset({"DUPLICATE_FULFILLMENT_HOLD_HANDLE", "TAKEN"})

#: Fulfillment order statuses Shopify accepts a hold on (IN_PROGRESS, CLOSED,
#: CANCELLED and INCOMPLETE answer a userError). ON_HOLD takes further holds.
HOLDABLE_STATUSES = frozenset({"OPEN", "SCHEDULED", "ON_HOLD"})

_MAX_NOTES = 255


@dataclass(frozen=True, slots=True)
class PlacedHold:
    """One of our holds on a fulfillment order."""

    fulfillment_order_id: str
    hold_id: str | None
    placed_now: bool

    def as_json(self) -> dict[str, Any]:
        """The ``holdsPlaced`` entry."""
        return {"fulfillmentOrderId": self.fulfillment_order_id, "holdId": self.hold_id}


@dataclass
class HoldOutcome:
    """What :meth:`HoldPlacer.hold_order` did."""

    handle: str
    holds: list[PlacedHold] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Fulfillment orders that cannot be held (already in progress, closed...)."""
    errors: list[str] = field(default_factory=list)
    fulfillment_orders: list[dict[str, Any]] | None = None
    """The fulfillment orders read (id, status), or None when they could not be read."""
    context: Variables = field(default_factory=Variables)
    """Order record and customer summary read with the targets (when the case lacked them)."""

    @property
    def placed(self) -> int:
        """How many holds this call placed (0 on a replay)."""
        return sum(hold.placed_now for hold in self.holds)

    def variables(self) -> Variables:
        """``holdsPlaced``, ``holdHandle``, ``holdsSkipped``, the fulfillment orders and, on
        failure, ``holdError``."""
        variables = Variables()
        variables.items.extend(self.context.items)
        if self.fulfillment_orders is not None:
            variables.items.extend(v.fulfillment_orders(self.fulfillment_orders).items)
        return (
            variables.json("holdsPlaced", [hold.as_json() for hold in self.holds])
            .string("holdHandle", self.handle)
            .json("holdsSkipped", self.skipped or None)
            .string("holdError", "; ".join(self.errors)[:1000] or None)
        )


def order_context(request: CaseRequest, order: Mapping[str, Any]) -> Variables:
    """The order record and customer summary of an order read with the hold's targets."""
    context = v.order_record(order)
    customer = order.get("customer")
    if isinstance(customer, Mapping):
        context.string("customerId", normalise_id(str(customer.get("id") or "")) or None)
        context.items.extend(
            v.customer_history(
                customer, current_order_id=gid("Order", request.order_id or "")
            ).items
        )
    return context


def hold_reason(request: CaseRequest) -> HoldReason:
    """HIGH_RISK_OF_FRAUD for a risk-flagged case, else OTHER."""
    risky = any(reason.code.upper().startswith("RISK_") for reason in request.reasons)
    return "HIGH_RISK_OF_FRAUD" if risky else "OTHER"


def reason_notes(request: CaseRequest) -> str:
    """The hold's note: which case holds the order and why."""
    codes = ", ".join(reason.code for reason in request.reasons) or "review"
    text = f"casebridge {request.case_type.value} case {request.case_id}: {codes}"
    return text[:_MAX_NOTES]


class HoldPlacer:
    """Places casebridge's review holds, at most once per fulfillment order.

    Args:
        client: the Shopify GraphQL client (or any :class:`GraphQLExecutor`).
        notify_merchant: passed to Shopify (the merchant gets an admin notice).
        fulfillment_orders_first: fulfillment orders read per order.
    """

    def __init__(
        self,
        client: GraphQLExecutor,
        *,
        notify_merchant: bool = False,
        fulfillment_orders_first: int = 2,
    ) -> None:
        self._client = client
        self._notify_merchant = notify_merchant
        self._first = fulfillment_orders_first

    async def hold_order(self, request: CaseRequest, *, with_order: bool = False) -> HoldOutcome:
        """Hold every holdable fulfillment order of the case's order (idempotent).

        Args:
            request: the review case.
            with_order: also read the order record and the customer's summary
                (the case's webhook lacked them), in the same request.

        Raises:
            ShopifyError: the fulfillment orders could not be read.
        """
        if not request.order_id:
            raise ValueError(f"case {request.case_id} has no order to hold")
        handle = hold_handle(request.case_id)
        outcome = HoldOutcome(handle=handle)
        order_gid = gid("Order", request.order_id)
        order = await get_hold_targets(
            self._client, order_gid, first=self._first, with_order=with_order
        )
        if order is None:
            outcome.errors.append(f"order {order_gid} not found")
            return outcome
        nodes = v.connection_nodes(order.get("fulfillmentOrders"))
        outcome.fulfillment_orders = nodes
        if with_order:
            outcome.context = order_context(request, order)
        reason = hold_reason(request)
        notes = reason_notes(request)
        for node in nodes:
            fo_id = str(node.get("id") or "")
            if not fo_id:
                continue
            if node.get("status") not in HOLDABLE_STATUSES:
                outcome.skipped.append(fo_id)
                continue
            await self._place(outcome, fo_id, reason, notes)
        return outcome

    async def _place(
        self, outcome: HoldOutcome, fo_id: str, reason: HoldReason, notes: str
    ) -> None:
        try:
            hold = await fulfillment_order_hold(
                self._client,
                fo_id,
                reason=reason,
                handle=outcome.handle,
                reason_notes=notes,
                notify_merchant=self._notify_merchant,
            )
        except ShopifyUserError as exc:
            if any(detail.code in DUPLICATE_HANDLE_CODES for detail in exc.user_errors):
                # Our handle is already there: placed before a redelivery or replay.
                outcome.holds.append(PlacedHold(fo_id, None, placed_now=False))
                return
            outcome.errors.append(f"{fo_id}: {exc}")
            return
        except ShopifyError as exc:
            outcome.errors.append(f"{fo_id}: {type(exc).__name__}: {exc}")
            return
        outcome.holds.append(PlacedHold(fo_id, hold.id, placed_now=True))


__all__ = [
    "DUPLICATE_HANDLE_CODES",
    "HELD_CASE_TYPES",
    "HOLDABLE_STATUSES",
    "HoldOutcome",
    "HoldPlacer",
    "PlacedHold",
    "hold_reason",
    "reason_notes",
]
