"""A client-side model of Shopify's GraphQL cost bucket (one per app and store).

Shopify admits a GraphQL request only if the bucket holds at least its
*requested* cost, debits that up front, refunds the difference to the
*actual* cost when the query finishes, and refills the bucket at
``restoreRate`` points per second up to ``maximumAvailable``. Every response
reports the bucket in ``extensions.cost.throttleStatus``.

:class:`CostBucket` mirrors that so the client waits *before* sending a
request that would not fit, instead of learning from THROTTLED errors, and it
is the one per-shop scheduler every call to the store goes through:

* :meth:`CostBucket.reserve` debits the estimated cost from the model, waiting
  first until the model (restored over time) holds enough *and* no more
  urgent call is waiting. Calls are served by
  :class:`~connectors.shopify.budget.Priority` class — protective writes
  (holds, cancellations), then decision write-backs, then enrichment reads,
  then background reads — and in arrival order within a class. Only the head
  of that order may take points, so a hold never waits behind queued reads,
  concurrent callers cannot all see the same free points, and a large call is
  not starved by a stream of small ones.
* No starvation: a call that has waited ``patience_s`` goes ahead of every
  class (oldest first), so a flood of one class delays the others by at most
  that long plus the time to serve the overdue calls.
* Until the first ``throttleStatus`` arrives the bucket size and restore
  rate are assumptions, so only one request is let through at a time.
* :meth:`CostBucket.settle` is called with each response. When it carries a
  ``throttleStatus`` the model resynchronises to Shopify's figure, minus the
  reservations still in flight (Shopify may not have seen them yet; counting
  them twice errs on the side of waiting). Otherwise the reservation is
  refunded down to the actual cost, if known. Either way the waiters decide
  again at once.
* :meth:`CostBucket.estimated_wait`, :meth:`CostBucket.queue_depth` and
  :meth:`CostBucket.oldest_wait` tell callers and metrics how far behind the
  budget is (the enricher defers its reads when it is).

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

from connectors.shopify.budget import Priority, current_class

__all__ = ["CostBucket", "Reservation", "ThrottleStatus"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

#: Conservative defaults used until the first response tells the real figures:
#: the smallest bucket and the older (slower) Standard restore rate.
DEFAULT_MAXIMUM_AVAILABLE = 1000.0
DEFAULT_RESTORE_RATE = 50.0

#: Shortfalls and waits below these are rounding, not reasons to sleep (a sleep
#: that short may not advance a coarse clock at all, and the loop would spin).
_POINTS_EPSILON = 1e-6
_TIME_EPSILON_S = 1e-3

#: A call waiting longer than this goes ahead of every class (no starvation).
DEFAULT_PATIENCE_S = 10.0


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


@dataclass(eq=False, slots=True)
class _Waiter:
    """A call waiting in :meth:`CostBucket.reserve`."""

    priority: Priority
    ticket: int
    since: float
    cost: float


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
        patience_s: seconds after which a waiting call goes ahead of every class.
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
        patience_s: float = DEFAULT_PATIENCE_S,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if maximum_available <= 0 or restore_rate <= 0:
            raise ValueError("maximum_available and restore_rate must be positive")
        if patience_s <= 0:
            raise ValueError("patience_s must be positive")
        self._patience_s = float(patience_s)
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
        # Waiting calls; only the head (see _rank) may take points, so no two
        # calls spend the same points and a large call is not starved by small ones.
        self._waiting: list[_Waiter] = []
        self._tickets = itertools.count(1)
        self._changed = asyncio.Event()
        # Until Shopify has told us the real bucket, the defaults are guesses:
        # send one request at a time so a burst of concurrent callers cannot
        # overdraw a bucket smaller than assumed.
        self._synced = not probe_first
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

    async def reserve(self, cost: float, priority: Priority | None = None) -> Reservation:
        """Wait until ``cost`` points fit and no more urgent call waits; debit them.

        Args:
            cost: the requested cost; above the bucket size it is capped at it
                (Shopify caps single queries anyway, and waiting for an
                impossible level would hang).
            priority: the call's class; by default the one the caller set with
                :func:`~connectors.shopify.budget.call_class`.
        """
        cost = min(max(float(cost), 0.0), self._maximum)
        waiter = _Waiter(
            priority if priority is not None else current_class(),
            next(self._tickets),
            self._clock(),
            cost,
        )
        self._waiting.append(waiter)
        try:
            while True:
                now = self._clock()
                if self._head(now) is not waiter:
                    # Someone more urgent (or overdue) goes first: wait for it to
                    # leave, or for this call to become overdue itself.
                    patience_left = self._patience_s - (now - waiter.since)
                    await self._wait_change(
                        patience_left if patience_left > _TIME_EPSILON_S else None
                    )
                    continue
                if not self._synced and self._inflight:
                    await self._wait_change(None)
                    continue
                delay = self.wait_time(waiter.cost)
                if delay * self._rate <= _POINTS_EPSILON:
                    break
                # Woken early when a response refunds points or a more urgent
                # call arrives; either way the loop decides again.
                await self._wait_change(delay)
            self._available -= waiter.cost
            seq = next(self._seq)
            self._inflight[seq] = waiter.cost
            self.waited_s += self._clock() - waiter.since
            return Reservation(seq=seq, cost=waiter.cost)
        finally:
            self._waiting.remove(waiter)
            self._notify()

    # -- the queue -----------------------------------------------------------------------------

    def _rank(self, waiter: _Waiter, now: float) -> tuple[int, float]:
        """Sort key: overdue calls first (oldest first), then by class, then arrival."""
        if self._overdue(waiter, now):
            return (-1, waiter.since)
        return (int(waiter.priority), float(waiter.ticket))

    def _overdue(self, waiter: _Waiter, now: float) -> bool:
        return now - waiter.since >= self._patience_s - _TIME_EPSILON_S

    def _head(self, now: float) -> _Waiter | None:
        if not self._waiting:
            return None
        return min(self._waiting, key=lambda w: self._rank(w, now))

    def _notify(self) -> None:
        """Wake every waiter to decide again (a waiter left, points came back)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, limit_s: float | None) -> None:
        changed = self._changed
        if limit_s is None:
            await changed.wait()
            return
        if limit_s <= 0:
            # Yield once so a caller looping here cannot starve the event loop.
            await asyncio.sleep(0)
            return
        woken = asyncio.ensure_future(changed.wait())
        slept = asyncio.ensure_future(self._sleep(limit_s))
        try:
            await asyncio.wait({woken, slept}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            woken.cancel()
            slept.cancel()

    def queue_depth(self, priority: Priority) -> int:
        """Calls of class ``priority`` waiting for points."""
        return sum(1 for w in self._waiting if w.priority is priority)

    def oldest_wait(self, priority: Priority) -> float:
        """Seconds the oldest waiting call of class ``priority`` has waited (0 when none)."""
        now = self._clock()
        waits = [now - w.since for w in self._waiting if w.priority is priority]
        return max(waits, default=0.0)

    def estimated_wait(self, cost: float, priority: Priority) -> float:
        """Seconds a new call of ``cost`` points and class ``priority`` would wait now.

        Counts the points of the calls queued ahead of it (same or more urgent
        class, or overdue) and what the bucket lacks for them and this call.
        """
        now = self._clock()
        ahead = sum(
            w.cost for w in self._waiting if w.priority <= priority or self._overdue(w, now)
        )
        needed = ahead + min(cost, self._maximum)
        return max(needed - self.level, 0.0) / self._rate

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
        self._notify()
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
        self._notify()
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
