"""Shopify -> Kafka -> OpenText, end to end (use cases 1-6 and 8).

Real broker, real registry, both emulators over HTTP, a real worker process.
The Shopify emulator's scenario generator creates the triggering resources
and delivers their signed webhooks to the worker's ingress; the tests then
look at the OpenText emulator (instances, tasks) and the Shopify emulator
(holds), and at the topics for what must not be there.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from confluent_kafka import Producer

from tests.integration.pipeline.conftest import Pipeline
from tests.integration.pipeline.harness import (
    ROOT,
    SHOPIFY_SECRET,
    all_records,
    variables_of,
    wait_until,
    webhook_headers,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SHOP = "casebridge-demo.myshopify.com"


# --- helpers -------------------------------------------------------------------------------


def numeric_id(gid: str) -> str:
    """``gid://shopify/Order/123`` -> ``123``."""
    return gid.rsplit("/", 1)[-1]


def seed_kind(pipeline: Pipeline, kind: str) -> dict[str, Any]:
    """Generate one scenario event of ``kind``; returns the scenario entry."""
    body = {"scenario": {"n": 1, "seed": random.randrange(1 << 30), "kinds": [kind]}}
    created = pipeline.emulators.seed(body)
    return created["scenario"][0]  # type: ignore[no-any-return]


def instances_for(pipeline: Pipeline, model: str, **variables: str) -> list[dict[str, Any]]:
    """Instances of ``model`` whose variables include ``variables``."""
    found = []
    for instance in pipeline.emulators.instances():
        if instance.get("processDefinitionKey") != model:
            continue
        values = variables_of(instance)
        if all(str(values.get(k)) == v for k, v in variables.items()):
            found.append(instance)
    return found


def wait_instance(
    pipeline: Pipeline, model: str, timeout_s: float = 60, **variables: str
) -> dict[str, Any]:
    """The one instance of ``model`` matching ``variables`` (waits for it)."""
    found = wait_until(
        lambda: instances_for(pipeline, model, **variables),
        timeout_s,
        f"a {model} instance with {variables}\n{pipeline.worker.process.log_tail(3000)}",
    )
    assert len(found) == 1, found
    return found[0]


def tasks_of(pipeline: Pipeline, instance_id: str) -> list[dict[str, Any]]:
    """The tasks of an instance, from the OpenText emulator's state."""
    state = httpx.get(f"{pipeline.emulators.opentext_url}/_emulator/state", timeout=10).json()
    return [t for t in state["tasks"] if t["processInstanceId"] == instance_id]


def assert_routed(pipeline: Pipeline, instance: dict[str, Any]) -> None:
    """The case's teams meet the candidate groups of its open task."""
    teams = set(variables_of(instance)["teams"])
    groups = {g for t in tasks_of(pipeline, instance["id"]) for g in t["candidateGroups"]}
    assert teams & groups, (teams, groups)


def post_webhook(
    pipeline: Pipeline,
    topic: str,
    payload: dict[str, Any] | bytes,
    *,
    event_id: str | None = None,
    secret: str = SHOPIFY_SECRET,
    hmac_value: str | None = None,
    shop: str = SHOP,
) -> httpx.Response:
    """POST a webhook to the worker's ingress, signed like Shopify does."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = webhook_headers(
        topic, body, shop=shop, secret=secret, event_id=event_id, hmac_value=hmac_value
    )
    return httpx.post(pipeline.worker.webhook_url, content=body, headers=headers, timeout=30)


def records_with_key(bootstrap: str, topic: str, key: bytes) -> list[Any]:
    """Every record of ``topic`` whose key is ``key``."""
    return [m for m in all_records(bootstrap, topic) if m.key() == key]


# --- the use cases -------------------------------------------------------------------------


def test_uc1_risky_order_opens_an_order_review_and_holds_the_order(pipeline: Pipeline) -> None:
    entry = seed_kind(pipeline, "risky_order")
    order_id = numeric_id(entry["order_id"])
    instance = wait_instance(pipeline, "casebridge.order_review", orderId=order_id)
    variables = variables_of(instance)
    assert instance["businessKey"] == variables["caseId"]
    assert instance["businessKey"].startswith("ORDER_REVIEW-")
    assert any(r["code"].startswith("RISK_") for r in variables["reasons"])
    assert "fraud" in variables["teams"]
    assert_routed(pipeline, instance)
    # Enrichment: customer history and the fulfillment orders to hold.
    assert "customerOrdersCount" in variables
    assert variables["fulfillmentOrderIds"]
    # The order is held while its review is open, with our handle.
    order = pipeline.emulators.shopify_resource("orders", order_id)
    fos = [
        pipeline.emulators.shopify_resource("fulfillment_orders", numeric_id(gid))
        for gid in variables["fulfillmentOrderIds"]
    ]
    assert order
    assert fos and all(
        any(h.get("handle", "").startswith("casebridge-") for h in fo["fulfillment_holds"])
        for fo in fos
    ), fos


def test_uc5_vip_order_opens_a_high_value_review_and_holds(pipeline: Pipeline) -> None:
    entry = seed_kind(pipeline, "vip_customer")
    order_id = numeric_id(entry["order_id"])
    instance = wait_instance(pipeline, "casebridge.high_value_review", orderId=order_id)
    variables = variables_of(instance)
    assert instance["businessKey"].startswith("HIGH_VALUE_REVIEW-")
    assert "sales" in variables["teams"]
    assert_routed(pipeline, instance)
    holds = wait_until(
        lambda: [
            h
            for gid in variables["fulfillmentOrderIds"]
            for h in pipeline.emulators.shopify_resource("fulfillment_orders", numeric_id(gid))[
                "fulfillment_holds"
            ]
            # This review's own hold (an order review of the same order, say for stock
            # short of the basket, holds it under its own handle).
            if h.get("handle", "").startswith("casebridge-high-value-review-")
        ],
        20,
        "the review hold",
    )
    assert len(holds) == len(variables["fulfillmentOrderIds"])


def test_uc2_return_request_opens_a_return_review(pipeline: Pipeline) -> None:
    entry = seed_kind(pipeline, "return_request")
    order_id = numeric_id(entry["order_id"])
    instance = wait_instance(pipeline, "casebridge.return_review", orderId=order_id)
    variables = variables_of(instance)
    assert instance["businessKey"].startswith("RETURN_REVIEW-")
    assert_routed(pipeline, instance)
    assert "customerOrdersCount" in variables
    assert any("return" in name.lower() for name in variables), sorted(variables)


def test_uc3_complaint_from_an_external_producer(pipeline: Pipeline) -> None:
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    env = {
        "CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS": pipeline.bootstrap_servers,
        "CASEBRIDGE_REGISTRY__URL": pipeline.registry_url,
    }
    produced = subprocess.run(
        [
            sys.executable,
            "-m",
            "streams.cli",
            "produce",
            "complaint",
            "--shop",
            SHOP,
            "--customer-id",
            customer,
            "--email",
            f"{customer}@example.com",
            "--channel",
            "CONTACT_FORM",
            "--issue-type",
            "DAMAGED_GOODS",
            "--severity",
            "HIGH",
            "--subject",
            "Broken on arrival",
            "--message",
            "The vase arrived in pieces.",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert produced.returncode == 0, produced.stderr
    instance = wait_instance(pipeline, "casebridge.complaint", customerId=customer)
    variables = variables_of(instance)
    assert instance["businessKey"].startswith("COMPLAINT-")
    assert variables["priority"] in ("HIGH", "URGENT")
    assert_routed(pipeline, instance)


def test_uc4_fulfillment_failure_opens_an_exception(pipeline: Pipeline) -> None:
    entry = seed_kind(pipeline, "fulfillment_failure")
    order_id = numeric_id(entry["order_id"])
    instance = wait_instance(pipeline, "casebridge.fulfillment_exception", orderId=order_id)
    variables = variables_of(instance)
    assert instance["businessKey"].startswith("FULFILLMENT_EXCEPTION-")
    assert_routed(pipeline, instance)
    assert "shippingProof" in variables or "trackingNumbers" in variables, sorted(variables)


def test_uc6_regulated_product_change_opens_a_content_review(pipeline: Pipeline) -> None:
    product_id = str(random.randrange(10**12, 10**13))
    payload = {
        "id": int(product_id),
        "admin_graphql_api_id": f"gid://shopify/Product/{product_id}",
        "title": "Herbal sleep aid that cures insomnia",
        "body_html": "<p>FDA approved formula.</p>",
        "product_type": "Supplements",
        "vendor": "Acme",
        "tags": "sleep, herbal",
        "variants": [{"id": 1, "price": "19.90", "compare_at_price": None}],
        "updated_at": datetime.now(UTC).isoformat(),
    }
    assert post_webhook(pipeline, "products/update", payload).status_code == 200
    instance = wait_instance(pipeline, "casebridge.content_review", productId=product_id)
    variables = variables_of(instance)
    codes = {r["code"] for r in variables["reasons"]}
    assert {"REGULATED_PRODUCT", "CLAIM_US"} <= codes
    assert "legal" in variables["teams"]
    assert_routed(pipeline, instance)


def test_uc8_chargeback_opens_a_case_with_order_record(pipeline: Pipeline) -> None:
    entry = seed_kind(pipeline, "dispute_chargeback")
    order_id = numeric_id(entry["order_id"])
    instance = wait_instance(pipeline, "casebridge.chargeback", orderId=order_id)
    variables = variables_of(instance)
    assert instance["businessKey"].startswith("CHARGEBACK-")
    assert_routed(pipeline, instance)
    assert "orderTotal" in variables or "orderName" in variables, sorted(variables)


# --- no case, duplicates, bad input ---------------------------------------------------------


def _order_payload(order_id: str, **extra: Any) -> dict[str, Any]:
    payload = {
        "id": int(order_id),
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": f"#{order_id[-4:]}",
        "email": "buyer@example.com",
        "currency": "USD",
        "total_price": "42.00",
        "subtotal_price": "42.00",
        "financial_status": "paid",
        "fulfillment_status": None,
        "tags": "",
        "note": None,
        "source_name": "web",
        "line_items": [
            {
                "id": 1,
                "variant_id": 11,
                "sku": "MUG",
                "quantity": 1,
                "price": "42.00",
                "fulfillable_quantity": 1,
            }
        ],
        "shipping_address": {"country_code": "US", "province_code": "NY", "zip": "10001"},
        "customer": {"id": 77, "email": "buyer@example.com", "tags": "", "orders_count": 3},
        "created_at": datetime.now(UTC).isoformat(),
        "updated_at": datetime.now(UTC).isoformat(),
    }
    payload.update(extra)
    return payload


def test_normal_order_opens_no_case(pipeline: Pipeline) -> None:
    order_id = str(random.randrange(10**12, 10**13))
    assert post_webhook(pipeline, "orders/create", _order_payload(order_id)).status_code == 200
    # A risky order sent after it proves the pipeline has processed past it.
    marker = str(random.randrange(10**12, 10**13))
    risky = _order_payload(marker, shipping_address={"country_code": "KP", "zip": "1"})
    assert post_webhook(pipeline, "orders/create", risky).status_code == 200
    wait_instance(pipeline, "casebridge.order_review", orderId=marker)
    assert not [
        i for i in pipeline.emulators.instances() if variables_of(i).get("orderId") == order_id
    ]


def test_same_webhook_three_times_gives_one_instance(pipeline: Pipeline) -> None:
    order_id = str(random.randrange(10**12, 10**13))
    payload = _order_payload(order_id, shipping_address={"country_code": "KP", "zip": "1"})
    event_id = str(uuid.uuid4())
    for _ in range(3):
        response = post_webhook(pipeline, "orders/create", payload, event_id=event_id)
        assert response.status_code == 200
    wait_instance(pipeline, "casebridge.order_review", orderId=order_id)
    key = f"{SHOP}/{order_id}".encode()
    assert len(records_with_key(pipeline.bootstrap_servers, "shopify.webhooks", key)) == 1


def test_forged_oversized_and_malformed_webhooks_are_rejected(pipeline: Pipeline) -> None:
    order_id = str(random.randrange(10**12, 10**13))
    payload = _order_payload(order_id, shipping_address={"country_code": "KP", "zip": "1"})
    forged = post_webhook(pipeline, "orders/create", payload, secret="not-the-app-secret")
    assert forged.status_code == 401
    oversized = post_webhook(pipeline, "orders/create", b"{" + b" " * (2 * 1024 * 1024) + b"}")
    assert oversized.status_code == 413
    malformed = post_webhook(pipeline, "orders/create", b"{not json")
    assert malformed.status_code == 400
    key = f"{SHOP}/{order_id}".encode()
    assert records_with_key(pipeline.bootstrap_servers, "shopify.webhooks", key) == []


def test_undecodable_bytes_go_to_the_dlq_and_the_next_record_is_processed(
    pipeline: Pipeline,
) -> None:
    key = f"{SHOP}/poison-{uuid.uuid4().hex[:8]}".encode()
    producer = Producer({"bootstrap.servers": pipeline.bootstrap_servers})
    producer.produce("shopify.webhooks", key=key, value=b"\x00\x00\x00\x00\x07 not avro at all")
    assert producer.flush(10) == 0
    order_id = str(random.randrange(10**12, 10**13))
    risky = _order_payload(order_id, shipping_address={"country_code": "KP", "zip": "1"})
    assert post_webhook(pipeline, "orders/create", risky).status_code == 200
    wait_instance(pipeline, "casebridge.order_review", orderId=order_id)
    dead = wait_until(
        lambda: records_with_key(pipeline.bootstrap_servers, "shopify.webhooks.dlq", key),
        30,
        "the poison record in the DLQ",
    )
    headers = dict(dead[0].headers())
    assert headers["casebridge.dlq.error_class"].startswith(b"avro:")
    assert dead[0].value() == b"\x00\x00\x00\x00\x07 not avro at all"


def test_order_updated_twice_while_under_review_opens_no_second_case(pipeline: Pipeline) -> None:
    order_id = str(random.randrange(10**12, 10**13))
    created = _order_payload(order_id, shipping_address={"country_code": "KP", "zip": "1"})
    assert post_webhook(pipeline, "orders/create", created).status_code == 200
    first = wait_instance(pipeline, "casebridge.order_review", orderId=order_id)
    for note in ("first update", "second update"):
        updated = dict(created, note=note, updated_at=datetime.now(UTC).isoformat())
        assert post_webhook(pipeline, "orders/updated", updated).status_code == 200
    # The updates are attached: their event ids reach the open instance's variables.
    wait_until(
        lambda: (
            len(
                variables_of(
                    instances_for(pipeline, "casebridge.order_review", orderId=order_id)[0]
                )["sourceEventIds"]
            )
            >= 1
            and instances_for(pipeline, "casebridge.order_review", orderId=order_id)[0]["id"]
            == first["id"]
        ),
        20,
        "the updates to be attached",
    )
    assert len(instances_for(pipeline, "casebridge.order_review", orderId=order_id)) == 1


# --- OpenText failures -----------------------------------------------------------------------


def test_opentext_outage_then_exactly_one_instance(pipeline: Pipeline) -> None:
    pipeline.emulators.opentext_faults({"outage_seconds": 20})
    try:
        order_id = str(random.randrange(10**12, 10**13))
        risky = _order_payload(order_id, shipping_address={"country_code": "KP", "zip": "1"})
        assert post_webhook(pipeline, "orders/create", risky).status_code == 200
        instance = wait_instance(
            pipeline, "casebridge.order_review", timeout_s=90, orderId=order_id
        )
    finally:
        pipeline.emulators.opentext_faults(None)
    assert instance["businessKey"].startswith("ORDER_REVIEW-")


def test_opentext_400_goes_to_the_dlq_and_the_pipeline_goes_on(pipeline: Pipeline) -> None:
    pipeline.emulators.opentext_faults(
        {
            "rules": [
                {
                    "method": "POST",
                    "path": "/process-instances",
                    "status": 400,
                    "message": "variable orderTotal rejected by model",
                    "times": 1,
                }
            ]
        }
    )
    try:
        order_id = str(random.randrange(10**12, 10**13))
        risky = _order_payload(order_id, shipping_address={"country_code": "KP", "zip": "1"})
        assert post_webhook(pipeline, "orders/create", risky).status_code == 200

        dlq = wait_until(
            lambda: [
                m
                for m in all_records(pipeline.bootstrap_servers, "cases.requests.dlq")
                if order_id.encode() in (m.value() or b"")
            ],
            60,
            "the refused case request in cases.requests.dlq",
        )
    finally:
        pipeline.emulators.opentext_faults(None)
    headers = dict(dlq[0].headers())
    assert headers["casebridge.dlq.status"] == b"400"
    assert b"rejected by model" in headers.get("casebridge.dlq.body_excerpt", b"") + headers.get(
        "casebridge.dlq.reason", b""
    )
    # The pipeline goes on: the next case opens.
    next_order = str(random.randrange(10**12, 10**13))
    risky = _order_payload(next_order, shipping_address={"country_code": "KP", "zip": "1"})
    assert post_webhook(pipeline, "orders/create", risky).status_code == 200
    wait_instance(pipeline, "casebridge.order_review", orderId=next_order)

    # The fault is gone: replaying the dead letter opens the case, and the DLQ keeps it.
    case_id = dlq[0].key().decode()
    replayed = subprocess.run(
        [
            sys.executable,
            "-m",
            "streams.cli",
            "dlq",
            "replay",
            "cases.requests",
            "--filter",
            f"key={case_id}",
        ],
        cwd=ROOT,
        env={**os.environ, "CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS": pipeline.bootstrap_servers},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert replayed.returncode == 0, replayed.stderr
    instance = wait_instance(pipeline, "casebridge.order_review", orderId=order_id)
    assert instance["businessKey"] == case_id
    still = [
        m
        for m in all_records(pipeline.bootstrap_servers, "cases.requests.dlq")
        if m.key() == dlq[0].key()
    ]
    assert len(still) == 1 and still[0].value() == dlq[0].value()
