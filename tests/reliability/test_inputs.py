"""Scenarios 5, 7 and 8: bad bytes on the topics, messy webhook delivery, a hostile flood."""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.shopify.webhooks import sign
from deploy.local.stack import LocalStack
from schemas.records import ComplaintSubmitted
from streams.produce_cli import complaint_key
from tests.integration.pipeline.harness import SHOPIFY_SECRET, variables_of
from tests.reliability.conftest import Row
from tests.reliability.harness import (
    Pipeline,
    all_records,
    audit,
    committed_past,
    running_pipeline,
    wait_for,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.reliability,
    pytest.mark.slow,
    pytest.mark.timeout(300),
]

#: The flood stops after this long (or its request budget), whichever comes first.
FLOOD_S = 15.0
POISON = b"\x00\x00\x00\x00\x07 not avro at all \xff\xfe"
INPUT_TOPICS = (
    "shopify.webhooks",
    "support.complaints",
    "cases.requests",
    "cases.decisions",
    "orders.offline",
    "cases.state",
)


def typed(name: str, value: Any) -> dict[str, Any]:
    """An OpenText variable with the type its Python value implies."""
    kind = (
        "json"
        if isinstance(value, dict | list)
        else "integer"
        if isinstance(value, int)
        else "string"
    )
    return {"name": name, "type": kind, "value": value}


def start_offline_intake(pipeline: Pipeline) -> str:
    """Start (in OpenText) an offline order intake the emulator approves; its case id."""
    shop = pipeline.shop_state()
    variant = next(
        v for p in shop["products"] for v in p["variants"] if v["inventory_quantity"] > 5
    )
    case_id = f"OFFLINE_ORDER-{uuid.uuid4().hex[:12]}"
    variables = {
        "customer": {
            "email": f"phone-{uuid.uuid4().hex[:6]}@example.com",
            "firstName": "Grace",
            "lastName": "Hopper",
            "shippingAddress": {
                "address1": "5 Harbour Rd",
                "city": "Portland",
                "provinceCode": "OR",
                "countryCode": "US",
                "zip": "97205",
            },
        },
        "lineItems": [{"variantId": str(variant["id"]), "quantity": 1}],
        "currency": "USD",
        "taxLines": [{"title": "Sales tax", "rate": "0.08"}],
        "paymentStatus": "PAID",
        "shop": pipeline.shop,
    }
    body = {
        "processDefinitionKey": "casebridge.offline_order",
        "businessKey": case_id,
        "name": f"Phone order {case_id}",
        "variables": [typed(k, v) for k, v in variables.items()],
    }
    with pipeline.opentext() as client:
        response = client.post("/process-instances", json=body)
    assert response.status_code in (200, 201), response.text
    return case_id


def produce_complaint(pipeline: Pipeline) -> str:
    """A valid ComplaintSubmitted on support.complaints; its customer id."""
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    record = ComplaintSubmitted(
        complaint_id=str(uuid.uuid4()),
        shop=pipeline.shop,
        customer_id=customer,
        customer_email=f"{customer}@example.com",
        subject="Broken on arrival",
        message="The vase arrived in pieces.",
        submitted_at=datetime.now(UTC),
    )
    from tests.reliability.harness import _serde

    value = _serde(pipeline.registry_url, "support.complaints").encode(record)
    pipeline.produce("support.complaints", complaint_key(record).encode(), value)
    return customer


def orders_tagged(pipeline: Pipeline, tag: str) -> list[dict[str, Any]]:
    """Orders of the scenario's shop carrying ``tag``."""
    return [
        o
        for o in pipeline.shop_state()["orders"]
        if tag in [t.strip() for t in (o.get("tags") or "").split(",")]
    ]


@pytest.mark.scenario(5)
def test_poison_bytes_on_every_input_topic(stack: LocalStack, tmp_path: Path, row: Row) -> None:
    with running_pipeline(stack, tmp_path) as pipeline:
        # The catalog exists once a first event was generated (for the offline order).
        warmup = pipeline.seed(["risky_order"], 2)
        poison: dict[str, tuple[bytes, int, int]] = {}
        from confluent_kafka import Producer

        producer = Producer({"bootstrap.servers": pipeline.bootstrap})
        for topic in INPUT_TOPICS:
            key = f"poison-{topic}-{uuid.uuid4().hex[:6]}".encode()

            def delivered(err: Any, msg: Any, topic: str = topic, key: bytes = key) -> None:
                assert err is None, err
                poison[topic] = (key, msg.partition(), msg.offset())

            producer.produce(topic, key=key, value=POISON, on_delivery=delivered)
        assert producer.flush(15) == 0
        # A valid record behind each poison record.
        triggers = warmup + pipeline.seed(["risky_order", "return_request"], 8)
        customer = produce_complaint(pipeline)
        intake = start_offline_intake(pipeline)
        row.injected = (
            "undecodable bytes on each of the 6 input topics, then valid traffic on each: "
            "10 triggers (webhooks, requests, decisions, states), 1 complaint, 1 offline order"
        )
        tally = audit(pipeline, triggers, timeout_s=150)
        tally.records += len(INPUT_TOPICS) + 2
        for topic, (key, partition, offset) in poison.items():
            dead = [m for m in all_records(pipeline.bootstrap, f"{topic}.dlq") if m.key() == key]
            if not dead or dead[0].value() != POISON:
                tally.lose(f"poison on {topic} not in {topic}.dlq")
            elif len(dead) > 1:
                row.notes.append(f"{len(dead)} dead letters for the poison on {topic}")
            try:
                wait_for(
                    lambda t=topic, p=partition, o=offset: committed_past(  # type: ignore[misc]
                        pipeline.bootstrap, pipeline.app_id, t, p, o
                    ),
                    60,
                    f"the group past the poison on {topic}",
                    pipeline,
                )
            except AssertionError:
                tally.lose(f"group stuck at the poison on {topic}[{partition}]@{offset}")
        complaints = [
            i
            for i in pipeline.instances()
            if i["processDefinitionKey"] == "casebridge.complaint"
            and variables_of(i).get("customerId") == customer
        ]
        if len(complaints) != 1:
            tally.lose(f"{len(complaints)} complaint cases for {customer}")
        tag = f"casebridge-intake:{intake}"
        try:
            created = wait_for(
                lambda: orders_tagged(pipeline, tag), 90, f"the offline order {tag}", pipeline
            )
            if len(created) > 1:
                tally.duplicate(f"{len(created)} orders for intake {intake}", len(created) - 1)
        except AssertionError:
            tally.lose(f"offline order of intake {intake}")
        row.take(tally)
    assert tally.ok, tally.problems


def order_payload(order_id: str, updated_at: datetime, *, country: str) -> dict[str, Any]:
    """An ``orders/updated`` body; ``country`` KP makes it a restricted destination."""
    return {
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
        "line_items": [{"id": 1, "variant_id": 11, "sku": "MUG", "quantity": 1, "price": "42.00"}],
        "shipping_address": {"country_code": country, "zip": "1"},
        "customer": {"id": 77, "email": "buyer@example.com", "tags": "", "orders_count": 3},
        "created_at": (updated_at - timedelta(hours=1)).isoformat(),
        "updated_at": updated_at.isoformat(),
    }


@pytest.mark.scenario(7)
def test_duplicated_late_and_out_of_order_webhooks(
    stack: LocalStack, tmp_path: Path, row: Row
) -> None:
    delivery = {
        "duplicate_rate": 0.5,
        "out_of_order": True,
        "batch_window_s": 0.5,
        "added_delay_s": 0.5,
    }
    with running_pipeline(stack, tmp_path, delivery=delivery) as pipeline:
        triggers = pipeline.seed(["risky_order", "return_request"], 16)
        # Direct posts: a newer state first, then a late older one that would open a case.
        now = datetime.now(UTC)
        stale_orders = [str(random.randrange(10**12, 10**13)) for _ in range(5)]
        for order_id in stale_orders:
            newer = order_payload(order_id, now, country="US")
            older = order_payload(order_id, now - timedelta(minutes=5), country="KP")
            assert (
                pipeline.post_webhook("orders/updated", json.dumps(newer).encode()).status_code
                == 200
            )
            assert (
                pipeline.post_webhook("orders/updated", json.dumps(older).encode()).status_code
                == 200
            )
        # The same event three times, the copies in parallel.
        repeated = [str(random.randrange(10**12, 10**13)) for _ in range(5)]
        for order_id in repeated:
            body = json.dumps(order_payload(order_id, now, country="KP")).encode()
            event_id = str(uuid.uuid4())
            threads = [
                threading.Thread(
                    target=pipeline.post_webhook,
                    args=("orders/updated", body),
                    kwargs={"event_id": event_id},
                )
                for _ in range(3)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        tally = audit(pipeline, triggers, timeout_s=150)
        tally.records += len(stale_orders) * 2 + len(repeated) * 3
        reviews = Counter(
            str(variables_of(i).get("orderId"))
            for i in pipeline.instances()
            if i["processDefinitionKey"] == "casebridge.order_review"
        )
        for order_id in repeated:
            if reviews[order_id] == 0:
                tally.lose(f"case of the thrice-posted order {order_id}")
            elif reviews[order_id] > 1:
                tally.duplicate(
                    f"{reviews[order_id]} cases for order {order_id}", reviews[order_id] - 1
                )
        for order_id in stale_orders:
            if reviews[order_id]:
                tally.duplicate(
                    f"a case from the late, older update of {order_id}", reviews[order_id]
                )
        deliveries = httpx.get(
            f"{pipeline.emulators.shopify_url}/_emulator/webhooks/deliveries?body=0", timeout=30
        ).json()["deliveries"]
        events = Counter(d.get("event_id") for d in deliveries)
        copies = sum(n - 1 for n in events.values() if n > 1)
        row.injected = (
            "Shopify delivery with `duplicate_rate: 0.5`, `out_of_order: true`, "
            f"`added_delay_s: 0.5` ({len(deliveries)} deliveries, {copies} duplicate copies) "
            "for 16 triggers; 5 orders updated with a late older state; 5 events posted 3x at once"
        )
        row.take(tally)
    assert tally.ok, tally.problems


@pytest.mark.scenario(8)
def test_forged_replayed_oversized_flood(stack: LocalStack, tmp_path: Path, row: Row) -> None:
    with running_pipeline(stack, tmp_path) as pipeline:
        # A genuine event first: the flood replays it.
        replay_order = str(random.randrange(10**12, 10**13))
        genuine = json.dumps(order_payload(replay_order, datetime.now(UTC), country="KP")).encode()
        genuine_headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/updated",
            "X-Shopify-Hmac-Sha256": sign(genuine, SHOPIFY_SECRET),
            "X-Shopify-Shop-Domain": pipeline.shop,
            "X-Shopify-API-Version": "2026-01",
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-Event-Id": str(uuid.uuid4()),
            "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
        }
        url = pipeline.workers[0].webhook_url
        first = httpx.post(url, content=genuine, headers=genuine_headers, timeout=30)
        assert first.status_code == 200, first.text
        answers: Counter[str] = Counter()
        stop = threading.Event()
        lock = threading.Lock()
        oversized = b'{"pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'

        def flood(kind: str, limit: int) -> None:
            with httpx.Client(timeout=10) as client:
                for n in range(limit):
                    if stop.is_set() or time.monotonic() > began + FLOOD_S:
                        return
                    headers = {
                        "Content-Type": "application/json",
                        "X-Shopify-Topic": "orders/updated",
                        "X-Shopify-Shop-Domain": pipeline.shop,
                        "X-Shopify-API-Version": "2026-01",
                        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
                        "X-Shopify-Event-Id": str(uuid.uuid4()),
                        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
                    }
                    if kind == "forged":
                        body = json.dumps(
                            order_payload(str(10**12 + n), datetime.now(UTC), country="KP")
                        ).encode()
                        headers["X-Shopify-Hmac-Sha256"] = sign(body, "attacker-secret")
                    elif kind == "replayed":
                        # The captured request again, byte for byte.
                        body, headers = genuine, genuine_headers
                    else:
                        body = oversized
                        headers["X-Shopify-Hmac-Sha256"] = sign(body, SHOPIFY_SECRET)
                    try:
                        status = str(client.post(url, content=body, headers=headers).status_code)
                    except httpx.HTTPError as exc:
                        status = type(exc).__name__
                    with lock:
                        answers[f"{kind}:{status}"] += 1

        limits = {"forged": 3000, "replayed": 1500, "oversized": 100}
        threads = [
            threading.Thread(target=flood, args=(kind, limit), daemon=True)
            for kind, limit in limits.items()
        ]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(2)  # the flood in full swing first
        # Valid traffic while the flood runs: Shopify's own deliveries.
        triggers = pipeline.seed(["risky_order", "return_request"], 12)
        for thread in threads:
            thread.join(timeout=max(1.0, FLOOD_S + 10 - (time.monotonic() - began)))
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        flood_s = time.monotonic() - began
        tally = audit(pipeline, triggers, timeout_s=150)
        sent = sum(answers.values())
        tally.records += 1
        expected = {"forged": "401", "replayed": "200", "oversized": "413"}
        for outcome, count in answers.items():
            kind, status = outcome.split(":")
            if status != expected[kind]:
                if status in ("200", "202"):
                    tally.duplicate(f"{count} {kind} requests accepted", count)
                else:
                    row.notes.append(f"{count} {kind} requests answered {status}")
        key = f"{pipeline.shop}/{replay_order}".encode()
        records = [m for m in all_records(pipeline.bootstrap, "shopify.webhooks") if m.key() == key]
        if len(records) > 1:
            tally.duplicate(f"replayed event recorded {len(records)} times", len(records) - 1)
        elif not records:
            tally.lose("the genuine event of the replay")
        forged_cases = [
            i
            for i in pipeline.instances()
            if str(variables_of(i).get("orderId", "")).startswith("1000000000")
        ]
        if forged_cases:
            tally.duplicate(f"{len(forged_cases)} cases from forged webhooks", len(forged_cases))
        deliveries = httpx.get(
            f"{pipeline.emulators.shopify_url}/_emulator/webhooks/deliveries?body=0", timeout=30
        ).json()["deliveries"]
        row.injected = (
            f"{sent} bad requests in {flood_s:.0f} s from 3 threads "
            f"({', '.join(f'{k} {v}' for k, v in sorted(answers.items()))}) "
            "while Shopify delivers 12 valid triggers"
        )
        states = Counter(str(d.get("state")) for d in deliveries)
        row.notes.append(f"{len(deliveries)} valid deliveries, states {dict(states)}")
        row.take(tally)
    assert tally.ok, tally.problems
