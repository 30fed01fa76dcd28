"""A new group starts at the end of its topics, also on a broker still electing leaders."""

from __future__ import annotations

from typing import Any

import pytest
from confluent_kafka import KafkaError, KafkaException, TopicPartition

from streams.kafka import groups


class FakeConsumer:
    """One topic of one partition; the first watermark reads find no leader yet."""

    def __init__(self, config: dict[str, Any], *, leaderless_reads: int) -> None:
        self.leaderless_reads = leaderless_reads
        self.committed_offsets: list[TopicPartition] = []
        self.closed = False

    def list_topics(self, topic: str, timeout: float) -> Any:
        meta = type("M", (), {"partitions": {0: None}})()
        return type("T", (), {"topics": {topic: meta}})()

    def committed(self, partitions: list[TopicPartition], timeout: float) -> list[TopicPartition]:
        return [TopicPartition(tp.topic, tp.partition, -1001) for tp in partitions]

    def get_watermark_offsets(self, tp: TopicPartition, timeout: float) -> tuple[int, int]:
        if self.leaderless_reads:
            self.leaderless_reads -= 1
            raise KafkaException(KafkaError(KafkaError.NOT_LEADER_FOR_PARTITION))
        return (0, 42)

    def commit(self, offsets: list[TopicPartition], asynchronous: bool) -> None:
        self.committed_offsets = offsets

    def close(self) -> None:
        self.closed = True


def test_a_partition_whose_leader_is_being_elected_is_read_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[FakeConsumer] = []
    monkeypatch.setattr(
        groups,
        "Consumer",
        lambda config: made.append(FakeConsumer(config, leaderless_reads=2)) or made[-1],
    )
    assert groups.start_group_at_end({"bootstrap.servers": "x"}, "g", topics=("t",))
    (consumer,) = made
    assert [(tp.topic, tp.offset) for tp in consumer.committed_offsets] == [("t", 42)]
    assert consumer.closed


def test_a_permanent_error_is_raised_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    class Refusing(FakeConsumer):
        def get_watermark_offsets(self, tp: TopicPartition, timeout: float) -> tuple[int, int]:
            raise KafkaException(KafkaError(KafkaError.TOPIC_AUTHORIZATION_FAILED))

    monkeypatch.setattr(groups, "Consumer", lambda config: Refusing(config, leaderless_reads=0))
    with pytest.raises(KafkaException):
        groups.start_group_at_end({"bootstrap.servers": "x"}, "g", topics=("t",))
