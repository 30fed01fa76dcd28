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


def test_stall_needs_a_full_window() -> None:
    # One record in flight for a few samples (a remote call being retried) is no stall.
    for n in range(1, SIZE):
        samples = window([10] * n, [3] * n, owned=True)
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


# --- low rates: the false alarms the sandbox showed (a few records per partition) ---------


def test_slow_but_moving_consumer_is_ok() -> None:
    # Always some lag, committing a little each sample, the lag going up and down.
    samples = window([10, 11, 11, 13, 14], [2, 3, 1, 3, 2], owned=True)
    assert evaluate(samples, size=SIZE).status is Status.OK


def test_idle_partition_with_no_new_records_is_ok() -> None:
    samples = window([7, 7, 7, 7, 7], [0, 0, 0, 0, 0], owned=True)
    assert evaluate(samples, size=SIZE).status is Status.OK
    # Even with a commit hours old and ownership unknown (Faust commits nothing new when idle).
    assert evaluate(samples[:], size=SIZE, last_change_at=-1e6).status is Status.OK


@pytest.mark.parametrize("owned", [True, None])
def test_a_record_arriving_between_two_commits_is_not_stall(owned: bool | None) -> None:
    # Idle, then one record lands after the last commit: lag 1 with the commit unmoved.
    samples = window([7, 7, 7, 7, 7], [0, 0, 0, 0, 1], owned=owned)
    verdict = evaluate(samples, size=SIZE, last_change_at=-1e6)
    assert verdict.status is Status.OK
    assert "caught up within the window" in verdict.reason


def test_a_few_records_per_partition_never_warn() -> None:
    # Lag creeping 0 -> 1 -> 2 while the consumer commits: it caught up in the window.
    samples = window([7, 7, 8, 8, 9], [0, 1, 1, 2, 2], owned=True)
    assert evaluate(samples, size=SIZE).status is Status.OK


def test_sliding_over_a_low_rate_stream_stays_ok() -> None:
    # A record every few samples, consumed within one or two samples, for many windows.
    w = PartitionWindow(SIZE)
    committed, end = 0, 0
    for i in range(60):
        if i % 4 == 0:
            end += 1  # a record arrives
        elif i % 4 == 2:
            committed = end  # ... and is committed two samples later
        w.add(
            Sample(at=float(i * 5), committed=committed, end=end, lag=end - committed, owned=True)
        )
        assert w.evaluate().status is Status.OK, (i, w.samples)


def test_stopped_consumer_with_a_fresh_record_is_stop() -> None:
    samples = window([7, 7, 7, 7, 7], [0, 0, 0, 0, 1], owned=False)
    assert evaluate(samples, size=SIZE).status is Status.STOP


def test_rewound_consumer_is_rewind_even_after_a_caught_up_sample() -> None:
    samples = window([50, 50, 10, 12, 14], [0, 0, 40, 38, 36], owned=True)
    verdict = evaluate(samples, size=SIZE)
    assert verdict.status is Status.REWIND
    assert "50->10" in verdict.reason


def test_stuck_for_a_whole_window_after_catching_up_earlier_is_stall() -> None:
    w = PartitionWindow(SIZE)
    for i, lag in enumerate([0, 0, 1, 1, 1, 1, 1]):
        w.add(Sample(at=float(i * 5), committed=7, end=7 + lag, lag=lag, owned=True))
    # The window now holds five samples with lag 1 and the commit at 7.
    assert w.evaluate().status is Status.STALL


def test_lag_seconds_ignores_idle_time_before_the_lag() -> None:
    # Two records consumed long ago, then idle, then one new record: no honest rate.
    samples = window([5, 6, 7, 7, 7], [1, 1, 0, 0, 1], step=10.0)
    assert lag_seconds(samples) is None
    assert lag_seconds(window([7, 7], [0, 0])) == 0.0


def test_lag_seconds_from_the_commit_rate() -> None:
    samples = window([0, 100, 200], [300, 300, 300], step=10.0)  # 10 records/s
    assert lag_seconds(samples) == pytest.approx(30.0)
    assert lag_seconds(window([5, 5], [10, 10])) is None
    assert lag_seconds(window([5], [10])) is None
