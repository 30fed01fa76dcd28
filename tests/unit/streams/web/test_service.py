"""The operations service: overview, lag availability, DLQ count caching, replay options."""

from __future__ import annotations

from typing import Any

import pytest

from streams.web.service import RequestError, replay_options
from streams.web.tally import CaseTally
from tests.unit.streams.ops.fakes import Gate, close_while_held
from tests.unit.streams.web.fakes import GROUP, FakeDlqCounter, monitor_with_lag, service

DLQ_ROW = {
    "topic": "cases.requests.dlq",
    "source_topic": "cases.requests",
    "exists": True,
    "partitions": 3,
    "records": 2,
}


async def test_overview_gathers_every_section() -> None:
    monitor = monitor_with_lag(5)
    await monitor.evaluate_once()
    tally = CaseTally()
    tally.apply("a", {"case_id": "a", "case_type": "ORDER_REVIEW", "status": "OPEN"})
    ops = service(monitor=monitor, dlq=FakeDlqCounter([DLQ_ROW]), tally=tally)
    ops.sample_rates()
    overview = await ops.overview()
    assert overview["stages"][0]["agent"] == "classify"
    assert overview["totals"] == {"in": 3, "out": 0}
    (group,) = overview["lag"]["groups"]
    assert group["group"] == GROUP and group["total_lag"] == 5
    assert group["topics"] == {"shopify.webhooks": 5}
    assert overview["lag"]["available"] is True and overview["lag"]["at"]
    assert overview["cases"]["by_type"] == {"ORDER_REVIEW": 1}
    assert overview["cases"]["ready"] is True
    assert overview["dlq"] == {"topics": [DLQ_ROW], "error": None}


async def test_lag_says_why_it_is_missing() -> None:
    assert "does not run the monitor role" in service().lag()["reason"]
    pending = service(monitor=monitor_with_lag()).lag()
    assert pending["available"] is False and "group leader" in pending["reason"]


async def test_full_lag_report_has_partitions() -> None:
    monitor = monitor_with_lag(7)
    await monitor.evaluate_once()
    report = service(monitor=monitor).lag()
    assert report["groups"][0]["partitions"][0]["lag"] == 7


async def test_dlq_counts_are_cached_and_failures_keep_the_last_rows() -> None:
    counter = FakeDlqCounter([DLQ_ROW])
    ops = service(dlq=counter)
    now = [0.0]
    ops.clock = lambda: now[0]
    await ops.dlq_counts()
    await ops.dlq_counts()
    assert counter.calls == 1
    now[0] = 5.0
    counter.down = True
    failed = await ops.dlq_counts()
    assert failed["topics"] == [DLQ_ROW] and "did not answer" in failed["error"]


async def test_closing_waits_for_the_count_in_flight_then_counts_fail() -> None:
    gate = Gate()

    class SlowCounter(FakeDlqCounter):
        def counts(self) -> list[dict[str, Any]]:
            gate.hold()
            return super().counts()

    counter = SlowCounter([DLQ_ROW])
    ops = service(dlq=counter)
    counted = await close_while_held(gate, ops.dlq_counts(), ops.aclose, lambda: counter.closed)
    assert counted["topics"] == [DLQ_ROW]
    ops.dlq_ttl_s = 0
    assert "closed" in (await ops.dlq_counts())["error"]


def test_cases_listing_filters() -> None:
    tally = CaseTally()
    tally.apply("a", {"case_id": "a", "case_type": "ORDER_REVIEW", "status": "OPEN"})
    tally.apply("b", {"case_id": "b", "case_type": "COMPLAINT", "status": "OPEN"})
    found = service(tally=tally).cases("complaint", None)
    assert found["count"] == 1 and found["cases"][0]["case_id"] == "b"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (None, {"filters": None, "dry_run": False, "from_beginning": False, "limit": None}),
        (
            {"filters": ["reason=*timeout*", "reason=x"], "dry_run": True, "limit": 3},
            {
                "filters": {"reason": ["*timeout*", "x"]},
                "dry_run": True,
                "from_beginning": False,
                "limit": 3,
            },
        ),
        (
            {"filters": {"key": "shop-1/*", "status": ["429", "503"]}, "from_beginning": True},
            {
                "filters": {"key": ["shop-1/*"], "status": ["429", "503"]},
                "dry_run": False,
                "from_beginning": True,
                "limit": None,
            },
        ),
    ],
)
def test_replay_options(body: Any, expected: dict[str, Any]) -> None:
    assert replay_options(body) == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "must be a JSON object"),
        ({"force": True}, "unknown replay option"),
        ({"filters": ["no-equals"]}, "field=pattern"),
        ({"filters": {"reason": 3}}, "expected a pattern"),
        ({"filters": 7}, "filters: expected"),
        ({"dry_run": "yes"}, "dry_run: expected true or false"),
        ({"limit": 0}, "limit: expected a positive integer"),
        ({"limit": True}, "limit: expected a positive integer"),
    ],
)
def test_bad_replay_options_are_refused(body: Any, message: str) -> None:
    with pytest.raises(RequestError, match=message):
        replay_options(body)
