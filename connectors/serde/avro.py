"""Avro values in the Confluent wire format.

A value on a casebridge topic is::

    byte 0      magic byte 0
    bytes 1-4   schema id, big-endian unsigned 32-bit (the registry's id)
    bytes 5-    the record, Avro binary encoding without a container header

so it is read by any Confluent-compatible consumer (confluent-kafka's
``AvroDeserializer``, Kafka Connect, ksqlDB) and we read theirs.

:class:`AvroSerde` talks to the registry once per schema, never per message:
the writer's id is registered (idempotently) on first use and cached, and each
writer schema met while decoding is fetched once by id and cached with its
resolution to our reader schema (so older and newer writers both decode into
the shape this code expects).
"""

from __future__ import annotations

import io
import struct
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import fastavro
from fastavro.read import SchemaResolutionError

from connectors.serde.errors import (
    DeserializationError,
    SchemaNotFoundError,
    SerializationError,
)
from connectors.serde.registry import SchemaRegistry
from schemas import load_schema, parsed_schema, record_for_topic
from schemas.records import RECORD_MODELS, AvroRecord

__all__ = ["HEADER_SIZE", "MAGIC_BYTE", "AvroSerde", "split_header", "value_subject"]

MAGIC_BYTE = 0
HEADER_SIZE = 5
_HEADER = struct.Struct(">bI")


def value_subject(topic: str) -> str:
    """The registry subject of ``topic``'s values (Confluent's TopicNameStrategy)."""
    return f"{topic}-value"


def split_header(data: bytes) -> tuple[int, memoryview]:
    """Check the wire-format header and return ``(schema_id, body)``.

    Raises:
        DeserializationError: empty, shorter than the header, or a wrong magic byte.
    """
    if not data:
        raise DeserializationError("empty", "empty value where an Avro record was expected")
    if len(data) < HEADER_SIZE:
        raise DeserializationError(
            "too-short", f"value of {len(data)} bytes is shorter than the 5-byte header"
        )
    magic, schema_id = _HEADER.unpack_from(data)
    if magic != MAGIC_BYTE:
        raise DeserializationError(
            "bad-magic-byte",
            f"magic byte is {magic & 0xFF:#04x}, expected 0x00 (not Confluent Avro wire format)",
        )
    return schema_id, memoryview(data)[HEADER_SIZE:]


class AvroSerde:
    """Encode and decode one record type in the Confluent wire format.

    Args:
        record: the record name, e.g. ``"CaseRequest"`` (its ``.avsc`` is the schema).
        registry: a :class:`~connectors.serde.registry.RegistryClient` or any
            :class:`~connectors.serde.registry.SchemaRegistry`.
        subject: the subject to register under; usually built by :meth:`for_topic`.
        schemas_dir: folder of the ``.avsc`` files (default: the packaged ones).

    Encoding registers the schema under ``subject`` on first use; call
    :meth:`prepare` at start-up to pay that one registry round trip (and to
    fail fast if the registry refuses the schema) before the first message.
    """

    def __init__(
        self,
        record: str,
        registry: SchemaRegistry,
        *,
        subject: str,
        schemas_dir: Path | str | None = None,
    ) -> None:
        self.record = record
        self.subject = subject
        self._registry = registry
        self._schema = load_schema(record, schemas_dir)
        self._parsed = parsed_schema(record, schemas_dir)
        self._header: bytes | None = None
        self._schema_id: int | None = None
        # schema id -> (parsed writer schema, parsed reader schema or None when identical)
        self._writers: dict[int, tuple[Any, Any]] = {}
        self._lock = threading.Lock()

    @classmethod
    def for_topic(
        cls,
        topic: str,
        registry: SchemaRegistry,
        *,
        schemas_dir: Path | str | None = None,
        subject: str | None = None,
    ) -> AvroSerde:
        """The serde of ``topic``'s values, registered under ``<topic>-value``."""
        return cls(
            record_for_topic(topic),
            registry,
            subject=subject or value_subject(topic),
            schemas_dir=schemas_dir,
        )

    @property
    def schema(self) -> dict[str, Any]:
        """The local (writer and reader) schema as a JSON dict."""
        return self._schema

    @property
    def schema_id(self) -> int:
        """The registry id of the local schema (registered on first access)."""
        return self.prepare()

    def prepare(self) -> int:
        """Register the local schema now (once) and return its id."""
        if self._schema_id is None:
            with self._lock:
                if self._schema_id is None:
                    schema_id = self._registry.register(self.subject, self._schema)
                    # Our own messages then decode without asking the registry.
                    self._writers[schema_id] = (self._parsed, None)
                    self._header = _HEADER.pack(MAGIC_BYTE, schema_id)
                    self._schema_id = schema_id
        return self._schema_id

    # --- encode ------------------------------------------------------------------------------

    def encode(self, record: Mapping[str, Any] | AvroRecord) -> bytes:
        """Encode a record (a model or a dict shaped like the schema) to wire-format bytes.

        Raises:
            SerializationError: the record does not fit the schema.
            RegistryUnavailableError: first use only, the registry cannot be reached.
        """
        header = self._header
        if header is None:
            self.prepare()
            header = self._header
            assert header is not None
        datum = record.to_avro() if isinstance(record, AvroRecord) else record
        buffer = io.BytesIO()
        buffer.write(header)
        try:
            # strict_allow_default: a misspelt or missing required field fails
            # here instead of being written as a null or silently dropped.
            fastavro.schemaless_writer(buffer, self._parsed, datum, strict_allow_default=True)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise SerializationError(
                f"{self.record}: record does not fit the schema: {exc}"
            ) from exc
        return buffer.getvalue()

    # --- decode ------------------------------------------------------------------------------

    def decode(self, data: bytes) -> dict[str, Any]:
        """Decode wire-format bytes into a dict shaped like the local schema.

        Records written with another registered version of the schema are
        resolved to the local one (added fields get their defaults, removed
        ones are dropped, unknown enum symbols read as the enum's default).

        Raises:
            DeserializationError: the bytes are not a decodable record; ``reason`` says why.
            RegistryUnavailableError: an unseen schema id could not be fetched.
        """
        schema_id, body = split_header(data)
        writer = self._writers.get(schema_id)
        if writer is None:
            writer = self._load_writer(schema_id)
        writer_schema, reader_schema = writer
        try:
            result = fastavro.schemaless_reader(io.BytesIO(body), writer_schema, reader_schema)
        except SchemaResolutionError as exc:
            raise DeserializationError(
                "bad-writer-schema",
                f"writer schema {schema_id} cannot be read as {self.record}: {exc}",
                schema_id=schema_id,
            ) from exc
        except Exception as exc:  # truncated/corrupt input raises EOFError, IndexError, ...
            raise DeserializationError(
                "corrupt-body",
                f"Avro body does not match writer schema {schema_id}: {type(exc).__name__}: {exc}",
                schema_id=schema_id,
            ) from exc
        if not isinstance(result, dict):
            raise DeserializationError(
                "bad-writer-schema",
                f"writer schema {schema_id} is not a record",
                schema_id=schema_id,
            )
        return result

    def decode_model(self, data: bytes) -> AvroRecord:
        """Decode into the record's pydantic model (see :mod:`schemas.records`)."""
        return RECORD_MODELS[self.record].from_avro(self.decode(data))

    def _load_writer(self, schema_id: int) -> tuple[Any, Any]:
        try:
            writer_json = self._registry.get_schema(schema_id)
        except SchemaNotFoundError:
            raise DeserializationError(
                "unknown-schema-id",
                f"schema id {schema_id} is not in the registry",
                schema_id=schema_id,
            ) from None
        try:
            writer_parsed = fastavro.parse_schema(writer_json, named_schemas={})
        except Exception as exc:
            raise DeserializationError(
                "bad-writer-schema",
                f"writer schema {schema_id} is not valid Avro: {exc}",
                schema_id=schema_id,
            ) from exc
        same = writer_json == self._schema
        entry = (writer_parsed, None if same else self._parsed)
        with self._lock:
            self._writers[schema_id] = entry
        return entry
