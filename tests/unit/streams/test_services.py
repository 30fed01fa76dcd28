"""The worker's shared services: the Shopify budget's figures reach /metrics."""

from __future__ import annotations

import asyncio

import pytest

from connectors.shopify.budget import Priority, Spend
from streams.ops.metrics import REGISTRY, exposition
from streams.services import Services
from streams.settings import Settings

SHOP = "casebridge-demo.myshopify.com"


def sample(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"shop": SHOP, **labels})


@pytest.mark.looptime
async def test_budget_figures_are_exported_per_shop_and_class() -> None:
    services = Services(Settings())
    bucket = services.shopify_bucket
    bucket.mark_throttled()  # an empty bucket: callers queue
    waiting = asyncio.ensure_future(bucket.reserve(100, Priority.ENRICH))
    await asyncio.sleep(0.01)

    services.refresh_budget_metrics()

    assert sample("casebridge_shopify_budget_queue_depth", priority="enrich") == 1
    assert sample("casebridge_shopify_budget_queue_depth", priority="protect") == 0
    assert sample("casebridge_shopify_restore_rate") == bucket.restore_rate
    # 100 points at the assumed 50/s: two seconds, longer than enrichment may wait.
    assert sample("casebridge_shopify_budget_saturated") == 1
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)


def test_points_are_counted_per_case_type_class_and_kind() -> None:
    services = Services(Settings())
    labels = {"case_type": "ORDER_REVIEW", "priority": "protect"}
    before = sample("casebridge_shopify_points_total", kind="requested", **labels) or 0.0

    services._shopify_points(Priority.PROTECT, Spend("ORDER_REVIEW"), 12, 5)

    assert sample("casebridge_shopify_points_total", kind="requested", **labels) == before + 12
    assert b"casebridge_shopify_points_total" in exposition()
