"""Avro serde for casebridge topics: schema registry client, wire format, Faust codec.

Public surface::

    RegistryClient(url)                       # typed Confluent/Apicurio ccompat client
    AvroSerde.for_topic(topic, registry)      # .encode(model|dict) -> bytes, .decode(bytes) -> dict
    avro_codec(topic, registry)               # Faust: app.topic(..., value_serializer=<codec>)
    make_value_serializer(topic, registry)    # confluent-kafka SerializingProducer
    make_value_deserializer(topic, registry)  # confluent-kafka DeserializingConsumer

Errors are in :mod:`connectors.serde.errors`. The Faust codec lives in
:mod:`connectors.serde.faust_codec` and is not imported here, so plain
producers do not pay for importing Faust.
"""

from connectors.serde.avro import (
    HEADER_SIZE,
    MAGIC_BYTE,
    AvroSerde,
    split_header,
    value_subject,
)
from connectors.serde.confluent import make_value_deserializer, make_value_serializer
from connectors.serde.errors import (
    DeserializationError,
    RegistryError,
    RegistryUnavailableError,
    SchemaIncompatibleError,
    SchemaNotFoundError,
    SerdeError,
    SerializationError,
    SubjectNotFoundError,
)
from connectors.serde.registry import RegisteredSchema, RegistryClient, SchemaRegistry

__all__ = [
    "HEADER_SIZE",
    "MAGIC_BYTE",
    "AvroSerde",
    "DeserializationError",
    "RegisteredSchema",
    "RegistryClient",
    "RegistryError",
    "RegistryUnavailableError",
    "SchemaIncompatibleError",
    "SchemaNotFoundError",
    "SchemaRegistry",
    "SerdeError",
    "SerializationError",
    "SubjectNotFoundError",
    "make_value_deserializer",
    "make_value_serializer",
    "split_header",
    "value_subject",
]
