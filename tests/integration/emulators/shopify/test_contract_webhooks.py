"""Contract: webhooks are signed, carry Shopify's headers and are retried."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest

from emulators.shopify import DeliveryConfig, EmulatorConfig, WebhookSubscriptionConfig
from emulators.shopify.scenario import KINDS

from .conftest import Receiver, Running, Start
from .helpers import seed, seed_order

pytestmark = pytest.mark.integration

REQUIRED_HEADERS = {
    "X-Shopify-Topic",
    "X-Shopify-Hmac-Sha256",
    "X-Shopify-Shop-Domain",
    "X-Shopify-API-Version",
    "X-Shopify-Webhook-Id",
    "X-Shopify-Event-Id",
    "X-Shopify-Triggered-At",
    "X-Shopify-Name",
}


async def _wait(running: Running, predicate: Callable[[], object]) -> None:
    """Poll ``predicate`` for up to 10 s (deliveries are asynchronous)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + 10.0
    while loop.time() < end:
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting for webhook deliveries")


def _config(receiver: Receiver, topic: str = "*", **delivery: object) -> EmulatorConfig:
    return EmulatorConfig(
        webhooks=[WebhookSubscriptionConfig(topic=topic, address=receiver.url)],
        delivery=DeliveryConfig.model_validate(delivery),
    )


async def test_every_delivery_verifies_with_the_shop_secret(
    start_emulator: Start, receiver: Receiver
) -> None:
    running = await start_emulator(_config(receiver))
    created = await seed(running, {"scenario": {"n": len(KINDS), "kinds": list(KINDS), "seed": 11}})
    assert len(created["scenario"]) == len(KINDS)
    await _wait(running, lambda: not running.emu.dispatcher.busy() and receiver.received)
    assert len(receiver.received) > len(KINDS)
    assert all(r["valid"] for r in receiver.received)
    topics = {r["headers"]["X-Shopify-Topic"] for r in receiver.received}
    expected = {
        "orders/create",
        "orders/paid",
        "orders/updated",
        "orders/risk_assessment_changed",
        "returns/request",
        "fulfillment_events/create",
        "variants/out_of_stock",
        "products/update",
        "disputes/create",
        "products/create",
        "customers/create",
        "orders/fulfilled",
        "orders/partially_fulfilled",
    }
    assert expected <= topics, expected - topics
    for r in receiver.received:
        assert set(r["headers"]) >= REQUIRED_HEADERS, r["headers"]
        assert r["headers"]["X-Shopify-Shop-Domain"] == "casebridge-demo.myshopify.com"
        assert r["headers"]["X-Shopify-API-Version"] == "2026-04"


async def test_order_payload_shape(start_emulator: Start, receiver: Receiver) -> None:
    running = await start_emulator(_config(receiver, "ORDERS_CREATE"))
    await seed_order(running, tags=["VIP", "wholesale"], note="please hurry")
    await _wait(running, lambda: receiver.received)
    body = json.loads(receiver.received[0]["body"])
    assert receiver.received[0]["headers"]["X-Shopify-Topic"] == "orders/create"
    for key in (
        "id",
        "admin_graphql_api_id",
        "name",
        "email",
        "currency",
        "total_price",
        "subtotal_price",
        "total_price_set",
        "financial_status",
        "fulfillment_status",
        "tags",
        "note",
        "note_attributes",
        "source_name",
        "line_items",
        "shipping_address",
        "billing_address",
        "customer",
        "updated_at",
        "created_at",
    ):
        assert key in body, key
    assert body["total_price"] == "120.00" and body["subtotal_price"] == "120.00"
    assert body["total_price_set"]["shop_money"] == {"amount": "120.00", "currency_code": "USD"}
    assert body["tags"] == "VIP, wholesale" and body["financial_status"] == "paid"
    assert body["admin_graphql_api_id"] == f"gid://shopify/Order/{body['id']}"
    assert (
        body["shipping_address"]["country_code"] == "US"
        and body["shipping_address"]["zip"] == "78701"
    )
    line = body["line_items"][0]
    assert {"id", "variant_id", "sku", "quantity", "price", "fulfillable_quantity"} <= set(line)
    assert {"id", "email", "tags", "orders_count", "default_address"} <= set(body["customer"])


async def test_failing_receiver_gets_three_attempts_of_the_same_event(
    start_emulator: Start, receiver: Receiver
) -> None:
    receiver.fail_first = 2
    running = await start_emulator(
        _config(receiver, "orders/create", retry_schedule_s=[60, 120, 240], time_scale=0.001)
    )
    await seed_order(running)
    await _wait(running, lambda: receiver.calls >= 3 and not running.emu.dispatcher.busy())
    assert receiver.calls == 3
    event_ids = {r["headers"]["X-Shopify-Event-Id"] for r in receiver.received}
    webhook_ids = {r["headers"]["X-Shopify-Webhook-Id"] for r in receiver.received}
    bodies = {r["body"] for r in receiver.received}
    assert len(event_ids) == 1 and len(webhook_ids) == 1 and len(bodies) == 1
    response = await running.http.get(
        "/_emulator/webhooks/deliveries", params={"topic": "orders/create"}
    )
    delivery = response.json()["deliveries"][0]
    assert [a["status"] for a in delivery["attempts"]] == [500, 500, 200]
    assert [a["attempt"] for a in delivery["attempts"]] == [1, 2, 3]
    assert delivery["state"] == "delivered"


async def test_gives_up_after_the_schedule(start_emulator: Start, receiver: Receiver) -> None:
    receiver.fail_first = 100
    running = await start_emulator(
        _config(receiver, "orders/create", retry_schedule_s=[0.01, 0.01], time_scale=1)
    )
    await seed_order(running)
    await _wait(running, lambda: receiver.calls >= 3 and not running.emu.dispatcher.busy())
    response = await running.http.get("/_emulator/webhooks/deliveries", params={"state": "failed"})
    assert response.json()["count"] == 1


async def test_duplicate_knob_resends_same_event_id(
    start_emulator: Start, receiver: Receiver
) -> None:
    running = await start_emulator(_config(receiver, "orders/create", duplicate_rate=1.0))
    await seed_order(running)
    await _wait(running, lambda: receiver.calls >= 2 and not running.emu.dispatcher.busy())
    ids = [r["headers"]["X-Shopify-Event-Id"] for r in receiver.received]
    assert len(ids) == 2 and ids[0] == ids[1]


async def test_out_of_order_knob_shuffles_a_batch(
    start_emulator: Start, receiver: Receiver
) -> None:
    running = await start_emulator(
        _config(receiver, "orders/create", out_of_order=True, batch_window_s=0.2)
    )
    await seed(
        running,
        {
            "orders": [
                {
                    "email": f"c{n}@example.com",
                    "line_items": [{"title": "T", "quantity": 1, "price": "5.00"}],
                }
                for n in range(12)
            ]
        },
    )
    await _wait(running, lambda: receiver.calls >= 12 and not running.emu.dispatcher.busy())
    names = [json.loads(r["body"])["name"] for r in receiver.received]
    assert sorted(names) == sorted(set(names)) and names != sorted(names)


async def test_webhook_subscription_create_routes_deliveries(
    emulator: Running, receiver: Receiver
) -> None:
    mutation = """mutation($url: String!) { webhookSubscriptionCreate(topic: ORDERS_CANCELLED,
        webhookSubscription: {uri: $url, format: JSON}) {
        webhookSubscription { id topic uri } userErrors { field message } } }"""
    created = await emulator.data(mutation, {"url": receiver.url})
    assert (
        created["webhookSubscriptionCreate"]["webhookSubscription"]["topic"] == "ORDERS_CANCELLED"
    )
    order = await seed_order(emulator)
    await emulator.data(
        "mutation($id: ID!) {"
        " orderCancel(orderId: $id, reason: CUSTOMER, restock: false) { job { id } } }",
        {"id": order},
    )
    await _wait(emulator, lambda: receiver.received)
    assert receiver.received[0]["headers"]["X-Shopify-Topic"] == "orders/cancelled"
    body = json.loads(receiver.received[0]["body"])
    assert body["cancel_reason"] == "customer" and body["cancelled_at"]
    bad = await emulator.data(mutation, {"url": receiver.url})
    assert bad["webhookSubscriptionCreate"]["userErrors"]


async def test_failed_mutation_emits_nothing(start_emulator: Start, receiver: Receiver) -> None:
    running = await start_emulator(_config(receiver, "orders/updated"))
    order = await seed_order(running)
    await _wait(running, lambda: not running.emu.dispatcher.busy())
    before = receiver.calls
    result = await running.data(
        """mutation($input: RefundInput!) { refundCreate(input: $input) @idempotent(key: "x") {
            userErrors { message } } }""",
        {
            "input": {
                "orderId": order,
                "transactions": [
                    {"orderId": order, "amount": "9999", "gateway": "manual", "kind": "REFUND"}
                ],
            }
        },
    )
    assert result["refundCreate"]["userErrors"]
    await asyncio.sleep(0.2)
    assert receiver.calls == before
