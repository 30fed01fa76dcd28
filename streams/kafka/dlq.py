"""Dead-letter records: the original bytes plus headers that say why.

Nothing is dropped silently: a record that cannot be processed is copied,
byte for byte, to ``<topic>.dlq`` with the reason in headers, and the
pipeline moves on. ``casebridge dlq replay`` reads these headers back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from streams.kafka.producer import AsyncProducer
from streams.ops.metrics import DLQ_RECORDS
from streams.topics import dlq_name

HEADER_PREFIX = "casebridge.dlq."
MAX_EXCERPT = 500


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """Why a record failed, as it will appear in the DLQ headers."""

    source_topic: str
    reason: str
    error_class: str
    source_partition: int | None = None
    source_offset: int | None = None
    attempts: int = 1
    status: int | None = None
    body_excerpt: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    def headers(self, now: datetime | None = None) -> list[tuple[str, bytes]]:
        """The Kafka headers describing this failure."""
        values: dict[str, str | None] = {
            "source_topic": self.source_topic,
            "reason": self.reason[:MAX_EXCERPT],
            "error_class": self.error_class,
            "source_partition": _opt(self.source_partition),
            "source_offset": _opt(self.source_offset),
            "attempts": str(self.attempts),
            "status": _opt(self.status),
            "body_excerpt": self.body_excerpt[:MAX_EXCERPT] if self.body_excerpt else None,
            "failed_at": (now or datetime.now(UTC)).isoformat(),
        }
        values.update(self.extra)
        return [(HEADER_PREFIX + k, v.encode()) for k, v in values.items() if v is not None]


def parse_headers(headers: Sequence[tuple[str, bytes | None]] | None) -> dict[str, str]:
    """The ``casebridge.dlq.*`` headers of a DLQ record, without the prefix."""
    parsed: dict[str, str] = {}
    for name, value in headers or ():
        if name.startswith(HEADER_PREFIX) and value is not None:
            parsed[name[len(HEADER_PREFIX) :]] = value.decode(errors="replace")
    return parsed


async def send_to_dlq(
    producer: AsyncProducer,
    letter: DeadLetter,
    key: bytes | None,
    value: bytes | None,
    headers: Sequence[tuple[str, bytes]] = (),
) -> None:
    """Copy the original record to its DLQ and wait for the broker's acknowledgement."""
    carried = [(k, v) for k, v in headers if not k.startswith(HEADER_PREFIX)]
    await producer.send(
        dlq_name(letter.source_topic), value, key=key, headers=[*carried, *letter.headers()]
    )
    DLQ_RECORDS.labels(letter.source_topic).inc()


def _opt(value: int | None) -> str | None:
    return None if value is None else str(value)
