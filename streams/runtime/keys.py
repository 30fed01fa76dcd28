"""Deterministic identifiers: hold handles, idempotency keys and Shopify GIDs.

They are pure functions of ids that never change (case id, decision id), so
every replay, restart and duplicate delivery derives the same value. That is
what makes the effects exactly-once: Shopify finds our hold by its handle and
returns the first refund for a repeated ``@idempotent`` key.
"""

from __future__ import annotations

import hashlib
import re

from schemas.records import ActionKind

__all__ = ["HOLD_HANDLE_PREFIX", "MAX_HOLD_HANDLE", "gid", "hold_handle", "idempotency_key"]

HOLD_HANDLE_PREFIX = "casebridge"
"""Every casebridge hold handle starts with this; the classifier's
``fulfillment.own_hold_handle_prefix`` policy default relies on it to ignore our holds."""

MAX_HOLD_HANDLE = 64
"""Shopify's limit for ``FulfillmentHold.handle``."""

_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")
_HASH_DIGITS = 12
# prefix + "-" + slug + "-" + hash must fit in 64 characters.
_MAX_SLUG = MAX_HOLD_HANDLE - len(HOLD_HANDLE_PREFIX) - _HASH_DIGITS - 2


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hold_handle(case_id: str) -> str:
    """The handle of the fulfillment hold placed for ``case_id``, at most 64 characters.

    ``casebridge-<readable slug of the case id>-<12 hex digits of its sha256>``:
    the slug lets a merchant see in the admin which case holds an order, and
    the hash keeps two case ids that slug alike (or are cut short) distinct.
    The hold placer and the decision mapping both call this, so a release
    always names the hold that was placed.
    """
    if not case_id:
        raise ValueError("hold_handle needs a non-empty case id")
    slug = _SLUG_UNSAFE.sub("-", case_id.lower()).strip("-")[:_MAX_SLUG].rstrip("-")
    parts = [HOLD_HANDLE_PREFIX, slug, _digest(case_id)[:_HASH_DIGITS]]
    return "-".join(part for part in parts if part)


def idempotency_key(decision_id: str, index: int, kind: ActionKind) -> str:
    """The idempotency key of the ``index``-th action of a decision.

    ``cb-<kind>-<index>-<24 hex digits of sha256(decision id, index, kind)>``: short
    enough for any key field (Shopify's ``@idempotent`` included), readable in
    the audit trail, and the same whichever path (history or callback) built
    the decision, because both use the same decision id.
    """
    material = f"{decision_id}|{index}|{kind.value}"
    return f"cb-{kind.value.lower().replace('_', '-')}-{index}-{_digest(material)[:24]}"


def gid(resource: str, value: str) -> str:
    """``value`` as a Shopify GraphQL id of ``resource`` (``123`` -> ``gid://shopify/Order/123``).

    Case variables carry numeric ids (the classifier normalises them); an
    id that already is a GID is returned unchanged.
    """
    value = value.strip()
    if value.startswith("gid://"):
        return value
    return f"gid://shopify/{resource}/{value}"
