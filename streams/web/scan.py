"""Bounded reads of Kafka partitions for the audit trail: no group, no commits.

:func:`scan` reads given offset ranges of any number of partitions with one
confluent-kafka consumer (``assign()`` only, so it joins no group and moves
no one's offsets) and keeps the messages a predicate accepts. The end of
every range is fixed before reading starts, so a busy topic cannot keep a
reader going forever.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from confluent_kafka import Consumer, KafkaException, Message, TopicPartition

from streams.ops.errors import BrokerUnavailableError
from streams.ops.lag import ops_client_config

__all__ = ["Range", "end_offsets", "offsets_at", "partition_counts", "reader", "scan"]

#: (topic, partition) -> (first offset, offset after the last) to read.
Range = dict[tuple[str, int], tuple[int, int]]

#: librdkafka requires a group id even for assign(); this one never commits.
_GROUP = "casebridge-audit-reader"


def _unavailable(config: Mapping[str, Any], exc: BaseException) -> BrokerUnavailableError:
    detail = exc.args[0] if exc.args else exc
    text = detail.str() if hasattr(detail, "str") else str(detail)
    servers = config.get("bootstrap.servers", "?")
    return BrokerUnavailableError(f"Kafka at {servers} did not answer: {text}")


@contextmanager
def reader(client_config: Mapping[str, Any], timeout_s: float) -> Iterator[Consumer]:
    """A consumer for :func:`scan`: never commits, starts where it is told."""
    consumer = Consumer(
        {
            **ops_client_config(client_config, timeout_s),
            "group.id": _GROUP,
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "auto.offset.reset": "earliest",
        }
    )
    try:
        yield consumer
    finally:
        consumer.close()


def partition_counts(
    consumer: Consumer, config: Mapping[str, Any], topics: list[str], timeout_s: float
) -> dict[str, int]:
    """Partitions of each existing topic among ``topics`` (missing topics are left out)."""
    try:
        metadata = consumer.list_topics(timeout=timeout_s)
    except KafkaException as exc:
        raise _unavailable(config, exc) from None
    counts: dict[str, int] = {}
    for topic in topics:
        meta = metadata.topics.get(topic)
        if meta is not None and meta.error is None and meta.partitions:
            counts[topic] = len(meta.partitions)
    return counts


def end_offsets(
    consumer: Consumer,
    config: Mapping[str, Any],
    partitions: list[tuple[str, int]],
    timeout_s: float,
) -> Range:
    """The whole current log of each partition: (log start, high watermark)."""
    ranges: Range = {}
    for topic, partition in partitions:
        try:
            low, high = consumer.get_watermark_offsets(
                TopicPartition(topic, partition), timeout=timeout_s
            )
        except KafkaException as exc:
            raise _unavailable(config, exc) from None
        ranges[(topic, partition)] = (int(low), int(high))
    return ranges


def offsets_at(
    consumer: Consumer,
    config: Mapping[str, Any],
    ranges: Range,
    start_ms: int,
    end_ms: int,
    timeout_s: float,
) -> Range:
    """Narrow ``ranges`` to the records timestamped within ``[start_ms, end_ms]``.

    ``offsets_for_times`` answers -1 when no record is that late: the range
    then runs to the high watermark (for the end) or is empty (for the start).
    """
    keys = list(ranges)

    def lookup(at_ms: int) -> list[int]:
        wanted = [TopicPartition(t, p, at_ms) for t, p in keys]
        try:
            found = consumer.offsets_for_times(wanted, timeout=timeout_s)
        except KafkaException as exc:
            raise _unavailable(config, exc) from None
        return [int(tp.offset) for tp in found]

    starts, ends = lookup(start_ms), lookup(end_ms + 1)
    narrowed: Range = {}
    for key, start, end in zip(keys, starts, ends, strict=True):
        low, high = ranges[key]
        first = high if start < 0 else max(low, start)
        last = high if end < 0 else min(high, end)
        if first < last:
            narrowed[key] = (first, last)
    return narrowed


def scan(
    consumer: Consumer,
    ranges: Range,
    keep: Callable[[Message], bool],
    *,
    timeout_s: float,
    done: Callable[[], bool] | None = None,
) -> list[Message]:
    """Read every range and return the messages ``keep`` accepted, in read order.

    Stops when every range is read, when ``done()`` turns true (e.g. every
    wanted id was found), or when no record arrived for ``timeout_s``.

    Raises:
        BrokerUnavailableError: librdkafka failed a fetch or position request.
    """
    try:
        return _scan(consumer, ranges, keep, timeout_s, done)
    except KafkaException as exc:
        detail = exc.args[0] if exc.args else exc
        text = detail.str() if hasattr(detail, "str") else str(detail)
        raise BrokerUnavailableError(f"reading from Kafka failed: {text}") from None


def _scan(
    consumer: Consumer,
    ranges: Range,
    keep: Callable[[Message], bool],
    timeout_s: float,
    done: Callable[[], bool] | None,
) -> list[Message]:
    remaining = {key: end for key, (start, end) in ranges.items() if start < end}
    if not remaining:
        return []
    consumer.assign([TopicPartition(t, p, ranges[(t, p)][0]) for t, p in remaining])
    kept: list[Message] = []
    deadline = time.monotonic() + timeout_s
    try:
        while remaining and time.monotonic() < deadline:
            if done is not None and done():
                break
            batch = consumer.consume(num_messages=500, timeout=0.5)
            if not batch:
                # A transaction marker can be a range's last offset and is never delivered.
                positions = consumer.position([TopicPartition(t, p) for t, p in remaining])
                for tp in positions:
                    if tp.offset >= remaining.get((tp.topic, tp.partition), 0):
                        remaining.pop((tp.topic, tp.partition), None)
                continue
            deadline = time.monotonic() + timeout_s
            for msg in batch:
                topic, partition, offset = msg.topic(), msg.partition(), msg.offset()
                if msg.error() is not None or topic is None or partition is None:
                    continue
                end = remaining.get((topic, partition))
                if end is None or offset is None or offset >= end:
                    continue
                if keep(msg):
                    kept.append(msg)
                if offset + 1 >= end:
                    del remaining[(topic, partition)]
    finally:
        consumer.unassign()
    return kept
