"""FlushBarrier: waiters share flushes, and none returns before a flush that followed its write."""

from __future__ import annotations

import asyncio

import pytest

from streams.runtime.barrier import FlushBarrier


class SlowFlush:
    """Records which writes each flush covered."""

    def __init__(self) -> None:
        self.written: list[int] = []
        self.flushed: list[list[int]] = []
        self.fail_next = False

    async def __call__(self) -> None:
        covered = list(self.written)
        await asyncio.sleep(0.01)
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("broker unavailable")
        self.flushed.append(covered)


async def test_waiters_arriving_together_share_one_flush() -> None:
    flush = SlowFlush()
    barrier = FlushBarrier(flush)

    async def write_then_wait(n: int) -> None:
        flush.written.append(n)
        await barrier.wait()

    await asyncio.gather(*(write_then_wait(n) for n in range(20)))

    assert barrier.flushes == 1
    assert flush.flushed == [list(range(20))]


async def test_a_write_made_during_a_flush_waits_for_the_next_one() -> None:
    flush = SlowFlush()
    barrier = FlushBarrier(flush)
    flush.written.append(1)
    first = asyncio.create_task(barrier.wait())
    await asyncio.sleep(0.002)  # the first flush is running and has taken its snapshot
    flush.written.append(2)
    await barrier.wait()

    assert first.done()
    assert any(2 in covered for covered in flush.flushed)
    assert barrier.flushes == 2


async def test_a_failed_flush_is_raised_to_its_waiters_and_the_next_one_works() -> None:
    flush = SlowFlush()
    flush.fail_next = True
    barrier = FlushBarrier(flush)

    results = await asyncio.gather(barrier.wait(), barrier.wait(), return_exceptions=True)
    assert [type(r) for r in results] == [RuntimeError, RuntimeError]

    await barrier.wait()
    assert barrier.flushes == 2


async def test_a_cancelled_waiter_does_not_cancel_the_flush_for_others() -> None:
    flush = SlowFlush()
    barrier = FlushBarrier(flush)
    flush.written.append(1)
    doomed = asyncio.create_task(barrier.wait())
    survivor = asyncio.create_task(barrier.wait())
    await asyncio.sleep(0)
    doomed.cancel()

    await survivor
    with pytest.raises(asyncio.CancelledError):
        await doomed
    assert flush.flushed == [[1]]
