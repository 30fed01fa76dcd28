"""casebridge's own fulfillment-order splits, marked on the order before they are made.

A ``split`` decision makes the writer call ``fulfillmentOrderSplit``, and
Shopify answers every split, ours included, with a ``fulfillment_orders/split``
webhook that names neither the app nor the order. Taken for a split by someone
else, it opened a new exception case about the units we had just moved; decided
``split`` again, that case split again, and so on down the order's lines until a
split found nothing left to move.

So the writer first appends an :class:`OwnSplit` to the order's
``casebridge.own_splits`` metafield (compare-and-set), then splits. Shopify
sends the webhook only after the split, so when classify reads the marker for a
split webhook (:func:`is_own`), the marker is there: no race between two topics,
the order is the one place both sides see in the same order. The marker names
the fulfillment order split and how many units moved, so a split of the same
fulfillment order by a person, moving other units, still opens its case.

The value is a JSON list of the newest :data:`KEEP` markers (a metafield of
type ``json``); a value that is not such a list reads as no markers and says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from connectors.shopify.ids import gid_tail

__all__ = [
    "KEEP",
    "METAFIELD_KEY",
    "METAFIELD_NAMESPACE",
    "METAFIELD_TYPE",
    "OwnSplit",
    "OwnSplitsError",
    "is_own",
    "parse",
    "with_split",
]

METAFIELD_NAMESPACE = "casebridge"
METAFIELD_KEY = "own_splits"
METAFIELD_TYPE = "json"
KEEP = 20
"""Markers kept per order: an order is split a few times at most, and a marker is
read within minutes of being written (the webhook follows the split)."""


class OwnSplitsError(ValueError):
    """The order's ``casebridge.own_splits`` value is not a list of markers."""


@dataclass(frozen=True, slots=True)
class OwnSplit:
    """One split made by casebridge: which fulfillment order, how many units moved, why."""

    fulfillment_order_id: str
    moved: int
    case_id: str

    def to_json(self) -> dict[str, object]:
        return {
            "fulfillmentOrderId": self.fulfillment_order_id,
            "moved": self.moved,
            "case": self.case_id,
        }


def parse(value: str | None) -> list[OwnSplit]:
    """The markers of a metafield value (``None``: no metafield yet).

    Raises:
        OwnSplitsError: the value is not a JSON list of markers.
    """
    if value is None:
        return []
    try:
        items = json.loads(value)
    except ValueError as exc:
        raise OwnSplitsError(f"{METAFIELD_NAMESPACE}.{METAFIELD_KEY}: not JSON ({exc})") from None
    if not isinstance(items, list):
        raise OwnSplitsError(f"{METAFIELD_NAMESPACE}.{METAFIELD_KEY}: not a list")
    markers = []
    for position, item in enumerate(items):
        fo = item.get("fulfillmentOrderId") if isinstance(item, dict) else None
        moved = item.get("moved") if isinstance(item, dict) else None
        if not isinstance(fo, str) or isinstance(moved, bool) or not isinstance(moved, int):
            raise OwnSplitsError(
                f"{METAFIELD_NAMESPACE}.{METAFIELD_KEY}[{position}]: needs fulfillmentOrderId"
                " (string) and moved (integer)"
            )
        markers.append(OwnSplit(gid_tail(fo), moved, str(item.get("case") or "")))
    return markers


def with_split(markers: Sequence[OwnSplit], split: OwnSplit) -> str | None:
    """The metafield value with ``split`` added (the newest :data:`KEEP`); ``None`` if it
    is already there (a retried or replayed decision marks once)."""
    if split in markers:
        return None
    kept = [*markers, split][-KEEP:]
    return json.dumps([m.to_json() for m in kept], separators=(",", ":"))


def is_own(markers: Iterable[OwnSplit], fulfillment_order_id: str, moved: int | None) -> bool:
    """Whether a split of ``fulfillment_order_id`` moving ``moved`` units was ours.

    ``moved`` is ``None`` when the webhook did not say how many units moved: the
    fulfillment order alone then decides.
    """
    wanted = gid_tail(fulfillment_order_id)
    return any(
        m.fulfillment_order_id == wanted and (moved is None or m.moved == moved) for m in markers
    )
