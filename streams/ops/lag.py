"""Measure consumer lag with the Kafka AdminClient.

For every watched group and every partition of every topic it consumes:

* the committed offset (``list_consumer_group_offsets``);
* the end offset (``list_offsets`` with ``OffsetSpec.latest()``) and, for
  groups configured as ``read_committed``, the last stable offset (the same
  call with ``IsolationLevel.READ_COMMITTED``), which is what such a
  consumer can reach while a transaction is open;
* the log start offset (``OffsetSpec.earliest()``) for partitions the group
  never committed: their lag counts from the log start, i.e. everything
  still retained is unconsumed, which is what a new consumer with
  ``auto.offset.reset=earliest`` (Faust's default) would have to read;
* the group's state and which member owns which partition
  (``describe_consumer_groups``).

Lag is ``end - committed`` (never negative). The broker calls sit behind the
:class:`OffsetsSource` protocol; :class:`AdminOffsetsSource` is the real
one, and unit tests pass a fake one.
"""

from __future__ import annotations

import fnmatch
import logging
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from confluent_kafka import (
    ConsumerGroupState,
    ConsumerGroupTopicPartitions,
    IsolationLevel,
    KafkaException,
    TopicPartition,
)
from confluent_kafka.admin import (  # type: ignore[attr-defined]  # OffsetSpec: not in __all__
    AdminClient,
    OffsetSpec,
)

from streams.ops.errors import BrokerUnavailableError, LagMeasurementError

__all__ = [
    "TP",
    "AdminOffsetsSource",
    "GroupInfo",
    "GroupOffsets",
    "LagSnapshot",
    "OffsetsSource",
    "PartitionOffsets",
    "measure",
    "ops_client_config",
    "select_groups",
]

#: (topic, partition)
TP = tuple[str, int]
Spec = Literal["earliest", "latest", "stable"]

#: Group states in which the member assignments are settled; during a
#: rebalance nobody owns anything for a moment, which must not read as STOP.
SETTLED_STATES = frozenset({"STABLE", "EMPTY", "DEAD"})

#: librdkafka's own log lines ("Connect to ... failed") go here instead of raw
#: stderr: the tools report an unreachable broker as one clear error, and a
#: worker that configured logging still sees them.
KAFKA_LOG = logging.getLogger("streams.ops.kafka")
KAFKA_LOG.addHandler(logging.NullHandler())

_EARLIEST: Any = OffsetSpec.earliest()  # type: ignore[no-untyped-call]
_LATEST: Any = OffsetSpec.latest()  # type: ignore[no-untyped-call]


@dataclass(frozen=True, slots=True)
class GroupInfo:
    """A group's state and its members' assignments."""

    group: str
    state: str
    members: int
    owners: Mapping[TP, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PartitionOffsets:
    """The offsets of one partition as seen by one group.

    ``end`` is the high watermark; ``stable`` the last stable offset (only
    measured for read_committed groups); ``start`` the log start offset.
    """

    topic: str
    partition: int
    committed: int | None
    end: int | None
    start: int | None = None
    stable: int | None = None
    owner: str | None = None
    read_committed: bool = False

    @property
    def target(self) -> int | None:
        """The offset the consumer can reach: the LSO for read_committed, else the end."""
        return self.stable if self.read_committed else self.end

    @property
    def lag(self) -> int | None:
        """Records the group has not consumed yet; None if the end is unknown."""
        target = self.target
        if target is None:
            return None
        base = self.committed if self.committed is not None else self.start
        if base is None:
            return None
        return max(0, target - base)


@dataclass(frozen=True, slots=True)
class GroupOffsets:
    """One group's measurement; ``error`` is set when it could not be measured."""

    group: str
    state: str
    members: int
    partitions: list[PartitionOffsets]
    error: str | None = None

    @property
    def settled(self) -> bool:
        """Whether ownership can be trusted (not rebalancing, no error)."""
        return self.error is None and self.state in SETTLED_STATES


@dataclass(frozen=True, slots=True)
class LagSnapshot:
    """All watched groups at one instant, plus the end offset of every topic partition seen."""

    at: float
    groups: list[GroupOffsets]
    end_offsets: dict[TP, int]


class OffsetsSource(Protocol):
    """The broker queries lag measurement needs; the seam for tests."""

    def list_groups(self) -> list[str]:
        """Ids of every consumer group on the cluster."""
        ...

    def describe_groups(self, groups: list[str]) -> dict[str, GroupInfo | Exception]:
        """State and assignments per group, or the error describing it."""
        ...

    def committed_offsets(self, group: str) -> dict[TP, int]:
        """The group's committed offsets (partitions without a commit are absent)."""
        ...

    def partition_counts(self, topics: Collection[str]) -> dict[str, int]:
        """Partitions per existing topic; missing topics are absent."""
        ...

    def offsets(self, partitions: Collection[TP], spec: Spec) -> dict[TP, int | None]:
        """Earliest, latest or last stable offset per partition (None if it failed)."""
        ...

    def close(self) -> None:
        """Release the broker client behind the source; it is not used again."""
        ...


def select_groups(
    available: Iterable[str],
    *,
    prefix: str,
    explicit: Iterable[str] = (),
    exclude_prefixes: Iterable[str] = (),
) -> list[str]:
    """The groups to watch: explicit ones, plus prefix matches that are not excluded."""
    excluded = tuple(exclude_prefixes)
    chosen = {
        g for g in available if prefix and g.startswith(prefix) and not g.startswith(excluded)
    }
    chosen.update(explicit)
    return sorted(chosen)


def measure(
    source: OffsetsSource,
    groups: Iterable[str],
    *,
    read_committed: Collection[str] = (),
    exclude_topics: Collection[str] = (),
    clock: Callable[[], float] = time.time,
) -> LagSnapshot:
    """Measure the offsets of ``groups`` in one pass (a few batched broker calls).

    Topics matching a shell pattern of ``exclude_topics`` are left out.
    """
    group_ids = list(groups)
    described = source.describe_groups(group_ids) if group_ids else {}
    committed: dict[str, dict[TP, int] | Exception] = {}
    for group in group_ids:
        try:
            committed[group] = source.committed_offsets(group)
        except LagMeasurementError as exc:
            committed[group] = exc
    # One batched list_offsets per spec for all groups, not one per group.
    topics = {tp[0] for c in committed.values() if isinstance(c, dict) for tp in c}
    for info in described.values():
        if isinstance(info, GroupInfo):
            topics.update(tp[0] for tp in info.owners)
    topics = {t for t in topics if not any(fnmatch.fnmatchcase(t, p) for p in exclude_topics)}
    counts = source.partition_counts(topics)
    every = [(t, p) for t, n in sorted(counts.items()) for p in range(n)]
    ends = source.offsets(every, "latest")
    starts = source.offsets(every, "earliest")
    rc_groups = set(read_committed) & set(group_ids)
    stables = source.offsets(every, "stable") if rc_groups else {}
    at = clock()

    results: list[GroupOffsets] = []
    for group in group_ids:
        found = described.get(group)
        offsets = committed[group]
        if isinstance(found, Exception) or isinstance(offsets, Exception):
            error = found if isinstance(found, Exception) else offsets
            results.append(GroupOffsets(group, "UNKNOWN", 0, [], error=str(error)))
            continue
        info = found or GroupInfo(group, "UNKNOWN", 0)
        group_topics = {tp[0] for tp in offsets} | {tp[0] for tp in info.owners}
        rows = [
            PartitionOffsets(
                topic=topic,
                partition=partition,
                committed=offsets.get((topic, partition)),
                end=ends.get((topic, partition)),
                start=starts.get((topic, partition)),
                stable=stables.get((topic, partition)),
                owner=info.owners.get((topic, partition)),
                read_committed=group in rc_groups,
            )
            for topic, partition in every
            if topic in group_topics
        ]
        results.append(GroupOffsets(group, info.state, info.members, rows))
    end_offsets = {tp: end for tp, end in ends.items() if end is not None}
    return LagSnapshot(at=at, groups=results, end_offsets=end_offsets)


def ops_client_config(client_config: Mapping[str, Any], timeout_s: float) -> dict[str, Any]:
    """``client_config`` for an operations client: bounded connects, logs via logging."""
    config = dict(client_config)
    # Without a bound librdkafka keeps retrying an unreachable broker silently.
    config.setdefault("socket.connection.setup.timeout.ms", int(timeout_s * 1000))
    config.setdefault("logger", KAFKA_LOG)
    return config


class AdminOffsetsSource:
    """:class:`OffsetsSource` on a confluent-kafka ``AdminClient``."""

    def __init__(self, client_config: Mapping[str, Any], *, timeout_s: float = 10.0) -> None:
        self._servers = client_config.get("bootstrap.servers", "?")
        self._timeout = timeout_s
        self._admin = AdminClient(ops_client_config(client_config, timeout_s))

    def _unavailable(self, exc: BaseException) -> BrokerUnavailableError:
        detail = exc.args[0] if exc.args else exc
        text = detail.str() if hasattr(detail, "str") else str(detail)
        return BrokerUnavailableError(
            f"Kafka at {self._servers} did not answer within {self._timeout:g}s: {text}"
        )

    def close(self) -> None:
        """Destroy the AdminClient now (idempotent).

        Left to the garbage collector, a client something still reaches (a metrics
        collector holds the monitor) keeps its threads connecting to the broker,
        logging each refusal once the broker is gone.
        """
        self._admin.__exit__(None, None, None)

    def ping(self) -> None:
        """Fail fast with :class:`BrokerUnavailableError` when no broker answers."""
        try:
            self._admin.list_topics(timeout=self._timeout)
        except KafkaException as exc:
            raise self._unavailable(exc) from None

    def list_groups(self) -> list[str]:
        """Ids of every consumer group (classic and KIP-848 consumer groups)."""
        self.ping()
        try:
            result = self._admin.list_consumer_groups(request_timeout=self._timeout).result()
        except KafkaException as exc:
            raise self._unavailable(exc) from None
        return [listing.group_id for listing in result.valid or []]

    def describe_groups(self, groups: list[str]) -> dict[str, GroupInfo | Exception]:
        """State and assignments per group; a per-group failure is returned, not raised."""
        futures = self._admin.describe_consumer_groups(groups, request_timeout=self._timeout)
        described: dict[str, GroupInfo | Exception] = {}
        for group, future in futures.items():
            try:
                desc = future.result()
            except KafkaException as exc:
                described[group] = LagMeasurementError(f"describe {group}: {exc.args[0]}")
                continue
            owners: dict[TP, str] = {}
            for member in desc.members or []:
                for tp in member.assignment.topic_partitions if member.assignment else []:
                    owners[(tp.topic, tp.partition)] = member.member_id
            state = desc.state.name if isinstance(desc.state, ConsumerGroupState) else "UNKNOWN"
            described[group] = GroupInfo(group, state, len(desc.members or []), owners)
        return described

    def committed_offsets(self, group: str) -> dict[TP, int]:
        """The group's committed offsets, all topics."""
        request = [ConsumerGroupTopicPartitions(group)]
        futures = self._admin.list_consumer_group_offsets(request, request_timeout=self._timeout)
        try:
            result = futures[group].result()
        except KafkaException as exc:
            raise LagMeasurementError(f"offsets of {group}: {exc.args[0]}") from None
        return {
            (tp.topic, tp.partition): tp.offset
            for tp in result.topic_partitions or []
            if tp.offset >= 0 and tp.error is None
        }

    def partition_counts(self, topics: Collection[str]) -> dict[str, int]:
        """Partitions per topic, from one cluster metadata request."""
        if not topics:
            return {}
        try:
            metadata = self._admin.list_topics(timeout=self._timeout)
        except KafkaException as exc:
            raise self._unavailable(exc) from None
        return {
            name: len(meta.partitions)
            for name, meta in metadata.topics.items()
            if name in topics and meta.error is None
        }

    def offsets(self, partitions: Collection[TP], spec: Spec) -> dict[TP, int | None]:
        """Earliest, latest or last stable offsets; a failed partition maps to None."""
        if not partitions:
            return {}
        offset_spec = _EARLIEST if spec == "earliest" else _LATEST
        isolation = (
            IsolationLevel.READ_COMMITTED if spec == "stable" else IsolationLevel.READ_UNCOMMITTED
        )
        request = {TopicPartition(t, p): offset_spec for t, p in partitions}
        futures = self._admin.list_offsets(
            request, isolation_level=isolation, request_timeout=self._timeout
        )
        found: dict[TP, int | None] = {}
        for tp, future in futures.items():
            try:
                found[(tp.topic, tp.partition)] = int(future.result().offset)
            except KafkaException:
                found[(tp.topic, tp.partition)] = None
        return found
