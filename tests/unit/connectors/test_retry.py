"""RetryPolicy delays (growth, cap, jitter, Retry-After floor) and parse_retry_after."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from connectors.retry import (
    RETRYABLE_STATUSES,
    RetryPolicy,
    TransientError,
    parse_retry_after,
    retrying,
)

NOW = datetime(2026, 1, 15, 10, 0, 0, tzinfo=UTC)


class FixedRandom(random.Random):
    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def random(self) -> float:
        return self.value


def test_delays_grow_exponentially_and_are_capped() -> None:
    policy = RetryPolicy(
        initial_interval_s=0.5, backoff_coefficient=2.0, maximum_interval_s=5.0, jitter=0
    )
    assert [policy.delay_s(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


def test_attempt_zero_or_below_is_the_first_delay() -> None:
    policy = RetryPolicy(initial_interval_s=1.0, jitter=0)
    assert policy.delay_s(0) == policy.delay_s(-3) == 1.0


def test_coefficient_one_is_a_constant_delay() -> None:
    policy = RetryPolicy(initial_interval_s=2.0, backoff_coefficient=1.0, jitter=0)
    assert {policy.delay_s(n) for n in range(1, 20)} == {2.0}


def test_retrying_forever_never_overflows() -> None:
    policy = RetryPolicy(maximum_attempts=0, maximum_interval_s=15.0, jitter=0)
    assert policy.delay_s(1025) == 15.0
    assert policy.delay_s(10**9) == 15.0
    assert RetryPolicy(initial_interval_s=0, jitter=0).delay_s(5000) == 0.0


@pytest.mark.parametrize("attempt", [1, 2, 3, 8])
def test_jitter_stays_within_bounds(attempt: int) -> None:
    low = RetryPolicy(initial_interval_s=1.0, jitter=0.5, rng=FixedRandom(0.0))
    high = RetryPolicy(initial_interval_s=1.0, jitter=0.5, rng=FixedRandom(0.999999))
    base = min(1.0 * 2.0 ** (attempt - 1), 30.0)
    assert low.delay_s(attempt) == pytest.approx(base * 0.5)
    assert high.delay_s(attempt) == pytest.approx(base, rel=1e-5)
    assert high.delay_s(attempt) <= base


def test_jitter_spreads_delays() -> None:
    policy = RetryPolicy(initial_interval_s=1.0, jitter=1.0, rng=random.Random(7))
    delays = [policy.delay_s(3) for _ in range(200)]
    assert all(0.0 <= d <= 4.0 for d in delays)
    assert len(set(delays)) > 100
    assert min(delays) < 1.0 and max(delays) > 3.0


def test_full_jitter_at_maximum_never_exceeds_the_cap() -> None:
    policy = RetryPolicy(maximum_interval_s=3.0, jitter=1.0, rng=random.Random(1))
    assert all(policy.delay_s(20) <= 3.0 for _ in range(100))


def test_retry_after_is_a_floor() -> None:
    policy = RetryPolicy(initial_interval_s=0.2, maximum_interval_s=30.0, jitter=0)
    assert policy.delay_s(1, retry_after_s=7.0) == 7.0
    # A shorter Retry-After does not shorten our own backoff.
    assert policy.delay_s(5, retry_after_s=0.1) == pytest.approx(3.2)
    assert policy.delay_s(1, retry_after_s=0.0) == pytest.approx(0.2)


def test_retry_after_is_capped_by_the_maximum_interval() -> None:
    policy = RetryPolicy(maximum_interval_s=10.0, jitter=0)
    assert policy.delay_s(1, retry_after_s=3600.0) == 10.0


def test_should_retry_counts_attempts() -> None:
    policy = RetryPolicy(maximum_attempts=3)
    assert [policy.should_retry(n) for n in (1, 2, 3, 4)] == [True, True, False, False]
    assert RetryPolicy(maximum_attempts=1).should_retry(1) is False


def test_zero_maximum_attempts_retries_forever() -> None:
    policy = RetryPolicy(maximum_attempts=0)
    assert all(policy.should_retry(n) for n in (1, 100, 10**6))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"initial_interval_s": -0.1}, "negative"),
        ({"maximum_interval_s": -1}, "negative"),
        ({"backoff_coefficient": 0.5}, "backoff_coefficient"),
        ({"maximum_attempts": -1}, "maximum_attempts"),
        ({"jitter": -0.1}, "jitter"),
        ({"jitter": 1.5}, "jitter"),
    ],
)
def test_invalid_values_raise(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_policies_compare_by_value() -> None:
    assert RetryPolicy(rng=random.Random(1)) == RetryPolicy(rng=random.Random(2))
    assert RetryPolicy(maximum_attempts=2) != RetryPolicy(maximum_attempts=3)


def test_retryable_statuses() -> None:
    assert {429, 503, 504} <= RETRYABLE_STATUSES
    assert not {400, 401, 403, 404, 409, 422} & RETRYABLE_STATUSES


# --- parse_retry_after ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("120", 120.0), (" 3 ", 3.0), ("0", 0.0), ("1.5", 1.5), ("-5", 0.0)],
)
def test_retry_after_seconds(raw: str, expected: float) -> None:
    assert parse_retry_after({"Retry-After": raw}) == expected


def test_lower_case_header_name() -> None:
    assert parse_retry_after({"retry-after": "9"}) == 9.0


def test_missing_header_is_none() -> None:
    assert parse_retry_after({}) is None
    assert parse_retry_after({"Content-Type": "application/json"}) is None


def test_retry_after_http_date() -> None:
    header = format_datetime(NOW + timedelta(seconds=90), usegmt=True)
    assert header.endswith("GMT")
    assert parse_retry_after({"Retry-After": header}, now=NOW) == pytest.approx(90.0)


def test_retry_after_date_in_the_past_is_zero() -> None:
    header = format_datetime(NOW - timedelta(minutes=5), usegmt=True)
    assert parse_retry_after({"Retry-After": header}, now=NOW) == 0.0


def test_retry_after_date_without_zone_is_utc() -> None:
    # RFC 2822 "-0000" means "no zone information": read as UTC.
    assert parse_retry_after({"Retry-After": "Thu, 15 Jan 2026 10:01:00 -0000"}, now=NOW) == 60.0


def test_retry_after_date_with_offset() -> None:
    header = "Thu, 15 Jan 2026 11:00:30 +0100"  # 10:00:30 UTC
    assert parse_retry_after({"Retry-After": header}, now=NOW) == pytest.approx(30.0)


@pytest.mark.parametrize("raw", ["soon", "", "Thursday", "nan", "inf", "-inf"])
def test_invalid_retry_after_is_none(raw: str) -> None:
    assert parse_retry_after({"Retry-After": raw}) is None


# -- retrying(): the policy run by tenacity --------------------------------------------------


class Sleeps:
    """Records every wait instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


async def _run(policy: RetryPolicy, fail: list[BaseException], sleep: Sleeps, **kw: Any) -> int:
    """Attempts until one does not raise (the next of ``fail``); returns the attempts made."""
    attempts = 0
    async for attempt in retrying(policy, sleep=sleep, **kw):
        with attempt:
            attempts += 1
            if fail:
                raise fail.pop(0)
            return attempts
    raise AssertionError("unreachable")


async def test_transient_errors_are_retried_with_the_policys_delays() -> None:
    policy = RetryPolicy(initial_interval_s=0.5, maximum_interval_s=1.5, jitter=0)
    sleep = Sleeps()

    attempts = await _run(policy, [TransientError("503")] * 3, sleep)

    assert attempts == 4
    assert sleep.delays == [0.5, 1.0, 1.5]


async def test_the_last_error_is_raised_as_it_is_when_attempts_run_out() -> None:
    policy = RetryPolicy(initial_interval_s=0.1, maximum_attempts=3, jitter=0)
    errors = [TransientError(f"failure {n}") for n in range(1, 6)]
    sleep = Sleeps()

    with pytest.raises(TransientError, match="failure 3"):
        await _run(policy, errors, sleep)
    assert len(sleep.delays) == 2  # three attempts, two waits between them


async def test_retry_after_is_a_floor_capped_at_the_maximum_interval() -> None:
    policy = RetryPolicy(initial_interval_s=0.1, maximum_interval_s=10.0, jitter=0)
    sleep = Sleeps()
    errors = [TransientError("429", retry_after_s=4.0), TransientError("429", retry_after_s=60.0)]

    await _run(policy, errors, sleep)

    assert sleep.delays == [4.0, 10.0]


async def test_an_error_that_is_not_retryable_is_raised_at_once() -> None:
    sleep = Sleeps()

    with pytest.raises(KeyError):
        await _run(RetryPolicy(), [KeyError("bad request")], sleep)
    assert sleep.delays == []


async def test_a_predicate_decides_what_is_retryable_and_hears_of_each_retry() -> None:
    heard: list[tuple[str, int, float]] = []
    sleep = Sleeps()

    def on_retry(error: BaseException, number: int, delay: float) -> None:
        heard.append((str(error), number, delay))

    attempts = await _run(
        RetryPolicy(initial_interval_s=1.0, jitter=0),
        [ConnectionError("reset"), ConnectionError("refused")],
        sleep,
        on=lambda error: isinstance(error, ConnectionError),
        on_retry=on_retry,
    )

    assert attempts == 3
    assert heard == [("reset", 1, 1.0), ("refused", 2, 2.0)]


async def test_zero_maximum_attempts_retries_until_it_works() -> None:
    policy = RetryPolicy(initial_interval_s=0.01, maximum_interval_s=0.05, maximum_attempts=0)
    sleep = Sleeps()

    attempts = await _run(policy, [TransientError("down")] * 50, sleep)

    assert attempts == 51
    assert max(sleep.delays) <= 0.05
