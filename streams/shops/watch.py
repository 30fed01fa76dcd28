"""The registry file, watched: shops are added and removed without restarting workers.

:class:`RegistryWatcher` holds the current :class:`ShopRegistry` and re-reads
the file when its modification time or size changes (a ConfigMap or Secret
update swaps the mounted file). A bad reload keeps the last good registry:
the error is logged and counted (``casebridge_shop_registry_reloads_total
{result="error"}``) and the next change is tried again, so one typo in the
file never stops the pipeline of every other shop.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from pathlib import Path

from streams.ops.metrics import SHOP_REGISTRY_RELOADS, SHOP_REGISTRY_SHOPS
from streams.shops.errors import ShopRegistryError
from streams.shops.model import ShopRegistry

log = logging.getLogger(__name__)

Stamp = tuple[int, int]


class RegistryWatcher:
    """The current registry of a file, reloaded on change (never replaced by a bad one)."""

    def __init__(self, path: Path, load: Callable[[Path], ShopRegistry]) -> None:
        self.path = path
        self._load = load
        self._stamp = self._stat()
        self.current = load(path)  # a bad file at start is fatal: there is no last good one
        self.last_error: str | None = None
        self._listeners: list[Callable[[ShopRegistry], None]] = []
        SHOP_REGISTRY_SHOPS.set(len(self.current))

    def on_change(self, listener: Callable[[ShopRegistry], None]) -> None:
        """Call ``listener`` with each new registry (e.g. to close a removed shop's clients)."""
        self._listeners.append(listener)

    def _stat(self) -> Stamp | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    def check(self) -> bool:
        """Reload when the file changed; True when a new registry is now current."""
        stamp = self._stat()
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        try:
            registry = self._load(self.path)
        except ShopRegistryError as exc:
            self.last_error = str(exc)
            SHOP_REGISTRY_RELOADS.labels("error").inc()
            log.error("shop registry not reloaded, keeping %d shops: %s", len(self.current), exc)
            return False
        added = set(registry.domains) - set(self.current.domains)
        removed = set(self.current.domains) - set(registry.domains)
        self.current = registry
        self.last_error = None
        SHOP_REGISTRY_RELOADS.labels("ok").inc()
        SHOP_REGISTRY_SHOPS.set(len(registry))
        log.info(
            "shop registry reloaded: %d shops (added %s, removed %s)",
            len(registry),
            sorted(added) or "none",
            sorted(removed) or "none",
        )
        for listener in self._listeners:
            listener(registry)
        return True

    async def run(self, interval_s: float) -> None:
        """Check the file every ``interval_s`` until cancelled."""
        while True:
            await asyncio.sleep(interval_s)
            self.check()
