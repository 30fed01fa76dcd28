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
4. **STOP** - lag > 0 and nobody is consuming: no live member owns the
   partition (``owned is False``: group empty or partition unassigned), or
   the group never committed it and no member owns it. A single sample can
   therefore already say STOP.
5. **OK** - some sample of the window had lag 0 (Burrow's "the lag was zero
   at some point in the window"): the consumer caught up recently, and the
   lag now is records that arrived since. This is what keeps a partition
   that gets a few records now and then from flipping to STALL or WARN each
   time one arrives between two commits.
6. **STOP** - the commit did not move across the window, ownership is
   unknown (the group is rebalancing) and no commit is newer than the window
   span (``newest.at - last_change_at > newest.at - oldest.at``: Burrow's
   stopped rule, with the first sample that saw a commit dating it).
7. **STALL** - on a full window, lag > 0 in every sample and the committed
   offset never moved: the consumer is there but stuck. A full window, as in
   Burrow, because one slow record (a remote call retried for a few
   seconds) is not a stall.
8. **WARN** - on a full window, the committed offset moved but the lag never
   decreased from one sample to the next and ended higher than it started:
   the consumer works, but falls behind.
9. **OK** - anything else, including a window too short to judge.

Faust commits only when it has acknowledged something new, so on an idle
partition the last commit can be hours old while the consumer is healthy:
the age of the commit alone (Burrow's stopped rule) only counts when
ownership is unknown; otherwise the member assignments say who consumes.

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
    if newest.owned is False:
        return PartitionStatus(Status.STOP, f"no active consumer, lag {newest.lag}")
    if newest.committed is None and newest.owned is not True:
        return PartitionStatus(Status.STOP, f"never committed, lag {newest.lag}")
    lags = [s.lag for s in window]
    if any(lag is not None and lag <= 0 for lag in lags):
        return PartitionStatus(Status.OK, f"caught up within the window, lag {newest.lag} since")
    full = len(window) >= size
    moved = any(a != b for a, b in itertools.pairwise(commits))
    if not moved:
        stopped = _stopped(window, last_change_at)
        if stopped:
            return PartitionStatus(Status.STOP, stopped)
        if full:
            return PartitionStatus(
                Status.STALL, f"committed offset stuck at {newest.committed} with lag {newest.lag}"
            )
        return PartitionStatus(Status.OK, f"lag {newest.lag}, window not full yet")
    known = [lag for lag in lags if lag is not None]
    if (
        full
        and len(known) == len(window)
        and all(b >= a for a, b in itertools.pairwise(known))
        and known[-1] > known[0]
    ):
        return PartitionStatus(Status.WARN, f"lag grew {known[0]}->{known[-1]} while consuming")
    return PartitionStatus(Status.OK, "consuming")


def _stopped(window: Sequence[Sample], last_change_at: float | None) -> str | None:
    """Why an unmoving window with unknown ownership counts as stopped, or None."""
    newest, oldest = window[-1], window[0]
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
    """Estimate how long the newest lag takes to consume at the consumer's working rate.

    The rate is measured from the last sample with lag 0 (or the window
    start) to the newest: time the consumer spent idle with nothing to read
    would otherwise dilute it, and one fresh record on a quiet partition
    would read as "20 s behind". None when that span shows no progress (a
    stopped consumer never catches up, and a record that just arrived has no
    rate yet), so no finite estimate is honest.
    """
    if not samples or samples[-1].lag is None:
        return None
    lag = samples[-1].lag
    if lag <= 0:
        return 0.0
    zeros = [i for i, s in enumerate(samples) if s.lag is not None and s.lag <= 0]
    busy = samples[zeros[-1] :] if zeros else samples
    timed = [s for s in busy if s.committed is not None]
    if len(timed) < 2:
        return None
    first, last = timed[0], timed[-1]
    elapsed = last.at - first.at
    assert first.committed is not None and last.committed is not None
    consumed = last.committed - first.committed
    if elapsed <= 0 or consumed <= 0:
        return None
    return lag / (consumed / elapsed)
