"""One completed task -> one CaseDecision (and an OfflineOrder for approved intakes).

The history poller and the callback endpoint both reduce what they saw to a
:class:`CompletedTask` and hand it to the same :class:`DecisionBuilder`, so
both paths give the same decision id, variables, actions and idempotency
keys; ``cases.decisions`` consumers drop the second copy by decision id.

Decision ids are ``<case id>:<task id>`` (the case id is the instance's
business key). The team recorded on a decision, and used in the audit tag, is
read from variables both paths see: ``decidedByTeam``, else ``team``, else the
first of ``teams``, else the task definition key.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from schemas.records import (
    ActionKind,
    CaseDecision,
    CaseType,
    CaseVariable,
    DecisionSource,
    OfflineOrder,
)
from streams.decisions.errors import DecisionDataError, DecisionError
from streams.decisions.mapping import OutcomeMapper
from streams.decisions.offline import offline_order
from streams.decisions.variables import DecisionVariables

__all__ = ["BuiltDecision", "CompletedTask", "DecisionBuilder", "DecisionFailure"]

log = logging.getLogger(__name__)

TEAM_VARIABLES = ("decidedByTeam", "team")


@dataclass(frozen=True)
class CompletedTask:
    """The task whose completion ended a case's process instance: a decision's input."""

    case_id: str
    case_type: CaseType
    process_instance_id: str
    task_id: str
    outcome: str
    completed_at: datetime
    variables: list[CaseVariable] = field(default_factory=list)
    task_definition_key: str | None = None
    assignee: str | None = None

    @property
    def decision_id(self) -> str:
        """``<case id>:<task id>``: the same for the poller and the callback."""
        return f"{self.case_id}:{self.task_id}"

    def to_json(self) -> bytes:
        """JSON bytes for a DLQ record, readable back with :meth:`from_json` for replay."""
        data = {
            "caseId": self.case_id,
            "caseType": self.case_type.value,
            "processInstanceId": self.process_instance_id,
            "taskId": self.task_id,
            "taskDefinitionKey": self.task_definition_key,
            "outcome": self.outcome,
            "assignee": self.assignee,
            "completedAt": self.completed_at.astimezone(UTC).isoformat(),
            "variables": [v.model_dump(mode="json") for v in self.variables],
        }
        return json.dumps(data, separators=(",", ":"), sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> CompletedTask:
        """The task written by :meth:`to_json` (DLQ replay)."""
        data: dict[str, Any] = json.loads(raw)
        return cls(
            case_id=data["caseId"],
            case_type=CaseType(data["caseType"]),
            process_instance_id=data["processInstanceId"],
            task_id=data["taskId"],
            task_definition_key=data.get("taskDefinitionKey"),
            outcome=data["outcome"],
            assignee=data.get("assignee"),
            completed_at=datetime.fromisoformat(data["completedAt"]),
            variables=[CaseVariable.model_validate(v) for v in data.get("variables", [])],
        )


@dataclass(frozen=True)
class DecisionFailure:
    """A decision that could not be built: the caller sends ``payload`` to the DLQ.

    Attributes:
        case_id: the case, also the DLQ record's key.
        decision_id: the decision it would have been, when known.
        error: the reason; ``str(error)`` goes into the DLQ headers.
        payload: what to keep for replay (a :meth:`CompletedTask.to_json`, or the
            raw callback body when it did not get that far).
        case_type: the case's type when known: the case is then marked FAILED
            on ``cases.state`` with the reason (unknown: only the DLQ has it).
        shop: the case's shop when known (else the deployment's default shop).
        subject_id: the case's subject when known (the ``subjectId`` variable).
        process_instance_id: the ended instance, when known.
    """

    case_id: str
    decision_id: str | None
    error: DecisionError
    payload: bytes
    case_type: CaseType | None = None
    shop: str | None = None
    subject_id: str | None = None
    process_instance_id: str | None = None

    @property
    def reason(self) -> str:
        """One line for the DLQ ``reason`` header and the case state."""
        return str(self.error)

    @property
    def error_type(self) -> str:
        """The error class name, for the DLQ ``error-type`` header and metrics."""
        return type(self.error).__name__


@dataclass(frozen=True)
class BuiltDecision:
    """What one completed task produced: a decision (and offline order), or a failure."""

    decision: CaseDecision | None = None
    offline_order: OfflineOrder | None = None
    failure: DecisionFailure | None = None


class DecisionBuilder:
    """Builds decisions with one :class:`OutcomeMapper`.

    Args:
        mapper: outcome -> actions.
        default_shop: the shop when the process variables carry no ``shop``
            (single-shop deployments); with neither, the decision fails.
    """

    def __init__(self, mapper: OutcomeMapper | None = None, *, default_shop: str | None = None):
        self.mapper = mapper or OutcomeMapper()
        self.default_shop = default_shop

    def team_of(self, task: CompletedTask) -> str:
        """The deciding team (see the module docstring for where it comes from)."""
        values = DecisionVariables(task.variables)
        team = values.first_text(*TEAM_VARIABLES)
        if team is None:
            try:
                teams = values.text_list("teams") or []
            except DecisionDataError:
                teams = []
            team = teams[0] if teams else None
        return team or task.task_definition_key or "unknown"

    def build(self, task: CompletedTask, source: DecisionSource) -> BuiltDecision:
        """The decision for ``task``; permanent problems come back as a failure, never raised."""
        team = self.team_of(task)
        try:
            if not task.outcome.strip():
                raise DecisionDataError(
                    f"task {task.task_id} completed without an outcome", case_id=task.case_id
                )
            shop = DecisionVariables(task.variables).text("shop") or self.default_shop
            if not shop:
                raise DecisionDataError(
                    "no 'shop' process variable and no default shop configured",
                    case_id=task.case_id,
                )
            actions = self.mapper.actions(
                decision_id=task.decision_id,
                case_id=task.case_id,
                case_type=task.case_type,
                outcome=task.outcome,
                team=team,
                variables=task.variables,
            )
            decision = CaseDecision(
                decision_id=task.decision_id,
                case_id=task.case_id,
                case_type=task.case_type,
                shop=shop,
                process_instance_id=task.process_instance_id,
                task_id=task.task_id,
                outcome=task.outcome,
                decided_by=task.assignee,
                team=team,
                decided_at=task.completed_at,
                variables=task.variables,
                actions=actions,
                source=source,
            )
            order = None
            if any(action.kind is ActionKind.CREATE_ORDER for action in actions):
                order = self._offline_order(task, shop, team)
        except DecisionError as exc:
            log.warning("decision %s of case %s failed: %s", task.decision_id, task.case_id, exc)
            failure = DecisionFailure(
                task.case_id,
                task.decision_id,
                exc,
                task.to_json(),
                case_type=task.case_type,
                shop=DecisionVariables(task.variables).text("shop") or self.default_shop,
                subject_id=DecisionVariables(task.variables).text("subjectId"),
                process_instance_id=task.process_instance_id,
            )
            return BuiltDecision(failure=failure)
        return BuiltDecision(decision=decision, offline_order=order)

    def _offline_order(self, task: CompletedTask, shop: str, team: str) -> OfflineOrder:
        mapper = self.mapper
        tags = []
        if mapper.policy.audit_tags:
            tags.append(
                mapper.audit_tag(
                    case_id=task.case_id, case_type=task.case_type, outcome=task.outcome, team=team
                )
            )
        return offline_order(
            case_id=task.case_id,
            shop=shop,
            process_instance_id=task.process_instance_id,
            variables=task.variables,
            approved_at=task.completed_at,
            extra_tags=tags,
        )
