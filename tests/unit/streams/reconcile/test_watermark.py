"""Watermark records, and the reconcile stage's options and timer tick."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from connectors.shopify.errors import ShopifyUnavailableError
from streams.kafka.watermark import decode_watermark, encode_watermark
from streams.reconcile import MemoryWatermarkStore, ReconcileOptions, Reconciler
from streams.reconcile.agent import ReconcileTick, reconcile_options
from streams.settings import Settings
from tests.unit.streams.reconcile.fakes import JsonEncoder, PagedOrders, RecordingProducer


def test_watermark_record_round_trip() -> None:
    mark = datetime(2026, 11, 26, 10, 28, tzinfo=timezone(timedelta(hours=2)))
    value = encode_watermark("shop.myshopify.com", mark, datetime(2026, 11, 26, tzinfo=UTC))

    assert json.loads(value)["watermark"] == "2026-11-26T08:28:00+00:00"
    assert decode_watermark(value) == mark


def test_a_naive_watermark_is_refused() -> None:
    with pytest.raises(ValueError):
        decode_watermark(b'{"watermark": "2026-11-26T08:28:00"}')


async def test_memory_store() -> None:
    store = MemoryWatermarkStore()
    mark = datetime(2026, 11, 26, tzinfo=UTC)

    assert await store.load("s") is None
    await store.save("s", mark)
    assert await store.load("s") == mark


def test_options_default_without_a_settings_section() -> None:
    assert reconcile_options(Settings()) == ReconcileOptions()


def test_options_from_a_settings_section() -> None:
    section = SimpleNamespace(interval_s=60.0, overlap_s=30, initial_lookback_s=3600, page_size=3)
    settings = SimpleNamespace(reconcile=section)

    options = reconcile_options(settings)  # type: ignore[arg-type]

    assert options.interval_s == 60.0 and options.page_size == 3
    assert options.overlap == timedelta(seconds=30)
    assert options.initial_lookback == timedelta(hours=1)


class _Store(MemoryWatermarkStore):
    def __init__(self) -> None:
        super().__init__()
        self.prepared = 0

    async def prepare(self, replication_factor: int = 1) -> None:
        self.prepared += 1


async def test_a_failed_tick_is_counted_and_the_next_one_runs() -> None:
    class Down(PagedOrders):
        async def execute(self, *args: object, **kwargs: object) -> dict[str, object]:
            raise ShopifyUnavailableError("down", attempts=3, status=503)

    store = _Store()
    reconciler = Reconciler(
        Down([]), RecordingProducer(), JsonEncoder(), store, shop="s", api_version="2026-01"
    )
    tick = ReconcileTick(reconciler, store)

    assert await tick() is None
    assert await tick() is None
    assert reconciler.stats["failed_runs"] == 2
    assert store.prepared == 1  # the topic is created once, not per tick
