"""The rules behind bench.latency's figures: percentiles, writes per order, lag trends, metrics."""

from __future__ import annotations

import math

import pytest

from bench.common import percentile
from bench.timing import (
    EFFECT_FIELDS,
    HOLD_FIELD,
    Summary,
    budget_extremes,
    deltas,
    gid_number,
    gids,
    iso_seconds,
    lag_tolerance,
    lag_trend,
    mutation_orders,
    points_by_case_type,
    remote_calls,
    writes_by_order,
)


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 11)]
    assert [percentile(values, q) for q in (10, 50, 90, 95, 99, 100)] == [1, 5, 9, 10, 10, 10]
    assert percentile([3.0], 99) == 3.0 and math.isnan(percentile([], 50))


def test_summary_takes_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]  # 1 .. 100
    summary = Summary.of(values)
    assert (summary.count, summary.p50, summary.p99, summary.max) == (100, 50.0, 99.0, 100.0)
    assert summary.meets(100.0) and not summary.meets(99.0)
    assert summary.cells() == ["100", "50.000", "99.000", "100.000"]


def test_an_empty_summary_meets_nothing() -> None:
    empty = Summary.of([])
    assert empty.count == 0 and math.isnan(empty.p99)
    assert not empty.meets(1e9)
    assert empty.cells() == ["0", "n/a", "n/a", "n/a"]


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("gid://shopify/Order/12", "12"),
        ("gid://shopify/Order/12?x=1", "12"),
        ("12", "12"),
        (12, "12"),
        (True, None),
        ("gid://shopify/Order/abc", None),
        (None, None),
    ],
)
def test_gid_number(ref: object, expected: str | None) -> None:
    assert gid_number(ref) == expected


def test_gids_are_found_anywhere_in_the_variables() -> None:
    variables = {
        "input": {"id": "gid://shopify/Order/7", "note": "gid://shopify/Customer/1"},
        "holds": ["gid://shopify/FulfillmentOrder/3", {"id": "gid://shopify/FulfillmentOrder/4"}],
    }
    assert list(gids(variables, "Order")) == ["7"]
    assert sorted(gids(variables, "FulfillmentOrder")) == ["3", "4"]


def test_a_mutation_writes_to_the_orders_it_names_and_owns_through_fulfillment_orders() -> None:
    hold = {"variables": {"id": "gid://shopify/FulfillmentOrder/30"}}
    cancel = {"variables": {"orderId": "gid://shopify/Order/5"}}
    unknown = {"variables": {"id": "gid://shopify/FulfillmentOrder/99"}}
    owners = {"30": "3"}
    assert mutation_orders(hold, owners) == {"3"}
    assert mutation_orders(cancel, owners) == {"5"}
    assert mutation_orders(unknown, owners) == set()


def _entry(at: float, field: str, fo: str, *, user_errors: int = 0) -> dict[str, object]:
    return {
        "at": at,
        "fields": [field],
        "variables": {"id": f"gid://shopify/FulfillmentOrder/{fo}"},
        "user_errors": user_errors,
        "errors": 0,
    }


def test_writes_by_order_skips_failed_writes_and_finds_the_first_after_a_time() -> None:
    journal = [
        _entry(5.0, "fulfillmentOrderReleaseHold", "30"),
        _entry(1.0, HOLD_FIELD, "30", user_errors=1),  # refused: not visible in the store
        _entry(2.0, HOLD_FIELD, "30"),
        _entry(6.0, "tagsAdd", "30"),
    ]
    writes = writes_by_order(journal, {"30": "3"})["3"]
    assert writes.first(HOLD_FIELD) == 2.0
    assert writes.first(EFFECT_FIELDS, after=4.0) == 5.0
    assert writes.first(EFFECT_FIELDS, after=5.5) is None
    assert writes.last(after=4.0) == 6.0
    assert writes.last(after=7.0) is None


def test_deltas_pair_starts_with_ends_and_name_the_missing() -> None:
    found, missing = deltas({"a": 1.0, "b": 2.0, "c": 3.0}, {"a": 1.5, "b": None})
    assert found == [0.5] and sorted(missing) == ["b", "c"]


def test_iso_seconds_reads_z_and_offsets() -> None:
    assert iso_seconds("1970-01-01T00:00:01.500Z") == 1.5
    assert iso_seconds("1970-01-01T01:00:02+01:00") == 2.0
    assert iso_seconds(None) is None


def test_lag_that_jitters_is_not_growth() -> None:
    samples = [(float(t), lag) for t, lag in enumerate([10, 80, 5, 60, 20, 70, 15, 40, 30])]
    trend = lag_trend(samples, tolerance=50)
    assert trend is not None and not trend.growing
    assert (trend.start, trend.middle, trend.end, trend.peak) == (10, 20, 30, 80)


def test_lag_that_climbs_is_growth() -> None:
    samples = [(10.0 * i, 40 * i) for i in range(9)]
    trend = lag_trend(samples, tolerance=50)
    assert trend is not None and trend.growing
    assert trend.slope_per_min == pytest.approx(240.0)


def test_a_high_but_falling_lag_is_not_growth() -> None:
    samples = [(10.0 * i, 400 - 40 * i) for i in range(9)]
    trend = lag_trend(samples, tolerance=50)
    assert trend is not None and not trend.growing


def test_lag_trend_needs_three_samples() -> None:
    assert lag_trend([(0.0, 1), (1.0, 2)], tolerance=50) is None


def test_lag_tolerance_scales_with_the_rate() -> None:
    assert lag_tolerance(0.5) == 50
    assert lag_tolerance(20.0) == 600


def _points(kind: str, shop: str, value: float) -> str:
    labels = f'case_type="ORDER_REVIEW",kind="{kind}",priority="protect",shop="{shop}"'
    return f"casebridge_shopify_points_total{{{labels}}} {value}"


POINTS = "\n".join(
    [
        "# HELP casebridge_shopify_points_total Shopify GraphQL cost points",
        "# TYPE casebridge_shopify_points_total counter",
        _points("requested", "s.myshopify.com", 32.0),
        _points("actual", "s.myshopify.com", 28.0),
        _points("requested", "other.myshopify.com", 99.0),
    ]
)
METRICS = (
    POINTS
    + """
# HELP casebridge_shopify_budget_oldest_wait_seconds oldest wait
# TYPE casebridge_shopify_budget_oldest_wait_seconds gauge
casebridge_shopify_budget_oldest_wait_seconds{priority="enrich",shop="s.myshopify.com"} 1.5
# HELP casebridge_shopify_budget_queue_depth depth
# TYPE casebridge_shopify_budget_queue_depth gauge
casebridge_shopify_budget_queue_depth{priority="enrich",shop="s.myshopify.com"} 4.0
# HELP casebridge_remote_call_seconds calls
# TYPE casebridge_remote_call_seconds histogram
casebridge_remote_call_seconds_bucket{client="shopify",endpoint="Hold",status="200",le="+Inf"} 4.0
casebridge_remote_call_seconds_count{client="shopify",endpoint="Hold",status="200"} 4.0
casebridge_remote_call_seconds_sum{client="shopify",endpoint="Hold",status="200"} 0.2
casebridge_remote_call_seconds_count{client="shopify",endpoint="Hold",status="500"} 1.0
casebridge_remote_call_seconds_sum{client="shopify",endpoint="Hold",status="500"} 0.3
"""
)


def test_points_are_read_per_case_type_and_class_for_one_shop() -> None:
    assert points_by_case_type(METRICS, "s.myshopify.com") == {
        ("ORDER_REVIEW", "protect"): {"requested": 32.0, "actual": 28.0}
    }


def test_budget_extremes_keep_the_worst_sample() -> None:
    quiet = METRICS.replace("} 1.5", "} 0.5").replace(
        "} 4.0\n# HELP casebridge_remote", "} 9.0\n# HELP casebridge_remote"
    )
    waits, depth = budget_extremes([METRICS, quiet])
    assert waits == {"enrich": 1.5} and depth == {"enrich": 9.0}


def test_remote_calls_average_over_statuses() -> None:
    [(client, endpoint, calls, mean)] = remote_calls(METRICS)
    assert (client, endpoint, calls) == ("shopify", "Hold", 5)
    assert mean == pytest.approx(0.1)
