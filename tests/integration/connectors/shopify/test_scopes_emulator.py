"""The start-up scope check against the emulator, whose tokens carry configured scopes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from connectors.shopify.client import ShopifyAdminClient, ShopifyClientConfig
from connectors.shopify.scopes import MissingScopesError, check_scopes, granted_scopes
from streams.preflight import StartupRefused, check_access_scopes
from tests.conftest import free_port

emulator = pytest.importorskip("emulators.shopify")

pytestmark = pytest.mark.integration

SHOPS = [
    {"domain": "full.myshopify.com", "access_token": "shpat_full"},
    {
        "domain": "narrow.myshopify.com",
        "access_token": "shpat_narrow",
        "access_scopes": ["read_orders", "read_customers", "write_orders"],
    },
]


@pytest.fixture
async def clients() -> AsyncIterator[dict[str, ShopifyAdminClient]]:
    config = emulator.EmulatorConfig(shops=[emulator.ShopConfig(**s) for s in SHOPS])
    server = TestServer(emulator.create_app(config), host="127.0.0.1", port=free_port())
    await server.start_server()
    made = {
        str(s["access_token"]): ShopifyAdminClient(
            ShopifyClientConfig(
                shop_domain=str(s["domain"]),
                access_token=SecretStr(str(s["access_token"])),
                base_url=f"http://127.0.0.1:{server.port}",
            )
        )
        for s in SHOPS
    }
    yield made
    for client in made.values():
        await client.aclose()
    await server.close()


async def test_each_token_reads_its_own_scopes(clients: dict[str, ShopifyAdminClient]) -> None:
    assert await granted_scopes(clients["shpat_narrow"]) == [
        "read_orders",
        "read_customers",
        "write_orders",
    ]
    assert "write_merchant_managed_fulfillment_orders" in await granted_scopes(
        clients["shpat_full"]
    )


async def test_a_full_install_passes_for_every_role(clients: dict[str, ShopifyAdminClient]) -> None:
    await check_scopes(clients["shpat_full"], ["classify", "writer", "reconcile"])


async def test_a_narrow_token_is_refused_naming_each_missing_scope(
    clients: dict[str, ShopifyAdminClient],
) -> None:
    await check_scopes(clients["shpat_narrow"], ["reconcile"])  # enough for this role
    with pytest.raises(MissingScopesError) as info:
        await check_scopes(clients["shpat_narrow"], ["classify", "reconcile"])
    assert set(info.value.missing) == {
        "read_returns",
        "read_products",
        "read_shopify_payments_disputes",
        "write_merchant_managed_fulfillment_orders",
        "write_products",  # content holds
        "read_themes",  # theme files read for claims
        "read_legal_policies",  # shop policies
    }
    with pytest.raises(StartupRefused, match="write_merchant_managed_fulfillment_orders"):
        await check_access_scopes(clients["shpat_narrow"], ["classify"])
