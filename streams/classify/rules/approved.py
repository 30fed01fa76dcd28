"""Per product: the last approved content, the change under review and who drafted it.

The content rules compare a product's webhook with the content last approved
for it, not only with the last webhook: a change held back under review
(restored or drafted) must still be the change when its case is decided, and
casebridge's own write-backs must be recognised as such. Kept per product by
the classify agent (a Faust table keyed by
:func:`streams.classify.rules.content.content_key`), as JSON of :class:`ProductContent`.

Content is a flat *snapshot*: field name -> text (or null), one entry per
watched field (``title``, ``body_html``, ``product_type``, ``vendor``) and two
per variant (``variant:<id>:price``, ``variant:<id>:compare_at_price``), so
comparing, merging and restoring work field by field.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict

Snapshot = dict[str, str | None]

VARIANT_PREFIX = "variant:"
TEXT_FIELDS = ("title", "body_html")


class ProductContent(BaseModel):
    """What casebridge knows of one product's content."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    approved: Snapshot | None = None
    """The last approved (or first seen) content; None for a new product under review."""
    pending_case: str | None = None
    """The case reviewing ``proposal``, while it has not ended."""
    proposal: Snapshot | None = None
    """The change under review (the whole snapshot, held back from the storefront)."""
    drafted_from: str | None = None
    """The status (ACTIVE, UNLISTED) casebridge changed to DRAFT for the review, if it did."""


def variant_field(variant_id: str, name: str) -> str:
    """The snapshot key of a variant's ``price`` or ``compare_at_price``."""
    return f"{VARIANT_PREFIX}{variant_id}:{name}"


def split_variant_field(key: str) -> tuple[str, str] | None:
    """``(variant id, field)`` of a variant key, else None."""
    if not key.startswith(VARIANT_PREFIX):
        return None
    variant_id, _, name = key[len(VARIANT_PREFIX) :].partition(":")
    return (variant_id, name) if variant_id and name else None


def changed_fields(base: Snapshot | None, proposal: Snapshot) -> list[str]:
    """Fields of ``proposal`` that differ from ``base`` (all of them without a base)."""
    if base is None:
        return sorted(proposal)
    return sorted(key for key, value in proposal.items() if base.get(key) != value)


def merge_proposal(base: Snapshot | None, pending: Snapshot, seen: Snapshot) -> Snapshot:
    """The change under review after the product was seen as ``seen``.

    A field ``seen`` holds at its approved value is one casebridge put back
    (or the merchant left alone): the pending proposal's value stands. Any
    other value is a new edit and replaces it.
    """
    merged: Snapshot = {}
    for key, value in seen.items():
        held_back = base is not None and base.get(key) == value and key in pending
        merged[key] = pending[key] if held_back else value
    return merged


def price_changes(
    base: Snapshot, proposal: Snapshot, min_percent: Decimal
) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    """``(variant id, old, new, percent)`` of variant prices that moved at least ``min_percent``.

    New variants (no approved price) and unparseable prices are not compared.
    """
    found = []
    for key, value in sorted(proposal.items()):
        parts = split_variant_field(key)
        if parts is None or parts[1] != "price":
            continue
        old, new = _decimal(base.get(key)), _decimal(value)
        if old is None or new is None or old == new:
            continue
        percent = (abs(new - old) / old * 100) if old > 0 else Decimal(100)
        if percent >= min_percent:
            found.append((parts[0], old, new, percent.quantize(Decimal("0.1"))))
    return found


def text_of(snapshot: Snapshot, strip: Callable[[str], str]) -> str:
    """Title and description as plain text (``strip`` removes HTML tags)."""
    title = snapshot.get("title") or ""
    body = strip(snapshot.get("body_html") or "")
    return f"{title}\n{body}"


def changed_characters(before: str, after: str) -> int:
    """How many characters an edit from ``before`` to ``after`` changed (difflib's matching)."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    return max(len(before), len(after)) - kept


def _decimal(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None
