"""Durable poller watermarks kept in Kafka: "everything before this moment was looked at".

Used by the reconciliation poller (one watermark per shop) and the decision
poller (``decisions.history``). They survive restarts and move with the
leader: the compacted topic :data:`WATERMARK_TOPIC` holds one record per
name (key = the name, value = JSON ``{"shop", "watermark", "saved_at"}``,
where ``shop`` carries the name); compaction keeps the latest. Any worker that
becomes leader reads it back, so a poller resumes where the previous leader
stopped.

A compacted topic rather than a Faust table, because the pollers run in
leader-only timers: a table's partitions belong to whichever worker the
assignor picked, not necessarily the leader, whereas a tiny topic read to its
end is always complete. :class:`MemoryWatermarkStore` is the test double.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition

from connectors.errors import CasebridgeError
from streams.topics import TopicSpec, ensure_topics

log = logging.getLogger(__name__)

WATERMARK_TOPIC = "casebridge.watermarks"


class WatermarkError(CasebridgeError):
    """The watermark could not be read or written."""


class WatermarkStore(Protocol):
    """Where the reconciler keeps its watermark per shop."""

    async def load(self, shop: str) -> datetime | None:
        """The saved watermark of ``shop``, or None before the first run."""
        ...

    async def save(self, shop: str, watermark: datetime) -> None:
        """Persist ``watermark`` for ``shop`` (durably, before returning)."""
        ...


class Sender(Protocol):
    """The part of :class:`~streams.kafka.producer.AsyncProducer` the store uses."""

    async def send(self, topic: str, value: bytes | None, key: bytes | None = None, /) -> Any:
        """Produce one record and wait for the broker's acknowledgement."""
        ...


class MemoryWatermarkStore:
    """A :class:`WatermarkStore` in a dict (tests, single-run tools)."""

    def __init__(self, initial: Mapping[str, datetime] | None = None) -> None:
        self.values: dict[str, datetime] = dict(initial or {})
        self.saves: list[tuple[str, datetime]] = []

    async def load(self, shop: str) -> datetime | None:
        return self.values.get(shop)

    async def save(self, shop: str, watermark: datetime) -> None:
        self.values[shop] = watermark
        self.saves.append((shop, watermark))


def encode_watermark(shop: str, watermark: datetime, saved_at: datetime) -> bytes:
    """The JSON value of a watermark record."""
    return json.dumps(
        {
            "shop": shop,
            "watermark": watermark.astimezone(UTC).isoformat(),
            "saved_at": saved_at.astimezone(UTC).isoformat(),
        },
        sort_keys=True,
    ).encode()


def decode_watermark(value: bytes) -> datetime:
    """The watermark of a record value (raises ValueError on a malformed one)."""
    data = json.loads(value)
    moment = datetime.fromisoformat(str(data["watermark"]))
    if moment.tzinfo is None:
        raise ValueError("watermark without a timezone")
    return moment.astimezone(UTC)


class KafkaWatermarkStore:
    """A :class:`WatermarkStore` on a compacted topic (see the module docstring).

    Args:
        client_config: librdkafka settings (``Settings.kafka.confluent_config()``).
        producer: an :class:`~streams.kafka.producer.AsyncProducer` (acks=all); ``None``
            for a store that only reads.
        topic: the compacted topic; created on :meth:`prepare` when missing.
        timeout_s: how long a load may take to reach the end of the topic.
    """

    def __init__(
        self,
        client_config: Mapping[str, Any],
        producer: Sender | None,
        *,
        topic: str = WATERMARK_TOPIC,
        timeout_s: float = 15.0,
    ) -> None:
        self._config = dict(client_config)
        self._producer = producer
        self.topic = topic
        self._timeout_s = timeout_s

    async def prepare(self, replication_factor: int = 1) -> None:
        """Create the compacted topic (one partition: the records are few and tiny)."""
        spec = TopicSpec(self.topic, 1, compacted=True)
        await asyncio.to_thread(
            ensure_topics, self._config, [spec], replication_factor=replication_factor
        )

    async def load(self, shop: str) -> datetime | None:
        """Read the topic to its end and return the last watermark of ``shop``."""
        return await asyncio.to_thread(self._read, shop)

    async def save(self, shop: str, watermark: datetime) -> None:
        """Write the watermark of ``shop`` and wait for the broker's acknowledgement."""
        value = encode_watermark(shop, watermark, datetime.now(UTC))
        try:
            await self._sender().send(self.topic, value, shop.encode())
        except CasebridgeError as exc:
            raise WatermarkError(f"could not save the watermark of {shop}: {exc}") from exc

    async def put(self, key: str, value: bytes) -> None:
        """Write one other record (a health note) to the topic, acknowledged.

        Raises:
            WatermarkError: the broker did not take it.
        """
        try:
            await self._sender().send(self.topic, value, key.encode())
        except CasebridgeError as exc:
            raise WatermarkError(f"could not write {key}: {exc}") from exc

    def _sender(self) -> Sender:
        if self._producer is None:
            raise WatermarkError(f"{self.topic}: this store only reads")
        return self._producer

    def _read(self, shop: str) -> datetime | None:
        value = self.scan(lambda key: key == shop.encode()).get(shop.encode())
        if not value:
            return None
        try:
            return decode_watermark(value)
        except (ValueError, KeyError) as exc:
            log.warning("ignoring a malformed watermark record: %s", exc)
            return None

    def scan(self, wanted: Callable[[bytes], bool]) -> dict[bytes, bytes]:
        """Read the topic to its end: the latest value of every key ``wanted`` accepts.

        Blocking (run it in a thread). A deleted key (tombstone) is left out.

        Raises:
            WatermarkError: the topic cannot be read to its end in time.
        """
        consumer = Consumer(
            {
                **self._config,
                # A throwaway group that never commits: the store reads from the start.
                "group.id": f"casebridge-watermark-reader-{uuid.uuid4().hex[:8]}",
                "enable.auto.commit": False,
                "enable.partition.eof": True,
            }
        )
        latest: dict[bytes, bytes] = {}
        try:
            try:
                metadata = consumer.list_topics(self.topic, timeout=self._timeout_s)
            except KafkaException as exc:
                raise WatermarkError(f"{self.topic}: {exc.args[0]}") from None
            topic = metadata.topics.get(self.topic)
            if topic is None or topic.error is not None:
                return latest  # never saved: the topic does not exist yet
            remaining: set[int] = set()
            assignments: list[TopicPartition] = []
            for partition in topic.partitions:
                low, high = consumer.get_watermark_offsets(
                    TopicPartition(self.topic, partition), timeout=self._timeout_s
                )
                if high > low:
                    remaining.add(partition)
                    assignments.append(TopicPartition(self.topic, partition, OFFSET_BEGINNING))
            if not assignments:
                return latest
            consumer.assign(assignments)
            ends = {
                p: consumer.get_watermark_offsets(TopicPartition(self.topic, p))[1]
                for p in remaining
            }
            stop_at = time.monotonic() + self._timeout_s
            while remaining and time.monotonic() < stop_at:
                message = consumer.poll(0.5)
                if message is None:
                    continue
                error = message.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        remaining.discard(message.partition())
                        continue
                    raise WatermarkError(f"{self.topic}: {error.str()}")
                key, value = message.key(), message.value()
                if key is not None and wanted(key):
                    if value:
                        latest[key] = value
                    else:
                        latest.pop(key, None)
                offset, partition = message.offset(), message.partition()
                if offset is not None and partition is not None and offset + 1 >= ends[partition]:
                    remaining.discard(partition)
            if remaining:
                raise WatermarkError(
                    f"{self.topic}: not read to its end within {self._timeout_s:.0f} s"
                )
            return latest
        finally:
            consumer.close()


__all__ = [
    "WATERMARK_TOPIC",
    "KafkaWatermarkStore",
    "MemoryWatermarkStore",
    "WatermarkError",
    "WatermarkStore",
    "decode_watermark",
    "encode_watermark",
]
