"""The bounded readers of the audit trail, over a fake consumer."""

from __future__ import annotations

from typing import Any

import pytest
from confluent_kafka import KafkaError, KafkaException, Message, TopicPartition

from streams.ops.errors import BrokerUnavailableError
from streams.web.scan import offsets_at, scan


class FakeConsumer:
    """Serves a fixed log per partition; ``offsets_for_times`` from a time -> offset table."""

    def __init__(self, log: dict[tuple[str, int], list[bytes]]) -> None:
        self.log = log
        self.positions: dict[tuple[str, int], int] = {}
        self.times: dict[int, dict[tuple[str, int], int]] = {}
        self.fail = False

    def offsets_for_times(self, wanted: list[TopicPartition], timeout: float) -> list[Any]:
        table = self.times[wanted[0].offset]
        return [
            TopicPartition(tp.topic, tp.partition, table[(tp.topic, tp.partition)]) for tp in wanted
        ]

    def assign(self, tps: list[TopicPartition]) -> None:
        self.positions = {(tp.topic, tp.partition): tp.offset for tp in tps}

    def unassign(self) -> None:
        self.positions = {}

    def consume(self, num_messages: int, timeout: float) -> list[Message]:
        if self.fail:
            raise KafkaException(KafkaError(KafkaError._TRANSPORT))
        batch = []
        for (topic, partition), offset in self.positions.items():
            values = self.log.get((topic, partition), [])
            if offset < len(values):
                batch.append(
                    Message(topic=topic, partition=partition, offset=offset, value=values[offset])
                )
                self.positions[(topic, partition)] = offset + 1
        return batch

    def position(self, tps: list[TopicPartition]) -> list[TopicPartition]:
        return [
            TopicPartition(t.topic, t.partition, self.positions[(t.topic, t.partition)])
            for t in tps
        ]


def test_scan_reads_each_range_to_its_end_and_keeps_what_matches() -> None:
    consumer = FakeConsumer({("a", 0): [b"x0", b"y1", b"x2", b"x3"], ("a", 1): [b"x0"]})
    ranges = {("a", 0): (1, 3), ("a", 1): (0, 1), ("a", 2): (5, 5)}
    kept = scan(consumer, ranges, lambda m: m.value().startswith(b"x"), timeout_s=1)  # type: ignore[arg-type, union-attr]
    assert sorted((m.partition(), m.offset()) for m in kept) == [(0, 2), (1, 0)]
    assert consumer.positions == {}  # unassigned afterwards


def test_scan_stops_when_done() -> None:
    consumer = FakeConsumer({("a", 0): [b"x"] * 50})
    kept: list[Message] = []

    def keep(msg: Message) -> bool:
        kept.append(msg)
        return True

    scan(consumer, {("a", 0): (0, 50)}, keep, timeout_s=1, done=lambda: len(kept) >= 1)  # type: ignore[arg-type]
    assert len(kept) < 50


def test_scan_turns_kafka_errors_into_one_ops_error() -> None:
    consumer = FakeConsumer({("a", 0): [b"x"]})
    consumer.fail = True
    with pytest.raises(BrokerUnavailableError, match="reading from Kafka failed"):
        scan(consumer, {("a", 0): (0, 1)}, lambda m: True, timeout_s=1)  # type: ignore[arg-type]


def test_offsets_at_narrows_to_the_time_window() -> None:
    consumer = FakeConsumer({})
    whole = {("a", 0): (0, 100), ("a", 1): (10, 20), ("a", 2): (0, 5)}
    consumer.times[1000] = {("a", 0): 40, ("a", 1): -1, ("a", 2): 0}  # -1: nothing that late
    consumer.times[2001] = {("a", 0): 60, ("a", 1): -1, ("a", 2): -1}
    narrowed = offsets_at(consumer, {}, whole, 1000, 2000, 1)  # type: ignore[arg-type]
    assert narrowed == {("a", 0): (40, 60), ("a", 2): (0, 5)}
