"""The open cases the escalation stage tracks, and how each ``CaseState`` updates them.

The agent keeps one :class:`OpenCase` per open case in the Faust table
``escalation-open-cases`` (as JSON). :func:`track` is the whole update rule:
given the tracked case (or None) and the next ``CaseState`` read from
``cases.state``, it returns what to keep, or None to forget the case.

Several stages write ``cases.state`` for the same case, and only this stage
knows about escalation: the sink re-publishes OPEN with
``escalation_level=0`` when it attaches an update to an open case, and the
sink's OPEN record never repeats classify's reason codes. So while a case
stays open the level only rises (the maximum seen), the priority never falls,
the SLA keeps its earliest due time, and "repeated" sticks once seen. That
makes the stored level the durable "already escalated" fact even when an
unrelated update overwrites the compacted topic.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from schemas.records import CaseState, CaseStatus, CaseType, Priority, UtcDatetime
from streams.policy.priority import highest

#: Statuses of a case that is still waiting for a decision.
OPEN_STATUSES = frozenset({CaseStatus.REQUESTED, CaseStatus.OPEN, CaseStatus.ESCALATED})

#: Statuses after which a case is never escalated again.
CLOSED_STATUSES = frozenset(
    {
        CaseStatus.DECIDED,
        CaseStatus.APPLYING,
        CaseStatus.APPLIED,
        CaseStatus.CLOSED,
        CaseStatus.FAILED,
    }
)


class OpenCase(BaseModel):
    """One open case as the escalation table holds it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    case_id: str
    case_type: CaseType
    shop: str
    subject_id: str
    status: CaseStatus
    priority: Priority = Priority.NORMAL
    sla_due_at: UtcDatetime | None = None
    escalation_level: int = Field(default=0, ge=0)
    escalated_at: UtcDatetime | None = None
    """When the current level was reached (from the ESCALATED record), None at level 0."""
    repeated: bool = False
    """The case was opened for a repeated complaint (seen once in any of its states)."""
    process_instance_id: str | None = None
    shopify_order_id: str | None = None
    partition: int = Field(default=0, ge=0)
    """The ``cases.state`` partition of the case: the timer only acts on active ones."""
    offset: int = Field(default=-1, ge=-1)
    """Offset of the last record applied, for diagnosis."""

    def to_table(self) -> dict[str, object]:
        """The JSON-able value stored in the table."""
        return self.model_dump(mode="json")

    @classmethod
    def from_table(cls, value: object) -> OpenCase | None:
        """The case stored as ``value``, or None for an empty or unreadable value."""
        if not isinstance(value, dict):
            return None
        try:
            return cls.model_validate(value)
        except ValueError:
            return None


def is_repeated(state: CaseState, reason: str) -> bool:
    """True when ``state.detail`` names ``reason`` as one of its ``;``-separated codes."""
    if not state.detail:
        return False
    return any(part.strip().startswith(reason) for part in state.detail.split(";"))


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def track(
    existing: OpenCase | None,
    state: CaseState,
    *,
    partition: int,
    offset: int,
    case_types: frozenset[CaseType],
    repeated_reason: str,
) -> OpenCase | None:
    """The tracked case after ``state``: updated, unchanged, or None to forget it.

    Args:
        existing: What the table holds for ``state.case_id`` (None if nothing).
        state: The next record of the case from ``cases.state``.
        partition: The ``cases.state`` partition the record came from.
        offset: Its offset.
        case_types: The case types worth tracking; others are never stored.
        repeated_reason: The reason code that marks a repeated complaint.
    """
    if state.case_type not in case_types:
        return None
    if state.status in CLOSED_STATUSES:
        return None
    if state.status not in OPEN_STATUSES:
        # UNKNOWN says nothing about the lifecycle: keep what we knew.
        return existing
    if existing is None:
        return OpenCase(
            case_id=state.case_id,
            case_type=state.case_type,
            shop=state.shop,
            subject_id=state.subject_id,
            status=state.status,
            priority=state.priority,
            sla_due_at=state.sla_due_at,
            escalation_level=state.escalation_level,
            escalated_at=state.updated_at if state.escalation_level > 0 else None,
            repeated=is_repeated(state, repeated_reason),
            process_instance_id=state.process_instance_id,
            shopify_order_id=state.shopify_order_id,
            partition=partition,
            offset=offset,
        )
    raised = state.escalation_level > existing.escalation_level
    return OpenCase(
        case_id=state.case_id,
        case_type=state.case_type,
        shop=state.shop,
        subject_id=state.subject_id,
        status=state.status,
        priority=highest([existing.priority, state.priority], state.priority),
        sla_due_at=_earliest(existing.sla_due_at, state.sla_due_at),
        escalation_level=max(existing.escalation_level, state.escalation_level),
        escalated_at=state.updated_at if raised else existing.escalated_at,
        repeated=existing.repeated or is_repeated(state, repeated_reason),
        process_instance_id=state.process_instance_id or existing.process_instance_id,
        shopify_order_id=state.shopify_order_id or existing.shopify_order_id,
        partition=partition,
        offset=offset,
    )
