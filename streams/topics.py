"""The topics of the public interface, and their creation before workers start.

Faust creates only its own changelog and repartition topics; an agent whose
source topic is missing at start never consumes it, even after the topic
appears. So every topic is created here with the AdminClient, with its
partition count and cleanup policy, before any worker starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from connectors.errors import CasebridgeError
from schemas import (
    CASES_DECISIONS,
    CASES_OPENED,
    CASES_REQUESTS,
    CASES_STATE,
    DLQ_SOURCES,
    ORDERS_OFFLINE,
    SHOPIFY_WEBHOOKS,
    SHOPIFY_WRITEBACKS,
    SUPPORT_COMPLAINTS,
)

__all__ = [
    "CASES_DECISIONS",
    "CASES_OPENED",
    "CASES_REQUESTS",
    "CASES_STATE",
    "DLQ_SOURCES",
    "DLQ_SUFFIX",
    "ORDERS_OFFLINE",
    "SHOPIFY_WEBHOOKS",
    "SHOPIFY_WRITEBACKS",
    "SUPPORT_COMPLAINTS",
    "WATERMARKS",
    "KafkaUnavailableError",
    "TopicConfigError",
    "TopicSpec",
    "dlq_name",
    "ensure_topics",
    "topic_specs",
]

DLQ_SUFFIX = ".dlq"
#: Compacted: the durable watermarks of the leader's pollers (decisions, reconciliation).
WATERMARKS = "casebridge.watermarks"


class KafkaUnavailableError(CasebridgeError):
    """The Kafka cluster did not answer (wrong address, broker down, auth failure)."""


class TopicConfigError(CasebridgeError):
    """An existing topic differs from what casebridge needs (e.g. too few partitions)."""


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """One topic: name, partitions, and the topic-level configs we insist on."""

    name: str
    partitions: int
    compacted: bool = False
    config: Mapping[str, str] = field(default_factory=dict)

    def topic_config(self) -> dict[str, str]:
        """The Kafka topic configuration to create this topic with."""
        merged = {"cleanup.policy": "compact" if self.compacted else "delete"}
        merged.update(self.config)
        return merged


def dlq_name(topic: str) -> str:
    """The dead-letter topic of ``topic``."""
    return topic + DLQ_SUFFIX


def topic_specs(partitions: int) -> list[TopicSpec]:
    """Every topic casebridge reads or writes, sized for ``partitions`` consumers per group."""
    # Audit topics keep history for a year; DLQs are never deleted by time.
    audit = {"retention.ms": str(365 * 24 * 3600 * 1000)}
    specs = [
        TopicSpec(SHOPIFY_WEBHOOKS, partitions),
        TopicSpec(SUPPORT_COMPLAINTS, partitions),
        TopicSpec(CASES_REQUESTS, partitions),
        TopicSpec(CASES_OPENED, partitions, config=audit),
        TopicSpec(CASES_DECISIONS, partitions),
        TopicSpec(ORDERS_OFFLINE, partitions),
        TopicSpec(SHOPIFY_WRITEBACKS, partitions, config=audit),
        TopicSpec(CASES_STATE, partitions, compacted=True),
    ]
    # One small record per poller; compaction keeps only the latest of each.
    specs.append(TopicSpec(WATERMARKS, 1, compacted=True))
    specs += [
        TopicSpec(dlq_name(t), partitions, config={"retention.ms": "-1"}) for t in DLQ_SOURCES
    ]
    return specs


def ensure_topics(
    client_config: Mapping[str, Any],
    specs: Iterable[TopicSpec],
    *,
    replication_factor: int = 1,
    timeout_s: float = 15.0,
) -> list[str]:
    """Create the topics that do not exist yet; return the names created.

    An existing topic with fewer partitions than specified is an error, not a
    silent downgrade: per-order ordering and the scaling ceiling depend on it.
    """
    # librdkafka would print every failed connection attempt to stderr; the
    # outcome is reported once, as KafkaUnavailableError, instead. The client is
    # destroyed on the way out, also on an error (a kept traceback would keep it).
    with AdminClient({"log_level": 2, **client_config}) as admin:
        try:
            metadata = admin.list_topics(timeout=timeout_s)
        except KafkaException as exc:
            raise KafkaUnavailableError(
                f"Kafka at {client_config.get('bootstrap.servers')} did not answer: {exc.args[0]}"
            ) from None
        existing = metadata.topics
        wanted = list(specs)
        for spec in wanted:
            if spec.name in existing and len(existing[spec.name].partitions) < spec.partitions:
                raise TopicConfigError(
                    f"topic {spec.name} has {len(existing[spec.name].partitions)} partitions, "
                    f"casebridge needs {spec.partitions}"
                )
        missing = [
            NewTopic(
                spec.name,
                num_partitions=spec.partitions,
                replication_factor=replication_factor,
                config=spec.topic_config(),
            )
            for spec in wanted
            if spec.name not in existing
        ]
        if not missing:
            return []
        created: list[str] = []
        for name, future in admin.create_topics(missing, request_timeout=timeout_s).items():
            try:
                future.result()
                created.append(name)
            except KafkaException as exc:
                error = exc.args[0]
                # Another worker may have created it between our listing and our request.
                if getattr(error, "name", lambda: "")() == "TOPIC_ALREADY_EXISTS":
                    continue
                raise KafkaUnavailableError(f"could not create topic {name}: {error}") from None
        return created
