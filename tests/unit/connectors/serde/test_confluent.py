"""Interoperability with confluent-kafka's AvroSerializer/AvroDeserializer (mock:// registry)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from connectors.serde import make_value_deserializer, make_value_serializer
from schemas import schema_path
from schemas.records import CaseRequest
from tests.unit.connectors.serde.fakes import FakeRegistry
from tests.unit.schemas.samples import samples

TOPIC = "cases.requests"
CTX = SerializationContext(TOPIC, MessageField.VALUE)


class ConfluentRegistry:
    """Our SchemaRegistry protocol over confluent-kafka's client (here its mock:// one)."""

    def __init__(self, client: SchemaRegistryClient) -> None:
        self.client = client

    def register(self, subject: str, schema: Any) -> int:
        text = schema if isinstance(schema, str) else json.dumps(schema)
        return int(self.client.register_schema(subject, Schema(text, "AVRO")))

    def get_schema(self, schema_id: int) -> dict[str, Any]:
        return dict(json.loads(self.client.get_schema(schema_id).schema_str or "{}"))


def _mock_client() -> SchemaRegistryClient:
    return SchemaRegistryClient.new_client({"url": f"mock://{uuid.uuid4().hex}"})


def test_confluent_serializer_output_decodes_with_ours_and_back() -> None:
    client = _mock_client()
    record = samples()["CaseRequest"]
    theirs = AvroSerializer(client, schema_path("CaseRequest").read_text())
    data = theirs(record.to_avro(), CTX)
    assert data is not None

    ours_decode = make_value_deserializer(TOPIC, ConfluentRegistry(client))
    assert CaseRequest.from_avro(ours_decode(data, CTX)) == record

    ours_encode = make_value_serializer(TOPIC, ConfluentRegistry(client))
    encoded = ours_encode(record, CTX)
    assert encoded is not None
    decoded = AvroDeserializer(client)(encoded, CTX)
    assert CaseRequest.from_avro(decoded) == record


def test_none_passes_through_for_tombstones() -> None:
    fake = FakeRegistry()
    assert make_value_serializer(TOPIC, fake.client())(None, CTX) is None
    assert make_value_deserializer(TOPIC, fake.client())(None, CTX) is None
    assert fake.calls == {}
