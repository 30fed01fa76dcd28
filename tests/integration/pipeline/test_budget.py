"""The store's budget end to end: when it is short, holds still go out and enrichment waits.

A real worker against the Shopify emulator cut to a tiny budget (a 100-point
bucket restoring 4 points a second: an enriched return asks for far more than a
few seconds of it). Return cases then open at once, marked ``enrichmentDeferred``,
instead of holding their lanes and the partition; a risky order that comes in
behind them is still held; and once the budget is back the deferred cases are
enriched and their instances in OpenText get the variables.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.pipeline.conftest import Pipeline
from tests.integration.pipeline.harness import variables_of, wait_until
from tests.integration.pipeline.test_inbound import instances_for, seed_kind
from tests.integration.pipeline.test_outbound import (
    decoded,
    fulfillment_orders_of,
    numeric_id,
    our_holds,
    shop_pipeline,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SHOP = f"budget-{uuid.uuid4().hex[:8]}.myshopify.com"


@pytest.fixture(scope="module")
def pipeline(
    bootstrap_servers: str, registry_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    with shop_pipeline(bootstrap_servers, registry_url, tmp_path_factory, SHOP) as running:
        yield running


def return_instance(pipeline: Pipeline, order_id: str) -> dict[str, Any] | None:
    """The return case of the order's return, once it is open in OpenText."""
    found = instances_for(pipeline, "casebridge.return_review", shop=SHOP, orderId=order_id)
    return found[0] if found else None


def test_a_short_budget_defers_enrichment_but_not_the_hold(pipeline: Pipeline) -> None:
    faults = f"{pipeline.emulators.shopify_url}/_emulator/faults"
    httpx.post(faults, json={"restore_rate": 4, "maximum_available": 100}, timeout=10)
    try:
        # Orders whose return was requested: each case asks ~100 points of enrichment.
        returns = [numeric_id(seed_kind(pipeline, "return_request")["order_id"]) for _ in range(4)]
        risky = numeric_id(seed_kind(pipeline, "restricted_destination")["order_id"])

        # The cases open without waiting for the budget: deferred, not stuck.
        opened = {
            return_id: wait_until(
                lambda return_id=return_id: return_instance(pipeline, return_id),  # type: ignore[misc]
                90,
                f"the return case of {return_id}\n{pipeline.worker.process.log_tail(3000)}",
                0.5,
            )
            for return_id in returns
        }
        deferred = [
            r for r, instance in opened.items() if "enrichmentDeferred" in variables_of(instance)
        ]
        assert deferred, "no return case was deferred under a 4 points/s budget"
        # The hold of the risky order goes out ahead of the queued enrichment reads.
        wait_until(
            lambda: (
                (fos := fulfillment_orders_of(pipeline, risky)) and all(our_holds(fo) for fo in fos)
            ),
            90,
            f"our hold on {risky}\n{pipeline.worker.process.log_tail(3000)}",
            0.5,
        )
    finally:
        httpx.delete(faults, timeout=10).raise_for_status()

    # With the budget back the deferred cases are completed, in Kafka and in OpenText.
    for return_id in deferred:
        instance = wait_until(
            lambda return_id=return_id: (  # type: ignore[misc]
                (found := return_instance(pipeline, return_id))
                and "previousReturnsCount" in variables_of(found)
                and found
            ),
            120,
            f"the deferred enrichment of {return_id}\n{pipeline.worker.process.log_tail(3000)}",
            1.0,
        )
        case_id = str(instance["businessKey"])
        requests = decoded(pipeline, "cases.requests", case_id)
        assert requests[-1]["enrichment_complete"] is True, requests[-1]
        names = {v["name"] for v in requests[-1]["variables"]}
        assert "enrichmentDeferred" not in names
