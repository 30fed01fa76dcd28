"""Consumer-group positioning: start a new group at the current end of its topics."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_exponential

T = TypeVar("T")

#: Source topics of the agents.
AGENT_SOURCES = (
    "shopify.webhooks",
    "support.complaints",
    "cases.requests",
    "cases.decisions",
    "orders.offline",
    "cases.state",
)


def start_group_at_end(
    client_config: Mapping[str, Any], group: str, topics: Iterable[str] = AGENT_SOURCES
) -> bool:
    """Commit the current end offsets of ``topics`` for ``group`` if it has no commits yet.

    For a group that should not replay what is already on a shared cluster
    (the sandbox, tests); ``auto.offset.reset=latest`` would instead race with
    records produced while the worker is still starting. Returns True when
    the offsets were set, False when the group had committed offsets already.
    """
    consumer = Consumer({**client_config, "group.id": group, "enable.auto.commit": False})
    try:
        partitions = []
        for topic in topics:
            metadata = consumer.list_topics(topic, timeout=10).topics[topic]
            partitions += [TopicPartition(topic, p) for p in metadata.partitions]
        committed = _settled(lambda: consumer.committed(partitions, timeout=10))
        if any(tp.offset >= 0 for tp in committed):
            return False
        for tp in partitions:
            tp.offset = _settled(functools.partial(_end_offset, consumer, tp))
        consumer.commit(offsets=partitions, asynchronous=False)
        return True
    finally:
        consumer.close()


def _end_offset(consumer: Consumer, partition: TopicPartition) -> int:
    return int(consumer.get_watermark_offsets(partition, timeout=10)[1])


#: What a broker answers while a new topic's leaders or a new group's coordinator are
#: still being chosen; librdkafka does not always flag these ``retriable()``.
_SETTLING = frozenset(
    {
        KafkaError.NOT_LEADER_FOR_PARTITION,
        KafkaError.LEADER_NOT_AVAILABLE,
        KafkaError.UNKNOWN_TOPIC_OR_PART,
        KafkaError.COORDINATOR_NOT_AVAILABLE,
        KafkaError.COORDINATOR_LOAD_IN_PROGRESS,
        KafkaError.NOT_COORDINATOR,
    }
)


def _retriable(exc: BaseException) -> bool:
    error = exc.args[0] if isinstance(exc, KafkaException) and exc.args else None
    if not isinstance(error, KafkaError):
        return False
    return error.code() in _SETTLING or bool(error.retriable())


def _settled(read: Callable[[], T]) -> T:
    """``read`` again while the broker answers with a retriable error, for up to 30 s.

    A topic that ``list_topics`` has just auto-created on a fresh broker has no
    partition leader for a moment (NOT_LEADER_FOR_PARTITION), and a new group
    no coordinator: both settle by themselves.
    """
    for attempt in Retrying(
        retry=retry_if_exception(_retriable),
        stop=stop_after_delay(30),
        wait=wait_exponential(multiplier=0.05, max=2),
        reraise=True,
    ):
        with attempt:
            return read()
    raise AssertionError("unreachable: Retrying re-raises the last error")
