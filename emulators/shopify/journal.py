"""A measuring instrument: every GraphQL mutation the emulator executed, and THROTTLED answers.

Benchmarks (``bench/latency.py``) need *when* a write became visible in the
store, without polling the state (polling adds its own interval to every
figure). The journal records each executed mutation with the real wall-clock
time it committed, in sub-second precision (``time.time()``, not the
emulator's clock: Shopify's own timestamps are whole seconds, too coarse to
measure a hold that takes 100 ms), plus a count of THROTTLED answers per shop.
Read through ``GET /_emulator/mutations`` (admin surface, not part of the
Shopify API).
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from typing import Any

#: Mutations kept; the oldest are dropped first (a 3-minute benchmark at 20
#: orders/s writes a few thousand).
JOURNAL_SIZE = 100_000


def user_error_count(data: Mapping[str, Any] | None) -> int:
    """How many ``userErrors`` the root fields of a mutation answered."""
    count = 0
    for value in (data or {}).values():
        if isinstance(value, Mapping):
            errors = value.get("userErrors")
            if isinstance(errors, list):
                count += len(errors)
    return count


class MutationJournal:
    """Executed mutations (bounded, oldest dropped) and THROTTLED answers per shop.

    Args:
        size: entries kept.
        wall_clock: seconds since the epoch; injectable for tests.
    """

    def __init__(
        self, size: int = JOURNAL_SIZE, wall_clock: Callable[[], float] = time.time
    ) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)
        self._seq = 0
        self._clock = wall_clock
        self.throttled: Counter[str] = Counter()

    def record(
        self,
        shop: str,
        fields: list[str],
        variables: Mapping[str, Any] | None,
        data: Mapping[str, Any] | None,
        errors: int,
    ) -> None:
        """Record one executed mutation: root ``fields``, its variables and how it answered."""
        self._seq += 1
        self._entries.append(
            {
                "seq": self._seq,
                "at": self._clock(),
                "shop": shop,
                "fields": fields,
                "variables": dict(variables or {}),
                "user_errors": user_error_count(data),
                "errors": errors,
            }
        )

    def count_throttled(self, shop: str) -> None:
        """Count one THROTTLED answer to ``shop``."""
        self.throttled[shop] += 1

    def after(self, seq: int, shop: str | None = None) -> list[dict[str, Any]]:
        """Entries with a sequence number above ``seq`` (optionally for one shop)."""
        return [e for e in self._entries if e["seq"] > seq and shop in (None, e["shop"])]

    def clear(self) -> None:
        """Forget every entry and count (admin reset)."""
        self._entries.clear()
        self.throttled.clear()


__all__ = ["JOURNAL_SIZE", "MutationJournal", "user_error_count"]
