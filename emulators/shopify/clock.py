"""Time sources: the real clock and a fake one tests can move by hand.

Everything that depends on time (the leaky bucket, timestamps, job completion,
webhook retry sleeps) takes a :class:`Clock`, so tests never sleep for long.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What the emulator needs to know about time."""

    def monotonic(self) -> float:
        """Seconds on a monotonic scale (bucket refill, job completion)."""

    def now(self) -> datetime:
        """The current wall-clock time, timezone-aware UTC."""

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (retry backoff, added latency)."""


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """Seconds from :func:`time.monotonic`."""
        return time.monotonic()

    def now(self) -> datetime:
        """Current UTC time, truncated to whole seconds like Shopify's timestamps."""
        return datetime.now(UTC).replace(microsecond=0)

    async def sleep(self, seconds: float) -> None:
        """Sleep with asyncio."""
        await asyncio.sleep(max(0.0, seconds))


class FakeClock:
    """A clock that only moves when told to; ``sleep`` advances it instantly.

    Args:
        start: the wall-clock time at monotonic zero.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._start = start or datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
        self._offset = 0.0

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self._offset += seconds

    def monotonic(self) -> float:
        """Seconds since the fake clock was created, plus any advances."""
        return self._offset

    def now(self) -> datetime:
        """The start time plus the elapsed fake seconds."""
        return (self._start + timedelta(seconds=self._offset)).replace(microsecond=0)

    async def sleep(self, seconds: float) -> None:
        """Advance instantly, yielding once so other tasks run."""
        self._offset += max(0.0, seconds)
        await asyncio.sleep(0)


def isoformat(moment: datetime) -> str:
    """Shopify's timestamp form: ``2026-01-15T12:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
