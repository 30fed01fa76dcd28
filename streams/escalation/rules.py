"""Which open cases are due for escalation, and what the escalation is.

Pure functions of an :class:`~streams.escalation.cases.OpenCase`, the
:class:`~streams.escalation.settings.EscalationRules` and a ``now``; the
agent calls them on every timer pass.

Levels, one at a time and each exactly once (the stored level says which are
done):

* a repeated complaint (``REPEATED_COMPLAINT`` seen in its state) takes
  level 1 at once;
* the first level after that is due when ``sla_due_at`` is reached;
* every further level is due one step after the previous escalation, the
  step being the case type's SLA at its escalated priority (or a fixed
  ``level_step``), up to ``max_level``.

So a plain complaint escalates to 1 at its SLA and to 2 one step later; a
repeated one escalates to 1 on sight and to 2 at its SLA. Each escalation
raises the priority one step (capped at URGENT). A case far behind its SLA
climbs one level per pass rather than jumping, so every level is its own
``ESCALATED`` record with its own OpenText update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from connectors.opentext import Variable
from schemas.records import CaseState, CaseStatus, Priority
from streams.escalation.cases import OpenCase
from streams.escalation.settings import REPEATED_COMPLAINT, SLA_BREACHED, EscalationRules
from streams.policy.priority import raise_priority

#: Longest ``CaseState.detail`` the schema consumers expect.
DETAIL_CHARS = 500


@dataclass(frozen=True, slots=True)
class Escalation:
    """One escalation the timer decided: the case, its new level and priority, and why."""

    case: OpenCase
    level: int
    priority: Priority
    reason: str
    at: datetime

    @property
    def case_id(self) -> str:
        """The escalated case's id (also its ``businessKey`` in OpenText)."""
        return self.case.case_id


def _repeat_levels(case: OpenCase, rules: EscalationRules) -> int:
    return 1 if rules.escalate_repeated and case.repeated else 0


def next_due_at(case: OpenCase, rules: EscalationRules) -> datetime | None:
    """When ``case`` becomes due for its next level; None if it never will.

    ``None`` for case types the rules do not cover, cases at ``max_level``,
    and cases without an SLA that are not repeated complaints.
    """
    if case.case_type not in rules.case_types or case.escalation_level >= rules.max_level:
        return None
    repeat_levels = _repeat_levels(case, rules)
    level = case.escalation_level
    if level < repeat_levels:
        # A repeated complaint is due at once: as early as a time can be.
        return datetime.min.replace(tzinfo=UTC)
    if level == repeat_levels:
        return case.sla_due_at
    since = case.escalated_at or case.sla_due_at
    if since is None:
        return None
    return since + rules.step(case.case_type, case.priority)


def is_due(case: OpenCase, rules: EscalationRules, now: datetime) -> bool:
    """True when ``case`` should be escalated one level at ``now``."""
    due = next_due_at(case, rules)
    return due is not None and now >= due


def next_escalation(case: OpenCase, rules: EscalationRules, now: datetime) -> Escalation | None:
    """The escalation of ``case`` due at ``now``, or None when nothing is due."""
    if not is_due(case, rules, now):
        return None
    level = case.escalation_level + 1
    reason = rules.repeated_reason if level <= _repeat_levels(case, rules) else SLA_BREACHED
    return Escalation(
        case=case, level=level, priority=raise_priority(case.priority), reason=reason, at=now
    )


def escalated_state(
    escalation: Escalation,
    process_instance_id: str | None = None,
    *,
    repeated_reason: str = REPEATED_COMPLAINT,
) -> CaseState:
    """The ``ESCALATED`` record of ``escalation`` for ``cases.state``.

    The detail keeps the repeated-complaint code so that the fact survives
    compaction of the REQUESTED record that first carried it.
    """
    case = escalation.case
    codes = [f"ESCALATED_L{escalation.level}", escalation.reason]
    if case.repeated:
        codes.append(repeated_reason)
    detail = "; ".join(dict.fromkeys(codes))
    if case.sla_due_at is not None and escalation.reason == SLA_BREACHED:
        detail += f" (due {case.sla_due_at.isoformat()})"
    return CaseState(
        case_id=case.case_id,
        case_type=case.case_type,
        shop=case.shop,
        subject_id=case.subject_id,
        status=CaseStatus.ESCALATED,
        process_instance_id=process_instance_id or case.process_instance_id,
        escalation_level=escalation.level,
        priority=escalation.priority,
        sla_due_at=case.sla_due_at,
        shopify_order_id=case.shopify_order_id,
        detail=detail[:DETAIL_CHARS],
        updated_at=escalation.at,
    )


def opentext_variables(escalation: Escalation) -> list[Variable]:
    """The typed process variables an escalation sets on the OpenText instance.

    Setting them again with the same values is harmless, which is what lets a
    crash between the OpenText update and the ``ESCALATED`` record re-do it.
    """
    return [
        Variable(name="priority", type="string", value=escalation.priority.value),
        Variable(name="escalationLevel", type="integer", value=escalation.level),
        Variable(name="escalatedAt", type="date", value=escalation.at.isoformat()),
        Variable(name="escalationReason", type="string", value=escalation.reason),
    ]
