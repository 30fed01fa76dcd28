"""Helpers for the operations tools against the real broker: topics, a consumer, records."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from confluent_kafka import Consumer, Message, Producer
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic


@pytest.fixture
def admin(bootstrap_servers: str) -> AdminClient:
    return AdminClient({"bootstrap.servers": bootstrap_servers})


@pytest.fixture
def make_topic(admin: AdminClient) -> Iterator[Callable[[str, int], str]]:
    """Create topics that are deleted again after the test."""
    created: list[str] = []

    def make(name: str, partitions: int = 1) -> str:
        for future in admin.create_topics([NewTopic(name, partitions, 1)]).values():
            future.result(timeout=30)
        created.append(name)
        return name

    yield make
    if created:
        for future in admin.delete_topics(created).values():
            future.result(timeout=30)


def produce(
    bootstrap_servers: str,
    topic: str,
    records: list[tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]],
    partition: int | None = None,
) -> None:
    """Produce (key, value, headers) records and wait for the acknowledgements."""
    producer = Producer({"bootstrap.servers": bootstrap_servers, "acks": "all"})
    for key, value, headers in records:
        kwargs: dict[str, Any] = {"key": key, "value": value, "headers": headers}
        if partition is not None:
            kwargs["partition"] = partition
        producer.produce(topic, **kwargs)
    assert producer.flush(30) == 0


def consume(
    bootstrap_servers: str, topic: str, group: str, count: int, timeout_s: float = 30.0
) -> list[Message]:
    """Consume ``count`` records as ``group``, commit them, and leave the group."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap_servers,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic])
    got: list[Message] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(got) < count and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error() is not None:
                continue
            got.append(msg)
        if got:
            consumer.commit(asynchronous=False)
    finally:
        consumer.close()
    assert len(got) == count, f"consumed {len(got)} of {count} from {topic}"
    return got
