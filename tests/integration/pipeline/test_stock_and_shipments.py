"""UC1 inventory mismatch and UC4 partial shipment end to end: Shopify -> Kafka -> OpenText.

* An order for more than the stock opens an inventory review whose stock figures
  came only from webhooks: the product's ``products/create`` (variant ->
  inventory item) and an ``inventory_levels/update`` stamped before the order;
  casebridge reads no inventory from Shopify's API.
* A fulfillment order another app split (``fulfillment_orders/split``, which
  names no order) opens an exception about the units moved, its order read
  from the fulfillment order; a resolution is noted on the order.
* A fulfillment service (3PL) rejects the fulfillment request of an order it was
  to ship (``fulfillment_orders/fulfillment_request_rejected``): an exception opens
  with its reason and message; the reviewer cancels the order and it applies once.
* Work the 3PL accepted and then closed incomplete
  (``fulfillment_orders/fulfillment_service_failed_to_complete``) offers no split;
  the reviewer cancels the unfulfillable line and the order edit applies once.
* A partly shipped order (``orders/partially_fulfilled``) opens a fulfillment
  exception naming the lines still to ship; the reviewer picks "cancel the
  unshipped lines" without typing an id and the order edit applies once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from connectors.shopify.operations import FULFILLMENT_ORDER_SPLIT
from emulators.shopify.models import MAIN_LOCATION_ID
from streams.kafka.dlq import parse_headers
from tests.integration.pipeline.conftest import Pipeline
from tests.integration.pipeline.harness import variables_of, wait_until
from tests.integration.pipeline.test_inbound import post_webhook, records_with_key
from tests.integration.pipeline.test_outbound import (
    SHOPIFY_TOKEN,
    complete,
    effect,
    fulfillment_orders_of,
    graphql,
    numeric_id,
    order,
    shop_pipeline,
    variant_stock,
    wait_final_state,
    wait_instance,
)
from tests.integration.pipeline.test_outcomes import action_kinds, applied_once, consumed

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SHOP = f"stock-{uuid.uuid4().hex[:8]}.myshopify.com"
ORDER_REVIEW = "casebridge.order_review"
FULFILLMENT = "casebridge.fulfillment_exception"


@pytest.fixture(scope="module")
def pipeline(
    bootstrap_servers: str, registry_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    with shop_pipeline(bootstrap_servers, registry_url, tmp_path_factory, SHOP) as running:
        yield running


def classified(pipeline: Pipeline, key: str) -> None:
    """Wait until the worker's classify stage is past the ``shopify.webhooks`` record of ``key``."""

    def done() -> bool:
        found = records_with_key(pipeline.bootstrap_servers, "shopify.webhooks", key.encode())
        return bool(found) and all(consumed(pipeline, message) for message in found)

    wait_until(done, 60, f"the worker to classify {key}\n{pipeline.worker.process.log_tail(2000)}")


def seed(pipeline: Pipeline, body: dict[str, Any]) -> dict[str, Any]:
    return pipeline.emulators.seed({"shop": SHOP, **body})


def order_body(lines: list[tuple[dict[str, Any], int]], **extra: Any) -> dict[str, Any]:
    return {
        "email": f"buyer-{uuid.uuid4().hex[:6]}@example.com",
        "line_items": [
            {
                "title": variant["title"],
                "variant_id": variant["id"],
                "quantity": quantity,
                "price": variant["price"],
                "sku": variant["sku"],
            }
            for variant, quantity in lines
        ],
        "shipping_address": {
            "first_name": "Ada",
            "last_name": "Byron",
            "address1": "1 Main St",
            "city": "Austin",
            "province_code": "TX",
            "country_code": "US",
            "zip": "78701",
        },
        **extra,
    }


# --- UC1 ---------------------------------------------------------------------------------------


def test_an_order_over_the_stock_opens_an_inventory_review_fed_only_by_webhooks(
    pipeline: Pipeline,
) -> None:
    sku = f"LAMP-{uuid.uuid4().hex[:6]}"
    created = seed(
        pipeline,
        {"products": [{"title": "Desk lamp", "variants": [{"sku": sku, "price": "40.00"}]}]},
    )
    product_id = numeric_id(created["products"][0])
    (variant,) = pipeline.emulators.shopify_resource("products", product_id)["variants"]
    # The stock as Shopify reports it: a level at the shop's location, stamped an hour ago.
    level = {
        "inventory_item_id": variant["inventory_item_id"],
        "location_id": MAIN_LOCATION_ID,
        "available": 3,
        "updated_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
    }
    response = post_webhook(pipeline, "inventory_levels/update", level, shop=SHOP)
    assert response.status_code == 200, response.text
    classified(pipeline, f"{SHOP}/{product_id}")  # products/create: variant -> item
    classified(pipeline, f"{SHOP}/{variant['inventory_item_id']}")

    placed = seed(pipeline, {"orders": [order_body([(variant, 5)])]})
    order_id = numeric_id(placed["orders"][0])

    instance = wait_instance(pipeline, ORDER_REVIEW, orderId=order_id)
    variables = variables_of(instance)
    (reason,) = variables["reasons"]
    assert reason["code"] == "INVENTORY_MISMATCH"
    assert reason["detail"] == f"{sku}: ordered 5, 3 available"
    assert variables["teams"] == ["operations"]
    assert variables["inventoryAvailability"] == [
        {"variantId": str(variant["id"]), "sku": sku, "quantity": 5, "available": 3}
    ]


# --- UC4 ---------------------------------------------------------------------------------------


def test_a_partial_shipment_opens_an_exception_whose_unshipped_lines_are_cancelled(
    pipeline: Pipeline,
) -> None:
    suffix = uuid.uuid4().hex[:6]
    variants = [
        {"title": size, "sku": f"TEE-{size}-{suffix}", "price": "20.00", "inventory_quantity": 30}
        for size in ("M", "L")
    ]
    created = seed(pipeline, {"products": [{"title": "T-shirt", "variants": variants}]})
    product = pipeline.emulators.shopify_resource("products", numeric_id(created["products"][0]))
    shipped, waiting = product["variants"]
    body = order_body(
        [(shipped, 2), (waiting, 1)],
        fulfillments=[{"line_items": [{"variant_id": shipped["id"], "quantity": 2}]}],
    )
    placed = order(pipeline, seed(pipeline, {"orders": [body]})["orders"][0])
    order_id = str(placed["id"])
    line = next(li for li in placed["line_items"] if li["variant_id"] == waiting["id"])
    stock = variant_stock(pipeline, line["product_id"], waiting["id"])

    instance = wait_instance(pipeline, FULFILLMENT, orderId=order_id)
    variables = variables_of(instance)
    case_id = str(instance["businessKey"])
    assert [r["code"] for r in variables["reasons"]] == ["PARTIAL_SHIPMENT"]
    assert variables["teams"] == ["warehouse", "customer_service"]
    (unshipped,) = variables["unshippedLineItems"]
    assert (unshipped["lineItemId"], unshipped["unshippedQuantity"]) == (str(line["id"]), 1)
    assert "cancel_lines" in variables["allowedOutcomes"], variables["allowedOutcomes"]
    assert "cancel" not in variables["allowedOutcomes"]  # part of it shipped
    assert [numeric_id(i) for i in variables["cancelLineItemIds"]] == [str(line["id"])]

    complete(pipeline, case_id, "cancel_lines", reason="backordered, customer keeps the rest")

    def quantities() -> dict[int, int]:
        return {li["variant_id"]: li["quantity"] for li in order(pipeline, order_id)["line_items"]}

    effect(
        pipeline,
        lambda: quantities().get(waiting["id"], 0) == 0,
        f"the unshipped line {line['id']} of order {order_id} set to 0",
    )
    wait_final_state(pipeline, case_id, "APPLIED")
    decision = applied_once(pipeline, case_id)
    assert action_kinds(decision) == ["EDIT_ORDER", "ADD_TAGS"]
    assert quantities()[shipped["id"]] == 2
    assert variant_stock(pipeline, line["product_id"], waiting["id"]) == stock + 1
    assert order(pipeline, order_id)["cancelled_at"] is None


def test_a_stock_level_without_its_location_is_dead_lettered_with_the_reason(
    pipeline: Pipeline,
) -> None:
    item = str(uuid.uuid4().int % 10**12)
    bad = {"inventory_item_id": int(item), "available": 4, "updated_at": "2026-11-26T10:00:00Z"}
    response = post_webhook(pipeline, "inventory_levels/update", bad, shop=SHOP)
    assert response.status_code == 200, response.text  # accepted: classify judges the payload

    def dead() -> list[dict[str, str]]:
        key = f"{SHOP}/{item}".encode()
        found = records_with_key(pipeline.bootstrap_servers, "shopify.webhooks.dlq", key)
        # Workers of other runs on the shared broker dead-letter it as foreign-shop.
        headers = [parse_headers(m.headers()) for m in found]
        return [h for h in headers if h.get("error_class") != "foreign-shop"]

    (headers,) = wait_until(dead, 60, f"the DLQ record of item {item}")
    assert headers["error_class"] == "classification"
    assert "location_id: missing id" in headers["reason"], headers


def test_a_fulfillment_order_split_by_another_app_opens_a_case_on_the_moved_units(
    pipeline: Pipeline,
) -> None:
    sku = f"MUG-{uuid.uuid4().hex[:6]}"
    variants = [{"title": "One", "sku": sku, "price": "9.00", "inventory_quantity": 30}]
    created = seed(pipeline, {"products": [{"title": "Mug", "variants": variants}]})
    product = pipeline.emulators.shopify_resource("products", numeric_id(created["products"][0]))
    seeded = seed(pipeline, {"orders": [order_body([(product["variants"][0], 3)])]})
    placed = order(pipeline, seeded["orders"][0])
    order_id = str(placed["id"])
    (fo,) = fulfillment_orders_of(pipeline, order_id)
    (line,) = fo["line_items"]

    # A warehouse app keeps one unit here and moves the other two to a new fulfillment order.
    answer = graphql(
        pipeline,
        FULFILLMENT_ORDER_SPLIT,
        {
            "fulfillmentOrderSplits": [
                {
                    "fulfillmentOrderId": f"gid://shopify/FulfillmentOrder/{fo['id']}",
                    "fulfillmentOrderLineItems": [
                        {
                            "id": f"gid://shopify/FulfillmentOrderLineItem/{line['id']}",
                            "quantity": 1,
                        }
                    ],
                }
            ]
        },
    )
    (result,) = answer["fulfillmentOrderSplit"]["fulfillmentOrderSplits"]
    moved_to = numeric_id(result["remainingFulfillmentOrder"]["id"])

    instance = wait_instance(pipeline, FULFILLMENT, fulfillmentOrderId=moved_to)
    variables = variables_of(instance)
    case_id = str(instance["businessKey"])
    assert [r["code"] for r in variables["reasons"]] == ["FULFILLMENT_SPLIT"]
    # Shopify's split names no order: enrichment read it from the fulfillment order.
    assert variables["orderId"] == order_id
    assert variables["originalFulfillmentOrderId"] == str(fo["id"])
    assert [m["quantity"] for m in variables["movedLineItems"]] == [2]
    assert "resolved" in variables["allowedOutcomes"]

    complete(pipeline, case_id, "resolved", notes="moved units ship from the second warehouse")

    effect(
        pipeline,
        lambda: "second warehouse" in (order(pipeline, order_id).get("note") or ""),
        f"the resolution noted on order {order_id}",
    )
    wait_final_state(pipeline, case_id, "APPLIED")
    applied_once(pipeline, case_id)


REJECT_REQUEST = """mutation($id: ID!) {
  fulfillmentOrderRejectFulfillmentRequest(id: $id, reason: INVENTORY_OUT_OF_STOCK,
      message: "No stock of the lamp at our warehouse") {
    fulfillmentOrder { id status requestStatus } userErrors { field message } } }"""


def test_a_fulfillment_request_the_3pl_rejects_opens_an_exception_decided_once(
    pipeline: Pipeline,
) -> None:
    sku = f"LAMP-{uuid.uuid4().hex[:6]}"
    variants = [{"title": "Brass", "sku": sku, "price": "45.00", "inventory_quantity": 20}]
    created = seed(pipeline, {"products": [{"title": "Lamp", "variants": variants}]})
    product = pipeline.emulators.shopify_resource("products", numeric_id(created["products"][0]))
    # Stocked at the fulfillment service's location; the merchant requested fulfillment there.
    body = order_body(
        [(product["variants"][0], 2)], fulfillment_service=True, request_fulfillment=True
    )
    placed = order(pipeline, seed(pipeline, {"orders": [body]})["orders"][0])
    order_id = str(placed["id"])
    (fo,) = fulfillment_orders_of(pipeline, order_id)
    assert fo["request_status"] == "submitted"

    # The 3PL, with its own app's token, refuses the work.
    rejected = service_call(pipeline, REJECT_REQUEST, {"id": fo["admin_graphql_api_id"]})[
        "fulfillmentOrderRejectFulfillmentRequest"
    ]
    assert rejected["userErrors"] == [] and rejected["fulfillmentOrder"]["status"] == "OPEN"

    instance = wait_instance(pipeline, FULFILLMENT, fulfillmentOrderId=str(fo["id"]))
    variables = variables_of(instance)
    case_id = str(instance["businessKey"])
    assert [r["code"] for r in variables["reasons"]] == ["FULFILLMENT_REQUEST_REJECTED"]
    assert variables["rejectionReason"] == "INVENTORY_OUT_OF_STOCK"
    assert variables["serviceMessage"] == "No stock of the lamp at our warehouse"
    assert variables["orderId"] == order_id
    assert variables["teams"] == ["warehouse", "logistics"]
    # Nothing shipped and the fulfillment order is open again: every order-level outcome.
    assert {"split", "cancel", "resolved"} <= set(variables["allowedOutcomes"])

    complete(pipeline, case_id, "cancel", reason="the 3PL cannot source the lamp")

    effect(
        pipeline,
        lambda: order(pipeline, order_id).get("cancelled_at") is not None,
        f"order {order_id} cancelled",
    )
    wait_final_state(pipeline, case_id, "APPLIED")
    applied_once(pipeline, case_id)


def test_work_the_3pl_closes_incomplete_offers_no_split_and_its_lines_can_be_cancelled(
    pipeline: Pipeline,
) -> None:
    suffix = uuid.uuid4().hex[:6]
    variants = [
        {"title": size, "sku": f"RUG-{size}-{suffix}", "price": "80.00", "inventory_quantity": 20}
        for size in ("S", "L")
    ]
    created = seed(pipeline, {"products": [{"title": "Rug", "variants": variants}]})
    product = pipeline.emulators.shopify_resource("products", numeric_id(created["products"][0]))
    small, large = product["variants"]
    body = order_body([(small, 2), (large, 1)], fulfillment_service=True, request_fulfillment=True)
    placed = order(pipeline, seed(pipeline, {"orders": [body]})["orders"][0])
    order_id = str(placed["id"])
    (fo,) = fulfillment_orders_of(pipeline, order_id)
    fo_gid = fo["admin_graphql_api_id"]
    # The 3PL accepts the work, then gives up on it.
    accepted = service_call(
        pipeline,
        "mutation($id: ID!) { fulfillmentOrderAcceptFulfillmentRequest(id: $id) {"
        " fulfillmentOrder { status } userErrors { message } } }",
        {"id": fo_gid},
    )["fulfillmentOrderAcceptFulfillmentRequest"]
    assert accepted["userErrors"] == [] and accepted["fulfillmentOrder"]["status"] == "IN_PROGRESS"
    closed = service_call(
        pipeline,
        'mutation($id: ID!) { fulfillmentOrderClose(id: $id, message: "Rug arrived torn") {'
        " fulfillmentOrder { status } userErrors { message } } }",
        {"id": fo_gid},
    )["fulfillmentOrderClose"]
    assert closed["userErrors"] == [] and closed["fulfillmentOrder"]["status"] == "INCOMPLETE"

    instance = wait_instance(pipeline, FULFILLMENT, fulfillmentOrderId=str(fo["id"]))
    variables = variables_of(instance)
    case_id = str(instance["businessKey"])
    assert [r["code"] for r in variables["reasons"]] == ["FULFILLMENT_SERVICE_FAILED"]
    assert variables["serviceMessage"] == "Rug arrived torn"
    # INCOMPLETE: Shopify splits and reschedules only open fulfillment orders.
    assert variables["allowedOutcomes"] == ["substitute", "cancel_lines", "cancel", "resolved"]

    line = next(li for li in placed["line_items"] if li["variant_id"] == large["id"])
    complete(pipeline, case_id, "cancel_lines", cancelLineItemIds=[str(line["id"])])

    def quantities() -> dict[int, int]:
        return {li["variant_id"]: li["quantity"] for li in order(pipeline, order_id)["line_items"]}

    effect(
        pipeline,
        lambda: quantities().get(large["id"], 0) == 0,
        f"the unfulfillable line {line['id']} of order {order_id} set to 0",
    )
    wait_final_state(pipeline, case_id, "APPLIED")
    applied_once(pipeline, case_id)
    assert quantities()[small["id"]] == 2


def service_call(pipeline: Pipeline, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """A call of the shop's fulfillment service app (the 3PL), with its own token."""
    response = httpx.post(
        f"{pipeline.emulators.shopify_url}/admin/api/2026-04/graphql.json",
        json={"query": query, "variables": variables},
        headers={"X-Shopify-Access-Token": f"{SHOPIFY_TOKEN}_3pl"},
        timeout=15,
    )
    response.raise_for_status()
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]  # type: ignore[no-any-return]
