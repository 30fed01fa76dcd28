"""The audit trail: summaries, decoding, and how case_history picks and merges records.

The Kafka reads are replaced by an in-memory log (``FakeLog``) behind the
same four helpers the real reader uses; the real broker is exercised in
``tests/integration/streams/web/test_audit_broker.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from confluent_kafka import Message

from connectors.serde import AvroSerde
from schemas.records import AvroRecord, CaseState, CaseStatus, WritebackResult, WritebackStatus
from streams.web import audit
from streams.web.audit import AuditEntry, CaseNotFoundError, case_history, summarise
from streams.web.partitioning import partition_for
from streams.web.scan import Range
from tests.unit.connectors.serde.fakes import FakeRegistry
from tests.unit.schemas.samples import T0, samples

CASE = "case-1"


def avro(name: str) -> dict[str, Any]:
    return samples()[name].model_dump(mode="json")


def test_summaries_name_the_stage_facts() -> None:
    assert summarise("cases.decisions", avro("CaseDecision")) == (
        "decision approve by customer-service: 1 action"
    )
    writeback = avro("WritebackResult")
    writeback.update(action="RELEASE_HOLD", status="APPLIED", attempts=1, error_code=None)
    writeback["error_message"] = None
    assert summarise("shopify.writebacks", writeback) == "writeback RELEASE_HOLD APPLIED"
    failed = {**writeback, "status": "FAILED", "error_code": "USER_ERROR", "attempts": 3}
    assert summarise("shopify.writebacks", failed) == (
        "writeback RELEASE_HOLD FAILED: USER_ERROR after 3 attempts"
    )
    request = summarise("cases.requests", avro("CaseRequest"))
    assert request.startswith("ORDER_REVIEW requested for order 9007199254740993 (RISK_HIGH)")
    assert request.endswith("-> fraud, finance")
    assert summarise("cases.opened", avro("CaseOpened")) == "opened process pi-1 (already existed)"
    assert "state" in summarise("cases.state", avro("CaseState"))
    assert summarise("shopify.webhooks", avro("ShopifyEvent")).startswith(
        "webhook orders/create evt-1 (reconciliation)"
    )
    assert summarise("support.complaints", avro("ComplaintSubmitted")) == (
        "complaint c-1: DAMAGED_GOODS CRITICAL via HELP_DESK"
    )
    assert summarise("elsewhere", {}) == "record on elsewhere"


def test_entry_to_dict_is_json_ready() -> None:
    entry = AuditEntry(T0, "state", "cases.state", 2, 7, "state OPEN", {"updated_at": T0})
    assert entry.to_dict() == {
        "at": T0.isoformat(),
        "stage": "state",
        "topic": "cases.state",
        "partition": 2,
        "offset": 7,
        "summary": "state OPEN",
        "record": {"updated_at": T0.isoformat()},
    }


class FakeLog:
    """Topics of (key, value, timestamp ms) records, and the reader helpers over them."""

    def __init__(self, fake: FakeRegistry, partitions: int = 3) -> None:
        self.registry = fake.client()
        self.partitions = partitions
        self.topics: dict[tuple[str, int], list[Message]] = {}
        self.scanned: list[Range] = []

    def add(
        self, topic: str, key: str, record: AvroRecord | bytes | None, ts_ms: int, part: int = -1
    ) -> None:
        value: bytes | None = record if not isinstance(record, AvroRecord) else None
        if isinstance(record, AvroRecord):
            value = AvroSerde.for_topic(topic, self.registry).encode(record)
        partition = partition_for(key.encode(), self.partitions) if part < 0 else part
        log = self.topics.setdefault((topic, partition), [])
        log.append(
            Message(
                topic=topic,
                partition=partition,
                offset=len(log),
                key=key.encode(),
                value=value,
                timestamp=(1, ts_ms),
            )
        )

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        @contextmanager
        def reader(config: Any, timeout_s: float) -> Iterator[None]:
            yield None

        def counts(
            consumer: Any, config: Any, topics: list[str], timeout_s: float
        ) -> dict[str, int]:
            return dict.fromkeys(topics, self.partitions)

        def ends(consumer: Any, config: Any, wanted: list[tuple[str, int]], t: float) -> Range:
            return {tp: (0, len(self.topics.get(tp, []))) for tp in wanted}

        def at(consumer: Any, config: Any, ranges: Range, start: int, end: int, t: float) -> Range:
            return ranges

        def scan(
            consumer: Any,
            ranges: Range,
            keep: Callable[[Message], bool],
            *,
            timeout_s: float,
            done: Callable[[], bool] | None = None,
        ) -> list[Message]:
            self.scanned.append(ranges)
            kept: list[Message] = []
            for tp, (start, end) in ranges.items():
                for msg in self.topics.get(tp, [])[start:end]:
                    if done is not None and done():
                        return kept
                    if keep(msg):
                        kept.append(msg)
            return kept

        monkeypatch.setattr(audit, "reader", reader)
        monkeypatch.setattr(audit, "partition_counts", counts)
        monkeypatch.setattr(audit, "end_offsets", ends)
        monkeypatch.setattr(audit, "offsets_at", at)
        monkeypatch.setattr(audit, "scan", scan)


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch) -> FakeLog:
    fake = FakeLog(FakeRegistry())
    fake.install(monkeypatch)
    return fake


def ms(delta_s: float = 0) -> int:
    return int((T0 + timedelta(seconds=delta_s)).timestamp() * 1000)


def test_history_merges_case_topics_and_trigger_sorted_by_record_time(log: FakeLog) -> None:
    s = samples()
    request, event = s["CaseRequest"], s["ShopifyEvent"]
    later = T0 + timedelta(minutes=5)
    state = CaseState.model_validate(
        {
            **s["CaseState"].model_dump(),
            "case_id": CASE,
            "status": CaseStatus.APPLIED,
            "updated_at": later,
        }
    )
    writeback = WritebackResult.model_validate(
        {
            **s["WritebackResult"].model_dump(),
            "case_id": CASE,
            "status": WritebackStatus.APPLIED,
            "finished_at": T0 + timedelta(minutes=4),
        }
    )
    log.add("cases.state", CASE, state, ms(1))  # Kafka time early, record time late
    log.add("shopify.writebacks", CASE, writeback, ms(240))
    log.add("cases.requests", CASE, request, ms(0))
    log.add("cases.requests", "other-case", request, ms(0))
    log.add("shopify.webhooks", "shop/1", event, ms(-1), part=1)
    other = event.model_copy(update={"event_id": "evt-unrelated"})
    log.add("shopify.webhooks", "shop/1", other, ms(-1), part=1)

    entries = case_history({}, log.registry, CASE)

    stages = [e.stage for e in entries]
    # The webhook's received_at equals the request's requested_at; ties go by topic name.
    assert stages == ["requested", "webhook", "writeback", "state"]
    assert entries[-1].summary.startswith("state APPLIED")
    assert entries[-1].at == later
    # Only the key's partition of each case topic was read.
    first_scan = log.scanned[0]
    assert {p for (_, p) in first_scan} == {partition_for(CASE.encode(), 3)}


def test_all_partitions_on_request(log: FakeLog) -> None:
    home = partition_for(CASE.encode(), 3)
    # A record some foreign producer put on another partition is only found by a full scan.
    log.add("cases.state", CASE, samples()["CaseState"], ms(), part=home)
    log.add("cases.state", CASE, samples()["CaseState"], ms(), part=(home + 1) % 3)
    assert len(case_history({}, log.registry, CASE)) == 1
    assert len(case_history({}, log.registry, CASE, scan_all_partitions=True)) == 2


def test_undecodable_and_tombstones_are_listed_not_hidden(log: FakeLog) -> None:
    log.add("cases.opened", CASE, b"\x01garbage", ms(3))
    log.add("cases.state", CASE, None, ms(4))
    entries = case_history({}, log.registry, CASE)
    assert [e.summary.split(":")[0] for e in entries] == ["undecodable record", "deleted"]
    assert entries[0].at == T0 + timedelta(seconds=3)  # Kafka time as the fallback


def test_unknown_case_is_an_error_naming_it(log: FakeLog) -> None:
    log.add("cases.state", "someone-else", samples()["CaseState"], ms())
    with pytest.raises(CaseNotFoundError, match="no records for case 'nope'"):
        case_history({}, log.registry, "nope")


def test_a_dead_letter_is_summarised_from_its_headers() -> None:
    headers = {
        "source_topic": "cases.decisions",
        "reason": "outcome 'split' was not offered for this FULFILLMENT_EXCEPTION case",
        "error_class": "OutcomeNotOfferedError",
        "attempts": "2",
    }
    assert audit.summarise_dead_letter(headers) == (
        "dead-lettered from cases.decisions: outcome 'split' was not offered for this"
        " FULFILLMENT_EXCEPTION case (OutcomeNotOfferedError), attempt 2"
    )
    assert audit.summarise_dead_letter({}) == "dead-lettered from ?: no reason given"
