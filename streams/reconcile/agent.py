"""The reconciliation stage (role ``reconcile``): a leader-only Faust timer.

Every ``interval_s`` the worker that is the group's leader runs one
:meth:`~streams.reconcile.Reconciler.run_once`: orders updated in Shopify
since the watermark are published to ``shopify.webhooks`` as RECONCILIATION
events, and the watermark (a compacted topic) moves on. Exactly one worker
runs it at a time because only the leader does; a run that is still going
when the timer fires again is not overlapped. A failed run (Shopify down,
broker unavailable) is logged and retried at the next tick from the saved
watermark, so nothing is skipped. Should two workers both act as leader for a
moment during a rebalance, they publish the same deterministic event ids,
which classify drops as duplicates.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import fields
from datetime import timedelta
from typing import Any, Protocol

import faust

from connectors.errors import CasebridgeError
from connectors.serde import AvroSerde, value_subject
from streams.reconcile import (
    WATERMARK_TOPIC,
    KafkaWatermarkStore,
    ReconcileOptions,
    Reconciler,
    ReconcileRun,
)
from streams.services import Services
from streams.settings import Settings
from streams.topics import SHOPIFY_WEBHOOKS

log = logging.getLogger(__name__)

_SECONDS = {"overlap_s": "overlap", "initial_lookback_s": "initial_lookback"}


def reconcile_options(settings: Settings) -> ReconcileOptions:
    """:class:`ReconcileOptions` from the ``reconcile`` settings section, defaults where absent."""
    section: Any = getattr(settings, "reconcile", None)
    if section is None:
        return ReconcileOptions()
    values: dict[str, Any] = {
        f.name: getattr(section, f.name)
        for f in fields(ReconcileOptions)
        if hasattr(section, f.name)
    }
    for setting, option in _SECONDS.items():
        if hasattr(section, setting):
            values[option] = timedelta(seconds=float(getattr(section, setting)))
    return ReconcileOptions(**values)


def _event_serde(services: Services, topic: str) -> AvroSerde:
    # A topic outside the public interface (a test topic) still carries ShopifyEvent.
    return AvroSerde("ShopifyEvent", services.registry, subject=value_subject(topic))


class Preparable(Protocol):
    """A watermark store that creates its topic before first use."""

    async def prepare(self, replication_factor: int = 1) -> None:
        """Create what the store needs (idempotent)."""
        ...


class ReconcileTick:
    """One timer tick: prepare the watermark topic once, run, never raise, never overlap."""

    def __init__(
        self, reconciler: Reconciler, store: Preparable, *, replication_factor: int = 1
    ) -> None:
        self.reconciler = reconciler
        self.store = store
        self.replication_factor = replication_factor
        self._running = asyncio.Lock()
        self._prepared = False

    async def __call__(self) -> ReconcileRun | None:
        """Run once; None when skipped (a run in progress) or failed (logged, counted)."""
        if self._running.locked():
            return None  # the previous run is still paging: do not overlap it
        async with self._running:
            try:
                if not self._prepared:
                    await self.store.prepare(self.replication_factor)
                    self._prepared = True
                return await self.reconciler.run_once()
            except CasebridgeError as exc:
                self.reconciler.stats["failed_runs"] += 1
                log.warning("reconciliation run failed (retrying next tick): %s", exc)
            except Exception:
                # A bug must not end the timer (and with it reconciliation) for good.
                self.reconciler.stats["failed_runs"] += 1
                log.exception("reconciliation run failed unexpectedly (retrying next tick)")
            return None


class ShopReconcilers:
    """One reconciler (and tick) per registered shop, each run on its own.

    Every timer tick starts each shop's run as its own task: a store whose run
    is slow (throttled, down) only skips its own next ticks (its tick never
    overlaps itself) and never delays another store's run. Shops added to the
    registry are reconciled from the next tick; a removed shop is no longer run.
    """

    def __init__(
        self, services: Services, build: Callable[[str], Reconciler], store: Preparable
    ) -> None:
        self._services = services
        self._build = build
        self._store = store
        self._ticks: dict[tuple[str, object], ReconcileTick] = {}
        self._running: set[asyncio.Task[ReconcileRun | None]] = set()

    def tick_for(self, shop: str) -> ReconcileTick:
        """``shop``'s tick (a new one when a reload gave the shop a new client)."""
        key = (shop, self._services.shopify_for(shop))
        tick = self._ticks.get(key)
        if tick is None:
            replication = self._services.settings.kafka.replication_factor
            tick = ReconcileTick(self._build(shop), self._store, replication_factor=replication)
            self._ticks = {k: t for k, t in self._ticks.items() if k[0] != shop}
            self._ticks[key] = tick
        return tick

    def for_shop(self, shop: str) -> Reconciler:
        """``shop``'s reconciler."""
        return self.tick_for(shop).reconciler

    def start(self) -> list[asyncio.Task[ReconcileRun | None]]:
        """Start one run per registered shop (a shop whose run is still going skips)."""
        started = []
        for domain in self._services.shops.domains:
            task = asyncio.ensure_future(self.tick_for(domain)())
            self._running.add(task)  # a reference, so the run is not collected mid-way
            task.add_done_callback(self._running.discard)
            started.append(task)
        return started

    async def stop(self) -> None:
        """Cancel the runs still going (the worker stops; the watermarks stay where they are)."""
        running = list(self._running)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)


def register(
    app: faust.App,
    services: Services,
    *,
    options: ReconcileOptions | None = None,
    topic: str = SHOPIFY_WEBHOOKS,
    watermark_topic: str | None = None,
) -> ShopReconcilers:
    """Declare the leader-only reconciliation timer on ``app`` (every shop of the registry).

    The keyword arguments override the settings (tests use their own topics).
    """
    settings = services.settings
    options = options or reconcile_options(settings)
    section: Any = getattr(settings, "reconcile", None)
    store = KafkaWatermarkStore(
        settings.kafka.confluent_config(),
        services.producer,
        topic=watermark_topic or str(getattr(section, "watermark_topic", WATERMARK_TOPIC)),
    )
    serde = services.serde(topic) if topic == SHOPIFY_WEBHOOKS else _event_serde(services, topic)

    def build(shop: str) -> Reconciler:
        # The watermark is saved per shop: each store resumes from its own.
        return Reconciler(
            services.shopify_for(shop),
            services.producer,
            serde,
            store,
            shop=shop,
            api_version=services.shops.require(shop).api_version,
            topic=topic,
            options=options,
        )

    reconcilers = ShopReconcilers(services, build, store)

    @app.timer(options.interval_s, on_leader=True, name="casebridge.reconcile-orders")  # type: ignore[untyped-decorator]
    async def reconcile_orders() -> None:
        reconcilers.start()

    async def stop_runs(*_: object, **__: object) -> None:
        await reconcilers.stop()

    app.on_before_shutdown.connect(stop_runs)
    return reconcilers


__all__ = ["ReconcileTick", "ShopReconcilers", "reconcile_options", "register"]
