"""KeyedLanes: sequential within a key, concurrent across keys, capped overall."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import pytest

from streams.runtime.lanes import KeyedLanes

Job = Callable[[], Awaitable[None]]


class Tracker:
    """Records job starts/ends and the peak number running at once."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.running = 0
        self.peak = 0
        self.done: list[str] = []

    def job(self, name: str, gate: asyncio.Event | None = None, fail: bool = False) -> Job:
        async def run() -> None:
            self.running += 1
            self.peak = max(self.peak, self.running)
            self.log.append(f"start {name}")
            try:
                if gate is not None:
                    await gate.wait()
                else:
                    await asyncio.sleep(0)
                if fail:
                    raise RuntimeError(f"{name} failed")
            finally:
                self.log.append(f"end {name}")
                self.running -= 1

        return run

    def ack(self, name: str) -> Callable[[], None]:
        return lambda: self.done.append(name)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_max_in_flight_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_in_flight"):
        KeyedLanes(0)


async def test_same_key_never_overlaps_and_keeps_submission_order() -> None:
    lanes = KeyedLanes(10)
    tracker = Tracker()
    gates = [asyncio.Event() for _ in range(3)]
    for i, gate in enumerate(gates):
        await lanes.submit("order-1", tracker.job(f"j{i}", gate), tracker.ack(f"j{i}"))
    await settle()
    assert tracker.log == ["start j0"]  # j1 and j2 wait for j0

    # Release in reverse order: completion order still follows submission.
    gates[2].set()
    gates[1].set()
    await settle()
    assert tracker.log == ["start j0"]
    gates[0].set()
    await lanes.drain()

    assert tracker.log == ["start j0", "end j0", "start j1", "end j1", "start j2", "end j2"]
    assert tracker.peak == 1
    assert tracker.done == ["j0", "j1", "j2"]


async def test_different_keys_overlap() -> None:
    lanes = KeyedLanes(10)
    tracker = Tracker()
    gate = asyncio.Event()
    for key in ("a", "b", "c"):
        await lanes.submit(key, tracker.job(key, gate))
    await settle()
    assert tracker.running == 3  # all started while none could finish
    assert lanes.in_flight == 3
    gate.set()
    await lanes.drain()
    assert tracker.peak == 3
    assert lanes.in_flight == 0


async def test_max_in_flight_caps_concurrency_and_blocks_submit() -> None:
    lanes = KeyedLanes(2)
    tracker = Tracker()
    gate = asyncio.Event()
    await lanes.submit("a", tracker.job("a", gate))
    await lanes.submit("b", tracker.job("b", gate))

    third = asyncio.create_task(lanes.submit("c", tracker.job("c", gate)))
    await settle()
    assert not third.done()  # back-pressure: the consuming loop waits here
    assert tracker.running == 2

    gate.set()
    await asyncio.wait_for(third, 1)
    await lanes.drain()
    assert tracker.peak == 2
    assert tracker.log.count("end c") == 1


async def test_waiting_jobs_of_one_key_hold_slots() -> None:
    lanes = KeyedLanes(2)
    tracker = Tracker()
    gate = asyncio.Event()
    await lanes.submit("k", tracker.job("k1", gate))
    await lanes.submit("k", tracker.job("k2", gate))
    other = asyncio.create_task(lanes.submit("other", tracker.job("o", gate)))
    await settle()
    assert not other.done()
    gate.set()
    await asyncio.wait_for(other, 1)
    await lanes.drain()
    assert tracker.log.index("end k1") < tracker.log.index("start k2")


async def test_on_done_not_called_when_the_job_raises(caplog: pytest.LogCaptureFixture) -> None:
    lanes = KeyedLanes(4)
    tracker = Tracker()
    with caplog.at_level(logging.ERROR, logger="streams.runtime.lanes"):
        await lanes.submit("k", tracker.job("bad", fail=True), tracker.ack("bad"))
        await lanes.submit("k", tracker.job("next"), tracker.ack("next"))
        await lanes.drain()

    assert tracker.done == ["next"]  # the failure does not block its key
    assert "failed" in caplog.text
    assert "'k'" in caplog.text


async def test_failed_job_releases_its_slot() -> None:
    lanes = KeyedLanes(1)
    tracker = Tracker()
    await lanes.submit("a", tracker.job("a", fail=True))
    await asyncio.wait_for(lanes.submit("b", tracker.job("b"), tracker.ack("b")), 1)
    await lanes.drain()
    assert tracker.done == ["b"]


async def test_drain_waits_for_every_job_including_late_ones() -> None:
    lanes = KeyedLanes(8)
    tracker = Tracker()
    gate = asyncio.Event()
    for i in range(5):
        await lanes.submit(i % 2, tracker.job(f"j{i}", gate), tracker.ack(f"j{i}"))

    async def release() -> None:
        await settle()
        gate.set()

    releaser = asyncio.create_task(release())
    await asyncio.wait_for(lanes.drain(), 1)
    await releaser
    assert sorted(tracker.done) == [f"j{i}" for i in range(5)]
    assert lanes.in_flight == 0


async def test_drain_with_nothing_submitted_returns() -> None:
    await asyncio.wait_for(KeyedLanes(1).drain(), 1)


async def test_lane_is_forgotten_after_its_last_job() -> None:
    lanes = KeyedLanes(4)
    tracker = Tracker()
    await lanes.submit("k", tracker.job("one"))
    await lanes.drain()
    assert lanes._tails == {}
    # A later job of the same key starts at once (no stale predecessor).
    gate = asyncio.Event()
    await lanes.submit("k", tracker.job("two", gate))
    await settle()
    assert tracker.running == 1
    gate.set()
    await lanes.drain()
