"""The sandbox's traffic for UC1 inventory and UC4 partial shipment opens those cases.

The scenario kinds ``make run`` streams (``emulators/shopify/scenario.py``)
go through the real worker: an ``inventory_mismatch`` order (more units than
the stock) opens an inventory review from the stock the catalog's webhooks
reported, and a ``partial_shipment`` opens a partial-shipment exception. A
fresh shop of its own, so the demo catalog is the scenario's.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.integration.pipeline.conftest import Pipeline
from tests.integration.pipeline.harness import variables_of
from tests.integration.pipeline.test_inbound import seed_kind
from tests.integration.pipeline.test_outbound import (
    numeric_id,
    order,
    shop_pipeline,
    wait_instance,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SHOP = f"stockscen-{uuid.uuid4().hex[:8]}.myshopify.com"
#: Scenario draws until one ships part of its order (a one-unit order ships whole).
PARTIAL_TRIES = 10


@pytest.fixture(scope="module")
def pipeline(
    bootstrap_servers: str, registry_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    with shop_pipeline(bootstrap_servers, registry_url, tmp_path_factory, SHOP) as running:
        yield running


def test_the_inventory_mismatch_traffic_opens_an_inventory_review(pipeline: Pipeline) -> None:
    entry = seed_kind(pipeline, "inventory_mismatch")
    order_id = numeric_id(entry["order_id"])
    variables = variables_of(wait_instance(pipeline, "casebridge.order_review", orderId=order_id))
    codes = [r["code"] for r in variables["reasons"]]
    assert "INVENTORY_MISMATCH" in codes, variables["reasons"]
    (line,) = variables["inventoryAvailability"]
    assert line["quantity"] > line["available"], line


def test_the_partial_shipment_traffic_opens_a_partial_shipment_exception(
    pipeline: Pipeline,
) -> None:
    for _ in range(PARTIAL_TRIES):
        order_id = numeric_id(seed_kind(pipeline, "partial_shipment")["order_id"])
        if order(pipeline, order_id)["fulfillment_status"] == "partial":
            break
    else:
        pytest.fail(f"no partly shipped order in {PARTIAL_TRIES} partial_shipment draws")
    instance = wait_instance(pipeline, "casebridge.fulfillment_exception", orderId=order_id)
    variables = variables_of(instance)
    assert [r["code"] for r in variables["reasons"]] == ["PARTIAL_SHIPMENT"]
    assert variables["unshippedLineItems"], variables
    assert "resolved" in variables["allowedOutcomes"]
