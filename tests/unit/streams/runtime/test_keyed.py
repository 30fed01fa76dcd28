"""KeyedAgent: the one consuming loop of classify, the sink and the writer, through ``run``."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from types import SimpleNamespace
from typing import Any, ClassVar

from connectors.serde import DeserializationError
from schemas.records import AvroRecord
from streams.kafka.dlq import parse_headers
from streams.runtime.acks import InOrderAcks
from streams.runtime.keyed import KeyedAgent, Lane
from streams.runtime.lanes import KeyedLanes
from tests.unit.streams.fakes import FakeStream

TOPIC = "cases.requests"


class Ping(AvroRecord):
    avro_name: ClassVar[str] = "Ping"

    key: str
    n: int


class Event:
    """A Faust event: its message and ``ack``."""

    def __init__(self, offset: int, value: bytes, acked: list[int]) -> None:
        self.message = SimpleNamespace(
            topic=TOPIC, partition=0, offset=offset, key=b"k", value=value, headers=[]
        )
        self.value = value
        self._acked = acked

    def ack(self) -> None:
        self._acked.append(self.message.offset)


class Serde:
    """``b"<key>:<n>"`` decodes to a Ping; ``b"bad"`` is not Avro; ``b"<key>:x"`` is invalid."""

    def decode(self, data: bytes) -> Any:
        if data == b"bad":
            raise DeserializationError("bad-magic-byte", "not the Confluent wire format")
        key, _, n = data.decode().partition(":")
        return {"key": key, "n": n}


class Producer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None, dict[str, str]]] = []

    async def send(self, topic: str, value: bytes | None, **kw: Any) -> None:
        self.sent.append((topic, value, parse_headers(kw.get("headers"))))


class Harness:
    def __init__(self) -> None:
        self.acked: list[int] = []
        self.producer = Producer()
        self.undecodable = 0
        self.ran: list[tuple[str, int]] = []
        self.finished: defaultdict[tuple[str, int], asyncio.Event] = defaultdict(asyncio.Event)
        self.gates: dict[str, asyncio.Event] = {}
        self.failing: set[int] = set()
        self.lanes = KeyedLanes(8)

    def agent(self, **kw: Any) -> KeyedAgent[Ping]:
        return KeyedAgent(
            agent="test",
            model=Ping,
            serde=Serde(),
            producer=self.producer,  # type: ignore[arg-type]
            acks=InOrderAcks(),
            lanes=self.lanes,
            route=kw.pop("route", self.route),
            undecodable=self.count,
            **kw,
        )

    def count(self) -> None:
        self.undecodable += 1

    async def route(self, event: Any, ping: Ping) -> Lane | None:
        if ping.key == "none":
            return None

        async def job() -> None:
            gate = self.gates.get(ping.key)
            if gate is not None:
                await gate.wait()
            if ping.n in self.failing:
                raise RuntimeError("a bug")
            self.ran.append((ping.key, ping.n))
            self.finished[ping.key, ping.n].set()

        return Lane(ping.key, job)

    def events(self, *values: bytes) -> list[Event]:
        return [Event(offset, value, self.acked) for offset, value in enumerate(values)]


async def test_acks_leave_in_offset_order_though_lanes_finish_out_of_order() -> None:
    h = Harness()
    h.gates["slow"] = asyncio.Event()
    await h.agent().run(FakeStream(h.events(b"slow:0", b"fast:1", b"fast:2")))
    await asyncio.wait_for(h.finished["fast", 2].wait(), 5)
    assert h.acked == []  # offset 0 is still in flight: nothing behind it is acknowledged

    h.gates["slow"].set()
    await h.lanes.drain()
    assert h.acked == [0, 1, 2]


async def test_one_key_runs_in_order() -> None:
    h = Harness()
    await h.agent().run(FakeStream(h.events(b"a:0", b"a:1", b"a:2")))
    await h.lanes.drain()
    assert h.ran == [("a", 0), ("a", 1), ("a", 2)]


async def test_an_undecodable_record_is_dead_lettered_with_its_reason_and_acknowledged() -> None:
    h = Harness()
    await h.agent().run(FakeStream(h.events(b"bad", b"a:x")))
    await h.lanes.drain()
    assert h.acked == [0, 1] and h.undecodable == 2 and h.ran == []
    (dlq, value, avro), (_, _, invalid) = h.producer.sent
    assert dlq == f"{TOPIC}.dlq" and value == b"bad"
    assert avro["error_class"] == "avro:bad-magic-byte"
    assert "not the Confluent wire format" in avro["reason"]
    assert invalid["error_class"] == "validation" and invalid["source_offset"] == "1"


async def test_a_record_that_needs_nothing_is_acknowledged_at_once() -> None:
    h = Harness()
    await h.agent().run(FakeStream(h.events(b"none:0")))
    assert h.acked == [0] and h.ran == []


async def test_a_job_that_raises_holds_back_its_ack_and_those_behind_it() -> None:
    h = Harness()
    h.failing.add(1)
    await h.agent().run(FakeStream(h.events(b"a:0", b"b:1", b"c:2")))
    await h.lanes.drain()
    # The failed record stays uncommitted, so a restart delivers it (and what follows) again.
    assert h.acked == [0] and ("c", 2) in h.ran


async def test_an_intercepted_record_is_acknowledged_without_decoding() -> None:
    h = Harness()
    seen: list[bytes] = []

    async def intercept(event: Any) -> bool:
        seen.append(event.value)
        return bool(event.value == b"bad")

    await h.agent(intercept=intercept).run(FakeStream(h.events(b"bad", b"a:1")))
    await h.lanes.drain()
    assert seen == [b"bad", b"a:1"]
    assert h.acked == [0, 1] and h.producer.sent == [] and h.ran == [("a", 1)]


async def test_run_gates_its_streams_topics_so_only_its_in_order_acks_commit() -> None:
    from streams.runtime.acks import AckGate

    gate = AckGate()
    stream = FakeStream([])
    stream.app = SimpleNamespace(ack_gate=gate)  # type: ignore[attr-defined]
    stream.channel = SimpleNamespace(topics=(TOPIC,))  # type: ignore[attr-defined]
    harness = Harness()

    await harness.agent().run(stream)  # type: ignore[arg-type]

    skipped = SimpleNamespace(topic=TOPIC, partition=0, offset=3)
    assert not gate.allows(skipped)
    assert gate.allows(SimpleNamespace(topic="cases.state", partition=0, offset=3))
