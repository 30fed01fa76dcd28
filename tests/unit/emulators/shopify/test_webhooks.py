"""Unit tests of signing and the delivery worker with a mock transport and fake clock."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json

import httpx

from emulators.shopify import (
    DeliveryConfig,
    EmulatorConfig,
    FakeClock,
    WebhookSubscriptionConfig,
    sign,
)
from emulators.shopify.store import Store
from emulators.shopify.webhooks import WebhookDispatcher, topic_to_rest


def test_sign_matches_shopify_recipe() -> None:
    body = b'{"id":1}'
    expected = base64.b64encode(hmac.new(b"secret", body, hashlib.sha256).digest()).decode()
    assert sign(body, "secret") == expected


def test_topic_names() -> None:
    assert topic_to_rest("ORDERS_CREATE") == "orders/create"
    assert topic_to_rest("ORDERS_RISK_ASSESSMENT_CHANGED") == "orders/risk_assessment_changed"
    assert topic_to_rest("FULFILLMENT_ORDERS_PLACED_ON_HOLD") == "fulfillment_orders/placed_on_hold"
    assert topic_to_rest("FULFILLMENT_EVENTS_CREATE") == "fulfillment_events/create"
    assert topic_to_rest("orders/paid") == "orders/paid"


async def _run(
    statuses: list[int], schedule: list[float]
) -> tuple[WebhookDispatcher, list[httpx.Request], FakeClock]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(statuses[min(len(seen), len(statuses)) - 1])

    clock = FakeClock()
    config = EmulatorConfig(
        webhooks=[WebhookSubscriptionConfig(topic="orders/create", address="http://hook.test/x")],
        delivery=DeliveryConfig(retry_schedule_s=schedule),
    )
    store = Store(config, clock)
    dispatcher = WebhookDispatcher(config, store, clock, httpx.MockTransport(handler))
    await dispatcher.start()
    dispatcher.on_event("casebridge-demo.myshopify.com", "orders/create", {"id": 7})
    dispatcher.on_event(
        "casebridge-demo.myshopify.com", "orders/updated", {"id": 7}
    )  # no subscriber
    for _ in range(200):
        await asyncio.sleep(0)
        if not dispatcher.busy():
            break
    await dispatcher.stop()
    return dispatcher, seen, clock


async def test_retries_follow_the_schedule_on_the_fake_clock() -> None:
    dispatcher, seen, clock = await _run([500, 503, 200], [60, 120, 240])
    assert len(seen) == 3
    assert clock.monotonic() == 180  # 60 + 120: the third attempt succeeded
    assert len({r.headers["X-Shopify-Event-Id"] for r in seen}) == 1
    delivery = dispatcher.deliveries[0]
    assert [a.status for a in delivery.attempts] == [500, 503, 200]
    assert delivery.state == "delivered"
    body = seen[0].content
    assert json.loads(body) == {"id": 7}
    assert seen[0].headers["X-Shopify-Hmac-Sha256"] == sign(body, "emulator-webhook-secret")


async def test_gives_up_after_last_retry() -> None:
    dispatcher, seen, _ = await _run([500], [1, 1])
    assert len(seen) == 3 and dispatcher.deliveries[0].state == "failed"


async def test_timeout_counts_as_failure_and_is_retried() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ReadTimeout("slow receiver", request=request)
        return httpx.Response(200)

    clock = FakeClock()
    config = EmulatorConfig(
        webhooks=[WebhookSubscriptionConfig(topic="*", address="http://hook.test/x")],
        delivery=DeliveryConfig(retry_schedule_s=[5]),
    )
    dispatcher = WebhookDispatcher(
        config, Store(config, clock), clock, httpx.MockTransport(handler)
    )
    await dispatcher.start()
    dispatcher.on_event("casebridge-demo.myshopify.com", "disputes/create", {"id": 1})
    for _ in range(200):
        await asyncio.sleep(0)
        if not dispatcher.busy():
            break
    await dispatcher.stop()
    attempts = dispatcher.deliveries[0].attempts
    assert [(a.status, a.error) for a in attempts] == [(None, "timeout"), (200, None)]
