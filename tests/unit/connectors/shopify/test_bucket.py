"""CostBucket: waiting before sending, restoring, resynchronising, concurrency."""

from __future__ import annotations

import asyncio

import pytest

from connectors.shopify.bucket import CostBucket, ThrottleStatus
from connectors.shopify.budget import Priority, call_class

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


def virtual_bucket(**kw: float) -> CostBucket:
    """A bucket on the loop's clock; under ``looptime`` every wait takes no real time."""
    loop = asyncio.get_running_loop()
    params: dict[str, float] = {"maximum_available": 100, "restore_rate": 10}
    params.update(kw)
    return CostBucket(clock=loop.time, sleep=asyncio.sleep, probe_first=False, **params)


@pytest.mark.looptime
async def test_concurrent_reservations_do_not_overdraw() -> None:
    bucket = virtual_bucket()
    loop = asyncio.get_running_loop()
    start = loop.time()
    granted: list[tuple[float, float]] = []

    async def worker() -> None:
        reservation = await bucket.reserve(40)
        granted.append((loop.time(), reservation.cost))

    await asyncio.gather(*(worker() for _ in range(6)))
    assert len(granted) == 6
    spent = 0.0
    for when, cost in sorted(granted):
        spent += cost
        # Never more than the initial bucket plus what restored since.
        assert spent <= 100 + (when - start) * 10 + 1e-6
    # 240 points from a 100-point bucket at 10/s: the last waits 14 s.
    assert max(when for when, _ in granted) - start == pytest.approx(14, abs=0.01)


@pytest.mark.looptime
async def test_waiters_of_one_class_are_served_in_arrival_order() -> None:
    bucket = virtual_bucket(currently_available=0)
    order: list[int] = []

    async def worker(index: int, cost: float) -> None:
        await bucket.reserve(cost, Priority.ENRICH)
        order.append(index)

    # A big request first must not be starved by small ones behind it.
    await asyncio.gather(worker(0, 90), worker(1, 5), worker(2, 5))
    assert order == [0, 1, 2]


@pytest.mark.looptime
async def test_more_urgent_classes_go_first_under_contention() -> None:
    bucket = virtual_bucket(currently_available=0, restore_rate=10)
    order: list[str] = []

    async def call(name: str, priority: Priority, cost: float = 20) -> None:
        await bucket.reserve(cost, priority)
        order.append(name)

    # Reads queue first; a write-back and a hold arrive while they wait.
    tasks = [
        asyncio.ensure_future(call("background", Priority.BACKGROUND)),
        asyncio.ensure_future(call("enrich-1", Priority.ENRICH)),
        asyncio.ensure_future(call("enrich-2", Priority.ENRICH)),
    ]
    await asyncio.sleep(0.5)
    tasks.append(asyncio.ensure_future(call("writeback", Priority.WRITEBACK)))
    tasks.append(asyncio.ensure_future(call("hold", Priority.PROTECT)))
    await asyncio.gather(*tasks)
    assert order == ["hold", "writeback", "enrich-1", "enrich-2", "background"]


@pytest.mark.looptime
async def test_a_hold_never_waits_behind_queued_reads() -> None:
    bucket = virtual_bucket(currently_available=100, restore_rate=10)
    loop = asyncio.get_running_loop()
    # Fifty queued reads of 20 points: 1,000 points, 90 s of restore.
    reads = [asyncio.ensure_future(bucket.reserve(20, Priority.ENRICH)) for _ in range(50)]
    await asyncio.sleep(3)
    asked = loop.time()
    await bucket.reserve(10, Priority.PROTECT)
    # Only the points it needs itself (the bucket was drained by the first reads).
    assert loop.time() - asked <= 1.0 + 1e-6
    assert bucket.queue_depth(Priority.ENRICH) > 40
    for task in reads:
        task.cancel()
    await asyncio.gather(*reads, return_exceptions=True)
    assert bucket.queue_depth(Priority.ENRICH) == 0


@pytest.mark.looptime
async def test_a_flood_of_holds_cannot_starve_a_read_past_patience() -> None:
    bucket = virtual_bucket(currently_available=0, restore_rate=10, patience_s=5)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    async def flood() -> None:
        # Always another hold waiting: more than the bucket restores.
        while not stop.is_set():
            await bucket.reserve(10, Priority.PROTECT)

    floods = [asyncio.ensure_future(flood()) for _ in range(3)]
    await asyncio.sleep(0.1)
    asked = loop.time()
    await bucket.reserve(10, Priority.BACKGROUND)
    waited = loop.time() - asked
    stop.set()
    await asyncio.gather(*floods)
    # Patience, plus the time to restore its own points.
    assert 5 <= waited <= 5 + 1 + 1e-6


@pytest.mark.looptime
async def test_the_bucket_is_never_overdrawn_by_mixed_classes() -> None:
    bucket = virtual_bucket(currently_available=50, restore_rate=10, patience_s=3)
    loop = asyncio.get_running_loop()
    start = loop.time()
    grants: list[tuple[float, float]] = []

    async def call(priority: Priority, cost: float, delay: float) -> None:
        await asyncio.sleep(delay)
        reservation = await bucket.reserve(cost, priority)
        grants.append((loop.time(), reservation.cost))

    classes = list(Priority)
    await asyncio.gather(
        *(call(classes[i % 4], 5 + (i * 7) % 30, (i * 0.37) % 4) for i in range(40))
    )
    spent = 0.0
    for when, cost in sorted(grants):
        spent += cost
        assert spent <= 50 + (when - start) * 10 + 1e-3


@pytest.mark.looptime
async def test_priority_comes_from_the_callers_call_class() -> None:
    bucket = virtual_bucket(currently_available=0, restore_rate=10)
    order: list[str] = []

    async def call(name: str, priority: Priority) -> None:
        with call_class(priority):
            await bucket.reserve(10)
        order.append(name)

    read = asyncio.ensure_future(call("read", Priority.BACKGROUND))
    await asyncio.sleep(0.1)
    await asyncio.gather(read, call("hold", Priority.PROTECT))
    assert order == ["hold", "read"]


@pytest.mark.looptime
async def test_queue_figures_and_estimated_wait() -> None:
    bucket = virtual_bucket(currently_available=0, restore_rate=10)
    waiting = [
        asyncio.ensure_future(bucket.reserve(20, Priority.ENRICH)),
        asyncio.ensure_future(bucket.reserve(30, Priority.BACKGROUND)),
    ]
    await asyncio.sleep(0.5)
    assert bucket.queue_depth(Priority.ENRICH) == 1
    assert bucket.queue_depth(Priority.BACKGROUND) == 1
    assert bucket.queue_depth(Priority.PROTECT) == 0
    assert bucket.oldest_wait(Priority.ENRICH) == pytest.approx(0.5, abs=0.01)
    # A hold only waits for its own points; an enrichment read also for the read ahead.
    assert bucket.estimated_wait(10, Priority.PROTECT) == pytest.approx(0.5, abs=0.01)
    assert bucket.estimated_wait(10, Priority.ENRICH) == pytest.approx(2.5, abs=0.01)
    for task in waiting:
        task.cancel()
    await asyncio.gather(*waiting, return_exceptions=True)


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
    with pytest.raises(ValueError):
        CostBucket(patience_s=0)
