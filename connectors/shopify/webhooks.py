"""Verifying and parsing Shopify webhook deliveries.

Shopify signs each delivery with ``base64(HMAC-SHA256(app secret, raw body))``
in ``X-Shopify-Hmac-Sha256``. The signature must be checked over the bytes
exactly as received: any re-serialisation of the JSON (key order, spacing,
unicode escapes) changes the digest. Several secrets may be valid at once so a
secret can be rotated without dropping deliveries.

Duplicates are normal (Shopify retries and sometimes delivers twice), so
:attr:`WebhookHeaders.dedup_key` gives the identity to deduplicate on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from connectors.shopify.errors import ShopifyError

__all__ = [
    "SUBSCRIBED_TOPICS",
    "WebhookHeaderError",
    "WebhookHeaders",
    "parse_webhook_headers",
    "sign",
    "verify_signature",
]

HMAC_HEADER = "X-Shopify-Hmac-Sha256"

#: The webhook topics a store is subscribed to (the README's "Webhook subscriptions"
#: table, the sandbox's and the tests' emulators): every one has a classify rule.
SUBSCRIBED_TOPICS = (
    "orders/create",
    "orders/updated",
    "orders/cancelled",
    "orders/risk_assessment_changed",
    "orders/partially_fulfilled",
    "returns/request",
    "disputes/create",
    "disputes/update",
    "fulfillment_orders/placed_on_hold",
    "fulfillment_orders/split",
    "fulfillment_orders/cancelled",
    "fulfillment_events/create",
    "variants/out_of_stock",
    "inventory_levels/update",
    "products/create",
    "products/update",
    "themes/publish",
    "themes/update",
    "shop/update",
)

# Shopify's own validators treat these five as required.
_REQUIRED = {
    "topic": "X-Shopify-Topic",
    "hmac": HMAC_HEADER,
    "shop_domain": "X-Shopify-Shop-Domain",
    "api_version": "X-Shopify-API-Version",
    "webhook_id": "X-Shopify-Webhook-Id",
}
_OPTIONAL = {
    "event_id": "X-Shopify-Event-Id",
    "triggered_at": "X-Shopify-Triggered-At",
    "sub_topic": "X-Shopify-Sub-Topic",
    "name": "X-Shopify-Name",
}


class WebhookHeaderError(ShopifyError):
    """A webhook delivery lacks a required header or has a malformed one.

    Attributes:
        header: the canonical name of the offending header.
    """

    def __init__(self, header: str, problem: str = "is missing") -> None:
        self.header = header
        super().__init__(f"webhook header {header} {problem}")


def _as_bytes(secret: bytes | str) -> bytes:
    return secret if isinstance(secret, bytes) else secret.encode("utf-8")


def sign(body: bytes, secret: bytes | str) -> str:
    """The ``X-Shopify-Hmac-Sha256`` value Shopify would send for ``body`` (tests, tools)."""
    digest = hmac.new(_as_bytes(secret), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(body: bytes, header_value: str, secrets: Sequence[bytes | str]) -> bool:
    """Whether ``header_value`` is a valid signature of ``body`` under any of ``secrets``.

    Every secret is tried with a constant-time comparison of the raw digests,
    so timing reveals neither which secret matched nor how much of it did.
    """
    if isinstance(secrets, str | bytes):
        raise TypeError("secrets must be a sequence of secrets, not a single one")
    try:
        received = base64.b64decode(header_value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    if len(received) != hashlib.sha256().digest_size:
        return False
    matched = False
    for secret in secrets:
        expected = hmac.new(_as_bytes(secret), body, hashlib.sha256).digest()
        # No early exit: the loop takes the same time whichever secret matches.
        matched |= hmac.compare_digest(expected, received)
    return matched


@dataclass(frozen=True, slots=True)
class WebhookHeaders:
    """The Shopify headers of one delivery.

    Attributes:
        topic: REST-style topic, e.g. ``orders/create``.
        hmac: the signature header value (verify with :func:`verify_signature`).
        shop_domain: ``{shop}.myshopify.com``.
        api_version: the version the payload is shaped by, e.g. ``2026-01``.
        webhook_id: unique per delivery *attempt series* (retries keep it).
        event_id: unique per event; the same event sent to several subscriptions shares it.
        triggered_at: when the event happened (timezone-aware), for dropping stale updates.
        sub_topic: e.g. the metafield namespace for some topics.
        name: the subscription's name, if it has one.
    """

    topic: str
    hmac: str
    shop_domain: str
    api_version: str
    webhook_id: str
    event_id: str | None = None
    triggered_at: datetime | None = None
    sub_topic: str | None = None
    name: str | None = None

    @property
    def dedup_key(self) -> str:
        """What identifies the event across duplicate deliveries: event id, else webhook id."""
        return self.event_id or self.webhook_id


def _parse_timestamp(raw: str, header: str) -> datetime:
    value = raw.strip()
    # fromisoformat accepts "Z" from 3.11, but Shopify may send more than six
    # fractional digits (nanoseconds), which it does not: trim them.
    if "." in value:
        head, _, tail = value.partition(".")
        digits = len(tail) - len(tail.lstrip("0123456789"))
        value = f"{head}.{tail[: min(digits, 6)]}{tail[digits:]}"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise WebhookHeaderError(header, f"is not an ISO-8601 timestamp: {raw!r}") from None
    if parsed.tzinfo is None:
        raise WebhookHeaderError(header, f"has no timezone: {raw!r}")
    return parsed


def parse_webhook_headers(headers: Mapping[str, str]) -> WebhookHeaders:
    """Read the Shopify headers from any mapping, matching names case-insensitively.

    Raises:
        WebhookHeaderError: naming the first missing required header (in the
            order topic, hmac, shop domain, api version, webhook id) or a
            malformed ``X-Shopify-Triggered-At``.
    """
    lowered = {key.lower(): value for key, value in headers.items()}

    def get(header: str) -> str | None:
        value = lowered.get(header.lower())
        if value is None:
            return None
        value = value.strip()
        return value or None

    required: dict[str, str] = {}
    for attr, header in _REQUIRED.items():
        value = get(header)
        if value is None:
            raise WebhookHeaderError(header)
        required[attr] = value
    triggered_raw = get(_OPTIONAL["triggered_at"])
    return WebhookHeaders(
        topic=required["topic"],
        hmac=required["hmac"],
        shop_domain=required["shop_domain"],
        api_version=required["api_version"],
        webhook_id=required["webhook_id"],
        event_id=get(_OPTIONAL["event_id"]),
        triggered_at=(
            _parse_timestamp(triggered_raw, _OPTIONAL["triggered_at"]) if triggered_raw else None
        ),
        sub_topic=get(_OPTIONAL["sub_topic"]),
        name=get(_OPTIONAL["name"]),
    )
