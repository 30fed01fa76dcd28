"""Rates over the last minute from sampled counters."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

from streams.web.rates import RateTracker, Values, read_counters, totals


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_read_counters_keeps_totals_only() -> None:
    registry = CollectorRegistry()
    records_in = Counter("t_in", "in", ["agent"], registry=registry)
    records_out = Counter("t_out", "out", ["agent", "topic"], registry=registry)
    records_in.labels(agent="sink").inc(3)
    records_out.labels(agent="sink", topic="cases.opened").inc(2)
    assert read_counters(records_in, records_out) == {
        ("in", "sink", ""): 3.0,
        ("out", "sink", "cases.opened"): 2.0,
    }


def test_rate_spans_the_last_minute_and_counts_are_current() -> None:
    clock = Clock()
    values: Values = {("in", "classify", ""): 0.0, ("out", "classify", "cases.requests"): 0.0}
    tracker = RateTracker(lambda: dict(values), window_s=60, clock=clock)
    for _ in range(30):  # 150 s of samples every 5 s, 10 records in per second
        tracker.sample()
        clock.now += 5
        values[("in", "classify", "")] += 50
        values[("out", "classify", "cases.requests")] += 25
    (stage,) = tracker.stages()
    assert stage["agent"] == "classify"
    assert stage["in"] == {"count": 1500, "rate": 10.0}
    assert stage["out"]["rate"] == 5.0
    assert stage["out"]["topics"]["cases.requests"] == {"count": 750, "rate": 5.0}
    assert tracker.window_covered_s == 60
    assert totals([stage]) == {"in": 1500, "out": 750}


def test_no_rate_before_the_first_sample() -> None:
    tracker = RateTracker(lambda: {("in", "sink", ""): 4.0}, clock=Clock())
    (stage,) = tracker.stages()
    assert stage["in"] == {"count": 4, "rate": None}
    assert stage["out"] == {"count": 0, "rate": None, "topics": {}}
    assert tracker.window_covered_s == 0.0
