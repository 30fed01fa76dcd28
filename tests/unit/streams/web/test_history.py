"""The charts' history: sampling the registry, rates between samples, the one-hour window."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge

from streams.ops.metrics import REGISTRY, exposition
from streams.web.history import CHARTS, Chart, History, Line, Readings, read_registry


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def series(body: dict[str, Any], chart: str) -> dict[str, list[list[float]]]:
    found = next(c for c in body["charts"] if c["id"] == chart)
    return {s["name"]: s["points"] for s in found["series"]}


def make(registry: CollectorRegistry, clock: Clock, **kw: Any) -> History:
    return History(read=lambda: read_registry(registry), clock=clock, interval_s=5.0, **kw)


def test_counters_become_rates_per_label_and_gauges_stay_values() -> None:
    registry = CollectorRegistry()
    records = Counter("casebridge_records_in", "", ["agent"], registry=registry)
    lag = Gauge("kafka_consumergroup_lag_sum", "", ["consumergroup", "topic"], registry=registry)
    clock = Clock()
    history = make(registry, clock)
    records.labels("classify").inc(10)
    lag.labels("g", "a").set(3)
    lag.labels("g", "b").set(4)
    history.sample()
    clock.now += 5
    records.labels("classify").inc(20)
    records.labels("sink").inc(5)  # appears between two samples: counted from 0
    lag.labels("g", "a").set(0)
    history.sample()
    body = history.to_dict()
    rates = series(body, "records-in")
    assert rates == {"classify": [[clock.now, 4.0]], "sink": [[clock.now, 1.0]]}
    # Lag is summed over the group's topics, like sum by (consumergroup).
    assert series(body, "lag") == {"g": [[clock.now - 5, 7.0], [clock.now, 4.0]]}


def test_label_filter_scale_and_several_lines_in_one_chart() -> None:
    registry = CollectorRegistry()
    points = Counter("casebridge_shopify_points", "", ["shop", "kind"], registry=registry)
    restore = Gauge("casebridge_shopify_restore_rate", "", ["shop"], registry=registry)
    chart = Chart(
        "budget",
        "t",
        "u",
        (
            Line("casebridge_shopify_points_total", ("shop",), rate=True,
                 match=(("kind", "actual"),), label="{} used", scale=60.0),
            Line("casebridge_shopify_restore_rate", ("shop",), label="{} restore"),
        ),
    )  # fmt: skip
    clock = Clock()
    history = make(registry, clock, charts=(chart,))
    restore.labels("a.myshopify.com").set(50)
    points.labels("a.myshopify.com", "actual").inc(0)
    history.sample()
    clock.now += 10
    points.labels("a.myshopify.com", "actual").inc(100)
    points.labels("a.myshopify.com", "requested").inc(1000)  # filtered out
    history.sample()
    got = series(history.to_dict(), "budget")
    assert got["a.myshopify.com used"] == [[clock.now, 600.0]]  # 10 points/s, per minute
    assert got["a.myshopify.com restore"] == [[clock.now - 10, 50.0], [clock.now, 50.0]]


def test_keeps_one_hour_and_since_returns_only_newer_points() -> None:
    registry = CollectorRegistry()
    gauge = Gauge("kafka_consumergroup_lag_sum", "", ["consumergroup"], registry=registry)
    clock = Clock()
    history = make(registry, clock, window_s=60.0)
    for i in range(40):
        gauge.labels("g").set(i)
        history.sample()
        clock.now += 5
    points = series(history.to_dict(), "lag")["g"]
    assert len(history) <= 60 / 5 + 2
    assert points[-1][1] == 39.0
    assert points[0][0] >= clock.now - 5 - 60 - 5
    newer = series(history.to_dict(since=points[-2][0]), "lag")["g"]
    assert newer == [points[-1]]


def test_a_counter_reset_is_not_a_negative_rate() -> None:
    values: list[Readings] = [
        {("casebridge_records_in_total", (("agent", "a"),)): 100.0},
        {("casebridge_records_in_total", (("agent", "a"),)): 3.0},
    ]
    clock = Clock()
    history = History(read=lambda: values.pop(0), clock=clock)
    history.sample()
    clock.now += 3
    history.sample()
    assert series(history.to_dict(), "records-in") == {"a": [[clock.now, 1.0]]}


def test_every_chart_reads_a_metric_the_worker_exports() -> None:
    from streams.ops.metrics import install_lag_collector

    install_lag_collector(lambda: None)
    text = exposition(REGISTRY).decode()
    for chart in CHARTS:
        for line in chart.lines:
            assert f"# TYPE {line.metric} " in text, line.metric
