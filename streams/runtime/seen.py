"""A set of keys that forgets each key ``window_s`` seconds after it was last seen.

The ingress keeps its webhook de-duplication keys in one (rebuilt from the
topic by :class:`streams.ingress.dedup.WindowLoader`), and the decision
source keeps the decisions it published in another.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable


class SeenWindow:
    """Keys seen within the last ``window_s`` seconds (thread-safe)."""

    def __init__(self, window_s: float, clock: Callable[[], float] = time.time) -> None:
        self._window_s = window_s
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, key: object) -> bool:
        with self._lock:
            at = self._seen.get(key) if isinstance(key, str) else None
            return at is not None and at >= self._clock() - self._window_s

    def __len__(self) -> int:
        with self._lock:
            return len(self._seen)

    def add(self, key: str, at: float | None = None) -> None:
        """Remember ``key`` as seen at ``at`` (default now), expiring old keys."""
        self.add_many([(key, self._clock() if at is None else at)])

    def add_many(self, stamped: Iterable[tuple[str, float]]) -> None:
        """Remember each ``(key, seen at)``, expiring old keys (one lock for the lot)."""
        with self._lock:
            seen = self._seen
            for key, stamp in stamped:
                previous = seen.pop(key, None)
                seen[key] = stamp if previous is None else max(stamp, previous)
            horizon = self._clock() - self._window_s
            # Insertion order approximates time order; stop at the first fresh key.
            while seen:
                oldest_key, oldest_at = next(iter(seen.items()))
                if oldest_at >= horizon:
                    break
                del seen[oldest_key]
