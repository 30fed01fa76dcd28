"""Fixtures: the emulator served on a free 127.0.0.1 port, and a webhook receiver."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiohttp import web

from emulators.shopify import EmulatorConfig, create_app
from emulators.shopify.clock import Clock
from emulators.shopify.config import DEFAULT_TOKEN
from emulators.shopify.instance import EMULATOR, Emulator

API = "/admin/api/2026-01/graphql.json"


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Run an aiohttp app on a free local port; yield its base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


@dataclass
class Running:
    """A running emulator: its URL, internals and an HTTP client."""

    url: str
    emu: Emulator
    http: httpx.AsyncClient
    token: str = DEFAULT_TOKEN

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, *, version: str = "2026-04"
    ) -> dict[str, Any]:
        """POST a GraphQL document; assert HTTP 200; return the JSON body."""
        response = await self.http.post(
            f"/admin/api/{version}/graphql.json",
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": self.token},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Like :meth:`gql` but asserts there are no errors and returns ``data``."""
        body = await self.gql(query, variables)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result


Start = Callable[..., Awaitable[Running]]


@pytest.fixture
async def start_emulator() -> AsyncIterator[Start]:
    """Factory: ``await start_emulator(config, clock=...)`` -> :class:`Running`."""
    stack: list[Any] = []

    async def start(config: EmulatorConfig | None = None, *, clock: Clock | None = None) -> Running:
        app = create_app(config or EmulatorConfig(), clock=clock)
        ctx = serve(app)
        url = await ctx.__aenter__()
        http = httpx.AsyncClient(base_url=url, timeout=10)
        stack.append((ctx, http))
        return Running(url, app[EMULATOR], http)

    yield start
    for ctx, http in reversed(stack):
        await http.aclose()
        await ctx.__aexit__(None, None, None)


@pytest.fixture
async def emulator(start_emulator: Start) -> Running:
    """A default emulator (empty store, real clock)."""
    return await start_emulator()


@dataclass
class Receiver:
    """A webhook receiver that verifies HMACs and can fail on purpose."""

    secret: str
    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    fail_first: int = 0
    calls: int = 0

    def verify(self, body: bytes, signature: str) -> bool:
        """Shopify's check: base64 HMAC-SHA256 of the raw body, constant-time compare."""
        digest = hmac.new(self.secret.encode(), body, hashlib.sha256).digest()
        return hmac.compare_digest(base64.b64encode(digest).decode(), signature)

    async def handle(self, request: web.Request) -> web.Response:
        """Record the delivery; answer 500 for the first ``fail_first`` calls."""
        self.calls += 1
        body = await request.read()
        self.received.append(
            {
                "headers": dict(request.headers),
                "body": body,
                "valid": self.verify(body, request.headers.get("X-Shopify-Hmac-Sha256", "")),
            }
        )
        if self.calls <= self.fail_first:
            return web.Response(status=500)
        return web.Response(status=200)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A receiver on a free port using the default app secret."""
    from emulators.shopify.config import DEFAULT_SECRET

    recv = Receiver(secret=DEFAULT_SECRET)
    app = web.Application()
    app.router.add_post("/webhooks", recv.handle)
    async with serve(app) as url:
        recv.url = f"{url}/webhooks"
        yield recv
