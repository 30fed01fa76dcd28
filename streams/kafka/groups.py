"""Consumer-group positioning: start a new group at the current end of its topics."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from confluent_kafka import Consumer, TopicPartition

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
        committed = consumer.committed(partitions, timeout=10)
        if any(tp.offset >= 0 for tp in committed):
            return False
        for tp in partitions:
            tp.offset = consumer.get_watermark_offsets(tp, timeout=10)[1]
        consumer.commit(offsets=partitions, asynchronous=False)
        return True
    finally:
        consumer.close()
