"""Fixtures: the emulator app served on a free 127.0.0.1 port, and an httpx client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from aiohttp import web

from connectors.opentext.emulator import build_config
from tests.integration.connectors.opentext.emulator.support import Served, fetch_token, serve


@pytest.fixture
async def start_emulator() -> AsyncIterator[Callable[..., Awaitable[Served]]]:
    """Start emulators with config overrides; all are stopped after the test."""
    runners: list[web.AppRunner] = []

    async def start(**overrides: Any) -> Served:
        served, runner = await serve(build_config(overrides))
        runners.append(runner)
        return served

    yield start
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
async def emulator(start_emulator: Callable[..., Awaitable[Served]]) -> Served:
    """An emulator with the default config."""
    return await start_emulator()


@pytest.fixture
async def client(emulator: Served) -> AsyncIterator[httpx.AsyncClient]:
    """An authenticated client for the default emulator."""
    async with httpx.AsyncClient(base_url=emulator.base_url, timeout=10) as http:
        http.headers["Authorization"] = f"Bearer {await fetch_token(http)}"
        yield http
