"""Reconciliation over the Shopify emulator's orders into a unique topic on the real broker."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from confluent_kafka import Consumer
from confluent_kafka.admin import AdminClient, ConfigResource, ResourceType

from connectors.serde import AvroSerde, RegistryClient, value_subject
from connectors.shopify import operations as ops
from schemas.records import EventSource, ShopifyEvent
from streams.kafka.producer import AsyncProducer
from streams.reconcile import KafkaWatermarkStore, ReconcileOptions, Reconciler
from streams.topics import TopicSpec, ensure_topics
from tests.integration.streams.classify.enrich.emulator import SHOP, running_emulator

pytestmark = pytest.mark.integration


def read_all(bootstrap: str, topic: str, serde: AvroSerde, count: int) -> list[tuple[bytes, Any]]:
    """``count`` records of ``topic`` from the start (key, decoded event)."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"{topic}-reader",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic])
    found: list[tuple[bytes, Any]] = []
    try:
        for _ in range(60):
            message = consumer.poll(0.5)
            if message is None or message.error() is not None:
                if len(found) >= count:
                    break
                continue
            found.append(
                (message.key() or b"", ShopifyEvent.from_avro(serde.decode(message.value() or b"")))
            )
    finally:
        consumer.close()
    return found


async def test_reconcile_emulator_orders_to_kafka(
    bootstrap_servers: str, registry_url: str, unique: str
) -> None:
    topic = f"test.reconcile.webhooks.{unique}"
    watermarks = f"test.reconcile.watermarks.{unique}"
    config = {"bootstrap.servers": bootstrap_servers}
    ensure_topics(config, [TopicSpec(topic, 1)])
    registry = RegistryClient(registry_url)
    serde = AvroSerde("ShopifyEvent", registry, subject=value_subject(topic))
    producer = AsyncProducer(config)
    try:
        async with running_emulator() as emulator:
            created = await emulator.seed(
                {
                    "orders": [
                        {
                            "email": f"c{i}@example.com",
                            "customer": {"email": f"c{i}@example.com"},
                            "line_items": [{"title": "Widget", "quantity": 1, "price": "10.00"}],
                            "shipping_address": {"address1": "x", "city": "y", "country_code": "KP"}
                            if i == 0
                            else None,
                        }
                        for i in range(3)
                    ]
                }
            )
            store = KafkaWatermarkStore(config, producer, topic=watermarks)
            await store.prepare()
            reconciler = Reconciler(
                emulator.client,
                producer,
                serde,
                store,
                shop=SHOP,
                api_version="2026-01",
                topic=topic,
                options=ReconcileOptions(overlap=timedelta(0), page_size=2),
            )

            first = await reconciler.run_once()
            assert (first.orders_seen, first.pages, first.complete) == (3, 2, True)
            # The watermark is in Kafka: a new store (a new leader) reads it back.
            saved = await KafkaWatermarkStore(config, producer, topic=watermarks).load(SHOP)
            assert saved == first.watermark > first.since

            # Nothing changed: only orders of the watermark's own second come back,
            # with the event ids they had (classify drops them as duplicates).
            second = await reconciler.run_once()
            assert second.watermark == first.watermark

            await asyncio.sleep(1.1)  # Shopify timestamps have whole seconds
            await ops.order_update(emulator.client, {"id": created["orders"][1], "note": "late"})
            third = await reconciler.run_once()
            assert third.orders_seen == 1
            assert third.watermark > first.watermark

        records = read_all(
            bootstrap_servers,
            topic,
            serde,
            first.events_published + second.events_published + third.events_published,
        )
    finally:
        producer.close()
        registry.close()

    events = [event for _, event in records]
    first_ids = {e.event_id for e in events[: first.events_published]}
    second_ids = {e.event_id for e in events[first.events_published : -1]}
    assert len(first_ids) == 3 and second_ids <= first_ids
    updated = events[-1]
    assert updated.event_id not in first_ids
    assert json.loads(updated.payload)["note"] == "late"
    for key, event in records:
        assert event.source is EventSource.RECONCILIATION
        assert event.topic == "orders/updated"
        assert event.event_id.startswith(f"reconcile:gid://shopify/Order/{event.order_id}:")
        assert key == f"{SHOP}/{event.order_id}".encode()
    restricted = next(e for e in events if e.order_id == created["orders"][0].rsplit("/", 1)[-1])
    assert json.loads(restricted.payload)["shipping_address"]["country_code"] == "KP"


async def test_watermark_store_on_a_compacted_topic(bootstrap_servers: str, unique: str) -> None:
    config = {"bootstrap.servers": bootstrap_servers}
    topic = f"test.reconcile.watermarks.{unique}"
    producer = AsyncProducer(config)
    try:
        store = KafkaWatermarkStore(config, producer, topic=topic)
        assert await store.load("a.myshopify.com") is None  # no topic yet

        await store.prepare()
        assert await store.load("a.myshopify.com") is None  # empty topic
        first = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
        await store.save("a.myshopify.com", first)
        await store.save("b.myshopify.com", first + timedelta(hours=1))
        await store.save("a.myshopify.com", first + timedelta(minutes=5))

        assert await store.load("a.myshopify.com") == first + timedelta(minutes=5)
        assert await store.load("b.myshopify.com") == first + timedelta(hours=1)
    finally:
        producer.close()
    admin = AdminClient(config)
    (described,) = admin.describe_configs([ConfigResource(ResourceType.TOPIC, topic)]).values()
    assert described.result()["cleanup.policy"].value == "compact"
