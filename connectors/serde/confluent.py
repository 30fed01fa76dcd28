"""Serializers for plain confluent-kafka clients (external producers, tools, tests).

``SerializingProducer`` / ``DeserializingConsumer`` take callables
``(value, SerializationContext) -> bytes``; these wrap :class:`AvroSerde` so a
producer outside the Faust app writes exactly the bytes the app reads::

    from confluent_kafka import SerializingProducer
    from connectors.serde import make_value_serializer

    producer = SerializingProducer({
        "bootstrap.servers": "127.0.0.1:19092",
        "value.serializer": make_value_serializer("support.complaints", registry_url),
    })
    producer.produce("support.complaints", key=..., value=complaint)  # model or dict

confluent-kafka's own ``AvroSerializer(client, schema_str)`` with our
``.avsc`` text and ``AvroDeserializer`` are wire compatible with these too
(checked by the integration tests against the real registry).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from connectors.serde.avro import AvroSerde, value_subject
from connectors.serde.registry import RegistryClient, SchemaRegistry
from schemas.records import AvroRecord

__all__ = [
    "ValueDeserializer",
    "ValueSerializer",
    "make_value_deserializer",
    "make_value_serializer",
]

#: confluent-kafka's serializer signature: ``(value, ctx) -> bytes | None``.
ValueSerializer = Callable[[Mapping[str, Any] | AvroRecord | None, Any], bytes | None]
#: confluent-kafka's deserializer signature: ``(data, ctx) -> value | None``.
ValueDeserializer = Callable[[bytes | None, Any], dict[str, Any] | None]


def _serde(
    topic: str,
    registry: str | SchemaRegistry,
    schemas_dir: Path | str | None,
    record: str | None,
) -> AvroSerde:
    client = RegistryClient(registry) if isinstance(registry, str) else registry
    if record is None:
        return AvroSerde.for_topic(topic, client, schemas_dir=schemas_dir)
    return AvroSerde(record, client, subject=value_subject(topic), schemas_dir=schemas_dir)


def make_value_serializer(
    topic: str,
    registry: str | SchemaRegistry,
    *,
    schemas_dir: Path | str | None = None,
    record: str | None = None,
) -> ValueSerializer:
    """A ``value.serializer`` for ``topic``: models or dicts -> Confluent Avro bytes.

    ``registry`` is a URL or a client. The schema is registered under
    ``<topic>-value`` on the first message (then cached); ``None`` passes
    through so tombstones still work. ``record`` names the record for a topic
    outside :data:`schemas.TOPIC_RECORDS` (e.g. a test or staging topic).
    """
    serde = _serde(topic, registry, schemas_dir, record)

    def serialize(value: Mapping[str, Any] | AvroRecord | None, ctx: Any = None) -> bytes | None:
        return None if value is None else serde.encode(value)

    return serialize


def make_value_deserializer(
    topic: str,
    registry: str | SchemaRegistry,
    *,
    schemas_dir: Path | str | None = None,
    record: str | None = None,
) -> ValueDeserializer:
    """A ``value.deserializer`` for ``topic``: Confluent Avro bytes -> dict; ``None`` stays."""
    serde = _serde(topic, registry, schemas_dir, record)

    def deserialize(data: bytes | None, ctx: Any = None) -> dict[str, Any] | None:
        return None if data is None else serde.decode(data)

    return deserialize
