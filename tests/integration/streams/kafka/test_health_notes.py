"""Health notes through the real broker: what one stage writes, another process reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.opentext import OpenTextAuthError
from streams.kafka.health import RemoteHealth, notes_publisher, read_notes
from streams.kafka.producer import AsyncProducer
from streams.kafka.watermark import KafkaWatermarkStore
from streams.ops.metrics import OPENTEXT_AUTH_ERRORS

pytestmark = pytest.mark.integration


async def test_a_refusal_and_its_end_reach_another_reader(
    bootstrap_servers: str, unique: str
) -> None:
    config = {"bootstrap.servers": bootstrap_servers}
    topic = f"test.health.{unique}"
    producer = AsyncProducer(config)
    try:
        store = KafkaWatermarkStore(config, producer, topic=topic)
        publish = notes_publisher(store, f"app-{unique}")
        health = RemoteHealth("opentext", "sink", OPENTEXT_AUTH_ERRORS, publish=publish)
        await store.prepare()
        await store.save("a.myshopify.com", datetime.now(UTC))
        await health.failure(OpenTextAuthError("gateway refused the call (HTTP 401)", status=401))

        reader = KafkaWatermarkStore(config, None, topic=topic)
        (note,) = read_notes(reader, f"app-{unique}")  # the watermark record is not a note
        assert note.failing and note.errors == 1 and "HTTP 401" in (note.last_error or "")
        assert read_notes(reader, "another-app") == []

        await health.success()
        (recovered,) = read_notes(reader, f"app-{unique}")
        assert not recovered.failing and recovered.errors == 1
    finally:
        producer.close()
