"""Waiting out a remote system's outage: retry the same call, without limit.

The sink (OpenText) and the writer (Shopify) never dead-letter a record
because the remote system is down: every record would fail alike, so they
wait and call again, and an outage only delays cases (the consumer lag shows
it). The clients' own HTTP retries come first; this wait sits above them,
with a capped, jittered backoff that never gives up. The bounds come from the
stage's settings section (a :class:`streams.settings.Backoff`: ``sink.outage``,
``sink.auth_wait``, ``writer.outage``).

How it relates to :mod:`connectors.retry`: this is that module's one retry
policy (:class:`~connectors.retry.RetryPolicy`, exponential with full jitter
and a cap) with ``maximum_attempts=0``, run by its :func:`~connectors.retry.retrying`
(tenacity); it only adds what the stages share above the clients: the bounds
from settings, the log line naming the case, and the sleep seam.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from connectors.retry import RetryPolicy, retrying
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
        """Sleep the delay that follows failed attempt number ``attempt`` (1-based).

        For a caller whose own loop tells several failures apart (the sink: an
        outage, refused credentials); :meth:`call` is the loop for the others.
        """
        delay = self.policy.delay_s(attempt)
        self._log(subject, exc, delay)
        await self._sleep(delay)

    async def call(
        self,
        call: Callable[[], Awaitable[T]],
        subject: str,
        unavailable: type[BaseException] | tuple[type[BaseException], ...],
    ) -> T:
        """``call()``'s result once it stops raising ``unavailable``; other errors propagate."""

        def logged(exc: BaseException, attempt: int, delay: float) -> None:
            self._log(subject, exc, delay)

        async for attempt in retrying(
            self.policy, on=unavailable, sleep=self._sleep, on_retry=logged
        ):
            with attempt:
                return await call()
        raise AssertionError("unreachable: retrying() never gives up without raising")

    def _log(self, subject: str, exc: BaseException, delay: float) -> None:
        log.warning("%s unavailable for %s (%s); retry in %.1fs", self.system, subject, exc, delay)
