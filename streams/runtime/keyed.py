"""The consuming loop of a keyed agent, written once for every stage that has one.

Classify (webhooks, complaints), the sink and the writer (decisions, offline
orders) all consume raw records the same way:

1. take the stream without Faust's automatic acks (``noack``), since a record
   is only done when its effects are;
2. track the record's ack in consumption order (:class:`InOrderAcks`), so the
   committed offset never passes a record still in flight;
3. decode it or copy it to its DLQ with the reason
   (:func:`~streams.runtime.records.decode_or_dead_letter`), acknowledging a
   dead-lettered record at once;
4. ask the stage what the record needs: nothing (acknowledged at once) or a
   :class:`Lane` job, run in its key's lane (:class:`KeyedLanes`) and
   acknowledged when the job returned.

A job that raises leaves its record unacknowledged (see
:meth:`KeyedLanes.submit`): the offset stops there and a restart delivers it
again. Stages differ only in the model they decode and in :data:`Route`.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from schemas.records import AvroRecord
from streams.kafka.producer import AsyncProducer
from streams.runtime.acks import AckGate, InOrderAcks
from streams.runtime.lanes import KeyedLanes
from streams.runtime.records import Decoder, decode_or_dead_letter

__all__ = ["KeyedAgent", "Lane", "Route", "Stream"]

M = TypeVar("M", bound=AvroRecord)


@dataclass(frozen=True, slots=True)
class Lane:
    """A record's effects: ``job`` runs after the previous job of ``key`` finished."""

    key: Hashable
    job: Callable[[], Awaitable[None]]


#: What a stage does with one decoded record (its Faust event and its model): the
#: lane job of its effects, or None when the record needs nothing more (acked at once).
Route = Callable[[Any, M], Awaitable[Lane | None]]


class Stream(Protocol):
    """The part of a Faust stream the loop uses: ``stream.noack().events()``."""

    def noack(self) -> Any:
        """The stream without automatic acknowledgement."""


class KeyedAgent(Generic[M]):
    """One keyed consuming loop: in-order acks, decode or dead-letter, per-key lanes.

    Args:
        agent: the stage's name in metrics and logs (``RECORDS_IN{agent}``).
        model: the record type the topic carries.
        serde: decodes the topic's records (the Confluent wire format).
        producer: where undecodable records are dead-lettered.
        acks: the stage's in-order acknowledgements (shared by its loops).
        lanes: the stage's per-key lanes (shared by its loops, so one cap holds).
        route: what a decoded record needs (see :data:`Route`).
        undecodable: called once per dead-lettered record (a stage's counter).
        intercept: runs before decoding; returning True means the record was
            handled there and is acknowledged (the writer's replayed tasks).
    """

    def __init__(
        self,
        *,
        agent: str,
        model: type[M],
        serde: Decoder,
        producer: AsyncProducer,
        acks: InOrderAcks,
        lanes: KeyedLanes,
        route: Route[M],
        undecodable: Callable[[], None] | None = None,
        intercept: Callable[[Any], Awaitable[bool]] | None = None,
    ) -> None:
        self.agent = agent
        self.model = model
        self.serde = serde
        self.producer = producer
        self.acks = acks
        self.lanes = lanes
        self.route = route
        self.undecodable = undecodable
        self.intercept = intercept

    async def run(self, stream: Stream) -> None:
        """Consume ``stream`` until it ends (the Faust agent's body).

        Its topics are gated first (:class:`~streams.runtime.acks.AckGate`, on
        apps made by :func:`streams.app.create_app`): only this loop's in-order
        acks may commit past one of its records, never a record Faust skipped.
        """
        gate = getattr(getattr(stream, "app", None), "ack_gate", None)
        if isinstance(gate, AckGate):
            gate.gate(getattr(getattr(stream, "channel", None), "topics", ()))
        events: AsyncIterable[Any] = stream.noack().events()
        async for event in events:
            await self.handle(event)

    async def handle(self, event: Any) -> None:
        """One record: tracked in order, then decoded and routed, or dead-lettered."""
        done = self.acks.track(event)
        if self.intercept is not None and await self.intercept(event):
            done()
            return
        record = await decode_or_dead_letter(
            self.serde, self.model, self.producer, event, agent=self.agent
        )
        if record is None:
            if self.undecodable is not None:
                self.undecodable()
            done()
            return
        lane = await self.route(event, record)
        if lane is None:
            done()
            return
        await self.lanes.submit(lane.key, lane.job, done)
