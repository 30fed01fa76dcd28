"""State the rules read but do not own: shop statistics and complaint history.

The rules are pure functions; whatever they need to remember between events
is kept by the classify agent (in Faust tables) and passed in through a
:class:`ClassifyContext`. The agent updates that state with the pure
functions here *after* classifying an event, so a rule always sees the state
as it was before the event:

* :class:`ShopStats` per shop, updated with :func:`update_stats` for every
  ``orders/create`` whose total :func:`streams.classify.rules.orders.order_total_sample`
  returns;
* :class:`ComplaintHistory` per customer (key :func:`complaint_key`), updated
  with :func:`record_complaint` for every COMPLAINT case produced (use the
  case id as the complaint id, so a redelivered complaint is not counted twice);
* content fingerprints per product (key :func:`streams.classify.rules.content.content_key`),
  replaced by :func:`streams.classify.rules.content.product_fingerprint`;
* inventory per variant and per inventory item (:mod:`streams.classify.rules.inventory`),
  from product and ``inventory_levels/update`` webhooks.

All state values are frozen pydantic models, so they serialise to JSON for
the tables (``model_dump_json`` / ``model_validate_json``).
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from streams.classify.rules.fulfillment import SplitOrigin
    from streams.classify.rules.storefront import StorefrontText

_AVERAGE_QUANTUM = Decimal("0.0001")


class ShopStats(BaseModel):
    """A shop's running order statistics (in shop currency)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_count: int = Field(default=0, ge=0)
    """Orders seen so far; the relative value rule waits for ``min_samples`` of them."""
    average_order_value: Decimal = Decimal(0)
    """Running average of the order totals (see :func:`update_stats`)."""


def update_stats(stats: ShopStats, order_total: Decimal, *, window: int = 100) -> ShopStats:
    """Fold one order total into the shop's running average.

    For the first ``window`` orders this is the exact cumulative mean; after
    that it becomes an exponentially weighted moving average with weight
    ``1/window`` for the new order, so the average follows a shop whose order
    values drift (seasons, price changes) while one huge order moves it by only
    1/window of the difference. The result is rounded to 4 decimal places so
    the stored value does not grow without bound.

    Raises:
        ValueError: ``order_total`` is negative or ``window`` below 1.
    """
    if order_total < 0:
        raise ValueError(f"order total must not be negative, got {order_total}")
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    count = stats.order_count + 1
    weight = Decimal(min(count, window))
    average = stats.average_order_value + (order_total - stats.average_order_value) / weight
    return ShopStats(
        order_count=count,
        average_order_value=average.quantize(_AVERAGE_QUANTUM, rounding=ROUND_HALF_EVEN),
    )


class ComplaintRecord(BaseModel):
    """One complaint counted in a customer's history."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    complaint_id: str
    at: datetime


class ComplaintHistory(BaseModel):
    """The recent complaints of one customer, newest last."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    complaints: tuple[ComplaintRecord, ...] = ()

    def count_within(
        self, window: timedelta, now: datetime, *, exclude_id: str | None = None
    ) -> int:
        """Complaints in ``(now - window, now]``, not counting ``exclude_id``."""
        since = now - window
        return sum(
            1
            for record in self.complaints
            if since < record.at <= now and record.complaint_id != exclude_id
        )


def record_complaint(
    history: ComplaintHistory | None,
    complaint_id: str,
    at: datetime,
    *,
    window: timedelta,
    max_kept: int = 100,
) -> ComplaintHistory:
    """Add a complaint to a customer's history (idempotent per ``complaint_id``).

    Records older than ``window`` before the newest one are dropped, and at
    most ``max_kept`` are kept, so the history stays small.
    """
    records = list(history.complaints if history else ())
    if any(record.complaint_id == complaint_id for record in records):
        return history if history is not None else ComplaintHistory()
    records.append(ComplaintRecord(complaint_id=complaint_id, at=at))
    records.sort(key=lambda record: record.at)
    newest = records[-1].at
    kept = [record for record in records if record.at > newest - window]
    return ComplaintHistory(complaints=tuple(kept[-max_kept:]))


def complaint_key(shop: str, customer_id: str | None, email: str | None = None) -> str | None:
    """The history key of a customer: shop plus customer id, else plus e-mail; None if neither."""
    if customer_id:
        return f"{shop.lower()}|customer:{customer_id}"
    if email:
        return f"{shop.lower()}|email:{email.strip().lower()}"
    return None


@dataclass(frozen=True, kw_only=True)
class ClassifyContext:
    """The state a classification may read, supplied by the caller.

    Mappings may be Faust tables (they are mappings); missing keys read as
    "nothing known yet".
    """

    shop_stats: ShopStats = field(default_factory=ShopStats)
    """Statistics of the event's shop, before this event."""
    complaint_history: Mapping[str, ComplaintHistory] = field(default_factory=dict)
    """Complaint history by :func:`complaint_key`."""
    content_fingerprints: Mapping[str, str] = field(default_factory=dict)
    """Last seen fingerprint of each product's watched fields, by content key."""
    content_state: Mapping[str, str] = field(default_factory=dict)
    """JSON of each product's :class:`~.approved.ProductContent`, by content key."""
    ended_cases: Container[str] = frozenset()
    """Ids of cases known to have ended (a change they reviewed is no longer pending)."""
    storefront: StorefrontText | None = None
    """Theme files or shop policies read for a theme or ``shop/update`` event."""
    split_origin: SplitOrigin | None = None
    """The order and own-split markers read for a ``fulfillment_orders/split`` event."""
    inventory_variants: Mapping[str, Any] = field(default_factory=dict)
    """Variant -> inventory item and quantity, from product webhooks
    (:func:`streams.classify.rules.inventory.variant_entries`)."""
    inventory_levels: Mapping[str, Any] = field(default_factory=dict)
    """Inventory item -> available units per location, from ``inventory_levels/update``
    (:func:`streams.classify.rules.inventory.merge_level`)."""
