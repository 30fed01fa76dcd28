"""The reconciliation run: what it publishes, how the watermark moves, deterministic ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from schemas.records import EventSource, ShopifyEvent
from streams.ingress.dedup import DEDUP_HEADER
from streams.reconcile import MemoryWatermarkStore, Reconciler, advance
from streams.reconcile.poller import event_id, search_time
from streams.settings import ReconcileSettings
from tests.unit.streams.reconcile.fakes import (
    JsonEncoder,
    PagedOrders,
    RecordingProducer,
    order_node,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SHOP = "casebridge-demo.myshopify.com"
OVERLAP = timedelta(minutes=2)


def make(
    nodes: list[dict[str, object]],
    store: MemoryWatermarkStore | None = None,
    **options: object,
) -> tuple[Reconciler, PagedOrders, RecordingProducer, MemoryWatermarkStore]:
    client = PagedOrders([dict(n) for n in nodes])
    producer = RecordingProducer()
    store = store or MemoryWatermarkStore()
    reconciler = Reconciler(
        client,
        producer,
        JsonEncoder(),
        store,
        shop=SHOP,
        api_version="2026-01",
        topic="test.webhooks",
        settings=ReconcileSettings(overlap_s=OVERLAP.total_seconds(), **options),  # type: ignore[arg-type]
        clock=lambda: NOW,
    )
    return reconciler, client, producer, store


def published(producer: RecordingProducer) -> list[ShopifyEvent]:
    return [ShopifyEvent.model_validate_json(value or b"") for _, value, _, _ in producer.sent]


async def test_publishes_each_changed_order_like_the_ingress() -> None:
    nodes = [order_node(1, "2026-11-26T09:00:00Z"), order_node(2, "2026-11-26T10:30:00Z")]
    reconciler, _, producer, _ = make(nodes)

    run = await reconciler.run_once()

    assert (run.orders_seen, run.events_published, run.complete) == (2, 2, True)
    topic, _, key, headers = producer.sent[0]
    assert topic == "test.webhooks"
    assert key == f"{SHOP}/1".encode()
    first, second = published(producer)
    assert headers == [(DEDUP_HEADER, first.event_id.encode())]
    assert first.event_id == "reconcile:gid://shopify/Order/1:2026-11-26T09:00:00Z"
    assert first.topic == "orders/updated"
    assert first.source is EventSource.RECONCILIATION
    assert (first.order_id, first.resource_id, first.shop) == ("1", "1", SHOP)
    assert first.triggered_at == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    assert json.loads(first.payload)["updated_at"] == "2026-11-26T09:00:00Z"
    assert second.order_id == "2"


async def test_the_same_order_state_always_gets_the_same_event_id() -> None:
    nodes = [order_node(1, "2026-11-26T09:00:00Z")]
    first_run, _, first, _ = make(nodes)
    second_run, _, second, _ = make(nodes)

    await first_run.run_once()
    await second_run.run_once()

    assert published(first)[0].event_id == published(second)[0].event_id
    assert event_id("gid://shopify/Order/1", "T") == "reconcile:gid://shopify/Order/1:T"


async def test_first_run_looks_back_and_the_watermark_advances_minus_overlap() -> None:
    nodes = [order_node(1, "2026-11-26T09:00:00Z"), order_node(2, "2026-11-26T10:30:00Z")]
    reconciler, client, _, store = make(nodes, initial_lookback_s=6 * 3600)

    run = await reconciler.run_once()

    assert client.calls[0]["query"] == "updated_at:>'2026-11-26T06:00:00Z'"
    assert run.since == NOW - timedelta(hours=6)
    newest = datetime(2026, 11, 26, 10, 30, tzinfo=UTC)
    assert run.watermark == newest - OVERLAP
    assert store.values[SHOP] == newest - OVERLAP


async def test_next_run_starts_from_the_stored_watermark() -> None:
    mark = datetime(2026, 11, 26, 10, 28, tzinfo=UTC)
    store = MemoryWatermarkStore({SHOP: mark})
    reconciler, client, _, _ = make([], store)

    run = await reconciler.run_once()

    assert client.calls[0]["query"] == f"updated_at:>'{search_time(mark)}'"
    assert run.watermark == mark
    assert store.saves == []  # nothing new: nothing written


async def test_watermark_never_moves_back() -> None:
    mark = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
    # An order inside the overlap window, re-read on this run.
    store = MemoryWatermarkStore({SHOP: mark})
    reconciler, _, _, _ = make([order_node(1, "2026-11-26T11:01:00Z")], store)

    run = await reconciler.run_once()

    assert run.watermark == mark
    assert advance(mark, None, OVERLAP) == mark
    assert advance(mark, mark + timedelta(minutes=10), OVERLAP) == mark + timedelta(minutes=8)


async def test_pages_through_and_saves_after_every_page() -> None:
    nodes = [order_node(i, f"2026-11-26T0{i}:00:00Z") for i in range(1, 6)]
    reconciler, client, producer, store = make(nodes, page_size=2)

    run = await reconciler.run_once()

    assert [call["after"] for call in client.calls] == [None, "2", "4"]
    assert run.pages == 3 and run.events_published == 5
    assert [mark.hour for _, mark in store.saves] == [1, 3, 4]  # 02:00, 04:00, 05:00 minus 2 min
    assert len(producer.sent) == 5


async def test_max_pages_stops_a_run_and_the_next_continues() -> None:
    nodes = [order_node(i, f"2026-11-26T0{i}:00:00Z") for i in range(1, 6)]
    store = MemoryWatermarkStore()
    reconciler, _, _, _ = make(nodes, store, page_size=2, max_pages=1)

    run = await reconciler.run_once()

    assert not run.complete
    assert run.watermark == datetime(2026, 11, 26, 2, 0, tzinfo=UTC) - OVERLAP
