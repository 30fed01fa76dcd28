"""The contract between the writer and the decisions stage for replayed decision failures.

A decision that could not be built is dead-lettered as its completed task
(:mod:`streams.decisions.failures`); ``casebridge dlq replay cases.decisions``
publishes it back to ``cases.decisions``, the writer's input. The writer
recognises such a record and has it built again, but building decisions is
the decisions stage's logic, and stages do not import each other: the writer
depends on this :class:`DecisionReplays` contract, which the decisions stage
implements (:class:`streams.decisions.replay.DecisionReplayer`) and the
worker's composition (:mod:`streams.pipeline`) hands to the writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from schemas.records import CaseDecision, CaseState, OfflineOrder

__all__ = ["DecisionReplays", "Rebuilt", "Replayed"]


@dataclass(frozen=True, slots=True)
class Replayed:
    """A replayed decision failure read from ``cases.decisions``."""

    case_id: str
    shop: str | None
    """The case's shop when its variables name one (else the default shop applies)."""
    task: object
    """The decisions stage's own record of it (opaque to the writer)."""


@dataclass(frozen=True, slots=True)
class Rebuilt:
    """What building a replayed decision again gave: a decision, or the failure again."""

    decision: CaseDecision | None = None
    offline_order: OfflineOrder | None = None
    failure_reason: str | None = None
    """Why it still fails (None: it built); goes into the DLQ headers."""
    failure_class: str | None = None
    failed_state: CaseState | None = None
    """The case's FAILED state, when its case type is known."""


class DecisionReplays(Protocol):
    """Recognises replayed decision failures and builds them again."""

    def replayed(self, value: object) -> Replayed | None:
        """The replayed failure a record's raw value carries, else None (a decision)."""

    def rebuild(self, replayed: Replayed) -> Rebuilt:
        """Build the decision again (a manual replay)."""
