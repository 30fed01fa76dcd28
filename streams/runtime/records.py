"""Decoding raw Kafka records for agents, dead-lettering what cannot be decoded.

Agents consume raw bytes and decode them here rather than through a Faust
codec: a Faust codec failure is logged and the record skipped, which would
drop it silently. Here an undecodable record is copied to its DLQ with the
reason, and the agent carries on with the next one.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol, TypeVar

from connectors.serde import DeserializationError
from schemas.records import AvroRecord
from streams.kafka.dlq import DeadLetter, send_to_dlq
from streams.kafka.producer import AsyncProducer
from streams.ops.metrics import RECORDS_IN

log = logging.getLogger(__name__)

M = TypeVar("M", bound=AvroRecord)

REPLAY_ATTEMPT_HEADER = "casebridge.replay.attempt"


class Decoder(Protocol):
    """The decoding half of :class:`~connectors.serde.AvroSerde` (what agents need of it)."""

    def decode(self, data: bytes) -> Any:
        """The Avro datum of a wire-format record (``DeserializationError`` if it is not one)."""


def headers_of(event: Any) -> list[tuple[str, bytes]]:
    """The headers of a Faust event's message as a list of pairs."""
    raw = event.message.headers or []
    items = raw.items() if isinstance(raw, dict) else raw
    return [(k, v if isinstance(v, bytes) else str(v).encode()) for k, v in items if v is not None]


def attempts_of(event: Any) -> int:
    """1 for a first delivery; replayed DLQ records carry their attempt number."""
    for name, value in headers_of(event):
        if name == REPLAY_ATTEMPT_HEADER:
            try:
                return max(int(value.decode()), 1)
            except ValueError:
                return 1
    return 1


async def dead_letter(
    producer: AsyncProducer,
    event: Any,
    *,
    reason: str,
    error_class: str,
    status: int | None = None,
    body_excerpt: str | None = None,
) -> None:
    """Copy a Faust event's original record to its DLQ with the reason."""
    message = event.message
    letter = DeadLetter(
        source_topic=message.topic,
        reason=reason,
        error_class=error_class,
        source_partition=message.partition,
        source_offset=message.offset,
        attempts=attempts_of(event),
        status=status,
        body_excerpt=body_excerpt,
    )
    log.warning(
        "dead-lettered %s[%s]@%s: %s (%s)",
        message.topic,
        message.partition,
        message.offset,
        reason,
        error_class,
    )
    await send_to_dlq(producer, letter, message.key, message.value, headers_of(event))


async def decode_or_dead_letter(
    serde: Decoder, model: type[M], producer: AsyncProducer, event: Any, *, agent: str
) -> M | None:
    """The record's model, or None after dead-lettering an undecodable record.

    Every record consumed by ``agent`` is counted here, decodable or not.
    """
    RECORDS_IN.labels(agent).inc()
    value = event.value
    try:
        if not isinstance(value, bytes):
            raise DeserializationError("not-bytes", f"value is {type(value).__name__}, not bytes")
        return model.from_avro(serde.decode(value))
    except DeserializationError as exc:
        await dead_letter(producer, event, reason=str(exc), error_class=f"avro:{exc.reason}")
    except (ValueError, TypeError) as exc:
        # Decodes as Avro but fails the model's validation (e.g. naive datetime).
        await dead_letter(producer, event, reason=str(exc)[:500], error_class="validation")
    return None
