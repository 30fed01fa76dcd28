"""Waiting out a remote system's outage: retry the same call, without limit.

The sink (OpenText) and the writer (Shopify) never dead-letter a record
because the remote system is down: every record would fail alike, so they
wait and call again, and an outage only delays cases (the consumer lag shows
it). The clients' own HTTP retries come first; this wait sits above them,
with a capped, jittered backoff that never gives up. The bounds come from the
stage's settings section (a :class:`streams.settings.Backoff`: ``sink.outage``,
``sink.auth_wait``, ``writer.outage``).

How it relates to :mod:`connectors.retry`: the delays are that module's
:class:`~connectors.retry.RetryPolicy` (exponential, full jitter, a cap) with
``maximum_attempts=0``; this module only adds the loop, the log line and the
sleep seam that the stages share.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from connectors.retry import RetryPolicy
from streams.settings import Backoff

__all__ = ["OutageWait", "Sleep"]

log = logging.getLogger(__name__)

T = TypeVar("T")

Sleep = Callable[[float], Awaitable[None]]


class OutageWait:
    """Retry a call while it raises one of ``unavailable``, sleeping a growing, capped delay.

    Args:
        system: the remote system's name, for the log line ("OpenText", "Shopify").
        bounds: initial and maximum delay (a stage's settings).
        sleep: the sleep seam (tests pass one that records instead of waiting).
    """

    def __init__(self, system: str, bounds: Backoff, *, sleep: Sleep = asyncio.sleep) -> None:
        self.system = system
        self.policy = RetryPolicy(
            initial_interval_s=bounds.initial_s,
            maximum_interval_s=bounds.max_s,
            maximum_attempts=0,
        )
        self._sleep = sleep

    async def pause(self, attempt: int, subject: str, exc: BaseException) -> None:
        """Sleep the delay that follows failed attempt number ``attempt`` (1-based)."""
        delay = self.policy.delay_s(attempt)
        log.warning("%s unavailable for %s (%s); retry in %.1fs", self.system, subject, exc, delay)
        await self._sleep(delay)

    async def call(
        self,
        call: Callable[[], Awaitable[T]],
        subject: str,
        unavailable: type[BaseException] | tuple[type[BaseException], ...],
    ) -> T:
        """``call()``'s result once it stops raising ``unavailable``; other errors propagate."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return await call()
            except unavailable as exc:
                await self.pause(attempt, subject, exc)
