"""Building and running the emulator's aiohttp application."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from emulators.opentext import admin, routes_history, routes_runtime, routes_token
from emulators.opentext.clock import AdjustableClock, Clock
from emulators.opentext.config import EmulatorConfig
from emulators.opentext.context import EMULATOR, Emulator
from emulators.opentext.middleware import (
    auth_middleware,
    error_middleware,
    fault_middleware,
)

# Bodies beyond this are refused with 413; no workflow call needs more.
MAX_BODY_BYTES = 4 * 1024 * 1024


def create_app(
    config: EmulatorConfig | None = None, *, clock: Clock | None = None
) -> web.Application:
    """Build the emulator app for ``config`` (defaults when ``None``).

    ``clock`` is the time source (the wall clock by default); the app wraps it
    so ``POST /_emulator/clock`` can move it forward.
    """
    config = config or EmulatorConfig()
    emulator = Emulator.build(config, AdjustableClock(clock))
    app = web.Application(
        middlewares=[error_middleware, fault_middleware, auth_middleware],
        client_max_size=MAX_BODY_BYTES,
    )
    app[EMULATOR] = emulator
    routes_token.add_routes(app)
    routes_runtime.add_routes(app)
    routes_history.add_routes(app)
    admin.add_routes(app)
    app.cleanup_ctx.append(_background)
    return app


async def _background(app: web.Application) -> AsyncIterator[None]:
    """Run the auto-decision loop while the app serves; close callbacks after."""
    emulator = app[EMULATOR]
    loop_task = asyncio.create_task(emulator.decisions.run_forever())
    yield
    loop_task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await loop_task
    await emulator.callbacks.close()


def emulator_of_app(app: web.Application) -> Emulator:
    """The :class:`Emulator` inside an app built by :func:`create_app` (for tests)."""
    return app[EMULATOR]


@dataclass(frozen=True)
class RunningEmulator:
    """An emulator served in the current event loop by :func:`serve`."""

    base_url: str
    app: web.Application

    @property
    def emulator(self) -> Emulator:
        """Its parts, for tests that look inside."""
        return self.app[EMULATOR]


@contextlib.asynccontextmanager
async def serve(
    config: EmulatorConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    clock: Clock | None = None,
) -> AsyncIterator[RunningEmulator]:
    """Serve the emulator inside the running event loop, for tests.

    ``port=0`` lets the OS pick a free port; read it from ``base_url``::

        async with serve() as running:
            httpx.AsyncClient(base_url=running.base_url)
    """
    runner = web.AppRunner(create_app(config, clock=clock), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        yield RunningEmulator(base_url=f"http://{bound_host}:{bound_port}", app=runner.app)
    finally:
        await runner.cleanup()


def run(host: str, port: int, config: EmulatorConfig) -> None:
    """Serve the emulator on ``host:port`` until interrupted (blocking)."""
    print(
        f"OpenText emulator listening on http://{host}:{port} "
        f"(tenant {config.tenant_id}, client {config.client_id})",
        flush=True,
    )
    web.run_app(
        create_app(config),
        host=host,
        port=port,
        print=lambda *_: None,
        access_log=None,
    )
