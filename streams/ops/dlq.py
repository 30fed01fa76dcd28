"""Read and replay dead-letter topics.

A DLQ record is the failed record's original key and value, its original
headers, and ``casebridge.dlq.*`` headers saying why it failed
(:mod:`streams.kafka.dlq`). Two operations:

* :func:`list_records` reads a DLQ from the start, without joining a group
  or committing anything.
* :func:`replay` publishes the *original bytes* of the matching records back
  to their source topic (header ``source_topic``) with replay headers
  (``casebridge.replay.of`` = ``<dlq>/<partition>/<offset>``,
  ``casebridge.replay.attempt`` = previous attempts + 1,
  ``casebridge.replay.at``). The DLQ record stays where it is: a DLQ is an
  audit trail, and a replay that fails again is dead-lettered anew by the
  agent, with ``attempts`` = :func:`attempt_of` its headers.

Replaying twice must not publish the same record twice, so each DLQ has a
replay cursor, the consumer group ``casebridge-dlq-replay-<dlq topic>``. A
replay starts at the cursor and, once the broker acknowledged every
published record, commits it past every record it *examined*, matching or
not: the cursor means "looked at", like any consumer's. To revisit earlier
records (say, those of another ``reason``), pass ``from_beginning`` with a
filter that selects only them. Dry runs never move the cursor.

Replayed records go to the partition named by the ``source_partition``
header when there is one, which keeps them with the other records of their
key; otherwise the Java-compatible murmur2 partitioner places them like the
Faust agents would.

Both functions are blocking (librdkafka); call them via
``asyncio.to_thread`` from async code such as the operations page.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition

from streams.ops.dlq_records import (
    DlqRecord,
    Filters,
    ReplayedRecord,
    ReplayResult,
    attempt_of,
    dlq_topic_of,
    matches,
    parse_filters,
    replay_group,
    replay_headers,
)
from streams.ops.errors import BrokerUnavailableError, ReplayError, UnknownTopicError
from streams.ops.lag import ops_client_config

__all__ = [
    "DlqRecord",
    "Filters",
    "ReplayResult",
    "ReplayedRecord",
    "attempt_of",
    "dlq_topic_of",
    "list_records",
    "matches",
    "parse_filters",
    "replay",
    "replay_group",
    "replay_headers",
]

#: Group id for listing: librdkafka requires one, but we only assign() and never commit.
_LIST_GROUP = "casebridge-dlq-list"


def _unavailable(config: Mapping[str, Any], timeout_s: float, exc: BaseException) -> Exception:
    detail = exc.args[0] if exc.args else exc
    text = detail.str() if isinstance(detail, KafkaError) else str(detail)
    return BrokerUnavailableError(
        f"Kafka at {config.get('bootstrap.servers', '?')} did not answer within "
        f"{timeout_s:g}s: {text}"
    )


@contextmanager
def _consumer(config: Mapping[str, Any], group: str, timeout_s: float) -> Iterator[Consumer]:
    consumer = Consumer(
        {
            **ops_client_config(config, timeout_s),
            "group.id": group,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    try:
        yield consumer
    finally:
        consumer.close()


def _partitions(
    consumer: Consumer, config: Mapping[str, Any], topic: str, timeout_s: float
) -> list[int]:
    try:
        metadata = consumer.list_topics(topic, timeout=timeout_s)
    except KafkaException as exc:
        raise _unavailable(config, timeout_s, exc) from None
    meta = metadata.topics.get(topic)
    if meta is None or meta.error is not None or not meta.partitions:
        raise UnknownTopicError(f"topic {topic} does not exist")
    return sorted(meta.partitions)


def _read(
    consumer: Consumer,
    topic: str,
    starts: Mapping[int, int],
    timeout_s: float,
    per_partition: int | None = None,
) -> Iterator[DlqRecord]:
    """Yield records from ``starts`` up to the end offsets as of now, then stop.

    The end is fixed when reading starts, so records dead-lettered meanwhile
    (perhaps by this very replay failing again) are left for the next run.
    """
    remaining: dict[int, int] = {}
    assignment = []
    for partition, start in starts.items():
        low, high = consumer.get_watermark_offsets(
            TopicPartition(topic, partition), timeout=timeout_s
        )
        begin = max(start, low)
        if begin < high:
            remaining[partition] = high
            assignment.append(TopicPartition(topic, partition, begin))
    if not assignment:
        return
    consumer.assign(assignment)
    counts = dict.fromkeys(remaining, 0)
    deadline = time.monotonic() + timeout_s
    while remaining and time.monotonic() < deadline:
        batch = consumer.consume(num_messages=500, timeout=0.5)
        if not batch:
            # A transaction marker can be the last offset; it is never delivered.
            positions = consumer.position([TopicPartition(topic, p) for p in remaining])
            for tp in positions:
                if tp.offset >= remaining[tp.partition]:
                    del remaining[tp.partition]
            continue
        deadline = time.monotonic() + timeout_s
        for msg in batch:
            part = msg.partition()
            if msg.error() is not None or part is None or part not in remaining:
                continue
            record = DlqRecord.from_message(msg)
            yield record
            counts[part] += 1
            done = per_partition is not None and counts[part] >= per_partition
            if done or record.offset + 1 >= remaining[part]:
                del remaining[part]


def list_records(
    client_config: Mapping[str, Any],
    topic: str,
    *,
    limit: int = 100,
    timeout_s: float = 10.0,
) -> list[DlqRecord]:
    """The oldest ``limit`` records of ``topic``'s DLQ (``topic`` may name the DLQ itself).

    Reads without a consumer group commit; ordered by timestamp, then partition
    and offset.

    Raises:
        UnknownTopicError: the DLQ does not exist.
        BrokerUnavailableError: Kafka did not answer.
    """
    dlq = dlq_topic_of(topic)
    with _consumer(client_config, _LIST_GROUP, timeout_s) as consumer:
        partitions = _partitions(consumer, client_config, dlq, timeout_s)
        records = list(_read(consumer, dlq, dict.fromkeys(partitions, 0), timeout_s, limit))
    records.sort(key=lambda r: (r.timestamp_ms or 0, r.partition, r.offset))
    return records[:limit]


def replay(
    client_config: Mapping[str, Any],
    topic: str,
    *,
    filters: Filters | None = None,
    dry_run: bool = False,
    limit: int | None = None,
    from_beginning: bool = False,
    timeout_s: float = 10.0,
    now: datetime | None = None,
) -> ReplayResult:
    """Re-publish the matching records of ``topic``'s DLQ to their source topics.

    Args:
        client_config: librdkafka settings (``settings.kafka.confluent_config()``).
        topic: The source topic or its DLQ.
        filters: From :func:`parse_filters`; None replays everything.
        dry_run: Only report what would be replayed; publish and commit nothing.
        limit: Replay at most this many records (the cursor stops after the last).
        from_beginning: Ignore the replay cursor and start at the log start.
        timeout_s: Per broker request, and the longest wait for more records.
        now: The ``casebridge.replay.at`` time (default: now).

    Raises:
        ReplayError: A record was not acknowledged; the cursor did not move,
            so the next replay publishes the same records again (at least once).
    """
    dlq = dlq_topic_of(topic)
    group = replay_group(dlq)
    result = ReplayResult(dlq_topic=dlq, group=group, dry_run=dry_run)
    wanted = filters or {}
    with _consumer(client_config, group, timeout_s) as consumer:
        partitions = _partitions(consumer, client_config, dlq, timeout_s)
        starts = dict.fromkeys(partitions, 0)
        if not from_beginning:
            try:
                committed = consumer.committed(
                    [TopicPartition(dlq, p) for p in partitions], timeout=timeout_s
                )
            except KafkaException as exc:
                raise _unavailable(client_config, timeout_s, exc) from None
            starts.update({tp.partition: tp.offset for tp in committed if tp.offset >= 0})
        publisher = None if dry_run else _Publisher(client_config, timeout_s)
        cursor: dict[int, int] = {}
        queued = 0
        try:
            for record in _read(consumer, dlq, starts, timeout_s):
                if limit is not None and queued >= limit:
                    break
                result.examined += 1
                cursor[record.partition] = record.offset + 1
                if not matches(record, wanted):
                    continue
                result.matched += 1
                target = record.dlq.get("source_topic")
                if not target:
                    result.skipped.append(
                        (record.partition, record.offset, "no source_topic header")
                    )
                    continue
                headers = replay_headers(record, now)
                planned = ReplayedRecord(
                    record.partition,
                    record.offset,
                    record.key_text,
                    target,
                    attempt=attempt_of(headers),
                )
                if publisher is None:
                    result.replayed.append(planned)
                    queued += 1
                    continue
                reason = publisher.publish(planned, record, headers)
                if reason:
                    result.skipped.append((record.partition, record.offset, reason))
                else:
                    queued += 1
            if publisher is not None:
                result.replayed.extend(publisher.finish())
                if cursor:
                    _commit(consumer, client_config, dlq, cursor, timeout_s)
        finally:
            if publisher is not None:
                publisher.close()
    return result


def _commit(
    consumer: Consumer,
    config: Mapping[str, Any],
    dlq: str,
    cursor: Mapping[int, int],
    timeout_s: float,
) -> None:
    offsets = [TopicPartition(dlq, p, o) for p, o in sorted(cursor.items())]
    try:
        consumer.commit(offsets=offsets, asynchronous=False)
    except KafkaException as exc:
        raise ReplayError(
            f"replayed, but could not commit the replay cursor of {dlq}: {exc.args[0]}"
        ) from None


class _Publisher:
    """Publishes replayed records and collects the broker's acknowledgements."""

    def __init__(self, config: Mapping[str, Any], timeout_s: float) -> None:
        self._config = config
        self._timeout = timeout_s
        self._producer = Producer(
            {
                **ops_client_config(config, timeout_s),
                "acks": "all",
                "enable.idempotence": True,
                # The partitioner of the Java client and of Faust/aiokafka.
                "partitioner": "murmur2_random",
                "message.timeout.ms": int(max(timeout_s, 5.0) * 3000),
            }
        )
        self._partitions: dict[str, int] = {}
        self._done: list[ReplayedRecord] = []
        self._failed: list[str] = []

    def _partition_count(self, topic: str) -> int:
        if topic not in self._partitions:
            try:
                meta = self._producer.list_topics(topic, timeout=self._timeout).topics.get(topic)
            except KafkaException as exc:
                raise _unavailable(self._config, self._timeout, exc) from None
            ok = meta is not None and meta.error is None
            self._partitions[topic] = len(meta.partitions) if ok and meta else 0
        return self._partitions[topic]

    def publish(
        self, planned: ReplayedRecord, record: DlqRecord, headers: list[tuple[str, bytes]]
    ) -> str | None:
        """Queue one record; return why it was skipped, or None."""
        count = self._partition_count(planned.topic)
        if count == 0:
            return f"source topic {planned.topic} does not exist"
        kwargs: dict[str, Any] = {"key": record.key, "value": record.value, "headers": headers}
        source = record.dlq.get("source_partition", "")
        if source.isdigit() and int(source) < count:
            kwargs["partition"] = int(source)

        def delivered(err: KafkaError | None, msg: Message) -> None:
            if err is not None:
                self._failed.append(f"{planned.topic}: {err.str()}")
            else:
                self._done.append(
                    ReplayedRecord(
                        planned.dlq_partition,
                        planned.dlq_offset,
                        planned.key,
                        planned.topic,
                        msg.partition(),
                        msg.offset(),
                        planned.attempt,
                    )
                )

        while True:
            try:
                self._producer.produce(planned.topic, on_delivery=delivered, **kwargs)
                return None
            except BufferError:
                self._producer.poll(0.1)
            except KafkaException as exc:
                self._failed.append(f"{planned.topic}: {exc.args[0]}")
                return None

    def finish(self) -> list[ReplayedRecord]:
        """Wait for every acknowledgement; raise :class:`ReplayError` if one failed."""
        pending = self._producer.flush(self._timeout * 3)
        if pending:
            self._failed.append(f"{pending} record(s) not acknowledged in time")
        if self._failed:
            raise ReplayError(
                f"{len(self._failed)} replayed record(s) failed, cursor not moved: "
                f"{self._failed[0]}"
            )
        return sorted(self._done, key=lambda r: (r.dlq_partition, r.dlq_offset))

    def close(self) -> None:
        """Flush what is left (after an error too); the producer has no close()."""
        self._producer.flush(1.0)
