"""DLQ records as values: headers, filters and the replay headers.

The pure half of the DLQ tools (:mod:`streams.ops.dlq` does the Kafka I/O):
:class:`DlqRecord`, :func:`parse_filters` / :func:`matches`,
:func:`replay_headers` and :func:`attempt_of`, the helper agents use to
count delivery attempts when they dead-letter a replayed record.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from confluent_kafka import Message

from streams.kafka.dlq import HEADER_PREFIX, parse_headers
from streams.ops.errors import FilterError
from streams.topics import DLQ_SUFFIX, dlq_name

__all__ = [
    "REPLAY_AT",
    "REPLAY_ATTEMPT",
    "REPLAY_GROUP_PREFIX",
    "REPLAY_OF",
    "DlqRecord",
    "Filters",
    "ReplayResult",
    "ReplayedRecord",
    "attempt_of",
    "dlq_topic_of",
    "matches",
    "parse_filters",
    "replay_group",
    "replay_headers",
]

REPLAY_PREFIX = "casebridge.replay."
REPLAY_OF = REPLAY_PREFIX + "of"
REPLAY_ATTEMPT = REPLAY_PREFIX + "attempt"
REPLAY_AT = REPLAY_PREFIX + "at"
REPLAY_GROUP_PREFIX = "casebridge-dlq-replay-"

HeaderValue = bytes | str | None
Headers = Mapping[str, HeaderValue] | Sequence[tuple[str, HeaderValue]]
#: field -> patterns; a record matches when every field matches one of its patterns.
Filters = dict[str, list[str]]


def dlq_topic_of(topic: str) -> str:
    """The DLQ of ``topic``, or ``topic`` itself when it already is one."""
    return topic if topic.endswith(DLQ_SUFFIX) else dlq_name(topic)


def replay_group(dlq_topic: str) -> str:
    """The consumer group whose commits mark how far ``dlq_topic`` was replayed."""
    return REPLAY_GROUP_PREFIX + dlq_topic


def _items(headers: Headers | None) -> Iterator[tuple[str, HeaderValue]]:
    if headers is None:
        return iter(())
    if isinstance(headers, Mapping):
        return iter(headers.items())
    return iter(headers)


def _text(value: HeaderValue) -> str | None:
    if value is None:
        return None
    return value.decode(errors="replace") if isinstance(value, bytes) else value


def attempt_of(headers: Headers | None) -> int:
    """The delivery attempt a record is on: 1 for an original, n+1 after the n-th replay.

    Agents pass this as ``DeadLetter.attempts`` when a record fails, so a
    record that keeps failing shows how often it was tried. Accepts Kafka
    header lists and Faust's header mappings; a malformed value counts as 1.
    """
    attempt = 1
    for name, value in _items(headers):
        if name == REPLAY_ATTEMPT:
            text = _text(value)
            if text is not None and text.strip().isdigit():
                attempt = max(1, int(text))
    return attempt


@dataclass(frozen=True, slots=True)
class DlqRecord:
    """One record of a dead-letter topic."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int | None
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes | None], ...] = ()

    @classmethod
    def from_message(cls, msg: Message) -> DlqRecord:
        """Build from a consumed confluent-kafka message."""
        kind, ts = msg.timestamp()
        topic, partition, offset = msg.topic(), msg.partition(), msg.offset()
        assert topic is not None and partition is not None and offset is not None
        value = msg.value()
        key = msg.key()
        return cls(
            topic=topic,
            partition=partition,
            offset=offset,
            timestamp_ms=ts if kind != 0 else None,  # 0: TIMESTAMP_NOT_AVAILABLE
            key=key.encode() if isinstance(key, str) else key,
            value=value.encode() if isinstance(value, str) else value,
            headers=tuple(
                (name, val.encode() if isinstance(val, str) else val)
                for name, val in _items(msg.headers())
            ),
        )

    @property
    def dlq(self) -> dict[str, str]:
        """The ``casebridge.dlq.*`` headers, without the prefix."""
        return parse_headers(self.headers)

    @property
    def size(self) -> int:
        """Key plus value bytes."""
        return len(self.key or b"") + len(self.value or b"")

    @property
    def key_text(self) -> str | None:
        """The key as text (undecodable bytes replaced)."""
        return _text(self.key)

    @property
    def timestamp(self) -> datetime | None:
        """When the record was dead-lettered (its Kafka timestamp)."""
        if self.timestamp_ms is None:
            return None
        return datetime.fromtimestamp(self.timestamp_ms / 1000, UTC)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (no value: it may be large or binary)."""
        replays = {
            name[len(REPLAY_PREFIX) :]: _text(value)
            for name, value in self.headers
            if name.startswith(REPLAY_PREFIX)
        }
        stamp = self.timestamp
        return {
            "topic": self.topic,
            "partition": self.partition,
            "offset": self.offset,
            "timestamp": stamp.isoformat() if stamp else None,
            "key": self.key_text,
            "size": self.size,
            "dlq": self.dlq,
            "replay": replays,
        }


def parse_filters(expressions: Iterable[str]) -> Filters:
    """Parse ``field=pattern`` expressions (shell-style wildcards allowed).

    ``key`` matches the record key; any other field a ``casebridge.dlq.*``
    header (``reason``, ``error_class``, ``status``, ``source_topic``...).
    Repeating a field means either pattern; different fields must all match.
    """
    filters: Filters = {}
    for expression in expressions:
        name, sep, pattern = expression.partition("=")
        name = name.strip()
        if not sep or not name:
            raise FilterError(f"filter {expression!r} is not of the form field=pattern")
        filters.setdefault(name, []).append(pattern)
    return filters


def matches(record: DlqRecord, filters: Filters) -> bool:
    """Whether ``record`` satisfies every field of ``filters`` (no filter: everything)."""
    fields = record.dlq
    for name, patterns in filters.items():
        value = record.key_text if name == "key" else fields.get(name)
        if value is None or not any(fnmatch.fnmatchcase(value, p) for p in patterns):
            return False
    return True


def replay_headers(record: DlqRecord, now: datetime | None = None) -> list[tuple[str, bytes]]:
    """The headers a replayed record is published with.

    The original headers are carried over; the DLQ's failure headers and the
    replay headers of an earlier replay are replaced by this replay's.
    """
    carried = [
        (name, value)
        for name, value in record.headers
        if value is not None and not name.startswith((HEADER_PREFIX, REPLAY_PREFIX))
    ]
    attempts = record.dlq.get("attempts", "1")
    previous = max(int(attempts) if attempts.isdigit() else 1, attempt_of(record.headers))
    stamp = (now or datetime.now(UTC)).isoformat()
    return [
        *carried,
        (REPLAY_OF, f"{record.topic}/{record.partition}/{record.offset}".encode()),
        (REPLAY_ATTEMPT, str(previous + 1).encode()),
        (REPLAY_AT, stamp.encode()),
    ]


@dataclass(frozen=True, slots=True)
class ReplayedRecord:
    """A DLQ record (re)published, or that would be in a dry run."""

    dlq_partition: int
    dlq_offset: int
    key: str | None
    topic: str
    partition: int | None = None
    offset: int | None = None
    attempt: int = 2

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "dlq_partition": self.dlq_partition,
            "dlq_offset": self.dlq_offset,
            "key": self.key,
            "topic": self.topic,
            "partition": self.partition,
            "offset": self.offset,
            "attempt": self.attempt,
        }


@dataclass(slots=True)
class ReplayResult:
    """What a replay examined, published and skipped."""

    dlq_topic: str
    group: str
    dry_run: bool
    examined: int = 0
    matched: int = 0
    replayed: list[ReplayedRecord] = field(default_factory=list)
    skipped: list[tuple[int, int, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "dlq_topic": self.dlq_topic,
            "group": self.group,
            "dry_run": self.dry_run,
            "examined": self.examined,
            "matched": self.matched,
            "replayed": [r.to_dict() for r in self.replayed],
            "skipped": [{"partition": p, "offset": o, "reason": r} for p, o, r in self.skipped],
        }
