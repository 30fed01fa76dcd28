"""An in-memory OffsetsSource: the lag monitor's seam, driven by the tests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Collection, Coroutine
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from confluent_kafka import KafkaError, KafkaException

from streams.ops.errors import BrokerUnavailableError
from streams.ops.lag import TP, GroupInfo, Spec

T = TypeVar("T")


@dataclass
class FakeCluster:
    """Topics, end offsets and group commits the tests set directly."""

    partitions: dict[str, int] = field(default_factory=dict)
    ends: dict[TP, int] = field(default_factory=dict)
    starts: dict[TP, int] = field(default_factory=dict)
    stables: dict[TP, int] = field(default_factory=dict)
    commits: dict[str, dict[TP, int]] = field(default_factory=dict)
    groups: dict[str, GroupInfo] = field(default_factory=dict)
    down: bool = False
    closed: bool = False

    def topic(self, name: str, partitions: int = 1) -> None:
        self.partitions[name] = partitions
        for p in range(partitions):
            self.ends.setdefault((name, p), 0)
            self.starts.setdefault((name, p), 0)

    def group(self, group: str, state: str = "STABLE", owners: dict[TP, str] | None = None) -> None:
        owners = owners or {}
        members = len(set(owners.values()))
        self.groups[group] = GroupInfo(group, state, members, owners)
        self.commits.setdefault(group, {})

    def stop(self, group: str) -> None:
        self.groups[group] = GroupInfo(group, "EMPTY", 0, {})

    # -- OffsetsSource -------------------------------------------------------

    def _check(self) -> None:
        if self.down:
            raise BrokerUnavailableError("Kafka at fake:9092 did not answer within 1s")

    def list_groups(self) -> list[str]:
        self._check()
        return sorted(self.groups)

    def describe_groups(self, groups: list[str]) -> dict[str, GroupInfo | Exception]:
        self._check()
        return {g: self.groups.get(g, GroupInfo(g, "DEAD", 0)) for g in groups}

    def committed_offsets(self, group: str) -> dict[TP, int]:
        self._check()
        return dict(self.commits.get(group, {}))

    def partition_counts(self, topics: Collection[str]) -> dict[str, int]:
        self._check()
        return {t: n for t, n in self.partitions.items() if t in topics}

    def offsets(self, partitions: Collection[TP], spec: Spec) -> dict[TP, int | None]:
        self._check()
        table = {"latest": self.ends, "earliest": self.starts, "stable": self.stables}[spec]
        return {tp: table.get(tp) for tp in partitions}

    def close(self) -> None:
        self.closed = True


class FakeAdminClient:
    """Stands in for confluent-kafka's AdminClient: no broker answers; counts its destructions."""

    #: Every instance, newest last (tests reset it with monkeypatch).
    made: ClassVar[list[FakeAdminClient]] = []

    def __init__(self, config: dict[str, Any]) -> None:
        self.exits = 0
        self.made.append(self)

    def __enter__(self) -> FakeAdminClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.exits += 1

    def list_topics(self, timeout: float = -1) -> Any:
        raise KafkaException(KafkaError(KafkaError._TRANSPORT))


class Gate:
    """Holds a blocking call in its thread (:meth:`hold`) until :func:`close_while_held` says."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.released = threading.Event()

    def hold(self) -> None:
        self.entered.set()
        self.released.wait(10)


async def close_while_held(
    gate: Gate,
    work: Coroutine[Any, Any, T],
    aclose: Callable[[], Awaitable[None]],
    closed: Callable[[], bool],
) -> T:
    """Close while ``work`` is held by ``gate``: the close must wait for it; ``work``'s result."""
    running = asyncio.create_task(work)
    await asyncio.to_thread(gate.entered.wait, 10)
    closing = asyncio.create_task(aclose())
    await asyncio.sleep(0)  # let aclose run up to where it must wait
    assert not closed()
    gate.released.set()
    result = await running
    await closing
    assert closed()
    return result
