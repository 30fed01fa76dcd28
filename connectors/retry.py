"""Retry policy shared by every remote client (Shopify, OpenText).

A :class:`RetryPolicy` is a value: it says how long to wait before attempt
*n* and when to give up. Whether an error is retryable at all is the
client's decision (see each client's ``classify`` function), so the same
policy serves GraphQL throttling and REST 503s alike.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

#: HTTP statuses that are worth another try: throttling and server-side trouble.
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter, a cap and a maximum number of attempts."""

    initial_interval_s: float = 0.2
    """Delay before the second attempt (before jitter)."""
    backoff_coefficient: float = 2.0
    """Each further delay is the previous one times this."""
    maximum_interval_s: float = 30.0
    """No single delay is longer than this, whatever ``Retry-After`` says."""
    maximum_attempts: int = 8
    """Total attempts including the first; ``0`` means retry forever."""
    jitter: float = 0.5
    """Fraction of each delay that is randomised, so clients retrying together spread out."""
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.initial_interval_s < 0 or self.maximum_interval_s < 0:
            raise ValueError("retry intervals must not be negative")
        if self.backoff_coefficient < 1:
            raise ValueError("backoff_coefficient must be >= 1")
        if self.maximum_attempts < 0:
            raise ValueError("maximum_attempts must be >= 0")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be within [0, 1]")

    def should_retry(self, attempt: int) -> bool:
        """Whether another attempt may follow attempt number ``attempt`` (1-based)."""
        return self.maximum_attempts == 0 or attempt < self.maximum_attempts

    def delay_s(self, attempt: int, retry_after_s: float | None = None) -> float:
        """Seconds to wait after attempt number ``attempt`` (1-based) failed.

        A server's ``Retry-After`` is honoured as a floor: waiting less would
        only earn another refusal.
        """
        try:
            growth = self.backoff_coefficient ** max(attempt - 1, 0)
        except OverflowError:
            # Retrying forever (maximum_attempts=0) reaches ~2**1024 after hours of outage.
            growth = math.inf
        base = min(self.initial_interval_s * growth, self.maximum_interval_s)
        if self.initial_interval_s == 0:
            base = 0.0  # 0 * inf is nan
        delay = base * (1 - self.jitter) + base * self.jitter * self.rng.random()
        if retry_after_s is not None:
            delay = max(delay, min(retry_after_s, self.maximum_interval_s))
        return delay


def parse_retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), if present and valid."""
    raw = headers.get("Retry-After") or headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        pass
    else:
        # "nan" and "inf" parse as floats but are no delay; nan would also slip past max().
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)
