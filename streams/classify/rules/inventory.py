"""UC1 inventory mismatch: stock levels kept from webhooks, and the rule that reads them.

Shopify's order payload carries no inventory, and reading it per order would
cost API points on every order. Shopify already tells an app every stock
change, so the classify stage keeps what it needs from two webhook feeds, in
tables per shop (keys ``<shop>|<id>``), at no API cost:

=========================  ================================================================
webhook                    kept
=========================  ================================================================
``inventory_levels/update``  per inventory item and location, the last
                           :data:`KEPT_LEVELS` ``available`` values with their
                           ``updated_at`` (``inventory_item_id``, ``location_id`` and
                           ``available`` are required: missing or mistyped, the record is
                           dead-lettered with the field named)
``products/create``,       per variant: its ``inventory_item_id`` (what an order line's
``products/update``        ``variant_id`` is in stock terms) and its ``inventory_quantity``
                           (the total over locations) stamped with the variant's (else the
                           product's) ``updated_at``
=========================  ================================================================

When an order arrives, each line with a variant is compared with the stock
*when the order was placed*: per location, the newest level stamped in a second
before the order's ``created_at`` (the order's own decrement and later changes
come after it). Shopify stamps whole seconds, so a level stamped in the order's
own second may be from before or after it, and the levels of one second
arrive in no known order: the highest level of the newest earlier second and of
the order's own second counts (an ambiguous second never raises a false alarm;
a second order in the same second may go unnoticed). With no level for the item, the
variant's ``inventory_quantity`` if stamped in an earlier second. ``mode`` ``total`` sums
the locations, ``location`` takes the best one; the line mismatches when its
quantity exceeds that minus ``threshold``.

A variant neither feed has mentioned (a product unchanged since casebridge was
installed, a level that only came after the order) has *unknown* availability.
casebridge then does not read Shopify: an order is not a reason to spend
points on every unknown variant, and most would be in stock. Every case the
order opens says which lines are unknown (``inventoryUnknownLines``), and
``on_unknown: review`` opens the inventory review for them as well. The feeds
are eventually consistent: an order classified before a stock change stamped
earlier than it (deliveries are asynchronous and partitions interleave) is
compared with what was known then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from schemas.records import ShopifyEvent
from streams.classify.rules.errors import ClassificationError
from streams.classify.rules.payload import Fields, parse_json_object
from streams.policy.model import InventoryRule

LEVEL_TOPIC = "inventory_levels/update"
PRODUCT_TOPICS = frozenset({"products/create", "products/update"})
ONE_SECOND = timedelta(seconds=1)
#: Levels kept per item and location: enough to find the one before a recent order.
KEPT_LEVELS = 8

__all__ = [
    "KEPT_LEVELS",
    "LEVEL_TOPIC",
    "PRODUCT_TOPICS",
    "InventoryCheck",
    "LevelUpdate",
    "VariantStock",
    "check_lines",
    "level_key",
    "level_updates",
    "merge_level",
    "read_level",
    "read_variants",
    "variant_entries",
    "variant_key",
]


@dataclass(frozen=True)
class LevelUpdate:
    """One ``inventory_levels/update``: an item's available units at a location."""

    item_id: str
    location_id: str
    available: int | None
    """None: Shopify sent ``available: null`` (not tracked at that location)."""
    at: datetime | None


@dataclass(frozen=True)
class VariantStock:
    """What a product webhook says about one variant's stock."""

    variant_id: str
    item_id: str | None
    quantity: int | None
    at: datetime | None


@dataclass(frozen=True)
class InventoryCheck:
    """The rule's findings for one order."""

    short: list[str]
    """One text per line that exceeds the stock (``sku: ordered n, m available``)."""
    short_lines: list[dict[str, Any]]
    """Those lines: variant id, SKU, quantity, available."""
    unknown: list[dict[str, Any]]
    """Lines whose availability is unknown (variant id, SKU, quantity)."""
    compared: list[dict[str, Any]]
    """Every line compared: variant id, SKU, quantity, available."""


def level_key(shop: str, item_id: str) -> str:
    """The levels table key of an inventory item."""
    return f"{shop}|{item_id}"


def variant_key(shop: str, variant_id: str) -> str:
    """The variants table key of a variant."""
    return f"{shop}|{variant_id}"


def read_level(payload: Fields) -> LevelUpdate:
    """An ``inventory_levels/update`` payload; raises :class:`ClassificationError` on a bad one."""
    if "available" not in payload.data:
        raise ClassificationError("available: missing (an inventory level names its quantity)")
    return LevelUpdate(
        item_id=payload.require_ident("inventory_item_id"),
        location_id=payload.require_ident("location_id"),
        available=payload.integer("available"),
        at=payload.timestamp("updated_at"),
    )


def read_variants(payload: Fields) -> list[VariantStock]:
    """The variants of a product payload; raises :class:`ClassificationError` on a bad one."""
    product_at = payload.timestamp("updated_at")
    found = []
    for variant in payload.objects("variants"):
        found.append(
            VariantStock(
                variant_id=variant.require_ident("id", "admin_graphql_api_id"),
                item_id=variant.ident("inventory_item_id"),
                quantity=variant.integer("inventory_quantity"),
                at=variant.timestamp("updated_at") or product_at,
            )
        )
    return found


def level_updates(event: ShopifyEvent) -> list[tuple[str, LevelUpdate]]:
    """``(levels key, update)`` of an ``inventory_levels/update`` event; [] for other topics."""
    if event.topic != LEVEL_TOPIC:
        return []
    update = read_level(parse_json_object(event.payload))
    return [(level_key(event.shop, update.item_id), update)]


def variant_entries(event: ShopifyEvent) -> list[tuple[str, dict[str, Any]]]:
    """``(variants key, entry)`` for each variant of a product event; [] for other topics."""
    if event.topic not in PRODUCT_TOPICS:
        return []
    return [
        (
            variant_key(event.shop, variant.variant_id),
            {
                "item": variant.item_id,
                "quantity": variant.quantity,
                "at": variant.at.isoformat() if variant.at else None,
            },
        )
        for variant in read_variants(parse_json_object(event.payload))
    ]


def merge_level(existing: Mapping[str, Any] | None, update: LevelUpdate) -> dict[str, Any]:
    """The levels entry of an item with ``update`` added (idempotent: a redelivery adds nothing).

    Shape: ``{"locations": {location id: [[at iso or null, available or null], ...]}}``,
    oldest first, at most :data:`KEPT_LEVELS` per location.
    """
    locations: dict[str, list[list[Any]]] = {
        str(location): [list(sample) for sample in samples]
        for location, samples in dict((existing or {}).get("locations") or {}).items()
    }
    sample = [update.at.isoformat() if update.at else None, update.available]
    samples = locations.get(update.location_id, [])
    if sample not in samples:
        samples.append(sample)
        # Deliveries arrive out of order: keep the samples in time order (undated last).
        # (ISO text in UTC, as written here, sorts in time order.)
        samples.sort(key=lambda s: (s[0] is None, str(s[0] or "")))
    locations[update.location_id] = samples[-KEPT_LEVELS:]
    return {"locations": locations}


def _parse(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _second(placed: datetime) -> datetime:
    """The whole second an order was placed in (Shopify's timestamps have no fraction)."""
    return placed.replace(microsecond=0)


def _before(at: Any, placed: datetime | None) -> bool:
    """Whether a sample stamped ``at`` is from a second before the order's."""
    if placed is None:
        return True  # an order without a creation time: the newest level is all we have
    moment = _parse(at)
    return moment is not None and moment < _second(placed)


def _same_second(at: Any, placed: datetime | None) -> bool:
    moment = _parse(at)
    if placed is None or moment is None:
        return False
    start = _second(placed)
    return start <= moment < start + ONE_SECOND


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _location_available(samples: list[Any], placed: datetime | None) -> int | None:
    """The level before the order; None when no level from an earlier second is known.

    Levels of one second come in no known order (deliveries race), and those of
    the order's own second may be from before or after it (the order's own
    decrement is one of them): the highest level of the newest earlier second
    and of the order's second counts, so an ambiguous second never raises a
    false alarm.
    """
    usable = [s for s in samples if isinstance(s, list) and len(s) == 2]
    before = [s for s in usable if _before(s[0], placed)]
    if not before:
        return None
    newest = before[-1][0]
    candidates = [s[1] for s in before if s[0] == newest]
    candidates += [s[1] for s in usable if _same_second(s[0], placed)]
    counts = [c for c in map(_count, candidates) if c is not None]
    return max(counts) if counts else None


def available_before(
    shop: str,
    variant_id: str,
    placed: datetime | None,
    *,
    mode: str,
    variants: Mapping[str, Any],
    levels: Mapping[str, Any],
) -> int | None:
    """The units of ``variant_id`` available before an order placed at ``placed``; None: unknown."""
    entry = variants.get(variant_key(shop, variant_id))
    if not isinstance(entry, Mapping):
        return None
    item = entry.get("item")
    if item:
        known = levels.get(level_key(shop, str(item)))
        locations = (known or {}).get("locations") if isinstance(known, Mapping) else None
        values = [
            value
            for samples in dict(locations or {}).values()
            if isinstance(samples, list)
            for value in [_location_available(samples, placed)]
            if value is not None
        ]
        if values:
            return sum(values) if mode == "total" else max(values)
    quantity = entry.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        return None
    return quantity if _before(entry.get("at"), placed) else None
    return None


def check_lines(
    shop: str,
    lines: list[Fields],
    placed: datetime | None,
    rule: InventoryRule,
    *,
    variants: Mapping[str, Any],
    levels: Mapping[str, Any],
) -> InventoryCheck:
    """Compare each order line that names a variant with the stock before the order."""
    short: list[str] = []
    short_lines: list[dict[str, Any]] = []
    unknown: list[dict[str, Any]] = []
    compared: list[dict[str, Any]] = []
    for line in lines:
        variant = line.ident("variant_id")
        quantity = line.integer("quantity") or 0
        if variant is None or quantity <= 0:
            continue  # a custom item or a removed line: nothing in stock to compare
        sku = line.text("sku")
        available = available_before(
            shop, variant, placed, mode=rule.mode, variants=variants, levels=levels
        )
        described = {"variantId": variant, "sku": sku, "quantity": quantity}
        if available is None:
            unknown.append(described)
            continue
        compared.append({**described, "available": available})
        if quantity > available - rule.threshold:
            short_lines.append({**described, "available": available})
            kept = f" ({rule.threshold} kept back)" if rule.threshold else ""
            short.append(f"{sku or variant}: ordered {quantity}, {available} available{kept}")
    return InventoryCheck(short=short, short_lines=short_lines, unknown=unknown, compared=compared)
