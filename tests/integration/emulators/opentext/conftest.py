"""Fixtures: the emulator app served on a free 127.0.0.1 port, and an httpx client."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from emulators.opentext import RunningEmulator, build_config, serve
from tests.integration.emulators.opentext.support import fetch_token


@pytest.fixture
async def start_emulator() -> AsyncIterator[Callable[..., Awaitable[RunningEmulator]]]:
    """Start emulators with config overrides; all are stopped after the test."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(**overrides: Any) -> RunningEmulator:
            return await stack.enter_async_context(serve(build_config(overrides)))

        yield start


@pytest.fixture
async def emulator(start_emulator: Callable[..., Awaitable[RunningEmulator]]) -> RunningEmulator:
    """An emulator with the default config."""
    return await start_emulator()


@pytest.fixture
async def client(emulator: RunningEmulator) -> AsyncIterator[httpx.AsyncClient]:
    """An authenticated client for the default emulator."""
    async with httpx.AsyncClient(base_url=emulator.base_url, timeout=10) as http:
        http.headers["Authorization"] = f"Bearer {await fetch_token(http)}"
        yield http
