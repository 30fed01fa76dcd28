"""Building :class:`CaseRequest` records: ids, SLA, teams, typed variables.

Variable names are camelCase because they become OpenText process variables;
every value is text (decimals as decimal strings, dates as ISO-8601 UTC, JSON
as compact JSON) so no precision is lost on the way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from schemas.records import (
    CaseRequest,
    CaseType,
    CaseVariable,
    Priority,
    Reason,
    SubjectType,
    VariableType,
)
from streams.classify.rules.caseid import case_id
from streams.classify.rules.payload import to_json
from streams.policy.model import Policy


def merge_teams(*groups: Iterable[str]) -> list[str]:
    """Teams of all groups in first-seen order, without duplicates."""
    seen: dict[str, None] = {}
    for group in groups:
        for team in group:
            seen.setdefault(team, None)
    return list(seen)


class Variables:
    """An ordered list of typed case variables; ``None`` values are skipped."""

    def __init__(self) -> None:
        self.items: list[CaseVariable] = []

    def _add(self, name: str, kind: VariableType, value: str | None) -> Variables:
        if value is not None:
            self.items.append(CaseVariable(name=name, type=kind, value=value))
        return self

    def string(self, name: str, value: str | None) -> Variables:
        """A STRING variable."""
        return self._add(name, VariableType.STRING, value)

    def decimal(self, name: str, value: Decimal | None) -> Variables:
        """A DECIMAL variable as a plain decimal string."""
        return self._add(name, VariableType.DECIMAL, None if value is None else f"{value:f}")

    def integer(self, name: str, value: int | None) -> Variables:
        """An INTEGER variable."""
        return self._add(name, VariableType.INTEGER, None if value is None else str(value))

    def long(self, name: str, value: int | None) -> Variables:
        """A LONG variable (Shopify's counts are UnsignedInt64)."""
        return self._add(name, VariableType.LONG, None if value is None else str(value))

    def boolean(self, name: str, value: bool | None) -> Variables:
        """A BOOLEAN variable (``true``/``false``)."""
        return self._add(name, VariableType.BOOLEAN, None if value is None else str(value).lower())

    def date(self, name: str, value: datetime | None) -> Variables:
        """A DATE variable as ISO-8601 UTC."""
        return self._add(name, VariableType.DATE, None if value is None else iso_utc(value))

    def json(self, name: str, value: Any) -> Variables:
        """A JSON variable as compact JSON text."""
        return self._add(name, VariableType.JSON, None if value is None else to_json(value))


def iso_utc(value: datetime) -> str:
    """``value`` in UTC as ISO-8601 with a ``Z`` suffix (naive values are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class CaseDraft:
    """Everything a rule decided about one case, before ids and SLA are filled in."""

    case_type: CaseType
    subject_type: SubjectType
    subject_id: str
    trigger: str
    teams: list[str]
    priority: Priority
    reasons: list[Reason]
    variables: Variables = field(default_factory=Variables)
    order_id: str | None = None
    customer_id: str | None = None
    enrichment_complete: bool = True
    sla_cap: datetime | None = None
    """A hard deadline (e.g. dispute evidence due) the SLA must not pass."""


def build_case(
    draft: CaseDraft, *, shop: str, policy: Policy, now: datetime, source_event_ids: list[str]
) -> CaseRequest:
    """The :class:`CaseRequest` for ``draft``: deterministic id, SLA from the policy."""
    case_policy = policy.cases.for_type(draft.case_type)
    now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    due = now + case_policy.sla_for(draft.priority)
    if draft.sla_cap is not None and draft.sla_cap < due:
        # Never later than a hard deadline, but never in the past either: a
        # case that is already late is due now and will escalate at once.
        due = max(draft.sla_cap, now)
    return CaseRequest(
        case_id=case_id(shop, draft.case_type, draft.subject_type, draft.subject_id, draft.trigger),
        case_type=draft.case_type,
        shop=shop,
        subject_type=draft.subject_type,
        subject_id=draft.subject_id,
        order_id=draft.order_id,
        customer_id=draft.customer_id,
        teams=draft.teams or list(case_policy.teams),
        priority=draft.priority,
        sla_due_at=due.astimezone(UTC),
        reasons=draft.reasons,
        variables=draft.variables.items,
        enrichment_complete=draft.enrichment_complete,
        source_event_ids=source_event_ids,
        requested_at=now.astimezone(UTC),
    )
