"""OutageWait: the sink's and the writer's wait through a remote system's outage."""

from __future__ import annotations

import pytest

from streams.runtime.outage import OutageWait
from streams.settings import Backoff


class Down(Exception):
    pass


class Refused(Exception):
    pass


class Remote:
    """Unavailable ``outage`` times, then answers."""

    def __init__(self, outage: int) -> None:
        self.outage = outage
        self.calls = 0

    async def call(self) -> str:
        self.calls += 1
        if self.calls <= self.outage:
            raise Down(f"down ({self.calls})")
        return "answer"


def waiting(bounds: Backoff) -> tuple[OutageWait, list[float]]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    return OutageWait("Remote", bounds, sleep=sleep), slept


async def test_it_calls_again_until_the_remote_answers_and_never_gives_up() -> None:
    wait, slept = waiting(Backoff(initial_s=1.0, max_s=8.0))
    remote = Remote(outage=40)

    assert await wait.call(remote.call, "case-1", Down) == "answer"

    assert remote.calls == 41 and len(slept) == 40


async def test_the_delays_grow_within_the_bounds_of_the_settings() -> None:
    wait, slept = waiting(Backoff(initial_s=1.0, max_s=8.0))

    await wait.call(Remote(outage=12).call, "case-1", Down)

    # Jittered: each delay lies between half its step and the step, the step capped at max_s.
    steps = [min(1.0 * 2**n, 8.0) for n in range(12)]
    assert all(step / 2 <= delay <= step for delay, step in zip(slept, steps, strict=True))
    assert max(slept) <= 8.0


async def test_other_errors_propagate_at_once() -> None:
    wait, slept = waiting(Backoff())

    async def refused() -> str:
        raise Refused("no")

    with pytest.raises(Refused):
        await wait.call(refused, "case-1", Down)
    assert slept == []


async def test_pause_logs_the_subject_and_sleeps_the_next_delay(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wait, slept = waiting(Backoff(initial_s=2.0, max_s=2.0))

    await wait.pause(3, "case-7", Down("503"))

    assert len(slept) == 1 and 1.0 <= slept[0] <= 2.0
    assert "Remote unavailable for case-7 (503)" in caplog.text
