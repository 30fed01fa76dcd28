"""Priority arithmetic: raising is capped at URGENT; the most urgent of several, or a default."""

from __future__ import annotations

from schemas.records import Priority
from streams.policy.priority import PRIORITY_ORDER, highest, raise_priority


def test_priorities_are_ordered_from_low_to_urgent() -> None:
    assert PRIORITY_ORDER == (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)


def test_raising_steps_up_and_stops_at_urgent() -> None:
    assert raise_priority(Priority.LOW) is Priority.NORMAL
    assert raise_priority(Priority.NORMAL, steps=2) is Priority.URGENT
    assert raise_priority(Priority.HIGH, steps=5) is Priority.URGENT


def test_highest_is_the_most_urgent_or_the_default() -> None:
    several = [Priority.NORMAL, Priority.URGENT, Priority.LOW]
    assert highest(several, Priority.LOW) is Priority.URGENT
    assert highest([], Priority.HIGH) is Priority.HIGH
