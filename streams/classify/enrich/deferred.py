"""Enrichment that waits for the store's budget instead of holding up the stream.

When the budget cannot cover every call at the current rate, classify opens
a case before its enrichment (the hold, if any, has already gone out) and
hands it to :class:`DeferredEnrichment`. A few background workers read what
the case lacks in the ENRICH class, so holds and write-backs still go first,
and publish the enriched request again: the sink attaches its variables to
the open process instance, and ``enrichmentDeferred`` disappears from the case.

The queue lives in memory and is bounded (``limit``). A request that does not
fit, or whose worker dies with the process, stays marked
``enrichment_complete=False`` with ``enrichmentDeferred``: visible on the case,
never silently complete. Nothing here blocks the consuming loop, which is the
point: lag no longer grows with the store's budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from connectors.shopify.budget import Priority, call_class
from schemas.records import CaseRequest

log = logging.getLogger(__name__)

Publish = Callable[[CaseRequest], Awaitable[None]]


class Completes(Protocol):
    """What the deferred workers need of the enricher."""

    async def enrich(self, request: CaseRequest) -> CaseRequest:
        """The request with its Shopify context."""


class DeferredEnrichment:
    """A bounded queue of cases opened before their enrichment, and its workers.

    Args:
        enricher: reads what each case lacks (never raises).
        publish: sends the enriched request on (an update of the open case).
        concurrency: workers reading at once.
        limit: cases queued at most; more are left incomplete (logged, counted).
    """

    def __init__(
        self, enricher: Completes, publish: Publish, *, concurrency: int = 4, limit: int = 10_000
    ) -> None:
        if concurrency < 1 or limit < 1:
            raise ValueError("concurrency and limit must be at least 1")
        self._enricher = enricher
        self._publish = publish
        self._concurrency = concurrency
        self._queue: asyncio.Queue[CaseRequest] = asyncio.Queue(maxsize=limit)
        self._workers: list[asyncio.Task[None]] = []
        self.stats: dict[str, int] = {"queued": 0, "completed": 0, "dropped": 0, "failed": 0}

    @property
    def depth(self) -> int:
        """Cases waiting for their enrichment."""
        return self._queue.qsize()

    def submit(self, request: CaseRequest) -> bool:
        """Queue ``request`` for enrichment; False when the queue is full (it stays incomplete)."""
        self._start()
        try:
            self._queue.put_nowait(request)
        except asyncio.QueueFull:
            self.stats["dropped"] += 1
            log.warning(
                "case %s opens without enrichment: %d cases already wait for the budget",
                request.case_id,
                self._queue.qsize(),
            )
            return False
        self.stats["queued"] += 1
        return True

    async def join(self) -> None:
        """Wait until every queued case has been enriched and published (tests, shutdown)."""
        await self._queue.join()

    async def stop(self) -> None:
        """Cancel the workers; queued cases stay marked incomplete."""
        for worker in self._workers:
            worker.cancel()
        for worker in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        self._workers.clear()

    def _start(self) -> None:
        if self._workers:
            return
        self._workers = [
            asyncio.get_running_loop().create_task(self._work(), name=f"deferred-enrich-{index}")
            for index in range(self._concurrency)
        ]

    async def _work(self) -> None:
        while True:
            request = await self._queue.get()
            try:
                with call_class(Priority.ENRICH):
                    enriched = await self._enricher.enrich(request)
                await self._publish(enriched)
                self.stats["completed"] += 1
            except asyncio.CancelledError:
                raise
            except Exception:  # one case's failure must not stop the others
                self.stats["failed"] += 1
                log.exception("deferred enrichment of case %s failed", request.case_id)
            finally:
                self._queue.task_done()


__all__ = ["Completes", "DeferredEnrichment", "Publish"]
