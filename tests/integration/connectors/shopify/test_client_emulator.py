"""The Shopify client against the in-process Shopify emulator over real HTTP on 127.0.0.1.

Nothing here is emulator-specific on the client side: the config differs from
a real store's only in ``base_url`` and ``access_token``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from connectors.retry import RetryPolicy
from connectors.shopify import ShopifyAdminClient, ShopifyClientConfig, ShopifyUserError
from connectors.shopify import operations as ops
from tests.conftest import free_port

emulator = pytest.importorskip("emulators.shopify")

pytestmark = pytest.mark.integration

SHOP = "casebridge-demo.myshopify.com"
TOKEN = "shpat_emulator_token"

StartEmulator = Callable[..., Awaitable[ShopifyAdminClient]]


@pytest.fixture
async def start_emulator() -> AsyncIterator[StartEmulator]:
    """Start an emulator (with the given shop overrides) and return a client for it."""
    servers: list[TestServer] = []
    clients: list[ShopifyAdminClient] = []

    async def start(throttle_status: int = 200, **shop: Any) -> ShopifyAdminClient:
        config = emulator.EmulatorConfig(
            shops=[emulator.ShopConfig(**shop)], throttle_status=throttle_status
        )
        server = TestServer(emulator.create_app(config), host="127.0.0.1", port=free_port())
        await server.start_server()
        servers.append(server)
        client = ShopifyAdminClient(
            ShopifyClientConfig(
                shop_domain=SHOP,
                access_token=SecretStr(TOKEN),
                api_version="2026-01",
                base_url=f"http://127.0.0.1:{server.port}",
                timeout_s=10,
                retry=RetryPolicy(initial_interval_s=0.05, maximum_attempts=4),
            )
        )
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.aclose()
    for server in servers:
        await server.close()


async def create_order(client: ShopifyAdminClient, email: str = "ada@example.com") -> str:
    order = await ops.order_create(
        client,
        {
            "email": email,
            "currency": "USD",
            "financialStatus": "PAID",
            "customer": {"toUpsert": {"email": email, "firstName": "Ada", "tags": ["vip"]}},
            "lineItems": [
                {
                    "title": "Widget",
                    "sku": "W-1",
                    "quantity": 2,
                    "priceSet": {"shopMoney": {"amount": "25.00", "currencyCode": "USD"}},
                }
            ],
        },
    )
    order_id = order["id"]
    assert isinstance(order_id, str) and order_id.startswith("gid://shopify/Order/")
    return order_id


async def test_order_query_with_customer_history(start_emulator: StartEmulator) -> None:
    client = await start_emulator()
    first = await create_order(client)
    second = await create_order(client)
    order = await ops.get_order_with_history(client, second, history=5)
    assert order is not None
    assert order["id"] == second
    customer = order["customer"]
    assert customer is not None
    previous = [node["id"] for node in customer["orders"]["nodes"]]
    assert first in previous
    assert int(customer["numberOfOrders"]) >= 2
    assert customer["amountSpent"]["currencyCode"] == "USD"
    assert await ops.get_order_with_history(client, "gid://shopify/Order/999999999") is None
    assert client.bucket.synced
    assert client.stats.requests == 4


async def test_hold_and_release(start_emulator: StartEmulator) -> None:
    client = await start_emulator()
    order_id = await create_order(client)
    [fulfillment_order] = await ops.get_fulfillment_orders(client, order_id)
    hold = await ops.fulfillment_order_hold(
        client,
        fulfillment_order["id"],
        reason="HIGH_RISK_OF_FRAUD",
        handle="casebridge-case-1",
        reason_notes="order review case 1",
    )
    assert hold.handle == "casebridge-case-1"
    [held] = await ops.get_fulfillment_orders(client, order_id)
    assert held["status"] == "ON_HOLD"
    assert [h["id"] for h in held["fulfillmentHolds"]] == [hold.id]

    await ops.fulfillment_order_release_hold(client, fulfillment_order["id"], [hold.id])
    [released] = await ops.get_fulfillment_orders(client, order_id)
    assert released["status"] == "OPEN"
    assert released["fulfillmentHolds"] == []


async def test_refund_with_the_same_key_twice_refunds_once(start_emulator: StartEmulator) -> None:
    client = await start_emulator()
    order_id = await create_order(client)
    [fulfillment_order] = await ops.get_fulfillment_orders(client, order_id)
    line_item_id = fulfillment_order["lineItems"]["nodes"][0]["lineItem"]["id"]
    refund_input = {
        "orderId": order_id,
        "note": "return approved",
        "refundLineItems": [
            {"lineItemId": line_item_id, "quantity": 1, "restockType": "NO_RESTOCK"}
        ],
    }
    first = await ops.refund_create(client, refund_input, idempotency_key="case-7:refund")
    again = await ops.refund_create(client, refund_input, idempotency_key="case-7:refund")
    assert first["id"] == again["id"]
    refunds = await ops.get_refunds(client, order_id)
    assert [r["id"] for r in refunds] == [first["id"]]


async def test_user_errors_surface_as_shopify_user_error(start_emulator: StartEmulator) -> None:
    client = await start_emulator()
    with pytest.raises(ShopifyUserError) as info:
        await ops.fulfillment_order_release_hold(
            client, "gid://shopify/FulfillmentOrder/987654321", []
        )
    assert not info.value.transient


@pytest.mark.parametrize("throttle_status", [200, 429])
async def test_low_restore_rate_paces_instead_of_being_throttled(
    start_emulator: StartEmulator, throttle_status: int
) -> None:
    client = await start_emulator(throttle_status, maximum_available=120, restore_rate=40)
    order_id = await create_order(client)
    results = await asyncio.gather(
        *(ops.get_order_with_history(client, order_id, history=5, returns=5) for _ in range(8))
    )
    assert all(result is not None and result["id"] == order_id for result in results)
    assert client.bucket.maximum_available == 120
    assert client.bucket.restore_rate == 40
    # The model waits before sending, so Shopify never has to refuse.
    assert client.stats.throttled == 0
    assert client.bucket.waited_s > 0


@pytest.mark.parametrize("throttle_status", [200, 429])
async def test_throttled_answers_are_absorbed_when_another_client_shares_the_bucket(
    start_emulator: StartEmulator, throttle_status: int
) -> None:
    client = await start_emulator(throttle_status, maximum_available=100, restore_rate=50)
    order_id = await create_order(client)
    # A second process of the same app on the same store: its spending is
    # invisible to the first client's model until the next response.
    other = ShopifyAdminClient(client.config)
    try:
        results = await asyncio.gather(
            *(
                ops.get_order_with_history(c, order_id, history=5, returns=5)
                for c in [client, other] * 6
            )
        )
    finally:
        await other.aclose()
    assert all(result is not None for result in results)
    assert client.stats.throttled + other.stats.throttled > 0
    assert client.stats.failures == other.stats.failures == 0


async def test_metafield_compare_and_set_conflict_is_transient(
    start_emulator: StartEmulator,
) -> None:
    client = await start_emulator()
    order_id = await create_order(client)
    field = {
        "ownerId": order_id,
        "namespace": "casebridge",
        "key": "case_outcome",
        "type": "single_line_text_field",
        "value": "opened",
    }
    [created] = await ops.metafields_set(client, [field])
    digest = created["compareDigest"]
    [updated] = await ops.metafields_set(
        client, [{**field, "value": "approved", "compareDigest": digest}]
    )
    assert updated["value"] == "approved"
    # A writer holding the old digest lost the race: re-read and retry.
    with pytest.raises(ShopifyUserError) as info:
        await ops.metafields_set(client, [{**field, "value": "rejected", "compareDigest": digest}])
    assert info.value.code == "STALE_OBJECT"
    assert info.value.transient
