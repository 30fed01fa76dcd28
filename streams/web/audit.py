"""The audit trail of one case: every record about it, from every topic, in time order.

::

    entries = case_history(settings.kafka.confluent_config(), settings.registry.url, case_id)
    for e in entries:
        print(e.at, e.stage, e.summary)     # 2026-11-26T04:01:02Z  decision  decision approved ...

Where the records come from:

* ``cases.requests``, ``cases.opened``, ``cases.decisions``,
  ``shopify.writebacks`` and ``cases.state`` are all keyed by case id. Our
  producers place a key with Kafka's murmur2 partitioner, so by default only
  the one partition :func:`~streams.web.partitioning.partition_for` names is
  read per topic. ``scan_all_partitions=True`` reads every partition instead
  (for records written by a producer with another partitioner); the result
  is the same for casebridge's own data.
* The triggering events are named by the ``CaseRequest``'s
  ``source_event_ids``: Shopify event ids on ``shopify.webhooks`` or
  complaint ids on ``support.complaints``. Their keys are not the case id,
  so those topics are scanned, every partition, but only between
  ``lookback`` before the first request and a minute after the last one;
  the scan stops once every id is found.

The dead letters of the case are listed too: ``cases.requests.dlq``,
``cases.decisions.dlq`` and ``orders.offline.dlq`` are keyed by case id like
their sources. A dead letter's value may not be Avro (a decision that could
not be built is kept as its completed task's JSON), so its entry is made
from the DLQ headers: the source topic, the reason and the error class.

``cases.state`` is compacted: once the cleaner ran, only the latest state of
a case is left, so the trail may hold fewer state changes than happened.

Each record is decoded with the registry serde and sorted by its own time
field (``requested_at``, ``decided_at``...), or the Kafka timestamp when it
has none or cannot be decoded; an undecodable record is listed, not hidden.
All reads are blocking: call :func:`case_history` via ``asyncio.to_thread``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from confluent_kafka import Consumer, Message

from connectors.errors import CasebridgeError
from connectors.serde import AvroSerde, RegistryClient
from connectors.serde.registry import SchemaRegistry
from streams.kafka.dlq import parse_headers
from streams.topics import (
    CASES_DECISIONS,
    CASES_OPENED,
    CASES_REQUESTS,
    CASES_STATE,
    ORDERS_OFFLINE,
    SHOPIFY_WEBHOOKS,
    SHOPIFY_WRITEBACKS,
    SUPPORT_COMPLAINTS,
    dlq_name,
)
from streams.web.partitioning import partition_for
from streams.web.scan import Range, end_offsets, offsets_at, partition_counts, reader, scan

__all__ = [
    "CASE_TOPICS",
    "DLQ_TOPICS",
    "AuditEntry",
    "CaseNotFoundError",
    "case_history",
    "summarise",
    "summarise_dead_letter",
]

#: Topics keyed by case id, with the stage name each one stands for.
CASE_TOPICS: dict[str, str] = {
    CASES_REQUESTS: "requested",
    CASES_OPENED: "opened",
    CASES_DECISIONS: "decision",
    SHOPIFY_WRITEBACKS: "writeback",
    CASES_STATE: "state",
}

#: Dead-letter topics keyed by case id, read with the case topics (stage "dead-letter").
DLQ_TOPICS: tuple[str, ...] = tuple(
    dlq_name(t) for t in (CASES_REQUESTS, CASES_DECISIONS, ORDERS_OFFLINE)
)
DLQ_STAGE = "dead-letter"

#: Topics holding the triggering events, with the field that is their id.
SOURCE_TOPICS: dict[str, tuple[str, str]] = {
    SHOPIFY_WEBHOOKS: ("webhook", "event_id"),
    SUPPORT_COMPLAINTS: ("complaint", "complaint_id"),
}

#: The record field that says when it happened, per topic.
_TIME_FIELDS: dict[str, str] = {
    SHOPIFY_WEBHOOKS: "received_at",
    SUPPORT_COMPLAINTS: "submitted_at",
    CASES_REQUESTS: "requested_at",
    CASES_OPENED: "opened_at",
    CASES_DECISIONS: "decided_at",
    SHOPIFY_WRITEBACKS: "finished_at",
    CASES_STATE: "updated_at",
}

# Requests are produced after their trigger, but the trigger may also be
# produced a little after the Kafka timestamp of a request on a skewed clock.
_AFTER_LAST_REQUEST = timedelta(minutes=1)


class CaseNotFoundError(CasebridgeError):
    """No topic holds a record for the case id."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One record in a case's history."""

    at: datetime
    stage: str
    topic: str
    partition: int
    offset: int
    summary: str
    record: dict[str, Any] | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the ``casebridge case show --json`` items and the API's)."""
        return {
            "at": self.at.isoformat(),
            "stage": self.stage,
            "topic": self.topic,
            "partition": self.partition,
            "offset": self.offset,
            "summary": self.summary,
            "record": _jsonable(self.record),
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _summary_request(r: Mapping[str, Any]) -> str:
    reasons = ", ".join(str(x.get("code")) for x in r.get("reasons") or []) or "no reason"
    teams = ", ".join(r.get("teams") or []) or "no team"
    subject = f"{str(r.get('subject_type', '')).lower()} {r.get('subject_id')}".strip()
    return f"{r.get('case_type')} requested for {subject} ({reasons}) -> {teams}"


def _summary_opened(r: Mapping[str, Any]) -> str:
    again = " (already existed)" if r.get("already_existed") else ""
    return f"opened process {r.get('process_instance_id')}{again}"


def _summary_decision(r: Mapping[str, Any]) -> str:
    who = r.get("team") or r.get("decided_by") or "unknown"
    actions = _count(len(r.get("actions") or []), "action")
    return f"decision {r.get('outcome')} by {who}: {actions}"


def _summary_writeback(r: Mapping[str, Any]) -> str:
    text = f"writeback {r.get('action')} {r.get('status')}"
    if r.get("error_code") or r.get("error_message"):
        text += f": {r.get('error_code') or ''} {r.get('error_message') or ''}".rstrip()
    attempts = int(r.get("attempts") or 1)
    return text + (f" after {attempts} attempts" if attempts > 1 else "")


def _summary_state(r: Mapping[str, Any]) -> str:
    text = f"state {r.get('status')}"
    if r.get("outcome"):
        text += f" ({r.get('outcome')})"
    if r.get("escalation_level"):
        text += f", escalation level {r.get('escalation_level')}"
    if r.get("detail"):
        text += f": {r.get('detail')}"
    return text


def _summary_webhook(r: Mapping[str, Any]) -> str:
    source = str(r.get("source") or "WEBHOOK").lower()
    return f"webhook {r.get('topic')} {r.get('event_id')} ({source}) for {r.get('resource_id')}"


def _summary_complaint(r: Mapping[str, Any]) -> str:
    return (
        f"complaint {r.get('complaint_id')}: {r.get('issue_type')} {r.get('severity')} "
        f"via {r.get('channel')}"
    )


_SUMMARIES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    CASES_REQUESTS: _summary_request,
    CASES_OPENED: _summary_opened,
    CASES_DECISIONS: _summary_decision,
    SHOPIFY_WRITEBACKS: _summary_writeback,
    CASES_STATE: _summary_state,
    SHOPIFY_WEBHOOKS: _summary_webhook,
    SUPPORT_COMPLAINTS: _summary_complaint,
}


def summarise(topic: str, record: Mapping[str, Any]) -> str:
    """A one-line, human summary of a decoded record of ``topic``."""
    summary = _SUMMARIES.get(topic)
    return summary(record) if summary else f"record on {topic}"


def summarise_dead_letter(headers: Mapping[str, str]) -> str:
    """A one-line summary of a dead letter from its ``casebridge.dlq.*`` headers."""
    source = headers.get("source_topic", "?")
    reason = headers.get("reason") or "no reason given"
    error = headers.get("error_class")
    attempts = int(headers.get("attempts") or 1) if (headers.get("attempts") or "").isdigit() else 1
    text = f"dead-lettered from {source}: {reason}" + (f" ({error})" if error else "")
    return text + (f", attempt {attempts}" if attempts > 1 else "")


def _stage(topic: str) -> str:
    if topic in DLQ_TOPICS:
        return DLQ_STAGE
    if topic in CASE_TOPICS:
        return CASE_TOPICS[topic]
    return SOURCE_TOPICS[topic][0] if topic in SOURCE_TOPICS else topic


def _kafka_time(msg: Message) -> datetime:
    kind, ms = msg.timestamp()
    # kind 0 is TIMESTAMP_NOT_AVAILABLE: sort such records first rather than fail.
    return datetime.fromtimestamp(ms / 1000 if kind != 0 else 0, UTC)


def _dead_letter_time(msg: Message, headers: Mapping[str, str]) -> datetime:
    try:
        return datetime.fromisoformat(headers["failed_at"]).astimezone(UTC)
    except (KeyError, ValueError):
        return _kafka_time(msg)


class _Decoder:
    """One serde per topic, sharing the registry client and its schema cache.

    ``logical`` maps a topic name as read to the casebridge topic it stands
    for (they differ only when ``case_history`` was given ``topics``).
    """

    def __init__(self, registry: SchemaRegistry, logical: Mapping[str, str]) -> None:
        self._registry = registry
        self._logical = logical
        self._serdes: dict[str, AvroSerde] = {}

    def logical(self, topic: str) -> str:
        """The casebridge topic ``topic`` holds the records of."""
        return self._logical.get(topic, topic)

    def entry(self, msg: Message) -> AuditEntry:
        topic = msg.topic() or "?"
        kind = self.logical(topic)
        partition, offset = msg.partition() or 0, msg.offset() or 0
        value = msg.value()
        if kind in DLQ_TOPICS:
            raw = msg.headers() or []
            pairs = raw.items() if isinstance(raw, dict) else raw
            headers = parse_headers(
                [(k, v.encode() if isinstance(v, str) else v) for k, v in pairs]
            )
            record: dict[str, Any] = {"headers": headers}
            summary = summarise_dead_letter(headers)
            return AuditEntry(
                _dead_letter_time(msg, headers),
                DLQ_STAGE,
                topic,
                partition,
                offset,
                summary,
                record,
            )
        if not isinstance(value, bytes) or not value:
            # A tombstone: compaction will drop the case's state.
            return AuditEntry(_kafka_time(msg), _stage(kind), topic, partition, offset, "deleted")
        serde = self._serdes.get(kind)
        if serde is None:
            serde = self._serdes[kind] = AvroSerde.for_topic(kind, self._registry)
        try:
            record = serde.decode(value)
        except CasebridgeError as exc:
            summary = f"undecodable record: {exc}"
            return AuditEntry(_kafka_time(msg), _stage(kind), topic, partition, offset, summary)
        at = record.get(_TIME_FIELDS.get(kind, ""))
        when = at.astimezone(UTC) if isinstance(at, datetime) else _kafka_time(msg)
        return AuditEntry(
            when, _stage(kind), topic, partition, offset, summarise(kind, record), record
        )


def case_history(
    client_config: Mapping[str, Any],
    registry_url: str | SchemaRegistry,
    case_id: str,
    *,
    lookback: timedelta = timedelta(hours=24),
    scan_all_partitions: bool = False,
    timeout_s: float = 10.0,
    topics: Mapping[str, str] | None = None,
) -> list[AuditEntry]:
    """Every record about ``case_id``, oldest first (see the module docstring).

    Args:
        client_config: librdkafka settings (``settings.kafka.confluent_config()``).
        registry_url: The registry's base URL, or a registry client to share.
        case_id: The case to trace.
        lookback: How long before its first request to search for triggering events.
        scan_all_partitions: Read every partition of the case topics, not only the key's.
        timeout_s: Per broker request, and the longest wait for the next record.
        topics: Read another topic in place of a casebridge one (``{"cases.state":
            "test-1.cases.state"}``); the records are decoded as the casebridge
            topic's. Tests use it to stay off the topics live agents consume.

    Raises:
        CaseNotFoundError: No case topic holds a record keyed by ``case_id``.
        BrokerUnavailableError: Kafka did not answer.
    """
    owned: RegistryClient | None = None
    registry: SchemaRegistry
    if isinstance(registry_url, str):
        registry = owned = RegistryClient(registry_url)
    else:
        registry = registry_url
    try:
        names = {t: (topics or {}).get(t, t) for t in (*CASE_TOPICS, *DLQ_TOPICS, *SOURCE_TOPICS)}
        decoder = _Decoder(registry, {physical: t for t, physical in names.items()})
        with reader(client_config, timeout_s) as consumer:
            case_topics = [names[t] for t in (*CASE_TOPICS, *DLQ_TOPICS)]
            case_messages = _case_records(
                consumer, client_config, case_id, case_topics, scan_all_partitions, timeout_s
            )
            if not case_messages:
                raise CaseNotFoundError(
                    f"no records for case {case_id!r} in {', '.join(CASE_TOPICS)}"
                )
            pairs = [(decoder.entry(m), m) for m in case_messages]
            entries = [e for e, _ in pairs]
            requests = [
                (e, m) for e, m in pairs if decoder.logical(e.topic) == CASES_REQUESTS and e.record
            ]
            source_topics = [names[t] for t in SOURCE_TOPICS]
            entries += _source_events(
                consumer, client_config, decoder, requests, source_topics, lookback, timeout_s
            )
    finally:
        if owned is not None:
            owned.close()
    entries.sort(key=lambda e: (e.at, e.topic, e.partition, e.offset))
    return entries


def _case_records(
    consumer: Consumer,
    config: Mapping[str, Any],
    case_id: str,
    topics: list[str],
    scan_all_partitions: bool,
    timeout_s: float,
) -> list[Message]:
    key = case_id.encode()
    counts = partition_counts(consumer, config, topics, timeout_s)
    wanted: list[tuple[str, int]] = []
    for topic, count in counts.items():
        if scan_all_partitions:
            wanted += [(topic, p) for p in range(count)]
        else:
            wanted.append((topic, partition_for(key, count)))
    ranges = end_offsets(consumer, config, wanted, timeout_s)
    return scan(consumer, ranges, lambda m: m.key() == key, timeout_s=timeout_s)


def _source_events(
    consumer: Consumer,
    config: Mapping[str, Any],
    decoder: _Decoder,
    requests: list[tuple[AuditEntry, Message]],
    topics: list[str],
    lookback: timedelta,
    timeout_s: float,
) -> list[AuditEntry]:
    ids = {str(i) for e, _ in requests for i in (e.record or {}).get("source_event_ids") or []}
    if not ids:
        return []
    firsts = [min(e.at, _kafka_time(m)) for e, m in requests]
    lasts = [max(e.at, _kafka_time(m)) for e, m in requests]
    start_ms = int((min(firsts) - lookback).timestamp() * 1000)
    end_ms = int((max(lasts) + _AFTER_LAST_REQUEST).timestamp() * 1000)
    counts = partition_counts(consumer, config, topics, timeout_s)
    whole = end_offsets(
        consumer, config, [(t, p) for t, n in counts.items() for p in range(n)], timeout_s
    )
    ranges: Range = offsets_at(consumer, config, whole, start_ms, end_ms, timeout_s)
    needles = [i.encode() for i in ids]
    found: dict[str, AuditEntry] = {}

    def keep(msg: Message) -> bool:
        value = msg.value()
        # Avro writes strings as raw UTF-8: skip the decode unless an id can be inside.
        if not isinstance(value, bytes) or not any(n in value for n in needles):
            return False
        entry = decoder.entry(msg)
        ident = (entry.record or {}).get(SOURCE_TOPICS[decoder.logical(entry.topic)][1])
        if ident in ids and ident not in found:
            found[str(ident)] = entry
            return True
        return False

    scan(consumer, ranges, keep, timeout_s=timeout_s, done=lambda: len(found) >= len(ids))
    return list(found.values())
