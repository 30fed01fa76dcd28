"""The last hour of the operations figures, kept in the worker's memory for the page's charts.

The page's charts need history, and a sandbox (or a small deployment) has no
Prometheus to ask. :class:`History` samples the worker's own metric registry
(:data:`streams.ops.metrics.REGISTRY`, the same numbers ``/metrics`` serves)
every few seconds and keeps one hour of samples in a ring buffer: about 720
samples of a few dozen numbers, well under a megabyte.

What is charted is declared once, in :data:`CHARTS`, in the same terms as a
PromQL query: a metric, the labels to sum by, an optional label filter and
whether the metric is a counter to turn into a rate. The Grafana dashboard
(``deploy/grafana/``) draws the same figures from Prometheus; a test checks
that both use metrics ``/metrics`` exports.

Counters are stored as totals and turned into per-second rates between two
consecutive samples when asked, so a worker restart (a counter reset) shows as
one zero point instead of a negative rate.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry

from streams.ops.metrics import REGISTRY, refresh

__all__ = ["CHARTS", "Chart", "History", "Line", "read_registry"]

#: (sample name, sorted label pairs) -> value
Readings = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@dataclass(frozen=True, slots=True)
class Line:
    """One query of a chart: ``sum by (by) (metric{match})``, as a rate for counters.

    ``label`` formats the series name from the ``by`` label values.
    ``scale`` multiplies the value (60 turns a per-second rate into per minute).
    """

    metric: str
    by: tuple[str, ...]
    rate: bool = False
    match: tuple[tuple[str, str], ...] = ()
    label: str = "{}"
    scale: float = 1.0

    def series(self, readings: Readings) -> dict[str, float]:
        """Series name -> summed value of this line's matching samples."""
        wanted = dict(self.match)
        out: dict[str, float] = {}
        for (name, labels), value in readings.items():
            if name != self.metric:
                continue
            found = dict(labels)
            if any(found.get(k) != v for k, v in wanted.items()):
                continue
            key = self.label.format(*(found.get(b, "") for b in self.by))
            out[key] = out.get(key, 0.0) + value
        return out


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart of the page: an id (its ``data-testid`` suffix), a title, a unit and its lines."""

    id: str
    title: str
    unit: str
    lines: tuple[Line, ...]


#: The charts of the page, in page order. Each figure matches a Grafana panel.
CHARTS: tuple[Chart, ...] = (
    Chart(
        "records-in",
        "Records in per stage",
        "records/s",
        (Line("casebridge_records_in_total", ("agent",), rate=True),),
    ),
    Chart(
        "records-out",
        "Records out per stage",
        "records/s",
        (Line("casebridge_records_out_total", ("agent",), rate=True),),
    ),
    Chart(
        "lag",
        "Consumer lag per group",
        "records",
        (Line("kafka_consumergroup_lag_sum", ("consumergroup",)),),
    ),
    Chart(
        "dlq",
        "Records dead-lettered by this worker, by source topic",
        "records",
        (Line("casebridge_dlq_records_total", ("topic",)),),
    ),
    Chart(
        "decisions",
        "Decisions applied and failed",
        "decisions/min",
        (Line("casebridge_decisions_total", ("result",), rate=True, scale=60.0),),
    ),
    Chart(
        "shopify-budget",
        "Shopify budget per shop: points used vs restore rate",
        "points/s",
        (
            Line(
                "casebridge_shopify_points_total",
                ("shop",),
                rate=True,
                match=(("kind", "actual"),),
                label="{} used",
            ),
            Line("casebridge_shopify_restore_rate", ("shop",), label="{} restore rate"),
        ),
    ),
    Chart(
        "shopify-queue",
        "Shopify calls waiting for the budget, per shop and class",
        "calls",
        (Line("casebridge_shopify_budget_queue_depth", ("shop", "priority"), label="{} {}"),),
    ),
    Chart(
        "shopify-wait",
        "Oldest wait for the Shopify budget, per shop and class",
        "seconds",
        (
            Line(
                "casebridge_shopify_budget_oldest_wait_seconds",
                ("shop", "priority"),
                label="{} {}",
            ),
        ),
    ),
    Chart(
        "shopify-saturated",
        "Shopify budget saturated (1 = enrichment deferred)",
        "0/1",
        (Line("casebridge_shopify_budget_saturated", ("shop",)),),
    ),
)


def read_registry(registry: CollectorRegistry = REGISTRY) -> Readings:
    """Every sample the registry would export now."""
    refresh()
    readings: Readings = {}
    for family in registry.collect():
        for sample in family.samples:
            readings[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return readings


@dataclass(frozen=True, slots=True)
class _Point:
    at: float
    #: (chart id, line index, series) -> value (a counter total for rate lines)
    values: Mapping[tuple[str, int, str], float]


@dataclass
class History:
    """A ring buffer of chart values over the last ``window_s`` seconds.

    Args:
        read: Returns the registry's current samples (default: :func:`read_registry`).
        charts: What to keep.
        window_s: How much history to keep.
        interval_s: The expected seconds between samples (sizes the buffer).
        clock: Unix seconds (the page shows wall-clock times).
    """

    read: Callable[[], Readings] = read_registry
    charts: tuple[Chart, ...] = CHARTS
    window_s: float = 3600.0
    interval_s: float = 5.0
    clock: Callable[[], float] = time.time
    _points: deque[_Point] = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        # One extra sample so the oldest kept rate still has the sample before it.
        self._points = deque(maxlen=int(self.window_s / self.interval_s) + 2)

    def sample(self) -> None:
        """Record the charts' values now; forget samples older than the window."""
        readings = self.read()
        now = self.clock()
        values: dict[tuple[str, int, str], float] = {}
        for chart in self.charts:
            for index, line in enumerate(chart.lines):
                for name, value in line.series(readings).items():
                    values[(chart.id, index, name)] = value
        with self._lock:
            self._points.append(_Point(now, values))
            while len(self._points) > 2 and self._points[1].at < now - self.window_s:
                self._points.popleft()

    def __len__(self) -> int:
        return len(self._points)

    def to_dict(self, since: float | None = None) -> dict[str, Any]:
        """Every chart with its series' ``[unix time, value]`` points after ``since``."""
        with self._lock:
            points = list(self._points)
        now = self.clock()
        charts = [self._chart(chart, points, since) for chart in self.charts]
        return {
            "at": now,
            "window_s": self.window_s,
            "interval_s": self.interval_s,
            "charts": charts,
        }

    def _chart(self, chart: Chart, points: list[_Point], since: float | None) -> dict[str, Any]:
        series: list[dict[str, Any]] = []
        for index, line in enumerate(chart.lines):
            names = sorted({k[2] for p in points for k in p.values if k[:2] == (chart.id, index)})
            for name in names:
                key = (chart.id, index, name)
                values = list(_series(points, key, line))
                shown = [[round(at, 3), v] for at, v in values if since is None or at > since]
                series.append({"name": name, "points": shown})
        return {"id": chart.id, "title": chart.title, "unit": chart.unit, "series": series}


def _series(
    points: Iterable[_Point], key: tuple[str, int, str], line: Line
) -> Iterable[tuple[float, float]]:
    """The (time, value) points of one series: rates between samples for counters."""
    previous: _Point | None = None
    for point in points:
        value = point.values.get(key)
        if not line.rate:
            if value is not None:
                yield point.at, round(value * line.scale, 6)
        elif value is not None and previous is not None:
            before = previous.values.get(key, 0.0)
            elapsed = point.at - previous.at
            if elapsed > 0:
                # A drop is a restarted process (its counters start again at 0).
                delta = value - before if value >= before else value
                yield point.at, round(delta / elapsed * line.scale, 6)
        previous = point
