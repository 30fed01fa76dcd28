"""Burrow-style consumer status: judge a sliding window of offset samples.

The monitor samples every watched partition once per evaluation: the group's
committed offset, the partition's end offset and their difference, the lag.
The last ``window`` samples of a partition are judged by the rules below;
the first rule that matches wins. They follow the rules LinkedIn's Burrow
documents, adapted to what the Kafka admin API can tell us: the broker does
not report *when* an offset was committed, so the time of the last commit is
the time of the first sample that saw the current committed offset
(``last_change_at``), and "is anybody consuming this partition" comes from
the group's member assignments (``Sample.owned``).

1. **ERR** - there is no sample, or the newest one could not be measured.
2. **OK** - the newest lag is 0: a consumer that has caught up is fine,
   whatever happened before.
3. **REWIND** - the committed offset went backwards between two samples
   (an offset reset or a replay of the group).
4. **STOP** - lag > 0, the committed offset did not move across the window,
   and the consumer is gone: either no live member owns the partition
   (``owned is False``: group empty or partition unassigned), or ownership is
   unknown and no commit is newer than the window span (``newest.at -
   last_change_at > newest.at - oldest.at``), or the group never committed
   this partition at all. A single sample can therefore already say STOP.
5. **STALL** - lag > 0 and the committed offset did not move across a window
   of at least two samples although a member owns the partition: the
   consumer is there but stuck.
6. **WARN** - on a full window, the committed offset moved but the lag never
   decreased from one sample to the next and ended higher than it started:
   the consumer works, but falls behind.
7. **OK** - anything else, including a window too short to judge.

A group's status is the worst status of its partitions, in this order of
severity (the numeric code is what ``casebridge_consumergroup_status``
exports, so ``max()`` in PromQL also means "worst")::

    OK 0 < WARN 1 < REWIND 2 < STALL 3 < STOP 4 < ERR 5

ERR ranks highest because a group we cannot measure may be in any state;
STOP above STALL because nothing at all is consuming; REWIND above WARN
because a rewind re-delivers records (duplicates reach idempotent effects).
"""

from __future__ import annotations

import enum
import itertools
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "PartitionStatus",
    "PartitionWindow",
    "Sample",
    "Status",
    "evaluate",
    "lag_seconds",
    "worst",
]


class Status(enum.Enum):
    """The status of a partition or a group, see the module docstring."""

    OK = "OK"
    WARN = "WARN"
    REWIND = "REWIND"
    STALL = "STALL"
    STOP = "STOP"
    ERR = "ERR"

    @property
    def code(self) -> int:
        """Severity as a number: 0 (OK) to 5 (ERR); higher is worse."""
        return _SEVERITY[self]


_SEVERITY = {status: rank for rank, status in enumerate(Status)}


@dataclass(frozen=True, slots=True)
class Sample:
    """One observation of one partition of one group.

    Attributes:
        at: Unix time of the observation, in seconds.
        committed: The group's committed offset; None if it never committed.
        end: The offset lag is measured against (high watermark, or the last
            stable offset for read_committed groups); None if unmeasurable.
        lag: ``end - committed`` (or ``end - log start`` without a commit).
        owned: Whether a live member has the partition assigned; None when
            unknown (e.g. while the group rebalances).
    """

    at: float
    committed: int | None
    end: int | None
    lag: int | None
    owned: bool | None = None


@dataclass(frozen=True, slots=True)
class PartitionStatus:
    """The verdict on one partition and why, for tables and alerts."""

    status: Status
    reason: str


class PartitionWindow:
    """The last ``size`` samples of one partition and when its commit last moved."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("window size must be at least 1")
        self.size = size
        self._samples: deque[Sample] = deque(maxlen=size)
        self.last_change_at: float | None = None

    def add(self, sample: Sample) -> None:
        """Append a sample, forgetting the oldest once the window is full."""
        previous = self._samples[-1] if self._samples else None
        # Kept outside the deque so a commit that slid out of the window still
        # dates the last progress; that is what tells STOP from STALL.
        if previous is None or previous.committed != sample.committed:
            self.last_change_at = sample.at
        self._samples.append(sample)

    @property
    def samples(self) -> tuple[Sample, ...]:
        """The samples, oldest first."""
        return tuple(self._samples)

    @property
    def full(self) -> bool:
        """Whether the window holds ``size`` samples."""
        return len(self._samples) == self.size

    def evaluate(self) -> PartitionStatus:
        """The status of this partition now."""
        return evaluate(self.samples, size=self.size, last_change_at=self.last_change_at)


def evaluate(
    samples: Sequence[Sample], *, size: int, last_change_at: float | None = None
) -> PartitionStatus:
    """Judge a window of samples (oldest first) by the rules of the module docstring.

    Args:
        samples: The window, oldest first; at most ``size`` are considered.
        size: The configured window size; WARN needs a full window.
        last_change_at: When the committed offset last changed, if known from
            before the window; defaults to the newest change inside it.
    """
    window = list(samples)[-size:]
    if not window:
        return PartitionStatus(Status.ERR, "no sample")
    newest = window[-1]
    if newest.end is None or newest.lag is None:
        return PartitionStatus(Status.ERR, "end offset could not be measured")
    if newest.lag <= 0:
        return PartitionStatus(Status.OK, "caught up")
    commits = [s.committed for s in window]
    for before, after in itertools.pairwise(commits):
        if before is not None and after is not None and after < before:
            return PartitionStatus(Status.REWIND, f"committed offset went back {before}->{after}")
    moved = any(a != b for a, b in itertools.pairwise(commits))
    if not moved:
        stopped = _stopped(window, last_change_at)
        if stopped:
            return PartitionStatus(Status.STOP, stopped)
        if len(window) >= 2:
            return PartitionStatus(
                Status.STALL, f"committed offset stuck at {newest.committed} with lag {newest.lag}"
            )
        return PartitionStatus(Status.OK, "one sample, owner active")
    lags = [s.lag for s in window if s.lag is not None]
    if (
        len(window) >= size
        and len(lags) == len(window)
        and all(b >= a for a, b in itertools.pairwise(lags))
        and lags[-1] > lags[0]
    ):
        return PartitionStatus(Status.WARN, f"lag grew {lags[0]}->{lags[-1]} while consuming")
    return PartitionStatus(Status.OK, "consuming")


def _stopped(window: Sequence[Sample], last_change_at: float | None) -> str | None:
    """Why a window with an unmoving commit counts as stopped, or None if it does not."""
    newest, oldest = window[-1], window[0]
    if newest.owned is False:
        return f"no active consumer, lag {newest.lag}"
    if newest.committed is None and newest.owned is not True:
        return f"never committed, lag {newest.lag}"
    if newest.owned is None and len(window) >= 2:
        changed = last_change_at if last_change_at is not None else oldest.at
        span = newest.at - oldest.at
        if newest.at - changed > span:
            idle = newest.at - changed
            return f"no commit for {idle:.0f}s (window {span:.0f}s), lag {newest.lag}"
    return None


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe status (OK for none): a group is as bad as its worst partition."""
    return max(statuses, key=lambda status: status.code, default=Status.OK)


def lag_seconds(samples: Sequence[Sample]) -> float | None:
    """Estimate how long the newest lag takes to consume at the window's commit rate.

    None when the window has no measurable progress (a stopped consumer never
    catches up, so no finite estimate is honest).
    """
    timed = [s for s in samples if s.committed is not None]
    if len(timed) < 2 or samples[-1].lag is None:
        return None
    first, last = timed[0], timed[-1]
    elapsed = last.at - first.at
    assert first.committed is not None and last.committed is not None
    consumed = last.committed - first.committed
    if elapsed <= 0 or consumed <= 0:
        return None
    lag = samples[-1].lag
    return 0.0 if lag <= 0 else lag / (consumed / elapsed)
