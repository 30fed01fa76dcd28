"""The reconciliation stage (role ``reconcile``): a leader-only Faust timer.

Every ``interval_s`` the worker that is the group's leader runs one
:meth:`~streams.reconcile.Reconciler.run_once`: orders updated in Shopify
since the watermark are published to ``shopify.webhooks`` as RECONCILIATION
events, and the watermark (a compacted topic) moves on. Exactly one worker
runs it at a time because only the leader does; a run that is still going
when the timer fires again is not overlapped. A failed run (Shopify down,
broker unavailable) is logged and retried at the next tick from the saved
watermark, so nothing is skipped.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import fields
from datetime import timedelta
from typing import Any

import faust

from connectors.errors import CasebridgeError
from streams.reconcile import (
    WATERMARK_TOPIC,
    KafkaWatermarkStore,
    ReconcileOptions,
    Reconciler,
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


def register(app: faust.App, services: Services) -> Reconciler:
    """Declare the leader-only reconciliation timer on ``app``."""
    settings = services.settings
    options = reconcile_options(settings)
    section: Any = getattr(settings, "reconcile", None)
    store = KafkaWatermarkStore(
        settings.kafka.confluent_config(),
        services.producer,
        topic=getattr(section, "watermark_topic", WATERMARK_TOPIC),
    )
    reconciler = Reconciler(
        services.shopify,
        services.producer,
        services.serde(SHOPIFY_WEBHOOKS),
        store,
        shop=settings.shopify.shop_domain,
        api_version=settings.shopify.api_version,
        options=options,
    )
    running = asyncio.Lock()
    prepared: list[bool] = []

    @app.timer(options.interval_s, on_leader=True, name="casebridge.reconcile-orders")  # type: ignore[untyped-decorator]
    async def reconcile_orders() -> None:
        if running.locked():
            return  # the previous run is still paging: do not overlap it
        async with running:
            try:
                if not prepared:
                    await store.prepare(settings.kafka.replication_factor)
                    prepared.append(True)
                await reconciler.run_once()
            except CasebridgeError as exc:
                reconciler.stats["failed_runs"] += 1
                log.warning("reconciliation run failed (retrying next tick): %s", exc)
            except Exception:
                # A bug must not end the timer (and with it reconciliation) for good.
                reconciler.stats["failed_runs"] += 1
                log.exception("reconciliation run failed unexpectedly (retrying next tick)")

    return reconciler


__all__ = ["reconcile_options", "register"]
