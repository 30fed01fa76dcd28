"""bench.points: a case's spend is folded from its requests, write-backs and state."""

from __future__ import annotations

import json

from bench.points import Report, _fold, render


def request(case_id: str, requested: str, charged: str, holds: int = 1) -> dict[str, object]:
    placed = json.dumps([{"fulfillmentOrderId": f"fo{i}", "holdId": None} for i in range(holds)])
    return {
        "case_id": case_id,
        "case_type": "ORDER_REVIEW",
        "variables": [
            {"name": "shopifyPointsRequested", "value": requested},
            {"name": "shopifyPointsCharged", "value": charged},
            {"name": "holdsPlaced", "value": placed},
        ],
    }


def writeback(
    case_id: str, requested: int, charged: int, status: str = "APPLIED"
) -> dict[str, object]:
    return {
        "case_id": case_id,
        "action": "RELEASE_HOLD",
        "status": status,
        "query_cost_requested": requested,
        "query_cost": charged,
    }


def test_a_case_sums_its_reads_before_opening_and_its_writes_after() -> None:
    report = Report()
    _fold(report, "cases.requests", request("c1", "16", "12"))
    _fold(report, "cases.requests", request("c1", "18", "13"))  # a deferred enrichment added 2
    _fold(report, "shopify.writebacks", writeback("c1", 10, 10))
    _fold(report, "shopify.writebacks", writeback("c1", 11, 11))
    _fold(report, "cases.state", {"case_id": "c1", "outcome": "Approved"})

    (case,) = report.cases.values()
    assert (case.requested, case.charged, case.floor) == (39, 34, 30)
    assert [c.requested for c in report.approved_order_reviews()] == [39]
    assert "target <= 40: met" in render(report, {"duration_s": 60, "rate": 1}, "- m")


def test_undecided_cases_and_unknown_write_backs_are_left_out() -> None:
    report = Report()
    _fold(report, "cases.requests", request("open", "16", "12"))
    _fold(report, "shopify.writebacks", writeback("offline-intake", 10, 10))

    assert report.rows() == []
    assert "no case" in render(report, {"duration_s": 60, "rate": 1}, "- m")
