"""Burrow-style evaluation of fabricated windows."""

from __future__ import annotations

import pytest

from streams.ops.burrow import PartitionWindow, Sample, Status, evaluate, lag_seconds, worst

SIZE = 5


def window(commits: list[int | None], lags: list[int], *, owned: bool | None = True,
           step: float = 10.0) -> list[Sample]:  # fmt: skip
    return [
        Sample(at=1000 + i * step, committed=c, end=(c or 0) + lag, lag=lag, owned=owned)
        for i, (c, lag) in enumerate(zip(commits, lags, strict=True))
    ]


def test_no_sample_is_err() -> None:
    assert evaluate([], size=SIZE).status is Status.ERR


def test_unmeasurable_end_is_err() -> None:
    samples = [Sample(1.0, 5, None, None)]
    assert evaluate(samples, size=SIZE).status is Status.ERR


def test_zero_lag_at_the_end_is_ok_whatever_came_before() -> None:
    samples = window([10, 10, 5, 5, 5], [9, 9, 9, 9, 0], owned=False)
    assert evaluate(samples, size=SIZE).status is Status.OK


def test_consuming_with_falling_lag_is_ok() -> None:
    samples = window([10, 20, 30, 40, 50], [50, 40, 30, 20, 10])
    verdict = evaluate(samples, size=SIZE)
    assert verdict.status is Status.OK
    assert verdict.reason == "consuming"


def test_lag_growing_over_the_whole_window_while_committing_is_warn() -> None:
    samples = window([10, 20, 30, 40, 50], [5, 8, 8, 12, 20])
    assert evaluate(samples, size=SIZE).status is Status.WARN


def test_warn_needs_a_full_window() -> None:
    samples = window([10, 20, 30], [5, 8, 12])
    assert evaluate(samples, size=SIZE).status is Status.OK


def test_one_decrease_in_the_window_is_not_warn() -> None:
    samples = window([10, 20, 30, 40, 50], [5, 8, 6, 12, 20])
    assert evaluate(samples, size=SIZE).status is Status.OK


def test_constant_lag_while_committing_is_ok() -> None:
    samples = window([10, 20, 30, 40, 50], [7, 7, 7, 7, 7])
    assert evaluate(samples, size=SIZE).status is Status.OK


def test_committed_offset_going_back_is_rewind() -> None:
    samples = window([10, 20, 30, 5, 15], [5, 5, 5, 30, 20])
    verdict = evaluate(samples, size=SIZE)
    assert verdict.status is Status.REWIND
    assert "30->5" in verdict.reason


def test_owner_present_but_commit_stuck_with_lag_is_stall() -> None:
    samples = window([10, 10, 10, 10, 10], [3, 4, 6, 9, 9], owned=True)
    assert evaluate(samples, size=SIZE).status is Status.STALL


def test_stall_needs_two_samples() -> None:
    samples = window([10], [3], owned=True)
    assert evaluate(samples, size=SIZE).status is Status.OK


def test_no_live_owner_with_lag_is_stop_even_from_one_sample() -> None:
    samples = window([10], [3], owned=False)
    assert evaluate(samples, size=SIZE).status is Status.STOP


def test_never_committed_with_lag_is_stop() -> None:
    samples = window([None, None], [4, 6], owned=None)
    assert evaluate(samples, size=SIZE).status is Status.STOP


def test_unknown_owner_and_no_commit_newer_than_the_span_is_stop() -> None:
    samples = window([10, 10, 10], [3, 3, 3], owned=None)  # span 20 s
    # The commit last moved 100 s before the newest sample: older than the span.
    verdict = evaluate(samples, size=3, last_change_at=samples[-1].at - 100)
    assert verdict.status is Status.STOP
    assert "no commit for 100s" in verdict.reason


def test_unknown_owner_and_commit_inside_the_span_is_stall() -> None:
    samples = window([10, 10, 10], [3, 3, 3], owned=None)
    verdict = evaluate(samples, size=3, last_change_at=samples[0].at)
    assert verdict.status is Status.STALL


def test_window_remembers_commits_that_slid_out_and_turns_stall_into_stop() -> None:
    w = PartitionWindow(3)
    for i, committed in enumerate([1, 2, 2, 2]):
        w.add(Sample(at=float(i * 10), committed=committed, end=5, lag=5 - committed))
    # Samples 10..30 all at offset 2, which was first seen at t=10 = oldest: STALL.
    assert w.evaluate().status is Status.STALL
    w.add(Sample(at=40.0, committed=2, end=5, lag=3))
    assert w.last_change_at == 10.0
    assert w.evaluate().status is Status.STOP


def test_window_keeps_only_size_samples() -> None:
    w = PartitionWindow(2)
    for i in range(5):
        w.add(Sample(float(i), i, 10, 10 - i))
    assert [s.committed for s in w.samples] == [3, 4]
    assert w.full


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], Status.OK),
        ([Status.OK, Status.WARN], Status.WARN),
        ([Status.WARN, Status.REWIND, Status.OK], Status.REWIND),
        ([Status.REWIND, Status.STALL], Status.STALL),
        ([Status.STALL, Status.STOP, Status.WARN], Status.STOP),
        ([Status.STOP, Status.ERR, Status.OK], Status.ERR),
    ],
)
def test_a_group_is_as_bad_as_its_worst_partition(statuses: list[Status], expected: Status) -> None:
    assert worst(statuses) is expected


def test_status_codes_follow_severity() -> None:
    assert [s.code for s in Status] == [0, 1, 2, 3, 4, 5]
    assert [s.value for s in Status] == ["OK", "WARN", "REWIND", "STALL", "STOP", "ERR"]


def test_lag_seconds_from_the_commit_rate() -> None:
    samples = window([0, 100, 200], [300, 300, 300], step=10.0)  # 10 records/s
    assert lag_seconds(samples) == pytest.approx(30.0)
    assert lag_seconds(window([5, 5], [10, 10])) is None
    assert lag_seconds(window([5], [10])) is None
