"""WebhookIngress.handle: the order of checks, de-duplication and publishing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from connectors.shopify.webhooks import sign
from schemas.records import EventSource, ShopifyEvent
from streams.ingress.dedup import DEDUP_HEADER
from streams.ingress.handler import WebhookIngress
from streams.runtime.seen import SeenWindow

SECRET = "new-secret"
OLD_SECRET = "old-secret"
SHOP = "casebridge-demo.myshopify.com"
ORDER_ID = 820982911946154508
BODY = json.dumps({"id": ORDER_ID, "name": "#1001", "total_price": "12.30"}).encode()
NOW = datetime(2026, 1, 15, 10, 20, 30, tzinfo=UTC)


class FakePublisher:
    """Collects published events; can fail or block on demand."""

    def __init__(self) -> None:
        self.calls: list[tuple[ShopifyEvent, str, list[tuple[str, bytes]]]] = []
        self.fail: Exception | None = None
        self.gate: asyncio.Event | None = None

    async def __call__(
        self, event: ShopifyEvent, key: str, headers: Sequence[tuple[str, bytes]]
    ) -> None:
        if self.gate is not None:
            await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        self.calls.append((event, key, list(headers)))


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def headers(body: bytes = BODY, secret: str = SECRET, **overrides: str | None) -> dict[str, str]:
    base = {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": sign(body, secret),
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-API-Version": "2026-01",
        "X-Shopify-Webhook-Id": "wh-1",
        "X-Shopify-Event-Id": "ev-1",
        "X-Shopify-Triggered-At": "2026-01-15T10:20:00Z",
    }
    for key, value in overrides.items():
        name = key.replace("_", "-")
        if value is None:
            base.pop(name, None)
        else:
            base[name] = value
    return base


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ingress(publisher: FakePublisher, clock: Clock) -> WebhookIngress:
    return WebhookIngress(
        secrets=[SECRET, OLD_SECRET],
        max_body_bytes=4096,
        seen=SeenWindow(3600, clock=clock),
        publish=publisher,
        is_known_topic=lambda topic: topic.startswith("orders/"),
        clock=lambda: NOW,
    )


def test_requires_a_secret(publisher: FakePublisher) -> None:
    with pytest.raises(ValueError, match="secret"):
        WebhookIngress(secrets=[], max_body_bytes=10, seen=SeenWindow(60), publish=publisher)


async def test_valid_delivery_is_published_once(
    ingress: WebhookIngress, publisher: FakePublisher
) -> None:
    result = await ingress.handle(headers(), BODY)

    assert (result.status, result.outcome) == (200, "accepted")
    assert result.body() == {"status": "accepted"}
    assert len(publisher.calls) == 1
    event, key, record_headers = publisher.calls[0]
    assert key == f"{SHOP}/{ORDER_ID}"
    assert record_headers == [(DEDUP_HEADER, b"ev-1")]
    assert event.event_id == "ev-1"
    assert event.webhook_id == "wh-1"
    assert event.shop == SHOP
    assert event.topic == "orders/create"
    assert event.api_version == "2026-01"
    assert event.triggered_at == datetime(2026, 1, 15, 10, 20, tzinfo=UTC)
    assert event.received_at == NOW
    assert event.resource_id == event.order_id == str(ORDER_ID)
    assert event.source is EventSource.WEBHOOK
    # The body travels byte for byte, never re-serialised.
    assert event.payload == BODY.decode()
    assert ingress.stats.accepted == 1
    assert not ingress.stats.rejected


async def test_body_over_the_limit_is_413(
    ingress: WebhookIngress, publisher: FakePublisher
) -> None:
    body = json.dumps({"id": 1, "note": "x" * 5000}).encode()
    result = await ingress.handle(headers(body), body)

    assert result.status == 413
    assert "4096" in result.detail
    assert publisher.calls == []
    assert ingress.stats.rejected["too_large"] == 1
    assert ingress.max_body_bytes == 4096


async def test_body_at_the_limit_is_accepted(publisher: FakePublisher, clock: Clock) -> None:
    ingress = WebhookIngress(
        secrets=[SECRET],
        max_body_bytes=len(BODY),
        seen=SeenWindow(60, clock=clock),
        publish=publisher,
    )
    assert (await ingress.handle(headers(), BODY)).status == 200


@pytest.mark.parametrize(
    "missing",
    [
        "X-Shopify-Topic",
        "X-Shopify-Hmac-Sha256",
        "X-Shopify-Shop-Domain",
        "X-Shopify-API-Version",
        "X-Shopify-Webhook-Id",
    ],
)
async def test_missing_required_header_is_400_naming_it(
    ingress: WebhookIngress, publisher: FakePublisher, missing: str
) -> None:
    sent = headers()
    del sent[missing]
    result = await ingress.handle(sent, BODY)

    assert result.status == 400
    assert missing in result.detail
    assert publisher.calls == []
    assert ingress.stats.rejected["bad_headers"] == 1


async def test_headers_match_case_insensitively(
    ingress: WebhookIngress, publisher: FakePublisher
) -> None:
    lowered = {k.lower(): v for k, v in headers().items()}
    assert (await ingress.handle(lowered, BODY)).status == 200
    assert len(publisher.calls) == 1


async def test_forged_hmac_is_401_and_nothing_is_published(
    ingress: WebhookIngress, publisher: FakePublisher
) -> None:
    result = await ingress.handle(headers(secret="attacker-secret"), BODY)

    assert result.status == 401
    assert publisher.calls == []
    assert ingress.stats.rejected["bad_hmac"] == 1
    assert ingress.stats.accepted == 0


async def test_tampered_body_is_401(ingress: WebhookIngress, publisher: FakePublisher) -> None:
    tampered = BODY.replace(b"12.30", b"0.01")
    result = await ingress.handle(headers(BODY), tampered)
    assert result.status == 401
    assert publisher.calls == []


async def test_hmac_is_checked_before_parsing(
    ingress: WebhookIngress, publisher: FakePublisher
) -> None:
    # Unsigned garbage is refused as unauthenticated, not as bad JSON.
    result = await ingress.handle(headers(BODY), b"not json")
    assert result.status == 401
    assert ingress.stats.rejected == {"bad_hmac": 1}


@pytest.mark.parametrize("secret", [SECRET, OLD_SECRET])
async def test_rotated_secrets_are_both_accepted(
    ingress: WebhookIngress, publisher: FakePublisher, secret: str
) -> None:
    result = await ingress.handle(headers(secret=secret), BODY)
    assert result.status == 200
    assert len(publisher.calls) == 1


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2, 3]", b'"a string"', b"42", b"\xff\xfe{}", b"\xef\xbb\xbf{}"],
    ids=["text", "array", "string", "number", "not-utf8", "utf8-bom"],
)
async def test_body_that_is_not_a_json_object_is_400(
    ingress: WebhookIngress, publisher: FakePublisher, body: bytes
) -> None:
    result = await ingress.handle(headers(body), body)

    assert result.status == 400
    assert result.outcome == "rejected"
    assert publisher.calls == []
    assert ingress.stats.rejected["bad_json"] == 1


async def test_utf16_json_is_400_not_a_crash(
    ingress: WebhookIngress, publisher: FakePublisher
) -> None:
    # json.loads(bytes) would decode UTF-16; the record payload must be UTF-8 text.
    body = '{"id": 1}'.encode("utf-16")
    result = await ingress.handle(headers(body), body)
    assert result.status == 400
    assert publisher.calls == []


async def test_same_event_id_twice_is_a_duplicate(
    ingress: WebhookIngress, publisher: FakePublisher
) -> None:
    first = await ingress.handle(headers(), BODY)
    # A retry: same event, new delivery attempt series.
    second = await ingress.handle(headers(X_Shopify_Webhook_Id="wh-2"), BODY)

    assert (first.status, first.outcome) == (200, "accepted")
    assert (second.status, second.outcome) == (200, "duplicate")
    assert second.body() == {"status": "duplicate"}
    assert len(publisher.calls) == 1
    assert ingress.stats.accepted == 1
    assert ingress.stats.duplicates == 1


async def test_different_event_ids_are_both_published(
    ingress: WebhookIngress, publisher: FakePublisher
) -> None:
    await ingress.handle(headers(), BODY)
    await ingress.handle(headers(X_Shopify_Event_Id="ev-2"), BODY)
    assert [h for _, _, h in publisher.calls] == [
        [(DEDUP_HEADER, b"ev-1")],
        [(DEDUP_HEADER, b"ev-2")],
    ]


async def test_webhook_id_is_the_key_without_an_event_id(
    ingress: WebhookIngress, publisher: FakePublisher
) -> None:
    sent = headers(X_Shopify_Event_Id=None)
    first = await ingress.handle(sent, BODY)
    second = await ingress.handle(sent, BODY)
    other = await ingress.handle(
        headers(X_Shopify_Event_Id=None, X_Shopify_Webhook_Id="wh-9"), BODY
    )

    assert [first.outcome, second.outcome, other.outcome] == ["accepted", "duplicate", "accepted"]
    assert len(publisher.calls) == 2
    event, _, record_headers = publisher.calls[0]
    assert event.event_id == "wh-1"
    assert record_headers == [(DEDUP_HEADER, b"wh-1")]


async def test_duplicate_after_the_window_is_published_again(
    ingress: WebhookIngress, publisher: FakePublisher, clock: Clock
) -> None:
    await ingress.handle(headers(), BODY)
    clock.now += 3601
    result = await ingress.handle(headers(), BODY)
    assert result.outcome == "accepted"
    assert len(publisher.calls) == 2


async def test_concurrent_identical_deliveries_publish_once(
    ingress: WebhookIngress, publisher: FakePublisher
) -> None:
    publisher.gate = asyncio.Event()

    async def release() -> None:
        await asyncio.sleep(0)
        assert publisher.gate is not None
        publisher.gate.set()

    results = await asyncio.gather(
        ingress.handle(headers(), BODY),
        ingress.handle(headers(X_Shopify_Webhook_Id="wh-2"), BODY),
        ingress.handle(headers(), BODY),
        release(),
    )

    outcomes = sorted(r.outcome for r in results[:3])
    assert outcomes == ["accepted", "duplicate", "duplicate"]
    assert all(r.status == 200 for r in results[:3])
    assert len(publisher.calls) == 1
    assert ingress.stats.accepted == 1
    assert ingress.stats.duplicates == 2


async def test_concurrent_deliveries_share_a_broker_failure(
    ingress: WebhookIngress, publisher: FakePublisher
) -> None:
    publisher.gate = asyncio.Event()
    publisher.fail = RuntimeError("broker down")

    async def release() -> None:
        await asyncio.sleep(0)
        assert publisher.gate is not None
        publisher.gate.set()

    results = await asyncio.gather(
        ingress.handle(headers(), BODY), ingress.handle(headers(), BODY), release()
    )

    assert [r.status for r in results[:2]] == [503, 503]
    # Neither was a duplicate of anything that got through.
    assert ingress.stats.duplicates == 0
    assert ingress.stats.accepted == 0
    # Nothing remembered: Shopify's retry is published.
    publisher.gate = None
    publisher.fail = None
    assert (await ingress.handle(headers(), BODY)).outcome == "accepted"
    assert len(publisher.calls) == 1


async def test_publisher_failure_is_503_and_the_key_is_not_remembered(
    ingress: WebhookIngress, publisher: FakePublisher
) -> None:
    publisher.fail = ConnectionError("broker down")
    failed = await ingress.handle(headers(), BODY)

    assert (failed.status, failed.outcome) == (503, "unavailable")
    assert "broker" not in failed.detail  # internal errors are not echoed to Shopify
    assert ingress.stats.rejected["broker_unavailable"] == 1
    assert ingress.stats.accepted == 0

    publisher.fail = None
    retried = await ingress.handle(headers(), BODY)
    assert (retried.status, retried.outcome) == (200, "accepted")
    assert len(publisher.calls) == 1


async def test_cancelled_publish_frees_the_key(
    ingress: WebhookIngress, publisher: FakePublisher
) -> None:
    publisher.gate = asyncio.Event()
    task = asyncio.create_task(ingress.handle(headers(), BODY))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    publisher.gate = None
    assert (await ingress.handle(headers(), BODY)).outcome == "accepted"


async def test_unknown_topic_is_accepted_and_counted(
    ingress: WebhookIngress, publisher: FakePublisher
) -> None:
    body = json.dumps({"id": 77}).encode()
    result = await ingress.handle(headers(body, X_Shopify_Topic="carts/update"), body)

    assert (result.status, result.outcome) == (200, "accepted")
    assert len(publisher.calls) == 1
    assert publisher.calls[0][1] == f"{SHOP}/77"
    assert ingress.stats.unknown_topics == {"carts/update": 1}
    assert ingress.stats.accepted == 1


async def test_stats_count_each_outcome(ingress: WebhookIngress, publisher: FakePublisher) -> None:
    await ingress.handle(headers(), BODY)  # accepted
    await ingress.handle(headers(), BODY)  # duplicate
    await ingress.handle(headers(secret="forged"), BODY)  # bad hmac
    await ingress.handle(headers(b"[]"), b"[]")  # bad json
    await ingress.handle(headers(X_Shopify_Topic=None), BODY)  # bad headers
    await ingress.handle(headers(), b"{" + b" " * 5000 + b"}")  # too large

    assert ingress.stats.accepted == 1
    assert ingress.stats.duplicates == 1
    assert ingress.stats.rejected == {
        "bad_hmac": 1,
        "bad_json": 1,
        "bad_headers": 1,
        "too_large": 1,
    }
    assert not ingress.stats.unknown_topics


async def test_payload_without_id_falls_back_to_the_webhook_id(
    ingress: WebhookIngress, publisher: FakePublisher
) -> None:
    body = b'{"note": "no id here"}'
    result = await ingress.handle(headers(body, X_Shopify_Topic="shop/update"), body)

    assert result.status == 200
    event, key, _ = publisher.calls[0]
    assert key == f"{SHOP}/wh-1"
    assert event.resource_id == "wh-1"
    assert event.order_id is None


async def test_rejections_never_log_the_body_or_signature(
    ingress: WebhookIngress, caplog: pytest.LogCaptureFixture
) -> None:
    body = b'{"id": 1, "card": "4111111111111111"}'
    forged = headers(body, secret="forged")
    with caplog.at_level("WARNING"):
        await ingress.handle(forged, body)
    assert "4111111111111111" not in caplog.text
    assert forged["X-Shopify-Hmac-Sha256"] not in caplog.text
    assert SECRET not in caplog.text


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        # Issue 13: both answered 500 with a traceback, and Shopify retries a 5xx for hours.
        (b'{"a": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", "nested too deeply"),
        (b'{"id": ' + b"9" * 5000 + b"}", "a number has over 4300 digits"),
    ],
    ids=["nested-200000-deep", "5000-digit-number"],
)
async def test_hostile_signed_bodies_are_400_with_the_reason(
    publisher: FakePublisher, clock: Clock, body: bytes, reason: str
) -> None:
    ingress = WebhookIngress(
        secrets=[SECRET],
        max_body_bytes=2 * 1024 * 1024,
        seen=SeenWindow(3600, clock=clock),
        publish=publisher,
        clock=lambda: NOW,
    )
    result = await ingress.handle(headers(body), body)
    assert (result.status, result.outcome) == (400, "rejected")
    assert reason in result.detail
    assert ingress.stats.rejected["bad_json"] == 1
    assert publisher.calls == []
    # The next delivery is served as usual.
    assert (await ingress.handle(headers(), BODY)).status == 200
