"""A shop's share of consumer lag: its records still waiting in the topics keyed by shop.

Partitions mix every store's records (the key ``<shop>/<resource>`` spreads a
store over all of them), so a group's lag says nothing about one store. For
``casebridge lag --shop DOMAIN`` the records past each partition's committed
offset are read (keys only are compared) and the shop's counted: how much of
the backlog is that store's. The read stops after ``limit`` records per
partition and says so, so a huge backlog never makes the command hang.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Consumer, KafkaError, TopicPartition

from streams.ops.lag import ops_client_config
from streams.ops.monitor import LagReport
from streams.topics import SHOPIFY_WEBHOOKS

#: Topics whose record key starts with ``<shop>/`` (ingress and reconciliation keys).
SHOP_KEYED_TOPICS: tuple[str, ...] = (SHOPIFY_WEBHOOKS,)


@dataclass(frozen=True, slots=True)
class ShopBacklog:
    """The shop's records among one group's waiting records of one topic."""

    group: str
    topic: str
    waiting: int
    """Records past the committed offsets that were read."""
    of_shop: int
    """Those keyed to the shop."""
    complete: bool
    """False when a partition was read only up to the limit."""

    def line(self, shop: str) -> str:
        """One line for the table's footer."""
        partial = "" if self.complete else " (first records of each partition only)"
        return (
            f"shop {shop}: {self.of_shop} of {self.waiting} waiting records in "
            f"{self.topic} for {self.group}{partial}"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "group": self.group,
            "topic": self.topic,
            "waiting": self.waiting,
            "of_shop": self.of_shop,
            "complete": self.complete,
        }


def shop_backlog(
    client_config: Mapping[str, Any],
    report: LagReport,
    shop: str,
    *,
    topics: Iterable[str] = SHOP_KEYED_TOPICS,
    limit: int = 10_000,
    timeout_s: float = 10.0,
) -> list[ShopBacklog]:
    """Per group and shop-keyed topic: how many of its waiting records are ``shop``'s."""
    wanted = set(topics)
    prefix = f"{shop.strip().lower()}/".encode()
    found: list[ShopBacklog] = []
    consumer = Consumer(
        {
            **ops_client_config(client_config, timeout_s),
            "group.id": f"casebridge-shop-lag-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    try:
        for group in report.groups:
            for topic in sorted({p.topic for p in group.partitions} & wanted):
                rows = [
                    p
                    for p in group.partitions
                    if p.topic == topic and p.end is not None and (p.lag or 0) > 0
                ]
                waiting = of_shop = 0
                complete = True
                for row in rows:
                    assert row.end is not None
                    start = row.committed if row.committed is not None else row.end - (row.lag or 0)
                    keys, whole = _keys(
                        consumer, topic, row.partition, start, row.end, limit, timeout_s
                    )
                    waiting += len(keys)
                    of_shop += sum(1 for key in keys if key.lower().startswith(prefix))
                    complete = complete and whole
                found.append(ShopBacklog(group.group, topic, waiting, of_shop, complete))
    finally:
        consumer.close()
    return found


def _keys(
    consumer: Consumer,
    topic: str,
    partition: int,
    start: int,
    end: int,
    limit: int,
    timeout_s: float,
) -> tuple[list[bytes], bool]:
    """The keys of ``[start, end)`` (at most ``limit``); whether the range was read whole."""
    stop = min(end, start + limit)
    consumer.assign([TopicPartition(topic, partition, start)])
    keys: list[bytes] = []
    position = start
    while position < stop:
        msg = consumer.poll(timeout_s)
        if msg is None:
            break  # nothing more within the timeout: count what was read
        error = msg.error()
        if error is not None:
            if error.code() == KafkaError._PARTITION_EOF:
                break  # the log ends before ``end`` (records deleted meanwhile)
            continue
        position = (msg.offset() or 0) + 1
        if position > stop:
            break
        keys.append(msg.key() or b"")
    consumer.unassign()
    return keys, stop == end and position >= end
