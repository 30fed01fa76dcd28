"""A Faust codec for casebridge's Avro topics.

Declare a topic's values as Confluent-wire-format Avro with a codec instance::

    from connectors.serde import RegistryClient, avro_codec

    registry = RegistryClient.from_settings(settings.registry)
    requests = app.topic(
        "cases.requests",
        key_type=str,
        value_serializer=avro_codec("cases.requests", registry, output="model"),
    )

Leave ``value_type`` unset: the codec already yields the final value (a dict,
or the pydantic model with ``output="model"``); sending accepts either. Faust
accepts a codec object wherever it accepts a codec name, so nothing needs
registering globally (:func:`register_codecs` exists for the string form,
``value_serializer="avro:cases.requests"``).

The codec never calls the registry per message (see :class:`AvroSerde`). The
client is synchronous, so the one registration and each first sight of a
writer schema id block the event loop briefly; call ``codec.serde.prepare()``
in an ``@app.on_startup`` hook to pay the registration before processing.
Faust wraps every decode failure in its ``ValueDecodeError``; the original
is ``exc.__cause__``. A :class:`~connectors.serde.errors.DeserializationError`
there means the record itself is bad (send it to the DLQ with its
``reason``); a :class:`~connectors.serde.errors.RegistryUnavailableError`
means the registry is down (retry, do not dead-letter).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from faust.serializers import codecs

from connectors.serde.avro import AvroSerde
from connectors.serde.registry import SchemaRegistry
from schemas import TOPIC_RECORDS

__all__ = ["CODEC_PREFIX", "AvroCodec", "avro_codec", "register_codecs"]

#: Prefix of the codec names :func:`register_codecs` installs: ``avro:<topic>``.
CODEC_PREFIX = "avro:"

Output = Literal["dict", "model"]


class AvroCodec(codecs.Codec):
    """Faust codec wrapping one :class:`AvroSerde`.

    Args:
        serde: the serde of the topic's record.
        output: ``"dict"`` (default) or ``"model"`` for the pydantic model.
    """

    def __init__(self, serde: AvroSerde, output: Output = "dict", **kwargs: Any) -> None:
        # Faust's Codec.clone() re-creates codecs from their kwargs, so pass them up.
        super().__init__(serde=serde, output=output, **kwargs)
        self.serde = serde
        self.output: Output = output

    def _dumps(self, obj: Any) -> bytes:
        return self.serde.encode(obj)

    def _loads(self, s: bytes) -> Any:
        if self.output == "model":
            return self.serde.decode_model(s)
        return self.serde.decode(s)


def avro_codec(
    topic: str,
    registry: SchemaRegistry,
    *,
    output: Output = "dict",
    schemas_dir: Path | str | None = None,
) -> AvroCodec:
    """The codec of ``topic``'s values (subject ``<topic>-value``)."""
    return AvroCodec(AvroSerde.for_topic(topic, registry, schemas_dir=schemas_dir), output)


def register_codecs(registry: SchemaRegistry, *, output: Output = "dict") -> dict[str, AvroCodec]:
    """Register ``avro:<topic>`` Faust codec names for every topic record; returns them."""
    installed: dict[str, AvroCodec] = {}
    for topic in TOPIC_RECORDS:
        codec = avro_codec(topic, registry, output=output)
        codecs.register(CODEC_PREFIX + topic, codec)
        installed[CODEC_PREFIX + topic] = codec
    return installed
