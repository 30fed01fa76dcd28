"""Cases by type and state: an in-memory view of the compacted ``cases.state`` topic.

:class:`CaseTally` keeps the latest state of every case (thread-safe; a
tombstone removes the case). :class:`CaseStateReader` feeds it from a
background thread: it reads *every* partition of ``cases.state`` from the
beginning and then tails it.

Why not a Faust agent in the worker's group: members of a group split the
partitions, so each worker would count only its share of the cases, and the
page would show different numbers depending on which worker answered. The
reader instead ``assign()``\\ s all partitions under a group id of its own
(``<app_id>-ops-cases``) and never commits: a compacted topic read from the
start *is* the current state, so there is nothing to resume from, and no
committed offsets means the group never shows up in the lag monitor either.
Memory grows with the number of live cases (one small summary each).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition

from connectors.errors import CasebridgeError
from streams.ops.lag import ops_client_config
from streams.topics import CASES_STATE

__all__ = ["CaseStateReader", "CaseSummary", "CaseTally"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """What the operations page lists about one case (from its latest ``CaseState``)."""

    case_id: str
    case_type: str
    status: str
    shop: str
    subject_id: str
    priority: str
    outcome: str | None
    updated_at: datetime | None
    detail: str | None = None

    @classmethod
    def from_state(cls, record: Mapping[str, Any]) -> CaseSummary:
        """Build from a decoded ``CaseState`` dict."""
        updated = record.get("updated_at")
        return cls(
            case_id=str(record.get("case_id")),
            case_type=str(record.get("case_type") or "UNKNOWN"),
            status=str(record.get("status") or "UNKNOWN"),
            shop=str(record.get("shop") or ""),
            subject_id=str(record.get("subject_id") or ""),
            priority=str(record.get("priority") or "NORMAL"),
            outcome=record.get("outcome"),
            updated_at=updated if isinstance(updated, datetime) else None,
            detail=record.get("detail"),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "case_id": self.case_id,
            "case_type": self.case_type,
            "status": self.status,
            "shop": self.shop,
            "subject_id": self.subject_id,
            "priority": self.priority,
            "outcome": self.outcome,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "detail": self.detail,
        }


class CaseTally:
    """The latest state of every case, counted by type and by state."""

    def __init__(self) -> None:
        self._cases: dict[str, CaseSummary] = {}
        self._lock = threading.Lock()
        self.undecodable = 0

    def apply(self, case_id: str, record: Mapping[str, Any] | None) -> None:
        """Record the latest state of ``case_id``; ``None`` (a tombstone) forgets it.

        An older state (by ``updated_at``) never replaces a newer one: two
        stages may publish a case's state concurrently from different workers.
        """
        with self._lock:
            if record is None:
                self._cases.pop(case_id, None)
                return
            summary = CaseSummary.from_state(record)
            known = self._cases.get(case_id)
            older = (
                known is not None
                and known.updated_at is not None
                and summary.updated_at is not None
                and summary.updated_at < known.updated_at
            )
            if not older:
                self._cases[case_id] = summary

    def __len__(self) -> int:
        with self._lock:
            return len(self._cases)

    def counts(self) -> dict[str, Any]:
        """Totals by type, by state, and by type then state."""
        with self._lock:
            cases = list(self._cases.values())
        by_type = Counter(c.case_type for c in cases)
        by_state = Counter(c.status for c in cases)
        by_shop = Counter(c.shop for c in cases)
        matrix: dict[str, dict[str, int]] = {}
        for c in cases:
            row = matrix.setdefault(c.case_type, {})
            row[c.status] = row.get(c.status, 0) + 1
        return {
            "total": len(cases),
            "by_type": dict(sorted(by_type.items())),
            "by_state": dict(sorted(by_state.items())),
            "by_shop": dict(sorted(by_shop.items())),
            "by_type_and_state": {t: dict(sorted(r.items())) for t, r in sorted(matrix.items())},
        }

    def cases(
        self,
        *,
        case_type: str | None = None,
        status: str | None = None,
        shop: str | None = None,
        limit: int = 100,
    ) -> list[CaseSummary]:
        """Cases matching the filters (case-insensitive), most recently updated first."""
        wanted_type = case_type.upper() if case_type else None
        wanted_status = status.upper() if status else None
        wanted_shop = shop.strip().lower() if shop else None
        with self._lock:
            cases = [
                c
                for c in self._cases.values()
                if (wanted_type is None or c.case_type == wanted_type)
                and (wanted_status is None or c.status == wanted_status)
                and (wanted_shop is None or c.shop.lower() == wanted_shop)
            ]
        cases.sort(key=lambda c: (c.updated_at is not None, c.updated_at), reverse=True)
        return cases[: max(0, limit)]


class CaseStateReader:
    """Feeds a :class:`CaseTally` from every partition of ``cases.state`` in a thread.

    Args:
        client_config: librdkafka settings.
        decode: Bytes -> ``CaseState`` dict (the registry serde's ``decode``).
        tally: Where the states go.
        group: The reader's own group id (it never commits).
        topic: The compacted state topic.
    """

    def __init__(
        self,
        client_config: Mapping[str, Any],
        decode: Callable[[bytes], Mapping[str, Any]],
        tally: CaseTally,
        *,
        group: str,
        topic: str = CASES_STATE,
    ) -> None:
        self._config = {
            **ops_client_config(client_config, 10.0),
            "group.id": group,
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "enable.partition.eof": True,
        }
        self._decode = decode
        self.tally = tally
        self.topic = topic
        self._stop = threading.Event()
        #: Set once the backlog present at start was read (or reading failed).
        self.ready = threading.Event()
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, name="ops-case-tally", daemon=True)

    def start(self) -> None:
        """Start reading in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop tailing; the consumer is closed by the thread."""
        self._stop.set()
        # The worker may stop before its start task ran: nothing to join then.
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def handle(self, key: bytes | None, value: bytes | None) -> None:
        """Apply one record to the tally (the thread's per-record step, public for tests)."""
        if key is None:
            return
        case_id = key.decode(errors="replace")
        if not value:
            self.tally.apply(case_id, None)
            return
        try:
            record = self._decode(value)
        except CasebridgeError as exc:
            self.tally.undecodable += 1
            log.debug("undecodable cases.state record for %s: %s", case_id, exc)
            return
        self.tally.apply(case_id, record)

    def _run(self) -> None:
        consumer = Consumer(self._config)
        try:
            pending = self._assign(consumer)
            at_end: set[int] = set()
            if not pending:
                self.ready.set()
            while not self._stop.is_set():
                msg = consumer.poll(0.2)
                if msg is None:
                    continue
                error = msg.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        at_end.add(msg.partition() or 0)
                        if len(at_end) >= len(pending):
                            self.ready.set()
                    continue
                key, value = msg.key(), msg.value()
                self.handle(
                    key.encode() if isinstance(key, str) else key,
                    value.encode() if isinstance(value, str) else value,
                )
        except KafkaException as exc:
            self.error = f"cannot read {self.topic}: {exc.args[0]}"
            log.error("case tally stopped: %s", self.error)
            self.ready.set()
        finally:
            consumer.close()

    def _assign(self, consumer: Consumer) -> list[int]:
        metadata = consumer.list_topics(self.topic, timeout=10)
        meta = metadata.topics.get(self.topic)
        if meta is None or meta.error is not None:
            self.error = f"topic {self.topic} does not exist"
            return []
        partitions = sorted(meta.partitions)
        consumer.assign([TopicPartition(self.topic, p, OFFSET_BEGINNING) for p in partitions])
        return partitions
