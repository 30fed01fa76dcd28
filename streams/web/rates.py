"""Records in and out per stage, as counts and as a per-second rate over the last minute.

The agents count what they consume and produce on Prometheus counters
(``casebridge_records_in_total{agent}``, ``casebridge_records_out_total{agent,topic}``
in :mod:`streams.ops.metrics`). A counter alone gives totals since the
process started; :class:`RateTracker` keeps timestamped samples of them (a
Faust timer calls :meth:`RateTracker.sample` every few seconds) so the page
can show "records/s over the last minute" without a Prometheus server.
The counters are per process, so rates are this worker's.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import Counter

from streams.ops.metrics import RECORDS_IN, RECORDS_OUT

__all__ = ["RateTracker", "read_counters"]

#: ("in", agent, "") or ("out", agent, topic) -> counter value.
Values = dict[tuple[str, str, str], float]


def read_counters(records_in: Counter = RECORDS_IN, records_out: Counter = RECORDS_OUT) -> Values:
    """The current totals of the records-in and records-out counters."""
    values: Values = {}
    for direction, counter in (("in", records_in), ("out", records_out)):
        for family in counter.collect():
            for sample in family.samples:
                # Each child also exports a *_created timestamp; only totals count.
                if not sample.name.endswith("_total"):
                    continue
                agent = sample.labels.get("agent", "")
                topic = sample.labels.get("topic", "") if direction == "out" else ""
                values[(direction, agent, topic)] = sample.value
    return values


class RateTracker:
    """Samples the pipeline counters and derives per-second rates over ``window_s``.

    Args:
        read: Returns the current counter values (default: :func:`read_counters`).
        window_s: The rate is measured over (at most) this many seconds.
        clock: Monotonic seconds, replaceable in tests.
    """

    def __init__(
        self,
        read: Callable[[], Values] = read_counters,
        *,
        window_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = read
        self.window_s = window_s
        self._clock = clock
        self._samples: deque[tuple[float, Values]] = deque()
        self._lock = threading.Lock()

    def sample(self) -> None:
        """Take one sample now and forget those older than the window needs."""
        now = self._clock()
        values = self._read()
        with self._lock:
            self._samples.append((now, values))
            # Keep one sample at or before the window start so the rate spans
            # the full window rather than shrinking to the newest samples.
            while len(self._samples) > 2 and self._samples[1][0] <= now - self.window_s:
                self._samples.popleft()

    def _rate(self, key: tuple[str, str, str], current: Values) -> float | None:
        with self._lock:
            samples = list(self._samples)
        if not samples:
            return None
        now = self._clock()
        base_at, base = samples[0]
        for at, values in samples:
            if at >= now - self.window_s:
                break
            base_at, base = at, values
        elapsed = now - base_at
        if elapsed <= 0:
            return None
        return max(0.0, current.get(key, 0.0) - base.get(key, 0.0)) / elapsed

    def stages(self) -> list[dict[str, Any]]:
        """Per agent: records in and out (count and rate), and out per topic."""
        current = self._read()
        agents = sorted({agent for _, agent, _ in current})
        result: list[dict[str, Any]] = []
        for agent in agents:
            out_keys = [k for k in current if k[0] == "out" and k[1] == agent]
            in_key = ("in", agent, "")
            topics = {
                k[2]: {"count": int(current[k]), "rate": self._rounded(self._rate(k, current))}
                for k in sorted(out_keys)
            }
            out_rates = [self._rate(k, current) for k in out_keys]
            known = [r for r in out_rates if r is not None]
            result.append(
                {
                    "agent": agent,
                    "in": {
                        "count": int(current.get(in_key, 0.0)),
                        "rate": self._rounded(self._rate(in_key, current)),
                    },
                    "out": {
                        "count": int(sum(current[k] for k in out_keys)),
                        "rate": self._rounded(sum(known) if known else None),
                        "topics": topics,
                    },
                }
            )
        return result

    @staticmethod
    def _rounded(value: float | None) -> float | None:
        # Enough precision for a page; fewer digits keep page and API text equal.
        return None if value is None else round(value, 3)

    @property
    def window_covered_s(self) -> float:
        """Seconds between the oldest kept sample and now (how much history the rate has)."""
        with self._lock:
            first = self._samples[0][0] if self._samples else None
        return 0.0 if first is None else min(self.window_s, self._clock() - first)


def totals(stages: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Sum of records in and out over every stage."""
    records_in = records_out = 0
    for stage in stages:
        records_in += int(stage["in"]["count"])
        records_out += int(stage["out"]["count"])
    return {"in": records_in, "out": records_out}
