"""One flush for many waiters: a durability barrier.

The sink writes a "starting" entry to its ledger table and must know it is
in the changelog before it calls OpenText. A producer flush per case, with
32 cases in flight, flushed the same batches over and over (~6 % of a
worker's CPU). Waiters that arrive while a flush runs share the next one;
waiters that arrive together share one flush.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class FlushBarrier:
    """``await barrier.wait()`` returns once a flush that *started after the call* finished."""

    def __init__(self, flush: Callable[[], Awaitable[None]]) -> None:
        self._flush = flush
        self._next: asyncio.Future[None] | None = None
        self._runner: asyncio.Task[None] | None = None
        self.flushes = 0

    async def wait(self) -> None:
        """Wait until everything written before this call is flushed; a flush error is raised."""
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
        waiting = self._next
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run())
        # Shielded: one waiter cancelled (a rebalance) must not cancel the others' flush.
        await asyncio.shield(waiting)

    async def _run(self) -> None:
        while self._next is not None:
            # Writes made from here on wait for the next round: this flush may miss them.
            current, self._next = self._next, None
            try:
                await self._flush()
            except Exception as exc:
                current.set_exception(exc)
                # Retrieved here so an abandoned waiter does not log "never retrieved".
                current.exception()
            else:
                current.set_result(None)
            self.flushes += 1
