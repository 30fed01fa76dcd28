"""The one retry policy of every remote call: how long to wait, when to give up, who retries.

A :class:`RetryPolicy` is a value: exponential backoff with full jitter, a cap,
a maximum number of attempts, and a server's ``Retry-After`` honoured as a
floor. :func:`retrying` runs it with tenacity (``async for attempt in
retrying(...)``); whether an error is worth another attempt is the caller's
decision (``on``), so the same policy serves GraphQL 5xx and REST 503s alike.

Which layer retries what (one layer per failure; a retrying call is never
wrapped in another retry):

=====================================  =================================================
layer                                  retries
=====================================  =================================================
Shopify client (``execute_costed``)    5xx, 408, timeouts, connection errors, non-JSON
                                       2xx: its ``config.retry``. ``THROTTLED`` is no
                                       failure: the cost bucket waits for the refill
                                       (at most ``max_throttle_retries`` times)
OpenText transport (``request``)       429, 5xx, timeouts, connection errors, token
                                       endpoint down: its ``config.retry``; one token
                                       refresh on 401. ``retry=False``: one attempt
OpenText ``ensure_process_instance``   the start, sent with ``retry=False``, after a
                                       fresh look-up (the POST may have succeeded)
callers (``streams``)                  nothing a client already retried: they wait out
                                       an outage instead (the sink's and writer's
                                       outage waits use :class:`RetryPolicy` delays)
=====================================  =================================================
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_base,
    retry_if_exception,
    retry_if_exception_type,
    stop_after_attempt,
    stop_never,
)

from connectors.errors import CasebridgeError

__all__ = [
    "RETRYABLE_STATUSES",
    "RetryPolicy",
    "TransientError",
    "parse_retry_after",
    "retrying",
]

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


class TransientError(CasebridgeError):
    """One attempt failed in a way another attempt may not (raised inside :func:`retrying`).

    Clients raise it from an attempt and turn the last one into their own
    "unavailable" error when the policy gives up.
    """

    def __init__(
        self,
        reason: str,
        *,
        status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after_s = retry_after_s


#: What counts as worth another attempt: exception types, or a predicate on the exception.
RetryOn = type[BaseException] | tuple[type[BaseException], ...] | Callable[[BaseException], bool]
#: ``(error, attempt number, delay_s)``, called before each wait (for logs).
OnRetry = Callable[[BaseException, int, float], None]


def _retry_after(error: BaseException | None) -> float | None:
    value = getattr(error, "retry_after_s", None)
    return float(value) if isinstance(value, int | float) else None


def retrying(
    policy: RetryPolicy,
    *,
    on: RetryOn = TransientError,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    on_retry: OnRetry | None = None,
) -> AsyncRetrying:
    """A tenacity controller running ``policy``: ``async for attempt in retrying(...)``.

    An attempt failing with an error ``on`` accepts is retried after
    :meth:`RetryPolicy.delay_s` (the error's ``retry_after_s``, if it has one,
    as a floor) until ``policy.maximum_attempts`` attempts were made; then that
    last error is raised as it is. Any other error is raised at once.
    """
    condition: retry_base
    if isinstance(on, type | tuple):
        condition = retry_if_exception_type(on)
    else:
        condition = retry_if_exception(on)

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        return policy.delay_s(state.attempt_number, _retry_after(error))

    def before_sleep(state: RetryCallState) -> None:
        if on_retry is not None and state.outcome is not None and state.next_action is not None:
            error = state.outcome.exception()
            if error is not None:
                on_retry(error, state.attempt_number, state.next_action.sleep)

    return AsyncRetrying(
        stop=stop_never
        if policy.maximum_attempts == 0
        else stop_after_attempt(policy.maximum_attempts),
        wait=wait,
        retry=condition,
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
