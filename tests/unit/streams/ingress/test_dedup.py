"""WindowLoader: the de-duplication window rebuilt from the topic in batches, then kept current."""

from __future__ import annotations

import time
from typing import Any

from confluent_kafka import OFFSET_END, KafkaError, TopicPartition

from streams.ingress.dedup import DEDUP_HEADER, WindowLoader
from streams.runtime.seen import SeenWindow


class Clock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeMessage:
    def __init__(
        self,
        partition: int,
        key: str | None = None,
        at_ms: int = 0,
        eof: bool = False,
        other_headers: bool = False,
    ) -> None:
        self._partition = partition
        self._key = key
        self._at_ms = at_ms
        self._eof = eof
        self._other_headers = other_headers

    def error(self) -> KafkaError | None:
        return KafkaError(KafkaError._PARTITION_EOF) if self._eof else None

    def partition(self) -> int:
        return self._partition

    def headers(self) -> list[tuple[str, bytes]] | None:
        if self._other_headers:
            return [("something.else", b"x")]
        return None if self._key is None else [(DEDUP_HEADER, self._key.encode())]

    def timestamp(self) -> tuple[int, int]:
        return (1, self._at_ms)


class FakeConsumer:
    """Two partitions; consume() hands out the scripted batches, then nothing."""

    def __init__(self, config: dict[str, Any], batches: list[list[FakeMessage]]) -> None:
        self.config = config
        self.batches = batches
        self.consume_calls: list[tuple[int, float]] = []
        self.assigned: list[TopicPartition] = []
        self.closed = False

    def list_topics(self, topic: str, timeout: float) -> Any:
        partitions = {0: object(), 1: object()}
        return type("Meta", (), {"topics": {topic: type("T", (), {"partitions": partitions})}})

    def offsets_for_times(self, wanted: list[TopicPartition], timeout: float) -> Any:
        return [
            TopicPartition(tp.topic, tp.partition, 5 if tp.partition == 0 else -1) for tp in wanted
        ]

    def assign(self, offsets: list[TopicPartition]) -> None:
        self.assigned = offsets

    def consume(self, num_messages: int, timeout: float) -> list[FakeMessage]:
        self.consume_calls.append((num_messages, timeout))
        if self.batches:
            return self.batches.pop(0)
        time.sleep(0.001)
        return []

    def close(self) -> None:
        self.closed = True


def test_loader_rebuilds_from_batches_and_keeps_tailing() -> None:
    clock = Clock(now=10_000.0)
    window = SeenWindow(3_600, clock=clock)
    batches = [
        [FakeMessage(0, "k1", 9_990_000), FakeMessage(0, None), FakeMessage(1, "k2", 9_995_000)],
        [FakeMessage(1, other_headers=True), FakeMessage(0, eof=True)],
        [FakeMessage(1, "k3", 9_999_000), FakeMessage(1, eof=True)],
        [FakeMessage(0, "from-another-replica", 10_000_000)],
    ]
    made: list[FakeConsumer] = []

    def factory(config: dict[str, Any]) -> Any:
        made.append(FakeConsumer(config, batches))
        return made[-1]

    loader = WindowLoader({"bootstrap.servers": "x"}, "t", window, 3_600, consumer_factory=factory)
    consumer = made[0]
    # Batched fetches: the tail does not fetch (and wake up) for every record.
    assert consumer.config["fetch.min.bytes"] >= 64 * 1024
    assert consumer.config["fetch.wait.max.ms"] >= 100
    assert consumer.config["enable.partition.eof"] is True
    loader.start()
    try:
        assert loader.ready.wait(5)
        assert all(key in window for key in ("k1", "k2", "k3"))
        # Partition 1 had nothing in the window: read from its end.
        assert [(tp.partition, tp.offset) for tp in consumer.assigned] == [(0, 5), (1, OFFSET_END)]
        deadline = time.monotonic() + 5
        while "from-another-replica" not in window:
            assert time.monotonic() < deadline
            time.sleep(0.005)
    finally:
        loader.stop()
    assert consumer.closed
    assert all(n > 1 for n, _ in consumer.consume_calls)  # never one record at a time


def test_loader_is_not_ready_before_every_partition_reached_its_end() -> None:
    window = SeenWindow(3_600, clock=Clock(now=10_000.0))
    batches = [[FakeMessage(0, "k1", 9_990_000), FakeMessage(0, eof=True)]]
    made: list[FakeConsumer] = []

    def factory(config: dict[str, Any]) -> Any:
        made.append(FakeConsumer(config, batches))
        return made[-1]

    loader = WindowLoader({"bootstrap.servers": "x"}, "t", window, 3_600, consumer_factory=factory)
    loader.start()
    try:
        assert not loader.ready.wait(0.1)  # partition 1 never reported its end
        assert "k1" in window
    finally:
        loader.stop()


def test_a_loader_stopped_before_it_started_closes_its_consumer_and_never_tails() -> None:
    # A worker stopped within its first seconds stops the loader before its startup task ran.
    made: list[FakeConsumer] = []

    def factory(config: dict[str, Any]) -> Any:
        made.append(FakeConsumer(config, [[FakeMessage(0, "k1", 9_990_000)]]))
        return made[-1]

    window = SeenWindow(3_600, clock=Clock(now=10_000.0))
    loader = WindowLoader({"bootstrap.servers": "x"}, "t", window, 3_600, consumer_factory=factory)

    loader.stop()
    loader.start()
    assert made[0].closed
    assert made[0].consume_calls == []
    assert "k1" not in window
    assert loader.ready.is_set()  # the startup task waiting for the backlog is released
