"""Holding an order's fulfillment while a review case is open (UC1, UC5).

For ORDER_REVIEW and HIGH_VALUE_REVIEW cases, :class:`HoldPlacer` puts a
``fulfillmentOrderHold`` on each holdable fulfillment order of the order, with

* ``handle`` = :func:`streams.decisions.keys.hold_handle` of the case id, the
  same function the decision mapping uses, so the release names our hold;
* ``reason`` HIGH_RISK_OF_FRAUD when a risk rule fired (``RISK_*`` reason
  codes), else OTHER;
* ``reasonNotes`` naming the case, so a merchant sees in the admin why.

``fulfillmentOrderHold`` has no idempotency key, so the placer reads the
fulfillment orders' current holds first and skips those already holding our
handle: a redelivered or replayed request, or a worker that crashed between
the hold and the commit, never places a second hold. Two workers racing on
the same order cannot happen (the order's events share a partition); should
Shopify still answer ``TAKEN`` for the handle, the hold is re-read, not
re-placed.

The result goes into the request's variables: ``holdsPlaced`` (JSON list of
``{fulfillmentOrderId, holdId}``, our holds whether placed now or found),
``holdHandle``, ``holdsSkipped`` (fulfillment orders that cannot be held,
e.g. already in progress) and ``holdError`` when a hold could not be placed
(logged; the case opens regardless, a reviewer can hold by hand).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.shopify.client import GraphQLExecutor
from connectors.shopify.errors import ShopifyError, ShopifyUserError
from connectors.shopify.operations import (
    HoldReason,
    fulfillment_order_hold,
    get_fulfillment_orders,
)
from schemas.records import CaseRequest, CaseType
from streams.classify.build import Variables
from streams.decisions.keys import gid, hold_handle

log = logging.getLogger(__name__)

#: Case types whose order is held while the case is open.
HELD_CASE_TYPES = frozenset({CaseType.ORDER_REVIEW, CaseType.HIGH_VALUE_REVIEW})

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

    @property
    def placed(self) -> int:
        """How many holds this call placed (0 on a replay)."""
        return sum(hold.placed_now for hold in self.holds)

    def variables(self) -> Variables:
        """``holdsPlaced``, ``holdHandle``, ``holdsSkipped`` and, on failure, ``holdError``."""
        return (
            Variables()
            .json("holdsPlaced", [hold.as_json() for hold in self.holds])
            .string("holdHandle", self.handle)
            .json("holdsSkipped", self.skipped or None)
            .string("holdError", "; ".join(self.errors)[:1000] or None)
        )


def hold_reason(request: CaseRequest) -> HoldReason:
    """HIGH_RISK_OF_FRAUD for a risk-flagged case, else OTHER."""
    risky = any(reason.code.upper().startswith("RISK_") for reason in request.reasons)
    return "HIGH_RISK_OF_FRAUD" if risky else "OTHER"


def reason_notes(request: CaseRequest) -> str:
    """The hold's note: which case holds the order and why."""
    codes = ", ".join(reason.code for reason in request.reasons) or "review"
    text = f"casebridge {request.case_type.value} case {request.case_id}: {codes}"
    return text[:_MAX_NOTES]


def _our_hold(node: Mapping[str, Any], handle: str) -> str | None:
    """The id of the hold with our handle on a fulfillment order node, or None."""
    for hold in node.get("fulfillmentHolds") or []:
        if isinstance(hold, dict) and hold.get("handle") == handle:
            return str(hold.get("id")) if hold.get("id") else ""
    return None


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
        fulfillment_orders_first: int = 20,
    ) -> None:
        self._client = client
        self._notify_merchant = notify_merchant
        self._first = fulfillment_orders_first

    def _page(self) -> int:
        """Fulfillment orders per read, fewer when the shop's bucket is small.

        About 6 points per fulfillment order (one line each): a read costing more
        than the bucket holds would be THROTTLED however long the client waits.
        """
        size = getattr(getattr(self._client, "bucket", None), "maximum_available", None)
        if not isinstance(size, int | float) or size <= 0:
            return self._first
        return max(1, min(self._first, int((size - 10) // 6)))

    async def hold_order(self, request: CaseRequest) -> HoldOutcome:
        """Hold every holdable fulfillment order of the case's order (idempotent).

        Raises:
            ShopifyError: the fulfillment orders could not be read.
        """
        if not request.order_id:
            raise ValueError(f"case {request.case_id} has no order to hold")
        handle = hold_handle(request.case_id)
        outcome = HoldOutcome(handle=handle)
        # lines_first=1: only the holds matter here, line items cost points.
        nodes = await get_fulfillment_orders(
            self._client, gid("Order", request.order_id), first=self._page(), lines_first=1
        )
        reason = hold_reason(request)
        notes = reason_notes(request)
        for node in nodes:
            fo_id = str(node.get("id") or "")
            if not fo_id:
                continue
            existing = _our_hold(node, handle)
            if existing is not None:
                outcome.holds.append(PlacedHold(fo_id, existing or None, placed_now=False))
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
            if any(detail.code == "TAKEN" for detail in exc.user_errors):
                # Our handle is already there (placed between our read and write).
                outcome.holds.append(PlacedHold(fo_id, None, placed_now=False))
                return
            outcome.errors.append(f"{fo_id}: {exc}")
            return
        except ShopifyError as exc:
            outcome.errors.append(f"{fo_id}: {type(exc).__name__}: {exc}")
            return
        outcome.holds.append(PlacedHold(fo_id, hold.id, placed_now=True))


__all__ = [
    "HELD_CASE_TYPES",
    "HOLDABLE_STATUSES",
    "HoldOutcome",
    "HoldPlacer",
    "PlacedHold",
    "hold_reason",
    "reason_notes",
]
