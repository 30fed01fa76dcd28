"""Pure helpers of ``bench.latency``: percentiles, who a mutation wrote to, lag trends, metrics.

Nothing here does I/O, so every rule the benchmark's figures depend on is unit
tested (``tests/unit/bench/test_timing.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from bench.common import percentile

#: Mutations that make an ORDER_REVIEW decision visible in the store: the hold
#: released (approved, corrected) or the order cancelled (rejected).
EFFECT_FIELDS = frozenset({"fulfillmentOrderReleaseHold", "orderCancel"})
HOLD_FIELD = "fulfillmentOrderHold"


@dataclass(frozen=True)
class Summary:
    """p50 / p99 / max of a set of latencies (seconds), and how many there were."""

    count: int
    p50: float
    p99: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        """The summary of ``values`` (NaN figures when empty)."""
        return cls(
            len(values),
            percentile(values, 50),
            percentile(values, 99),
            max(values) if values else float("nan"),
        )

    def cells(self) -> list[str]:
        """``[n, p50, p99, max]`` formatted for a table (seconds, 3 decimals)."""

        def fmt(value: float) -> str:
            return "n/a" if math.isnan(value) else f"{value:.3f}"

        return [str(self.count), fmt(self.p50), fmt(self.p99), fmt(self.max)]

    def meets(self, p99_target_s: float) -> bool:
        """Whether there is at least one value and p99 is under the target."""
        return self.count > 0 and self.p99 < p99_target_s


def gid_number(ref: object) -> str | None:
    """``gid://shopify/Order/12`` or ``12`` or ``"12"`` -> ``"12"``; None for anything else."""
    if isinstance(ref, bool):
        return None
    if isinstance(ref, int):
        return str(ref)
    if not isinstance(ref, str):
        return None
    tail = ref.rsplit("/", 1)[-1].split("?", 1)[0]
    return tail if tail.isdigit() else None


def gids(value: Any, kind: str) -> Iterator[str]:
    """Numeric ids of every ``gid://shopify/<kind>/<n>`` string anywhere inside ``value``."""
    prefix = f"gid://shopify/{kind}/"
    if isinstance(value, str):
        if value.startswith(prefix):
            number = gid_number(value)
            if number is not None:
                yield number
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from gids(item, kind)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from gids(item, kind)


def mutation_orders(entry: Mapping[str, Any], fo_orders: Mapping[str, str]) -> set[str]:
    """The orders a journaled mutation wrote to: order gids in its variables, and the
    orders of the fulfillment order gids (``fo_orders``: fulfillment order -> order)."""
    variables = entry.get("variables") or {}
    orders = set(gids(variables, "Order"))
    orders.update(fo_orders[fo] for fo in gids(variables, "FulfillmentOrder") if fo in fo_orders)
    return orders


@dataclass
class OrderWrites:
    """The successful writes to one order, as (wall time, root field) pairs in time order."""

    writes: list[tuple[float, str]]

    def first(self, fields: Iterable[str] | str, after: float = float("-inf")) -> float | None:
        """When the first write of one of ``fields`` at or after ``after`` committed."""
        wanted = {fields} if isinstance(fields, str) else set(fields)
        return next((at for at, f in self.writes if f in wanted and at >= after), None)

    def last(self, after: float) -> float | None:
        """When the last write at or after ``after`` committed."""
        found = [at for at, _ in self.writes if at >= after]
        return found[-1] if found else None


def writes_by_order(
    journal: Iterable[Mapping[str, Any]], fo_orders: Mapping[str, str]
) -> dict[str, OrderWrites]:
    """Group the journal's successful writes (no errors, no userErrors) by order."""
    out: dict[str, OrderWrites] = {}
    for entry in sorted(journal, key=lambda e: float(e["at"])):
        if entry.get("errors") or entry.get("user_errors"):
            continue
        for order in mutation_orders(entry, fo_orders):
            for field in entry.get("fields") or ():
                out.setdefault(order, OrderWrites([])).writes.append((float(entry["at"]), field))
    return out


def deltas(
    starts: Mapping[str, float], ends: Mapping[str, float | None]
) -> tuple[list[float], list[str]]:
    """``end - start`` for every key of ``starts``; the keys without an end are missing."""
    found: list[float] = []
    missing: list[str] = []
    for key, start in starts.items():
        end = ends.get(key)
        if end is None:
            missing.append(key)
        else:
            found.append(end - start)
    return found, missing


def iso_seconds(text: str | None) -> float | None:
    """An ISO 8601 time (``...Z`` or with an offset) as seconds since the epoch."""
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@dataclass(frozen=True)
class LagTrend:
    """Consumer lag over a run: first / middle / last sample, peak, slope and the verdict."""

    start: int
    middle: int
    end: int
    peak: int
    slope_per_min: float
    growing: bool


def lag_trend(samples: Sequence[tuple[float, int]], tolerance: int) -> LagTrend | None:
    """Judge whether lag grew over the run.

    ``samples`` are (seconds, records behind) in time order. Lag that merely
    jitters (records between two commits, a burst being worked off) is not
    growth; lag that does grow shows in the last third of the run sitting
    above the first third by more than ``tolerance`` records *and* a positive
    least-squares slope. None without at least three samples.
    """
    if len(samples) < 3:
        return None
    times = [t for t, _ in samples]
    lags = [lag for _, lag in samples]
    third = max(1, len(samples) // 3)
    first, last = lags[:third], lags[-third:]
    mean_t, mean_l = sum(times) / len(times), sum(lags) / len(lags)
    var = sum((t - mean_t) ** 2 for t in times)
    slope = sum((t - mean_t) * (lag - mean_l) for t, lag in samples) / var if var else 0.0
    grew = sum(last) / len(last) - sum(first) / len(first) > tolerance and slope > 0
    return LagTrend(
        start=lags[0],
        middle=lags[len(lags) // 2],
        end=lags[-1],
        peak=max(lags),
        slope_per_min=slope * 60,
        growing=grew,
    )


def metric_samples(text: str, name: str) -> list[tuple[dict[str, str], float]]:
    """Every sample of metric ``name`` (a counter's ``_total`` included) in Prometheus text."""
    out: list[tuple[dict[str, str], float]] = []
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name in (name, f"{name}_total"):
                out.append((dict(sample.labels), float(sample.value)))
    return out


def points_by_case_type(text: str, shop: str) -> dict[tuple[str, str], dict[str, float]]:
    """``casebridge_shopify_points_total`` of ``shop``: (case_type, priority) -> kind -> points."""
    out: dict[tuple[str, str], dict[str, float]] = {}
    for labels, value in metric_samples(text, "casebridge_shopify_points"):
        if labels.get("shop") != shop:
            continue
        key = (labels.get("case_type", ""), labels.get("priority", ""))
        kinds = out.setdefault(key, {})
        kinds[labels.get("kind", "")] = kinds.get(labels.get("kind", ""), 0.0) + value
    return out


def lag_tolerance(orders_per_s: float) -> int:
    """Lag that is jitter, not growth: 10 s of records at ``orders_per_s`` (at least 50).

    Each order makes about three records the worker consumes (the webhook,
    the case request or a follow-up webhook, the case state), and Faust
    commits its offsets every few seconds, so a healthy worker sits some
    seconds of records behind at any sample.
    """
    return max(50, round(10 * orders_per_s * 3))


def budget_extremes(texts: Iterable[str]) -> tuple[dict[str, float], dict[str, float]]:
    """Over samples of ``/metrics``: the budget's worst oldest wait and deepest queue per class."""
    waits: dict[str, float] = {}
    depth: dict[str, float] = {}
    for text in texts:
        for labels, value in metric_samples(text, "casebridge_shopify_budget_oldest_wait_seconds"):
            key = labels.get("priority", "?")
            waits[key] = max(waits.get(key, 0.0), value)
        for labels, value in metric_samples(text, "casebridge_shopify_budget_queue_depth"):
            key = labels.get("priority", "?")
            depth[key] = max(depth.get(key, 0.0), value)
    return waits, depth


def remote_calls(text: str) -> list[tuple[str, str, int, float]]:
    """(client, endpoint, calls, mean seconds) from ``casebridge_remote_call_seconds``."""
    sums: dict[tuple[str, str], float] = {}
    counts: dict[tuple[str, str], float] = {}
    for suffix, into in (("sum", sums), ("count", counts)):
        for labels, value in metric_samples(text, f"casebridge_remote_call_seconds_{suffix}"):
            key = (labels.get("client", "?"), labels.get("endpoint", "?"))
            into[key] = into.get(key, 0.0) + value
    return sorted(
        (c, e, int(n), sums.get((c, e), 0.0) / n) for (c, e), n in counts.items() if n > 0
    )


__all__ = [
    "EFFECT_FIELDS",
    "HOLD_FIELD",
    "LagTrend",
    "OrderWrites",
    "Summary",
    "budget_extremes",
    "deltas",
    "gid_number",
    "gids",
    "iso_seconds",
    "lag_tolerance",
    "lag_trend",
    "metric_samples",
    "mutation_orders",
    "points_by_case_type",
    "remote_calls",
    "writes_by_order",
]
