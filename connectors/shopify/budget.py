"""Who a Shopify call is for: its priority class and the case it is charged to.

A store's GraphQL budget is shared by every stage of a worker: the holds that
protect an order, the decision write-backs, the enrichment reads and the
reconciliation poller. :class:`~connectors.shopify.bucket.CostBucket` admits
calls by :class:`Priority`; the caller states the class once around a piece of
work instead of threading it through every operation::

    with call_class(Priority.PROTECT):
        await hold_placer.hold_order(request)

Both values live in :mod:`contextvars`, so they follow the asyncio task that
set them (a lane, an agent) and never leak into another task. A call made
outside any ``call_class`` block is :attr:`Priority.BACKGROUND`: work nobody
waits for must say so to go first, not the other way round.

:func:`charged_to` names the case (and its type) a call is spent on, and
collects the requested and actual points of every call inside it in a
:class:`Spend`: the client adds to it, the enricher and the writer put it in
the case's audit trail and the metrics count it per case type.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import IntEnum

__all__ = ["Priority", "Spend", "call_class", "charged_to", "current_class", "current_spend"]


class Priority(IntEnum):
    """Priority classes of calls to a shop, most urgent first (lower value)."""

    PROTECT = 0
    """Protective writes: holds (and the read that finds what to hold), cancellations."""
    WRITEBACK = 1
    """Applying a decision a team made."""
    ENRICH = 2
    """Context read for a case before it opens (deferrable)."""
    BACKGROUND = 3
    """Reconciliation and any other read nobody is waiting for."""

    @property
    def label(self) -> str:
        """The metric label: ``protect``, ``writeback``, ``enrich``, ``background``."""
        return self.name.lower()


@dataclass(slots=True)
class Spend:
    """Points asked for and charged by the calls made for one case."""

    case_type: str
    case_id: str | None = None
    requested: float = 0.0
    actual: float = 0.0
    calls: int = 0
    by_class: dict[str, float] = field(default_factory=dict)
    """Requested points per priority class label."""

    def add(self, priority: Priority, requested: float, actual: float | None) -> None:
        """Count one answered call (``actual`` None when Shopify did not say)."""
        self.calls += 1
        self.requested += requested
        self.actual += actual if actual is not None else requested
        self.by_class[priority.label] = self.by_class.get(priority.label, 0.0) + requested


_CLASS: contextvars.ContextVar[Priority] = contextvars.ContextVar(
    "casebridge_shopify_call_class", default=Priority.BACKGROUND
)
_SPEND: contextvars.ContextVar[Spend | None] = contextvars.ContextVar(
    "casebridge_shopify_spend", default=None
)


def current_class() -> Priority:
    """The priority class of a call made here (BACKGROUND outside any block)."""
    return _CLASS.get()


def current_spend() -> Spend | None:
    """The case the calls made here are charged to, if any."""
    return _SPEND.get()


@contextlib.contextmanager
def call_class(priority: Priority) -> Iterator[None]:
    """Make the Shopify calls inside the block of class ``priority``."""
    token = _CLASS.set(priority)
    try:
        yield
    finally:
        _CLASS.reset(token)


@contextlib.contextmanager
def charged_to(spend: Spend) -> Iterator[Spend]:
    """Charge the Shopify calls inside the block to ``spend`` (one case)."""
    token = _SPEND.set(spend)
    try:
        yield spend
    finally:
        _SPEND.reset(token)
