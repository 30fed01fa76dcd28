"""A client-side model of Shopify's GraphQL cost bucket (one per app and store).

Shopify admits a GraphQL request only if the bucket holds at least its
*requested* cost, debits that up front, refunds the difference to the
*actual* cost when the query finishes, and refills the bucket at
``restoreRate`` points per second up to ``maximumAvailable``. Every response
reports the bucket in ``extensions.cost.throttleStatus``.

:class:`CostBucket` mirrors that so the client waits *before* sending a
request that would not fit, instead of learning from THROTTLED errors:

* :meth:`CostBucket.reserve` debits the estimated cost from the model, waiting
  first until the model (restored over time) holds enough. Callers queue in
  FIFO order behind one lock, so concurrent callers cannot all see the same
  free points and fire at once, and a large request is not starved by
  a stream of small ones.
* Until the first ``throttleStatus`` arrives the bucket size and restore
  rate are assumptions, so only one request is let through at a time.
* :meth:`CostBucket.settle` is called with each response. When it carries a
  ``throttleStatus`` the model resynchronises to Shopify's figure, minus the
  reservations still in flight (Shopify may not have seen them yet; counting
  them twice errs on the side of waiting). Otherwise the reservation is
  refunded down to the actual cost, if known.

The class is pure logic: time comes from an injectable monotonic clock and
waiting from an injectable ``sleep``, so tests drive it with a fake clock.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CostBucket", "Reservation", "ThrottleStatus"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

#: Conservative defaults used until the first response tells the real figures:
#: the smallest bucket and the older (slower) Standard restore rate.
DEFAULT_MAXIMUM_AVAILABLE = 1000.0
DEFAULT_RESTORE_RATE = 50.0


@dataclass(frozen=True, slots=True)
class ThrottleStatus:
    """``extensions.cost.throttleStatus`` of one response."""

    maximum_available: float
    currently_available: float
    restore_rate: float

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> ThrottleStatus | None:
        """Parse Shopify's object; ``None`` if absent or malformed (never fail a call on it)."""
        if not isinstance(raw, Mapping):
            return None
        try:
            status = cls(
                maximum_available=float(raw["maximumAvailable"]),
                currently_available=float(raw["currentlyAvailable"]),
                restore_rate=float(raw["restoreRate"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        if status.maximum_available <= 0 or status.restore_rate <= 0:
            return None
        return status


@dataclass(frozen=True, slots=True)
class Reservation:
    """Points debited from the model for one request until its response settles it."""

    seq: int
    """Order in which reservations were made; later ones carry fresher throttle status."""
    cost: float
    """Points debited (the estimate, capped at the bucket size)."""


class CostBucket:
    """Estimate of one store's GraphQL bucket; see the module docstring.

    Args:
        maximum_available: bucket size assumed until a response reports it.
        restore_rate: points per second assumed until a response reports it.
        currently_available: starting level; defaults to a full bucket.
        probe_first: let only one request through until a response reports the
            real bucket (set ``False`` when the figures above are known).
        clock: monotonic seconds (``time.monotonic``).
        sleep: awaitable sleep (``asyncio.sleep``).
    """

    def __init__(
        self,
        *,
        maximum_available: float = DEFAULT_MAXIMUM_AVAILABLE,
        restore_rate: float = DEFAULT_RESTORE_RATE,
        currently_available: float | None = None,
        probe_first: bool = True,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if maximum_available <= 0 or restore_rate <= 0:
            raise ValueError("maximum_available and restore_rate must be positive")
        self._clock = clock
        self._sleep = sleep
        self._maximum = float(maximum_available)
        self._rate = float(restore_rate)
        start = self._maximum if currently_available is None else float(currently_available)
        self._available = min(start, self._maximum)
        self._stamp = clock()
        self._inflight: dict[int, float] = {}
        self._seq = itertools.count(1)
        self._last_synced_seq = 0
        # One lock makes waiters queue: the head waits for its points while the
        # others wait for the head, so no two of them spend the same points.
        self._lock = asyncio.Lock()
        # Until Shopify has told us the real bucket, the defaults are guesses:
        # send one request at a time so a burst of concurrent callers cannot
        # overdraw a bucket smaller than assumed.
        self._synced = not probe_first
        self._settled = asyncio.Event()
        self.waited_s = 0.0
        """Total seconds callers spent waiting in :meth:`reserve` (for metrics)."""

    # -- observation ---------------------------------------------------------------------------

    @property
    def maximum_available(self) -> float:
        """Bucket size as last reported by Shopify (or the assumed default)."""
        return self._maximum

    @property
    def restore_rate(self) -> float:
        """Points restored per second as last reported by Shopify (or the assumed default)."""
        return self._rate

    @property
    def level(self) -> float:
        """Points the model believes a new request could spend right now.

        Shopify's ``currentlyAvailable`` restored to now, minus in-flight
        reservations; may be negative right after a THROTTLED answer.
        """
        self._restore()
        return self._available

    @property
    def synced(self) -> bool:
        """Whether a response has reported the real bucket yet."""
        return self._synced

    @property
    def in_flight(self) -> float:
        """Points reserved by requests whose responses have not arrived yet."""
        return sum(self._inflight.values())

    def wait_time(self, cost: float) -> float:
        """Seconds until ``cost`` points would fit, ignoring other waiters."""
        needed = min(cost, self._maximum)
        return max(needed - self.level, 0.0) / self._rate

    # -- the protocol --------------------------------------------------------------------------

    async def reserve(self, cost: float) -> Reservation:
        """Wait until ``cost`` points fit, then debit them and return the reservation.

        A cost above the bucket size is capped at it: Shopify caps single
        queries anyway, and waiting for an impossible level would hang.
        """
        cost = min(max(float(cost), 0.0), self._maximum)
        async with self._lock:
            while not self._synced and self._inflight:
                self._settled.clear()
                await self._settled.wait()
            while True:
                delay = self.wait_time(cost)
                if delay <= 0:
                    break
                # Re-check after sleeping: responses settled meanwhile may have
                # moved the level either way, and the bucket size may have changed.
                self.waited_s += delay
                await self._sleep(delay)
            self._available -= cost
            seq = next(self._seq)
            self._inflight[seq] = cost
            return Reservation(seq=seq, cost=cost)

    def settle(
        self,
        reservation: Reservation,
        *,
        actual_cost: float | None = None,
        throttle_status: ThrottleStatus | None = None,
    ) -> None:
        """Account for the response (or failure) of a reserved request.

        Args:
            reservation: what :meth:`reserve` returned; settling twice is a no-op.
            actual_cost: points Shopify finally charged; ``0`` when the request
                surely never reached Shopify; ``None`` when unknown (the
                reservation then stays charged, the safe assumption).
            throttle_status: the response's ``throttleStatus``, if any.
        """
        if self._inflight.pop(reservation.seq, None) is None:
            return
        self._settled.set()
        self._restore()
        if throttle_status is not None and reservation.seq > self._last_synced_seq:
            self._maximum = throttle_status.maximum_available
            self._rate = throttle_status.restore_rate
            self._available = throttle_status.currently_available - self.in_flight
            self._last_synced_seq = reservation.seq
            self._synced = True
        elif actual_cost is not None:
            # No status, or one older than the last resync (stale: Shopify
            # computed it before answers we already applied): only refund
            # what was over-reserved.
            self._available += reservation.cost - max(actual_cost, 0.0)
        self._available = min(self._available, self._maximum)

    def release(self, reservation: Reservation) -> None:
        """Give the points back: the request was never sent."""
        self.settle(reservation, actual_cost=0.0)

    def mark_throttled(self, throttle_status: ThrottleStatus | None = None) -> None:
        """Record a THROTTLED answer: trust its status, or else assume an empty bucket."""
        self._restore()
        if throttle_status is not None:
            self._synced = True
            self._maximum = throttle_status.maximum_available
            self._rate = throttle_status.restore_rate
            self._available = min(
                throttle_status.currently_available - self.in_flight, self._maximum
            )
        else:
            self._available = min(self._available, 0.0)

    def _restore(self) -> None:
        now = self._clock()
        elapsed = max(now - self._stamp, 0.0)
        self._stamp = now
        self._available = min(self._available + elapsed * self._rate, self._maximum)

    def __repr__(self) -> str:
        return (
            f"CostBucket(level={self.level:.1f}, maximum_available={self._maximum:g}, "
            f"restore_rate={self._rate:g}, in_flight={self.in_flight:g})"
        )
