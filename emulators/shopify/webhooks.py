"""Webhook subscriptions, signing and the asynchronous delivery worker.

Every committed store event becomes one :class:`Delivery` per matching
subscription. The worker POSTs the raw body with Shopify's headers; a non-2xx
answer, an error or a timeout is retried on ``delivery.retry_schedule_s``
(scaled by ``time_scale``) with the *same* body, webhook id and event id. Every
attempt is recorded for inspection through ``/_emulator/webhooks/deliveries``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import random
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import httpx

from emulators.shopify.clock import Clock
from emulators.shopify.config import EmulatorConfig
from emulators.shopify.store import Store

USER_AGENT = "Shopify-Captain-Hook"
MAX_RECORDED = 20_000


def sign(body: bytes, secret: str) -> str:
    """``X-Shopify-Hmac-Sha256``: base64 HMAC-SHA256 of the raw body."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def topic_to_rest(topic: str) -> str:
    """``ORDERS_CREATE`` -> ``orders/create``; REST topics pass through lower-cased."""
    if "/" in topic or topic == "*":
        return topic.lower()
    for resource in (
        "FULFILLMENT_ORDERS",
        "FULFILLMENT_HOLDS",
        "FULFILLMENT_EVENTS",
        "INVENTORY_LEVELS",
    ):
        if topic.startswith(resource + "_"):
            return f"{resource.lower()}/{topic[len(resource) + 1 :].lower()}"
    resource, _, action = topic.partition("_")
    return f"{resource.lower()}/{action.lower()}"


@dataclass
class Attempt:
    """One HTTP attempt of a delivery."""

    attempt: int
    status: int | None
    error: str | None
    at: str
    duration_ms: int


@dataclass
class Delivery:
    """One webhook message to one address, with its attempts."""

    id: int
    shop: str
    topic: str
    address: str
    webhook_id: str
    event_id: str
    triggered_at: str
    body: bytes
    headers: dict[str, str]
    attempts: list[Attempt] = field(default_factory=list)
    state: str = "pending"  # pending | retrying | delivered | failed
    duplicate_of: int | None = None

    def as_dict(self, with_body: bool = True) -> dict[str, Any]:
        """JSON view for the admin surface."""
        out: dict[str, Any] = {
            "id": self.id,
            "shop": self.shop,
            "topic": self.topic,
            "address": self.address,
            "webhook_id": self.webhook_id,
            "event_id": self.event_id,
            "triggered_at": self.triggered_at,
            "state": self.state,
            "duplicate_of": self.duplicate_of,
            "headers": self.headers,
            "attempts": [vars(a) for a in self.attempts],
        }
        if with_body:
            out["payload"] = json.loads(self.body)
        return out


class WebhookDispatcher:
    """Turns store events into signed deliveries and sends them.

    Args:
        config: subscriptions from config, retry schedule and test knobs.
        store: the store (for runtime subscriptions and shop secrets).
        clock: used for sleeps between retries and timestamps.
        transport: an httpx transport to swap the network out in tests.
    """

    def __init__(
        self,
        config: EmulatorConfig,
        store: Store,
        clock: Clock,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self._transport = transport
        self._rng = random.Random(config.seed)
        self._queue: asyncio.Queue[Delivery] = asyncio.Queue()
        self._backlog: list[Delivery] = []
        self._next_id = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._worker: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self.deliveries: deque[Delivery] = deque(maxlen=MAX_RECORDED)
        store.listeners.append(self.on_event)

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def subscriptions(self, shop: str, topic: str) -> list[tuple[str, str]]:
        """(subscription name, address) pairs for a shop and REST topic."""
        out: list[tuple[str, str]] = []
        for index, sub in enumerate(self.config.webhooks):
            rest = topic_to_rest(sub.topic)
            if (sub.shop is None or sub.shop == shop) and rest in {topic, "*"}:
                out.append((f"config-{index}", sub.address))
        state = self.store.shops.get(shop)
        for live in state.subscriptions.values() if state else ():
            if live.topic == topic:
                out.append((f"subscription-{live.id}", live.uri))
        return out

    def on_event(self, shop: str, topic: str, payload: dict[str, Any]) -> None:
        """Store listener: one delivery per matching subscription, same event id."""
        targets = self.subscriptions(shop, topic)
        if not targets:
            return
        shop_config = self.store.shops[shop].config
        event_id = self._uuid()
        triggered = self.clock.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        body = json.dumps(payload, separators=(",", ":")).encode()
        for name, address in targets:
            headers = {
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "X-Shopify-Topic": topic,
                "X-Shopify-Hmac-Sha256": sign(body, shop_config.app_secret),
                "X-Shopify-Shop-Domain": shop,
                "X-Shopify-API-Version": shop_config.api_version,
                "X-Shopify-Webhook-Id": self._uuid(),
                "X-Shopify-Event-Id": event_id,
                "X-Shopify-Triggered-At": triggered,
                "X-Shopify-Name": name,
            }
            self._next_id += 1
            delivery = Delivery(
                id=self._next_id,
                shop=shop,
                topic=topic,
                address=address,
                webhook_id=headers["X-Shopify-Webhook-Id"],
                event_id=event_id,
                triggered_at=triggered,
                body=body,
                headers=headers,
            )
            self.deliveries.append(delivery)
            self._queue.put_nowait(delivery)

    async def start(self) -> None:
        """Start the worker (idempotent)."""
        if self._worker is None:
            self._client = httpx.AsyncClient(
                transport=self._transport, timeout=self.config.delivery.timeout_s
            )
            self._worker = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop the worker and pending retries."""
        tasks = [*self._tasks, *([self._worker] if self._worker else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._worker = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def clear(self) -> None:
        """Forget recorded deliveries (admin reset); queued ones still go out."""
        self.deliveries.clear()

    def busy(self) -> bool:
        """True while deliveries are queued, being sent or waiting for a retry."""
        return bool(
            self._queue.qsize() or self._tasks or any(d.state == "pending" for d in self.deliveries)
        )

    async def _run(self) -> None:
        knobs = self.config.delivery
        while True:
            batch = [await self._queue.get()]
            if knobs.out_of_order:
                # Collect what arrives within the window, then send it shuffled.
                await asyncio.sleep(knobs.batch_window_s)
                while not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                self._rng.shuffle(batch)
            for delivery in batch:
                ok = await self._attempt(delivery)
                if not ok:
                    self._spawn(self._retry(delivery))
                elif knobs.duplicate_rate and self._rng.random() < knobs.duplicate_rate:
                    self._spawn(self._duplicate(delivery))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _attempt(self, delivery: Delivery) -> bool:
        knobs = self.config.delivery
        if knobs.added_delay_s:
            await self.clock.sleep(knobs.added_delay_s)
        assert self._client is not None
        number = len(delivery.attempts) + 1
        loop = asyncio.get_running_loop()
        started = loop.time()
        status: int | None = None
        error: str | None = None
        try:
            response = await self._client.post(
                delivery.address, content=delivery.body, headers=delivery.headers
            )
            status = response.status_code
        except httpx.TimeoutException:
            error = "timeout"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        delivery.attempts.append(
            Attempt(
                attempt=number,
                status=status,
                error=error,
                at=self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
                duration_ms=int((loop.time() - started) * 1000),
            )
        )
        ok = status is not None and 200 <= status < 300
        delivery.state = "delivered" if ok else "retrying"
        return ok

    async def _retry(self, delivery: Delivery) -> None:
        knobs = self.config.delivery
        for wait in knobs.retry_schedule_s:
            await self.clock.sleep(wait * knobs.time_scale)
            if await self._attempt(delivery):
                return
        delivery.state = "failed"

    async def _duplicate(self, original: Delivery) -> None:
        self._next_id += 1
        copy = Delivery(
            id=self._next_id,
            shop=original.shop,
            topic=original.topic,
            address=original.address,
            webhook_id=original.webhook_id,
            event_id=original.event_id,
            triggered_at=original.triggered_at,
            body=original.body,
            headers=dict(original.headers),
            duplicate_of=original.id,
        )
        self.deliveries.append(copy)
        if not await self._attempt(copy):
            await self._retry(copy)
