"""Many requests in flight across keys, never two for the same key.

The sink and the writer talk to remote systems whose latency dwarfs Kafka's,
so they must overlap calls; but two calls for one order (or one case) must
not overlap, or a hold could be released before it was placed. Each key gets
a lane: a job waits for the previous job of its key, and a semaphore caps
the jobs in flight overall, which also back-pressures the consuming loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable

log = logging.getLogger(__name__)


class KeyedLanes:
    """Run jobs concurrently across keys and sequentially within a key."""

    def __init__(self, max_in_flight: int) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be >= 1")
        self._slots = asyncio.Semaphore(max_in_flight)
        self._tails: dict[Hashable, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def in_flight(self) -> int:
        """Jobs submitted and not finished."""
        return len(self._tasks)

    async def submit(
        self,
        key: Hashable,
        job: Callable[[], Awaitable[None]],
        on_done: Callable[[], None] | None = None,
    ) -> None:
        """Queue ``job`` behind the previous job of ``key``; waits while the lanes are full.

        ``on_done`` (the offset acknowledgement) runs only when the job
        returned: jobs handle their expected failures themselves, by
        dead-lettering. A job that raises is a bug; its record stays
        unacknowledged, so the committed offset stops there and the record is
        processed again after a restart (effects are idempotent) while the
        consumer lag makes the problem visible.
        """
        await self._slots.acquire()
        previous = self._tails.get(key)

        async def run() -> None:
            try:
                if previous is not None:
                    await asyncio.wait([previous])
                await job()
            except Exception:
                log.exception("job for key %r failed; its offset stays uncommitted", key)
            else:
                if on_done is not None:
                    on_done()
            finally:
                self._slots.release()
                if self._tails.get(key) is task:
                    del self._tails[key]

        task = asyncio.create_task(run())
        self._tails[key] = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait until every submitted job finished."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))
