"""Priority arithmetic: the order of case priorities, raising one, the most urgent of several.

Shared by the classification rules (a repeated complaint raises its case) and
the escalation stage (an escalation raises the open case).
"""

from __future__ import annotations

from collections.abc import Iterable

from schemas.records import Priority

__all__ = ["PRIORITY_ORDER", "highest", "raise_priority"]

PRIORITY_ORDER: tuple[Priority, ...] = (
    Priority.LOW,
    Priority.NORMAL,
    Priority.HIGH,
    Priority.URGENT,
)


def raise_priority(priority: Priority, steps: int = 1) -> Priority:
    """``priority`` raised by ``steps`` (capped at URGENT)."""
    index = min(PRIORITY_ORDER.index(priority) + steps, len(PRIORITY_ORDER) - 1)
    return PRIORITY_ORDER[index]


def highest(priorities: Iterable[Priority], default: Priority) -> Priority:
    """The most urgent of ``priorities``, or ``default`` when there are none."""
    return max(priorities, key=PRIORITY_ORDER.index, default=default)
