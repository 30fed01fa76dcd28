"""The Shopify emulator in-process on a free 127.0.0.1 port, with a client and a seeding helper."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from aiohttp import web
from pydantic import SecretStr

from connectors.retry import RetryPolicy
from connectors.shopify import ShopifyAdminClient, ShopifyClientConfig
from connectors.shopify.emulator import EmulatorConfig, create_app
from tests.conftest import free_port

SHOP = "casebridge-demo.myshopify.com"
TOKEN = "shpat_emulator_token"


@dataclass
class Emulator:
    """A running emulator: the Admin API client and the admin HTTP surface."""

    url: str
    client: ShopifyAdminClient
    admin: httpx.AsyncClient

    async def seed(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /_emulator/seed``; returns the created GIDs."""
        response = await self.admin.post("/_emulator/seed", json=body)
        assert response.status_code == 200, response.text
        created: dict[str, Any] = response.json()
        return created

    async def resource(self, kind: str, ident: str) -> dict[str, Any]:
        """``GET /_emulator/{kind}/{id}`` (REST-shaped)."""
        response = await self.admin.get(f"/_emulator/{kind}/{ident}")
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    async def state(self) -> dict[str, Any]:
        """``GET /_emulator/state`` of the one shop."""
        response = await self.admin.get("/_emulator/state")
        assert response.status_code == 200, response.text
        shop: dict[str, Any] = response.json()["shops"][0]
        return shop


@asynccontextmanager
async def running_emulator() -> AsyncIterator[Emulator]:
    """Serve the emulator on 127.0.0.1 and yield a client configured like a real store's."""
    runner = web.AppRunner(create_app(EmulatorConfig()))
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    url = f"http://127.0.0.1:{port}"
    client = ShopifyAdminClient(
        ShopifyClientConfig(
            shop_domain=SHOP,
            access_token=SecretStr(TOKEN),
            api_version="2026-01",
            base_url=url,
            timeout_s=10,
            retry=RetryPolicy(initial_interval_s=0.05, maximum_attempts=3),
        )
    )
    admin = httpx.AsyncClient(base_url=url, timeout=10)
    try:
        yield Emulator(url, client, admin)
    finally:
        await admin.aclose()
        await client.aclose()
        await runner.cleanup()
