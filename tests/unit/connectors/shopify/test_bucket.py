"""CostBucket: waiting before sending, restoring, resynchronising, concurrency."""

from __future__ import annotations

import asyncio

import pytest

from connectors.shopify.bucket import CostBucket, ThrottleStatus

from .fakes import FakeClock


def make_bucket(clock: FakeClock, *, probe_first: bool = False, **kw: float) -> CostBucket:
    params: dict[str, float] = {"maximum_available": 100, "restore_rate": 10}
    params.update(kw)
    return CostBucket(clock=clock, sleep=clock.sleep, probe_first=probe_first, **params)


async def test_full_bucket_reserves_without_waiting() -> None:
    clock = FakeClock()
    bucket = make_bucket(clock)
    reservation = await bucket.reserve(30)
    assert reservation.cost == 30
    assert clock.sleeps == []
    assert bucket.level == pytest.approx(70)
    assert bucket.in_flight == 30


async def test_waits_before_sending_when_short() -> None:
    clock = FakeClock()
    bucket = make_bucket(clock, currently_available=5)
    await bucket.reserve(50)
    # 45 points missing at 10 points/s.
    assert clock.slept == pytest.approx(4.5)
    assert bucket.level == pytest.approx(0)
    assert bucket.waited_s == pytest.approx(4.5)


async def test_restores_at_restore_rate_up_to_maximum() -> None:
    clock = FakeClock()
    bucket = make_bucket(clock, currently_available=0)
    clock.now += 2
    assert bucket.level == pytest.approx(20)
    clock.now += 100
    assert bucket.level == pytest.approx(100)


async def test_settle_resyncs_to_throttle_status_minus_other_in_flight() -> None:
    clock = FakeClock()
    bucket = make_bucket(clock)
    first = await bucket.reserve(30)
    await bucket.reserve(20)
    status = ThrottleStatus(maximum_available=2000, currently_available=1500, restore_rate=100)
    bucket.settle(first, actual_cost=12, throttle_status=status)
    assert bucket.maximum_available == 2000
    assert bucket.restore_rate == 100
    # The other reservation may not be in Shopify's figure yet: count it.
    assert bucket.level == pytest.approx(1480)


async def test_settle_without_status_refunds_over_reservation() -> None:
    clock = FakeClock()
    bucket = make_bucket(clock)
    reservation = await bucket.reserve(60)
    bucket.settle(reservation, actual_cost=15)
    assert bucket.level == pytest.approx(85)
    assert bucket.in_flight == 0
    bucket.settle(reservation, actual_cost=0)  # second settle is a no-op
    assert bucket.level == pytest.approx(85)


async def test_unknown_actual_cost_keeps_the_charge() -> None:
    clock = FakeClock()
    bucket = make_bucket(clock)
    reservation = await bucket.reserve(60)
    bucket.settle(reservation)
    assert bucket.level == pytest.approx(40)


async def test_stale_status_from_an_older_request_only_refunds() -> None:
    clock = FakeClock()
    bucket = make_bucket(clock)
    older = await bucket.reserve(20)
    newer = await bucket.reserve(20)
    bucket.settle(
        newer,
        actual_cost=20,
        throttle_status=ThrottleStatus(100, 50, 10),
    )
    assert bucket.level == pytest.approx(30)  # 50 minus the older one in flight
    bucket.settle(older, actual_cost=5, throttle_status=ThrottleStatus(100, 95, 10))
    assert bucket.level == pytest.approx(45)  # refund of 15, not a jump to 95


async def test_release_gives_everything_back() -> None:
    clock = FakeClock()
    bucket = make_bucket(clock)
    reservation = await bucket.reserve(40)
    bucket.release(reservation)
    assert bucket.level == pytest.approx(100)


async def test_cost_above_bucket_size_is_capped() -> None:
    clock = FakeClock()
    bucket = make_bucket(clock, currently_available=0)
    reservation = await bucket.reserve(5000)
    assert reservation.cost == 100
    assert clock.slept == pytest.approx(10)


async def test_mark_throttled_without_status_assumes_empty() -> None:
    clock = FakeClock()
    bucket = make_bucket(clock)
    bucket.mark_throttled()
    assert bucket.level == pytest.approx(0)
    bucket.mark_throttled(ThrottleStatus(100, 30, 10))
    assert bucket.level == pytest.approx(30)


async def test_concurrent_reservations_do_not_overdraw() -> None:
    clock = FakeClock()
    bucket = make_bucket(clock)
    granted: list[tuple[float, float]] = []

    async def worker() -> None:
        reservation = await bucket.reserve(40)
        granted.append((clock.now, reservation.cost))

    await asyncio.gather(*(worker() for _ in range(6)))
    assert len(granted) == 6
    start = 1000.0
    spent = 0.0
    for when, cost in sorted(granted):
        spent += cost
        # Never more than the initial bucket plus what restored since.
        assert spent <= 100 + (when - start) * 10 + 1e-9
    # 240 points from a 100-point bucket at 10/s: the last waits ~14 s.
    assert max(when for when, _ in granted) - start == pytest.approx(14)


async def test_waiters_are_served_in_order() -> None:
    clock = FakeClock()
    bucket = make_bucket(clock, currently_available=0)
    order: list[int] = []

    async def worker(index: int, cost: float) -> None:
        await bucket.reserve(cost)
        order.append(index)

    # A big request first must not be starved by small ones behind it.
    await asyncio.gather(worker(0, 90), worker(1, 5), worker(2, 5))
    assert order == [0, 1, 2]


async def test_unsynced_bucket_sends_one_probe_at_a_time() -> None:
    clock = FakeClock()
    bucket = make_bucket(clock, probe_first=True)
    assert not bucket.synced
    first = await bucket.reserve(10)
    second = asyncio.ensure_future(bucket.reserve(10))
    await asyncio.sleep(0)
    assert not second.done()  # waits for the probe's answer, not for points
    bucket.settle(first, actual_cost=10, throttle_status=ThrottleStatus(2000, 1990, 100))
    reservation = await asyncio.wait_for(second, 1)
    assert bucket.synced
    assert reservation.cost == 10
    # Once synced, concurrent reservations go through without waiting on answers.
    await asyncio.wait_for(asyncio.gather(bucket.reserve(10), bucket.reserve(10)), 1)
    assert clock.sleeps == []


async def test_failed_probe_lets_the_next_probe_go() -> None:
    clock = FakeClock()
    bucket = make_bucket(clock, probe_first=True)
    first = await bucket.reserve(10)
    second = asyncio.ensure_future(bucket.reserve(10))
    await asyncio.sleep(0)
    bucket.release(first)  # connection refused: no status learned
    await asyncio.wait_for(second, 1)
    assert not bucket.synced


def test_throttle_status_parsing_is_lenient() -> None:
    assert ThrottleStatus.from_json(None) is None
    assert ThrottleStatus.from_json({"maximumAvailable": 1000}) is None
    assert (
        ThrottleStatus.from_json(
            {"maximumAvailable": 1000, "currentlyAvailable": "x", "restoreRate": 50}
        )
        is None
    )
    assert (
        ThrottleStatus.from_json(
            {"maximumAvailable": 1000, "currentlyAvailable": 0, "restoreRate": 0}
        )
        is None
    )
    status = ThrottleStatus.from_json(
        {"maximumAvailable": 1000.0, "currentlyAvailable": 990, "restoreRate": 50.0}
    )
    assert status == ThrottleStatus(1000, 990, 50)


def test_invalid_construction() -> None:
    with pytest.raises(ValueError):
        CostBucket(maximum_available=0)
    with pytest.raises(ValueError):
        CostBucket(restore_rate=-1)
