"""The webhook handler, free of any web framework: headers + raw body in, a status out.

Order of checks (each failure is counted and logged without secrets, and
never produces a record):

1. body larger than the limit            -> 413
2. required Shopify headers missing       -> 400
3. HMAC over the raw bytes does not match -> 401 (checked before parsing, so
   unauthenticated input is never interpreted); a shop with its own webhook
   secrets in the registry is checked against those, any other against the app's
3b. signed, but the shop is not in the registry -> 403 (``unknown_shop``)
4. body is not a JSON object (also: nested beyond
   the parser's depth, or an integer over Python's
   digit limit)                            -> 400
5. event already seen in the window       -> 200, nothing published
6. published with acks=all                -> 200 only after the broker acknowledged;
   a broker failure answers 503 so Shopify delivers again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connectors.shopify.webhooks import (
    WebhookHeaderError,
    WebhookHeaders,
    parse_webhook_headers,
    verify_signature,
)
from schemas.records import EventSource, ShopifyEvent
from streams.ingress.resource import resource_ref
from streams.kafka.headers import DEDUP_HEADER
from streams.ops.metrics import WEBHOOKS_REJECTED, webhook_accepted
from streams.runtime.seen import SeenWindow

log = logging.getLogger(__name__)

#: Digits Python converts in one integer (its default limit, unless the process changed it).
MAX_DIGITS = sys.get_int_max_str_digits()

#: A shop's own webhook secrets (empty: the app's), or None when the shop is not registered.
ShopSecrets = Callable[[str], Sequence[str] | None]

#: Publishes one event (key, headers) and returns once the broker acknowledged it.
Publisher = Callable[[ShopifyEvent, str, Sequence[tuple[str, bytes]]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class IngressResult:
    """What to answer Shopify."""

    status: int
    outcome: str
    detail: str = ""

    def body(self) -> dict[str, str]:
        """The JSON body of the answer."""
        return {"status": self.outcome, **({"detail": self.detail} if self.detail else {})}


@dataclass
class IngressStats:
    """Counters for metrics and the operations page."""

    accepted: int = 0
    duplicates: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    unknown_topics: Counter[str] = field(default_factory=Counter)


class WebhookIngress:
    """Turns one Shopify delivery into at most one record on ``shopify.webhooks``."""

    def __init__(
        self,
        *,
        secrets: Sequence[str],
        max_body_bytes: int,
        seen: SeenWindow,
        publish: Publisher,
        is_known_topic: Callable[[str], bool] = lambda topic: True,
        shop_secrets: ShopSecrets | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if not secrets and shop_secrets is None:
            raise ValueError("at least one webhook secret is required")
        self._secrets = [s.encode() for s in secrets]
        self._shop_secrets = shop_secrets
        self._max_body_bytes = max_body_bytes
        self._seen = seen
        self._publish = publish
        self._is_known_topic = is_known_topic
        self._clock = clock
        self._in_flight: dict[str, asyncio.Future[IngressResult]] = {}
        self.stats = IngressStats()

    @property
    def max_body_bytes(self) -> int:
        """The largest body accepted, in bytes."""
        return self._max_body_bytes

    def _reject(
        self, status: int, reason: str, detail: str, headers: Mapping[str, str]
    ) -> IngressResult:
        self.stats.rejected[reason] += 1
        WEBHOOKS_REJECTED.labels(reason).inc()
        # Only routing facts are logged: never the body, the HMAC or a secret.
        log.warning(
            "webhook rejected: %s (%s) shop=%s topic=%s webhook_id=%s",
            reason,
            detail,
            _header(headers, "X-Shopify-Shop-Domain"),
            _header(headers, "X-Shopify-Topic"),
            _header(headers, "X-Shopify-Webhook-Id"),
        )
        return IngressResult(status, "rejected", detail)

    def too_large(self, headers: Mapping[str, str]) -> IngressResult:
        """The answer to a body refused while streaming it in (over the limit)."""
        return self._reject(413, "too_large", f"body over {self._max_body_bytes} bytes", headers)

    async def handle(self, headers: Mapping[str, str], body: bytes) -> IngressResult:
        """Verify, de-duplicate and publish one delivery."""
        if len(body) > self._max_body_bytes:
            return self._reject(
                413, "too_large", f"body over {self._max_body_bytes} bytes", headers
            )
        try:
            parsed = parse_webhook_headers(headers)
        except WebhookHeaderError as exc:
            return self._reject(400, "bad_headers", str(exc), headers)
        secrets, registered = self._secrets, True
        if self._shop_secrets is not None:
            own = self._shop_secrets(parsed.shop_domain)
            registered = own is not None
            if own:
                secrets = [s.encode() for s in own]
        if not verify_signature(body, parsed.hmac, secrets):
            return self._reject(401, "bad_hmac", "HMAC signature does not match", headers)
        if not registered:
            # Authentic, but no shop this deployment serves: nothing of it may enter the
            # pipeline (its ids would collide with a registered shop's in every lookup).
            detail = f"shop {parsed.shop_domain} is not registered with this deployment"
            return self._reject(403, "unknown_shop", detail, headers)
        try:
            # Decoded as UTF-8 first: json.loads(bytes) would also take UTF-16/32 or a
            # BOM, which the record's payload (UTF-8 text, parsed again downstream) cannot.
            text = body.decode("utf-8")
            payload = json.loads(text)
        except UnicodeDecodeError as exc:
            return self._reject(400, "bad_json", f"body is not UTF-8 JSON: {exc}", headers)
        except RecursionError:
            # A signed body can still be hostile: json recurses once per nesting level.
            return self._reject(400, "bad_json", "body is not JSON: nested too deeply", headers)
        except json.JSONDecodeError as exc:
            return self._reject(400, "bad_json", f"body is not JSON: {exc}", headers)
        except ValueError:
            # Python's limit on the digits of an integer: a number of thousands of
            # digits is no Shopify value, and converting it costs quadratic time.
            detail = f"body is not JSON we accept: a number has over {MAX_DIGITS} digits"
            return self._reject(400, "bad_json", detail, headers)
        if not isinstance(payload, dict):
            return self._reject(400, "bad_json", "body is not a JSON object", headers)

        key = parsed.dedup_key
        if key in self._seen:
            self.stats.duplicates += 1
            return IngressResult(200, "duplicate")
        running = self._in_flight.get(key)
        if running is not None:
            # The same event is being published right now by a concurrent delivery.
            result = await asyncio.shield(running)
            if result.status != 200:
                return result  # that publish failed: not a duplicate of anything
            self.stats.duplicates += 1
            return IngressResult(200, "duplicate")
        future: asyncio.Future[IngressResult] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            result = await self._publish_event(parsed, payload, text)
            future.set_result(result)
            return result
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        finally:
            del self._in_flight[key]

    async def _publish_event(
        self, parsed: WebhookHeaders, payload: dict[str, Any], body: str
    ) -> IngressResult:
        ref = resource_ref(parsed.topic, payload)
        event = ShopifyEvent(
            event_id=parsed.event_id or parsed.webhook_id,
            webhook_id=parsed.webhook_id,
            shop=parsed.shop_domain,
            topic=parsed.topic,
            sub_topic=parsed.sub_topic,
            api_version=parsed.api_version,
            triggered_at=parsed.triggered_at,
            received_at=self._clock(),
            resource_id=ref.resource_id or parsed.webhook_id,
            order_id=ref.order_id,
            source=EventSource.WEBHOOK,
            payload=body,
        )
        record_key = ref.key(parsed.shop_domain, parsed.webhook_id)
        try:
            await self._publish(event, record_key, [(DEDUP_HEADER, parsed.dedup_key.encode())])
        except Exception as exc:
            self.stats.rejected["broker_unavailable"] += 1
            log.error("webhook not published (Shopify will retry): %s", exc)
            return IngressResult(503, "unavailable", "could not publish; retry later")
        self._seen.add(parsed.dedup_key)
        self.stats.accepted += 1
        webhook_accepted(parsed.shop_domain)
        if not self._is_known_topic(parsed.topic):
            # Accepted and recorded like any other: classification decides what it means.
            self.stats.unknown_topics[parsed.topic] += 1
        return IngressResult(200, "accepted")


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value[:200]
    return "-"
