"""Stand-ins for a stage's seams in agent tests run without a worker: the Faust app,
:class:`~streams.services.Services`, the producer, the serde and the consumed stream."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from types import SimpleNamespace
from typing import Any

from pydantic import SecretStr

from connectors.serde import DeserializationError
from schemas.records import AvroRecord
from streams.kafka.dlq import parse_headers
from streams.policy import Policy, default_policy
from streams.settings import Settings
from streams.shops import ShopRegistry, single_shop_registry
from streams.shops.loader import RegistryDefaults


def registry(*domains: str) -> ShopRegistry:
    """A registry of ``domains`` (each with the default policy)."""
    defaults = RegistryDefaults(api_version="2026-04", base_policy=default_policy())
    shops = {}
    for domain in domains:
        one = single_shop_registry(
            domain=domain, access_token=SecretStr("t"), webhook_secrets=(), defaults=defaults
        )
        shops.update(one.shops)
    return ShopRegistry(shops)


class FakeServices(SimpleNamespace):
    """The shop lookups of Services over attributes a test sets (settings, shops, policy)."""

    def policy_for(self, shop: str) -> Policy:
        policy: Policy = getattr(self, "policy", None) or default_policy()
        return policy

    def model_key(self, shop: str, case_type: str) -> str | None:
        models: dict[str, Any] = self.settings.opentext.models
        return models.get(case_type)


# --- a stage's seams: the Faust app and the records it consumes and produces ---------------


class FakeApp:
    """The part of a Faust app a stage declares itself on, without a broker.

    Tables are plain dicts (the changelog is the app's business), every
    ``agent`` is kept by name so a test feeds it a :class:`FakeStream`, and
    ``producer.flush()`` records a copy of every table (what reached the
    changelogs) so a test can tell what was durable when.
    """

    def __init__(self) -> None:
        self.tables: dict[str, dict[Any, Any]] = {}
        self.agents: dict[str, Callable[[Any], Awaitable[None]]] = {}
        self.flushed: list[dict[str, dict[Any, Any]]] = []
        self.producer = SimpleNamespace(flush=self._flush)

    async def _flush(self) -> None:
        self.flushed.append({name: dict(table) for name, table in self.tables.items()})

    def topic(self, name: str, **_: Any) -> Any:
        return SimpleNamespace(name=name)

    def Table(self, name: str, default: Any = None) -> dict[Any, Any]:
        return self.tables.setdefault(name, {})

    GlobalTable = Table

    def agent(self, topic: Any, *, name: str) -> Callable[[Any], Any]:
        def declare(function: Callable[[Any], Awaitable[None]]) -> Any:
            self.agents[name] = function
            return function

        return declare

    def timer(self, *_: Any, **__: Any) -> Callable[[Any], Any]:
        return lambda function: function


class RecordingProducer:
    """``AsyncProducer.send``: keeps ``(topic, value, key, headers)``."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Any, bytes | None, list[tuple[str, bytes]]]] = []

    async def send(
        self,
        topic: str,
        value: Any,
        key: bytes | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        self.sent.append((topic, value, key, list(headers or [])))

    def records(self, topic: str) -> list[Any]:
        return [value for sent_topic, value, *_ in self.sent if sent_topic == topic]

    def letters(self, topic: str) -> list[dict[str, str]]:
        """The DLQ headers of what went to ``topic``'s DLQ."""
        return [
            parse_headers(headers)
            for sent_topic, _, _, headers in self.sent
            if sent_topic == f"{topic}.dlq"
        ]


class JsonSerde:
    """A stand-in for the Avro serde: records travel as their JSON."""

    def encode(self, record: AvroRecord) -> bytes:
        return record.model_dump_json().encode()

    def decode(self, data: bytes) -> Any:
        try:
            return json.loads(data)
        except ValueError:
            raise DeserializationError("bad-magic-byte", "not a record") from None


def stage_services(producer: RecordingProducer, **attributes: Any) -> FakeServices:
    """Services whose ``emit`` sends the record itself (no encoding) through ``producer``."""

    async def emit(agent: str, topic: str, record: Any, key: str) -> None:
        await producer.send(topic, record, key=key.encode())

    attributes.setdefault("settings", Settings())
    return FakeServices(producer=producer, serde=lambda topic: JsonSerde(), emit=emit, **attributes)


class Event:
    """A Faust event of ``topic``: its message, value and ``ack``."""

    def __init__(
        self,
        topic: str,
        value: bytes,
        *,
        offset: int = 0,
        partition: int = 0,
        key: bytes = b"key",
        timestamp: float | None = None,
    ) -> None:
        self.message = SimpleNamespace(
            topic=topic,
            partition=partition,
            offset=offset,
            key=key,
            value=value,
            headers=[],
            timestamp=timestamp,
        )
        self.value = value
        self.acked = False

    def ack(self) -> None:
        self.acked = True


class FakeStream:
    """``stream.noack().events()`` over a list of events."""

    def __init__(self, events: list[Event]) -> None:
        self._events = events

    def noack(self) -> FakeStream:
        return self

    async def events(self) -> AsyncIterator[Event]:
        for event in self._events:
            yield event


def events(topic: str, *records: AvroRecord | bytes, first_offset: int = 0) -> list[Event]:
    """Events of ``topic`` carrying ``records`` (JSON, as :class:`JsonSerde` reads) or raw bytes."""
    return [
        Event(
            topic,
            record if isinstance(record, bytes) else JsonSerde().encode(record),
            offset=first_offset + index,
        )
        for index, record in enumerate(records)
    ]
