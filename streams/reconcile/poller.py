"""The reconciliation poller: orders changed in Shopify -> ``shopify.webhooks``, webhook or not.

Shopify tells apps not to rely on webhooks alone: deliveries fail, arrive a
day late, or are lost when a subscription is briefly broken. Each run of
:class:`Reconciler` asks the GraphQL API for the orders updated since the
watermark (oldest update first) and publishes, for each, a
:class:`~schemas.records.ShopifyEvent` exactly like the ingress would:

* topic ``orders/updated``, payload the REST-shaped order
  (:func:`streams.reconcile.rest.rest_order`), source RECONCILIATION;
* record key ``<shop>/<order id>`` (the order's partition, so it is ordered
  with the order's webhooks) and the ingress's ``casebridge.dedup_key`` header;
* event id ``reconcile:<order gid>:<updatedAt>``: deterministic, so a repeat
  of the same order state (the overlap below, a crashed run done again) has
  the same id and classify's per-subject event-id de-duplication drops it.

Against webhooks already delivered: classify keeps, per subject and topic,
the newest ``updated_at`` it acted on and ignores older ones, so a
reconciled order state that a webhook already delivered is never acted on
*as news*. A state with the very same ``updated_at`` passes that check
(classify drops strictly older states only) and is classified again; that is
harmless because case ids are deterministic (the same case is found open and
the request is attached to it, not opened twice) and the hold is idempotent.
Only ORDER_REVIEW rules run on ``orders/updated``; HIGH_VALUE_REVIEW (which
fires on ``orders/create`` only) is not recovered for a lost create webhook.

Watermark: after each page the watermark moves to the newest ``updatedAt``
seen minus ``overlap``, never backwards. The overlap re-reads a short window
each run because Shopify's search index is eventually consistent: an order
updated just before the newest one may be indexed a little later. Only
orders are reconciled: the Admin API (and the emulator) has no
``returns``/``disputes`` search by update time.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from connectors.shopify.client import GraphQLExecutor
from schemas.records import AvroRecord, EventSource, ShopifyEvent
from streams.kafka.headers import DEDUP_HEADER
from streams.kafka.watermark import WatermarkStore
from streams.reconcile.rest import RECONCILE_ORDERS, numeric_id, rest_order
from streams.topics import SHOPIFY_WEBHOOKS

log = logging.getLogger(__name__)

#: The webhook topic a reconciled order is published as.
RECONCILED_TOPIC = "orders/updated"
EVENT_ID_PREFIX = "reconcile:"


class Producer(Protocol):
    """The part of :class:`~streams.kafka.producer.AsyncProducer` the poller uses."""

    async def send(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None = None,
        headers: Any = None,
    ) -> Any:
        """Produce one record and wait for the broker's acknowledgement."""
        ...


class Encoder(Protocol):
    """The part of :class:`~connectors.serde.AvroSerde` the poller uses."""

    def encode(self, record: AvroRecord) -> bytes:
        """The record in the Confluent wire format."""
        ...


@dataclass(frozen=True, slots=True)
class ReconcileOptions:
    """How the poller pages and moves its watermark.

    Attributes:
        interval_s: seconds between runs (the Faust timer's interval).
        overlap: re-read window behind the newest update seen.
        initial_lookback: how far back the first run (no watermark yet) looks.
        page_size: orders per request (~90 cost points each with 20 lines).
        lines_first: line items read per order.
        max_pages: pages per run; the next run continues from the watermark.
    """

    interval_s: float = 300.0
    overlap: timedelta = timedelta(minutes=2)
    initial_lookback: timedelta = timedelta(hours=24)
    page_size: int = 5
    lines_first: int = 20
    max_pages: int = 200


@dataclass(frozen=True, slots=True)
class ReconcileRun:
    """What one :meth:`Reconciler.run_once` did."""

    since: datetime
    watermark: datetime
    orders_seen: int
    events_published: int
    pages: int
    complete: bool
    """False when ``max_pages`` stopped the run before the last page."""


def event_id(order_gid: str, updated_at: str) -> str:
    """The deterministic event id of one order state."""
    return f"{EVENT_ID_PREFIX}{order_gid}:{updated_at}"


def parse_time(value: str) -> datetime:
    """An ISO-8601 timestamp from Shopify (``Z`` suffix allowed) as aware UTC."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def search_time(moment: datetime) -> str:
    """``moment`` in the form Shopify's search syntax accepts (UTC, ``Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def advance(current: datetime, newest_seen: datetime | None, overlap: timedelta) -> datetime:
    """The next watermark: newest update minus the overlap, never behind ``current``."""
    if newest_seen is None:
        return current
    return max(current, newest_seen - overlap)


class Reconciler:
    """Publishes orders updated since the watermark as RECONCILIATION events.

    Args:
        client: the Shopify GraphQL client (or any :class:`GraphQLExecutor`).
        producer: an acks=all producer (:class:`~streams.kafka.producer.AsyncProducer`).
        serde: the ``shopify.webhooks`` value serde.
        store: where the watermark is kept.
        shop: the shop domain (record key and ``ShopifyEvent.shop``).
        api_version: recorded as the event's ``api_version``.
        topic: the Kafka topic to publish to (tests pass their own).
        options: paging and watermark behaviour.
        clock: the current time (for the first run's look-back and ``received_at``).
    """

    def __init__(
        self,
        client: GraphQLExecutor,
        producer: Producer,
        serde: Encoder,
        store: WatermarkStore,
        *,
        shop: str,
        api_version: str,
        topic: str = SHOPIFY_WEBHOOKS,
        options: ReconcileOptions | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._client = client
        self._producer = producer
        self._serde = serde
        self._store = store
        self.shop = shop
        self.api_version = api_version
        self.topic = topic
        self.options = options or ReconcileOptions()
        self._clock = clock
        self.stats: dict[str, int] = {"runs": 0, "orders": 0, "published": 0, "failed_runs": 0}

    def event_for(self, node: dict[str, Any], received_at: datetime) -> ShopifyEvent:
        """The :class:`ShopifyEvent` for one GraphQL order node."""
        payload = rest_order(node)
        order_gid = str(node["id"])
        updated_at = str(node.get("updatedAt") or "")
        order_id = str(numeric_id(order_gid))
        identity = event_id(order_gid, updated_at)
        return ShopifyEvent(
            event_id=identity,
            webhook_id=identity,
            shop=self.shop,
            topic=RECONCILED_TOPIC,
            api_version=self.api_version,
            triggered_at=parse_time(updated_at) if updated_at else None,
            received_at=received_at,
            resource_id=order_id,
            order_id=order_id,
            source=EventSource.RECONCILIATION,
            payload=json.dumps(payload, separators=(",", ":")),
        )

    async def publish(self, event: ShopifyEvent) -> None:
        """Publish ``event`` keyed like the ingress (``<shop>/<order id>``)."""
        key = f"{event.shop}/{event.order_id or event.resource_id}".encode()
        await self._producer.send(
            self.topic,
            self._serde.encode(event),
            key,
            [(DEDUP_HEADER, event.event_id.encode())],
        )

    async def run_once(self) -> ReconcileRun:
        """One reconciliation pass; the watermark is saved after every page.

        Raises:
            ShopifyError, ProduceError, WatermarkError: the run stopped; the
                watermark reflects the pages fully published before it.
        """
        self.stats["runs"] += 1
        now = self._clock()
        stored = await self._store.load(self.shop)
        since = stored if stored is not None else now - self.options.initial_lookback
        watermark = since
        cursor: str | None = None
        seen = published = pages = 0
        complete = False
        query = f"updated_at:>'{search_time(since)}'"
        while pages < self.options.max_pages:
            data = await self._client.execute(
                RECONCILE_ORDERS,
                {
                    "first": self.options.page_size,
                    "after": cursor,
                    "query": query,
                    "linesFirst": self.options.lines_first,
                },
            )
            pages += 1
            connection = data.get("orders") or {}
            newest: datetime | None = None
            for edge in connection.get("edges") or []:
                node = edge.get("node") if isinstance(edge, dict) else None
                if not isinstance(node, dict) or not node.get("id"):
                    continue
                seen += 1
                event = self.event_for(node, self._clock())
                await self.publish(event)
                published += 1
                if event.triggered_at is not None:
                    newest = max(newest or event.triggered_at, event.triggered_at)
            next_mark = advance(watermark, newest, self.options.overlap)
            if next_mark != watermark:
                # Saved only after the page's events were acknowledged: a crash
                # re-reads this page, never skips it.
                await self._store.save(self.shop, next_mark)
                watermark = next_mark
            page_info = connection.get("pageInfo") or {}
            cursor = page_info.get("endCursor")
            if not page_info.get("hasNextPage") or not cursor:
                complete = True
                break
        self.stats["orders"] += seen
        self.stats["published"] += published
        log.info(
            "reconciled %s: %d order(s) updated since %s, watermark now %s%s",
            self.shop,
            seen,
            since.isoformat(),
            watermark.isoformat(),
            "" if complete else f" (stopped after {pages} pages; continuing next run)",
        )
        return ReconcileRun(since, watermark, seen, published, pages, complete)


__all__ = [
    "EVENT_ID_PREFIX",
    "RECONCILED_TOPIC",
    "ReconcileOptions",
    "ReconcileRun",
    "Reconciler",
    "advance",
    "event_id",
    "parse_time",
    "search_time",
]
