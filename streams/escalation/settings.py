"""The escalation rules object, built from the stage's settings and the policy.

The settings are :class:`streams.settings.EscalationSettings` (the
``escalation`` section, ``CASEBRIDGE_ESCALATION__*``). :class:`EscalationRules`
joins them with the merchant's policy into what the pure rules in
:mod:`streams.escalation.rules` need, so those never read settings or the
policy file themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from schemas.records import CaseType, Priority
from streams.policy.model import Policy
from streams.settings import EscalationSettings

#: The reason code classify writes into ``CaseState.detail`` for a repeated complaint.
REPEATED_COMPLAINT = "REPEATED_COMPLAINT"

#: The reason code of an escalation caused by the SLA having passed.
SLA_BREACHED = "SLA_BREACHED"


def _policy_sla(policy: Policy) -> Callable[[CaseType, Priority], timedelta]:
    def sla_for(case_type: CaseType, priority: Priority) -> timedelta:
        return policy.cases.for_type(case_type).sla_for(priority)

    return sla_for


def _one_day(_case_type: CaseType, _priority: Priority) -> timedelta:
    return timedelta(days=1)


@dataclass(frozen=True, slots=True)
class EscalationRules:
    """Everything the escalation rules decide with; built once per worker."""

    case_types: frozenset[CaseType] = frozenset({CaseType.COMPLAINT})
    """Case types the rules escalate; others are never due."""
    max_level: int = 2
    """Highest escalation level."""
    escalate_repeated: bool = True
    """Whether a repeated complaint escalates at once."""
    repeated_reason: str = REPEATED_COMPLAINT
    """The reason code that marks a repeated complaint in ``CaseState.detail``."""
    level_step: timedelta | None = None
    """Fixed time between levels, or ``None`` to use :attr:`sla_for`."""
    sla_for: Callable[[CaseType, Priority], timedelta] = field(default=_one_day)
    """The SLA of a case type at a priority (from the policy)."""

    @classmethod
    def from_settings(cls, settings: EscalationSettings, policy: Policy) -> EscalationRules:
        """The rules of ``settings`` with the SLAs of ``policy``."""
        return cls(
            case_types=settings.case_types,
            max_level=settings.max_level,
            escalate_repeated=settings.escalate_repeated,
            level_step=(
                timedelta(seconds=settings.level_step_s) if settings.level_step_s else None
            ),
            sla_for=_policy_sla(policy),
        )

    def step(self, case_type: CaseType, priority: Priority) -> timedelta:
        """How long an escalated case may stay undecided before the next level."""
        if self.level_step is not None:
            return self.level_step
        try:
            return self.sla_for(case_type, priority)
        except KeyError:
            # A case type without policy (UNKNOWN) still needs some pace.
            return timedelta(days=1)
