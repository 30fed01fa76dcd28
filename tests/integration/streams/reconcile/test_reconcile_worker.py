"""The reconcile role in a real Faust worker: the leader's timer publishes the emulator's orders."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer

from connectors.serde import AvroSerde, RegistryClient, value_subject
from schemas.records import EventSource, ShopifyEvent
from streams.topics import TopicSpec, ensure_topics
from tests.conftest import free_port
from tests.integration.streams.classify.enrich.emulator import running_emulator

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[4]


async def test_leader_timer_reconciles_into_kafka(
    bootstrap_servers: str, registry_url: str, unique: str, tmp_path: Path
) -> None:
    topic = f"test.reconcile.worker.{unique}"
    ensure_topics({"bootstrap.servers": bootstrap_servers}, [TopicSpec(topic, 2)])
    async with running_emulator() as emulator:
        created = await emulator.seed(
            {
                "orders": [
                    {"email": f"w{i}@example.com", "line_items": [{"title": "W", "price": "5"}]}
                    for i in range(2)
                ]
            }
        )
        env = {
            **os.environ,
            "CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS": bootstrap_servers,
            "CASEBRIDGE_KAFKA__DEFAULT_PARTITIONS": "1",
            "CASEBRIDGE_REGISTRY__URL": registry_url,
            "CASEBRIDGE_SHOPIFY__BASE_URL": emulator.url,
            "CASEBRIDGE_DATA_DIR": str(tmp_path / "worker"),
            "CASEBRIDGE_APP_ID": f"test-reconcile-{unique}",
            "CASEBRIDGE_WEB_PORT": str(free_port()),
            "CB_TEST_TOPIC": topic,
            "CB_TEST_WATERMARKS": f"test.reconcile.worker.watermarks.{unique}",
        }
        log_path = tmp_path / "worker.log"
        with log_path.open("w") as log:
            worker = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "faust", "-A",
                "tests.integration.streams.reconcile.reconcile_app", "worker", "-l", "info",
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            registry = RegistryClient(registry_url)
            serde = AvroSerde("ShopifyEvent", registry, subject=value_subject(topic))
            consumer = Consumer(
                {
                    "bootstrap.servers": bootstrap_servers,
                    "group.id": f"{topic}-reader",
                    "auto.offset.reset": "earliest",
                }
            )
            consumer.subscribe([topic])
            events: dict[str, ShopifyEvent] = {}
            try:
                deadline = time.monotonic() + 90
                while len(events) < 2 and time.monotonic() < deadline:
                    assert worker.returncode is None, log_path.read_text()[-3000:]
                    # Off the event loop: the emulator answers the worker from this loop.
                    message = await asyncio.to_thread(consumer.poll, 0.5)
                    if message is None or message.error() is not None:
                        continue
                    event = ShopifyEvent.from_avro(serde.decode(message.value() or b""))
                    events[event.order_id or ""] = event
            finally:
                consumer.close()
                registry.close()
                worker.terminate()
                try:
                    await asyncio.wait_for(worker.wait(), 30)
                except TimeoutError:
                    worker.kill()

    expected = {gid.rsplit("/", 1)[-1] for gid in created["orders"]}
    assert set(events) == expected, log_path.read_text()[-3000:]
    assert all(e.source is EventSource.RECONCILIATION for e in events.values())
