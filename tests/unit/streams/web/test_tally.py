"""The case tally: latest state per case, counts, filters, tombstones, bad records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.serde.errors import DeserializationError
from streams.web.tally import CaseStateReader, CaseSummary, CaseTally

T0 = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)


def state(case_id: str, case_type: str, status: str, minutes: int = 0) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "case_type": case_type,
        "shop": "shop-1.myshopify.com",
        "subject_id": "1001",
        "status": status,
        "priority": "NORMAL",
        "outcome": None,
        "updated_at": T0 + timedelta(minutes=minutes),
    }


def test_counts_by_type_state_and_both() -> None:
    tally = CaseTally()
    tally.apply("a", state("a", "ORDER_REVIEW", "OPEN"))
    tally.apply("b", state("b", "ORDER_REVIEW", "APPLIED"))
    tally.apply("c", state("c", "COMPLAINT", "OPEN"))
    counts = tally.counts()
    assert counts["total"] == 3
    assert counts["by_type"] == {"COMPLAINT": 1, "ORDER_REVIEW": 2}
    assert counts["by_state"] == {"APPLIED": 1, "OPEN": 2}
    assert counts["by_type_and_state"]["ORDER_REVIEW"] == {"APPLIED": 1, "OPEN": 1}


def test_latest_state_wins_and_an_older_one_never_replaces_it() -> None:
    tally = CaseTally()
    tally.apply("a", state("a", "ORDER_REVIEW", "OPEN", minutes=1))
    tally.apply("a", state("a", "ORDER_REVIEW", "DECIDED", minutes=5))
    tally.apply("a", state("a", "ORDER_REVIEW", "REQUESTED", minutes=0))  # late, older
    assert tally.counts()["by_state"] == {"DECIDED": 1}
    assert len(tally) == 1


def test_a_tombstone_forgets_the_case() -> None:
    tally = CaseTally()
    tally.apply("a", state("a", "ORDER_REVIEW", "OPEN"))
    tally.apply("a", None)
    assert tally.counts()["total"] == 0


def test_cases_filter_case_insensitively_newest_first_with_a_limit() -> None:
    tally = CaseTally()
    for i in range(5):
        tally.apply(f"c{i}", state(f"c{i}", "ORDER_REVIEW", "OPEN", minutes=i))
    tally.apply("x", state("x", "COMPLAINT", "OPEN"))
    found = tally.cases(case_type="order_review", status="open", limit=3)
    assert [c.case_id for c in found] == ["c4", "c3", "c2"]
    assert tally.cases(status="closed") == []
    assert found[0].to_dict()["updated_at"] == (T0 + timedelta(minutes=4)).isoformat()


def test_summary_defaults_for_sparse_records() -> None:
    summary = CaseSummary.from_state({"case_id": "z"})
    assert (summary.case_type, summary.status, summary.updated_at) == ("UNKNOWN", "UNKNOWN", None)


def test_reader_applies_records_counts_undecodable_and_ignores_keyless() -> None:
    tally = CaseTally()

    def decode(value: bytes) -> dict[str, Any]:
        if value == b"bad":
            raise DeserializationError("corrupt-body", "not Avro")
        return state(value.decode(), "CHARGEBACK", "OPEN")

    reader = CaseStateReader({"bootstrap.servers": "127.0.0.1:1"}, decode, tally, group="g")
    reader.handle(b"k1", b"k1")
    reader.handle(b"k2", b"bad")
    reader.handle(None, b"k3")
    assert tally.counts()["by_type"] == {"CHARGEBACK": 1}
    assert tally.undecodable == 1
    reader.handle(b"k1", None)
    assert len(tally) == 0


def test_stopping_a_reader_that_never_started_is_harmless() -> None:
    reader = CaseStateReader({}, lambda v: {}, CaseTally(), group="g")
    reader.stop()


def test_cases_are_counted_and_filtered_by_shop() -> None:
    tally = CaseTally()
    tally.apply("us", state("us", "ORDER_REVIEW", "OPEN"))
    tally.apply("eu", {**state("eu", "ORDER_REVIEW", "OPEN"), "shop": "eu.myshopify.com"})

    assert tally.counts()["by_shop"] == {"eu.myshopify.com": 1, "shop-1.myshopify.com": 1}
    assert [c.case_id for c in tally.cases(shop="EU.myshopify.com")] == ["eu"]
    assert [c.case_id for c in tally.cases(case_type="order_review", shop="nowhere")] == []
