"""The worker's shared services: the Shopify budget's figures reach /metrics."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from connectors.shopify.budget import Priority, Spend
from streams.ops.metrics import REGISTRY, exposition
from streams.services import Services
from streams.settings import Settings
from streams.shops.errors import UnknownShopError

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

    services._shopify_points(SHOP, Priority.PROTECT, Spend("ORDER_REVIEW"), 12, 5)

    assert sample("casebridge_shopify_points_total", kind="requested", **labels) == before + 12
    assert b"casebridge_shopify_points_total" in exposition()


US = "us-store.myshopify.com"
EU = "eu-store.myshopify.com"


def two_shops(tmp_path: Path) -> Services:
    path = tmp_path / "shops.yaml"
    path.write_text(
        "shops:\n"
        f"  - {{domain: {US}, access_token: shpat_us, currency: USD}}\n"
        f"  - {{domain: {EU}, access_token: shpat_eu, currency: EUR, api_version: 2026-01,"
        " policy: {orders: {review: {value: {absolute_threshold: '900'}}}}}\n"
    )
    return Services(Settings(shops_file=path))


async def test_each_shop_has_its_own_budget_and_clients(tmp_path: Path) -> None:
    services = two_shops(tmp_path)

    us, eu = services.shopify_for(US), services.shopify_for(EU)

    assert services.shops.domains == [US, EU]
    assert us.bucket is services.bucket_for(US) is services.shopify_writer_for(US).bucket
    assert eu.bucket is services.bucket_for(EU) is not us.bucket
    assert (us.config.shop_domain, us.config.access_token.get_secret_value()) == (US, "shpat_us")
    assert (eu.config.api_version, eu.config.access_token.get_secret_value()) == (
        "2026-01",
        "shpat_eu",
    )
    assert services.shopify_writer_for(EU).config.retry.maximum_attempts == 1
    assert services.shopify is us  # the default shop: the first of the file
    assert services.shopify_for(US.upper()) is us
    assert str(services.policy_for(EU).orders.review.value.absolute_threshold) == "900"
    assert services.policy_for("evil.myshopify.com") == services.policy
    with pytest.raises(UnknownShopError):
        services.shopify_for("evil.myshopify.com")
    await services.aclose()


@pytest.mark.looptime
async def test_a_throttled_shop_saturates_only_its_own_gauge(tmp_path: Path) -> None:
    services = two_shops(tmp_path)
    services.bucket_for(US)
    eu = services.bucket_for(EU)
    eu.mark_throttled()
    waiting = asyncio.ensure_future(eu.reserve(100, Priority.ENRICH))
    await asyncio.sleep(0.01)

    services.refresh_budget_metrics()

    def saturated(shop: str) -> float | None:
        return REGISTRY.get_sample_value("casebridge_shopify_budget_saturated", {"shop": shop})

    assert (saturated(US), saturated(EU)) == (0, 1)
    services._shopify_called(EU, "hold", 503, 0.1, None)
    calls = REGISTRY.get_sample_value(
        "casebridge_shopify_calls_total", {"shop": EU, "status": "503"}
    )
    assert calls is not None and calls >= 1
    assert REGISTRY.get_sample_value(
        "casebridge_shopify_calls_total", {"shop": US, "status": "503"}
    ) in (None, 0)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    await services.aclose()


async def test_a_reload_retires_the_clients_of_removed_or_changed_shops(tmp_path: Path) -> None:
    services = two_shops(tmp_path)
    us, eu = services.shopify_for(US), services.shopify_for(EU)
    watcher = services.shop_watcher
    assert watcher is not None
    watcher.path.write_text(f"shops: [{{domain: {US}, access_token: shpat_us_rotated}}]\n")
    os.utime(watcher.path, ns=(10**9, 10**9))

    assert watcher.check() is True

    assert services.shopify_for(US) is not us
    assert services.shopify_for(US).config.access_token.get_secret_value() == "shpat_us_rotated"
    assert services.shopify_for(US).bucket is us.bucket  # the store's budget is the same store's
    with pytest.raises(UnknownShopError):
        services.shopify_for(EU)
    assert eu in services._retired
    await services.aclose()
