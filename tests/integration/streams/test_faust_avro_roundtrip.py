"""Avro from a plain confluent-kafka producer, through a Faust agent, and back.

Real broker, real registry: the external producer path (``SerializingProducer``
with our serializer), the Faust codec on both sides of an agent, and a plain
consumer decoding the agent's output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from confluent_kafka import Consumer, SerializingProducer

from connectors.serde import AvroSerde, RegistryClient, make_value_serializer
from schemas.records import CaseStatus, EventSource, ShopifyEvent
from streams.topics import TopicSpec, ensure_topics
from tests.conftest import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]


def _event(n: int) -> ShopifyEvent:
    return ShopifyEvent(
        event_id=f"evt-{n}",
        webhook_id=f"wh-{n}",
        shop="roundtrip.myshopify.com",
        topic="orders/create",
        api_version="2026-01",
        triggered_at=datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
        received_at=datetime.now(UTC),
        resource_id=str(2**60 + n),
        order_id=str(2**60 + n),
        source=EventSource.WEBHOOK,
        payload=json.dumps({"id": 2**60 + n}),
    )


def test_confluent_producer_to_faust_agent_and_back(
    bootstrap_servers: str, registry_url: str, unique: str, tmp_path: Path
) -> None:
    source, sink = f"test.rt.{unique}.in", f"test.rt.{unique}.out"
    ensure_topics(
        {"bootstrap.servers": bootstrap_servers},
        [TopicSpec(source, 2), TopicSpec(sink, 2)],
    )
    env = {
        **os.environ,
        "CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS": bootstrap_servers,
        "CASEBRIDGE_REGISTRY__URL": registry_url,
        "CASEBRIDGE_DATA_DIR": str(tmp_path / "worker"),
        "CB_TEST_SOURCE": source,
        "CB_TEST_SINK": sink,
        "CB_TEST_APP_ID": f"test-roundtrip-{unique}",
        "CB_TEST_WEB_PORT": str(free_port()),
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "faust",
            "-A",
            "tests.integration.streams.passthrough_app",
            "worker",
            "-l",
            "warn",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        producer = SerializingProducer(
            {
                "bootstrap.servers": bootstrap_servers,
                "acks": "all",
                "value.serializer": make_value_serializer(
                    source, registry_url, record="ShopifyEvent"
                ),
            }
        )
        for n in range(5):
            producer.produce(source, key=f"roundtrip/{n}".encode(), value=_event(n))
        assert producer.flush(15) == 0

        registry = RegistryClient(registry_url)
        states = AvroSerde("CaseState", registry, subject=f"{sink}-value")
        consumer = Consumer(
            {
                "bootstrap.servers": bootstrap_servers,
                "group.id": f"test-rt-reader-{unique}",
                "auto.offset.reset": "earliest",
            }
        )
        consumer.subscribe([sink])
        received: dict[str, dict[str, object]] = {}
        deadline = time.monotonic() + 90
        while len(received) < 5 and time.monotonic() < deadline:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
            msg = consumer.poll(0.5)
            if msg is None or msg.error():
                continue
            value = states.decode(msg.value())
            received[str(value["case_id"])] = value
        consumer.close()
    finally:
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()

    assert sorted(received) == [f"TEST-evt-{n}" for n in range(5)], (
        tmp_path / "worker.log"
    ).read_text()[-3000:]
    first = received["TEST-evt-0"]
    assert first["status"] == CaseStatus.REQUESTED.value
    assert first["shop"] == "roundtrip.myshopify.com"
    assert first["subject_id"] == str(2**60)
    assert first["detail"] == "from orders/create"
