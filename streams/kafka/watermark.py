"""Durable watermarks kept in Kafka (a compacted topic, one key per poller).

A poller that restarts must resume where it left off without a database:
the last value of its key in ``casebridge.watermarks`` is its watermark.
Reading it back means scanning a compacted topic that holds one small record
per poller, so start-up stays fast however long the pipeline has run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from streams.kafka.producer import AsyncProducer
from streams.topics import KafkaUnavailableError

WATERMARKS_TOPIC = "casebridge.watermarks"


class WatermarkStore:
    """Load and save named watermarks (timezone-aware datetimes)."""

    def __init__(
        self,
        client_config: Mapping[str, Any],
        producer: AsyncProducer,
        topic: str = WATERMARKS_TOPIC,
    ) -> None:
        self._client_config = dict(client_config)
        self._producer = producer
        self._topic = topic

    def load(self, name: str, timeout_s: float = 15.0) -> datetime | None:
        """The last saved watermark of ``name``, or None if it never saved one."""
        consumer = Consumer(
            {
                **self._client_config,
                "group.id": "casebridge-watermark-reader",
                "enable.auto.commit": False,
                "enable.partition.eof": True,
            }
        )
        try:
            metadata = consumer.list_topics(self._topic, timeout=timeout_s)
            topic = metadata.topics.get(self._topic)
            if topic is None or topic.error is not None:
                return None
            partitions = [TopicPartition(self._topic, p, 0) for p in topic.partitions]
            consumer.assign(partitions)
            remaining = {p.partition for p in partitions}
            value: datetime | None = None
            deadline = time.monotonic() + timeout_s
            while remaining and time.monotonic() < deadline:
                msg = consumer.poll(0.5)
                if msg is None:
                    continue
                error = msg.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        remaining.discard(msg.partition() or 0)
                    continue
                if msg.key() == name.encode() and msg.value():
                    value = datetime.fromisoformat(json.loads(msg.value() or b"{}")["at"])
            return value
        except KafkaException as exc:
            raise KafkaUnavailableError(f"could not read watermarks: {exc.args[0]}") from None
        finally:
            consumer.close()

    async def save(self, name: str, at: datetime) -> None:
        """Persist ``at`` as the watermark of ``name`` (waits for the broker's ack)."""
        await self._producer.send(
            self._topic, json.dumps({"at": at.isoformat()}).encode(), key=name.encode()
        )
