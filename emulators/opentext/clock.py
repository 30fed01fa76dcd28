"""Clocks the emulator reads time from, so tests can move time without sleeping.

Token expiry, history filters (``finishedAfter``, ``taskCompletedAfter``),
outage windows and automatic decisions all read :meth:`Clock.now`. The app
always wraps its clock in an :class:`AdjustableClock`, so a test can jump ahead
through ``POST /_emulator/clock`` even against a standalone process.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


def truncate_ms(moment: datetime) -> datetime:
    """Drop sub-millisecond digits.

    Timestamps are answered with millisecond precision; storing them the same
    way means a watermark read back from an answer compares equal to the value
    the emulator holds.
    """
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def format_time(moment: datetime) -> str:
    """Format a time the way the service answers it: ISO 8601, UTC, milliseconds."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_time(text: str) -> datetime:
    """Parse an ISO 8601 time from a query string or body; naive means UTC.

    Raises:
        ValueError: the text is not an ISO 8601 time.
    """
    cleaned = text.strip()
    # An unencoded "+01:00" in a query string arrives as " 01:00".
    if " " in cleaned and "T" in cleaned:
        cleaned = cleaned.replace(" ", "+")
    parsed = datetime.fromisoformat(cleaned)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


class Clock(Protocol):
    """Anything that tells the current UTC time."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        """The current wall-clock time in UTC."""
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to; for unit tests."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        """The frozen time."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        self._now += timedelta(seconds=seconds)


class AdjustableClock:
    """Another clock plus an offset that can only grow."""

    def __init__(self, base: Clock | None = None) -> None:
        self._base: Clock = base or SystemClock()
        self._offset = timedelta()

    @property
    def offset_seconds(self) -> float:
        """How far this clock runs ahead of its base."""
        return self._offset.total_seconds()

    def now(self) -> datetime:
        """The base clock's time plus the offset."""
        return self._base.now() + self._offset

    def advance(self, seconds: float) -> None:
        """Jump ``seconds`` ahead; negative values are refused so time never runs back."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._offset += timedelta(seconds=seconds)
