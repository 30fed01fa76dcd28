"""A Faust agent on the real broker reads and writes through the Avro codec."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import faust
import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from connectors.serde import AvroSerde, RegistryClient
from connectors.serde.faust_codec import AvroCodec
from schemas.records import CaseState
from tests.unit.schemas.samples import samples

pytestmark = pytest.mark.integration


@pytest.fixture
def topics(bootstrap_servers: str, unique: str) -> Iterator[tuple[str, str]]:
    names = (f"it-faust-in-{unique}", f"it-faust-out-{unique}")
    admin = AdminClient({"bootstrap.servers": bootstrap_servers})
    for future in admin.create_topics([NewTopic(name, 1, 1) for name in names]).values():
        future.result(timeout=30)
    yield names
    admin.delete_topics(list(names))


async def test_agent_consumes_and_produces_avro(
    bootstrap_servers: str,
    registry_url: str,
    unique: str,
    topics: tuple[str, str],
    tmp_path: Path,
) -> None:
    source_name, sink_name = topics
    registry = RegistryClient(registry_url)
    source_serde = AvroSerde("CaseState", registry, subject=f"{source_name}-value")
    sink_serde = AvroSerde("CaseState", registry, subject=f"{sink_name}-value")

    app = faust.App(
        f"it-faust-{unique}",
        broker=f"kafka://{bootstrap_servers}",
        store="memory://",
        web_enabled=False,
        datadir=str(tmp_path),
        consumer_auto_offset_reset="earliest",
        topic_allow_declare=False,
        autodiscover=False,
    )
    source = app.topic(source_name, key_type=str, value_serializer=AvroCodec(source_serde, "model"))
    sink = app.topic(sink_name, key_type=str, value_serializer=AvroCodec(sink_serde))
    received: list[CaseState] = []

    @app.agent(source)
    async def escalate(stream: faust.StreamT[CaseState]) -> None:
        async for state in stream:
            received.append(state)
            await sink.send(
                key=state.case_id, value=state.model_copy(update={"escalation_level": 9})
            )

    record = samples()["CaseState"]
    assert isinstance(record, CaseState)
    producer = Producer({"bootstrap.servers": bootstrap_servers})
    producer.produce(source_name, key=b"case-1", value=source_serde.encode(record))
    assert producer.flush(30) == 0

    await app.start()
    try:
        for _ in range(300):
            if received:
                break
            await asyncio.sleep(0.1)
    finally:
        await app.stop()
    assert received == [record]

    consumer = Consumer(
        {"bootstrap.servers": bootstrap_servers, "group.id": f"it-{unique}",
         "auto.offset.reset": "earliest"}
    )  # fmt: skip
    consumer.subscribe([sink_name])
    try:
        message = None
        for _ in range(30):
            message = consumer.poll(1.0)
            if message is not None and message.error() is None:
                break
    finally:
        consumer.close()
    assert message is not None and message.value() is not None
    out = CaseState.from_avro(sink_serde.decode(bytes(message.value() or b"")))
    assert out.escalation_level == 9 and out.case_id == record.case_id
