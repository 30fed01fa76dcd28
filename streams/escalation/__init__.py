"""UC3 escalation: open cases past their SLA, and repeated complaints, escalated once per level.

The pure side of the escalation stage (the Faust agent and timer live in
:mod:`streams.escalation.agent`):

* :mod:`~streams.escalation.cases` — :class:`OpenCase`, what the table holds
  per open case, and :func:`track`, how each ``CaseState`` updates it;
* :mod:`~streams.escalation.rules` — :func:`next_escalation`, whether a case
  is due at ``now`` and what its escalation is, plus the ``ESCALATED`` record
  and the OpenText variables that carry it;
* :mod:`~streams.escalation.settings` — :class:`EscalationSettings` and the
  :class:`EscalationRules` built from them and the policy.
"""

from streams.escalation.cases import CLOSED_STATUSES, OPEN_STATUSES, OpenCase, is_repeated, track
from streams.escalation.rules import (
    Escalation,
    escalated_state,
    is_due,
    next_due_at,
    next_escalation,
    opentext_variables,
)
from streams.escalation.settings import (
    REPEATED_COMPLAINT,
    SLA_BREACHED,
    EscalationRules,
    EscalationSettings,
)

__all__ = [
    "CLOSED_STATUSES",
    "OPEN_STATUSES",
    "REPEATED_COMPLAINT",
    "SLA_BREACHED",
    "Escalation",
    "EscalationRules",
    "EscalationSettings",
    "OpenCase",
    "escalated_state",
    "is_due",
    "is_repeated",
    "next_due_at",
    "next_escalation",
    "opentext_variables",
    "track",
]
