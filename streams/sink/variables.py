"""A case request as typed OpenText process variables.

Every case gets the fixed variables (ids, type, shop, priority, SLA, teams,
reasons, source events) plus the typed variables the classifier and the
enrichment added. A value whose text does not parse as its declared type
raises ``ValueError``: the sink dead-letters that request instead of retrying.
"""

from __future__ import annotations

import json
from typing import Any

from connectors.opentext import Variable
from schemas.records import CaseRequest, CaseVariable, VariableType

__all__ = ["opentext_variables", "update_variables"]

_OPENTEXT_TYPES = {
    VariableType.STRING: "string",
    VariableType.INTEGER: "integer",
    VariableType.LONG: "long",
    VariableType.BOOLEAN: "boolean",
    VariableType.DATE: "date",
    VariableType.JSON: "json",
    # Money stays a decimal string end to end: never a binary float.
    VariableType.DECIMAL: "string",
}


def opentext_variables(request: CaseRequest) -> list[Variable]:
    """The typed process variables of a case request."""
    variables = [
        Variable(name="caseId", type="string", value=request.case_id),
        Variable(name="caseType", type="string", value=request.case_type.value),
        Variable(name="shop", type="string", value=request.shop),
        Variable(name="subjectType", type="string", value=request.subject_type.value),
        Variable(name="subjectId", type="string", value=request.subject_id),
        Variable(name="priority", type="string", value=request.priority.value),
        Variable(name="slaDueAt", type="date", value=request.sla_due_at.isoformat()),
        Variable(name="teams", type="json", value=list(request.teams)),
        Variable(
            name="reasons",
            type="json",
            value=[{"code": r.code, "detail": r.detail} for r in request.reasons],
        ),
        Variable(name="enrichmentComplete", type="boolean", value=request.enrichment_complete),
        Variable(name="sourceEventIds", type="json", value=list(request.source_event_ids)),
    ]
    if request.order_id:
        variables.append(Variable(name="orderId", type="string", value=request.order_id))
    if request.customer_id:
        variables.append(Variable(name="customerId", type="string", value=request.customer_id))
    for item in request.variables:
        try:
            variables.append(_variable(item))
        except ValueError as exc:
            raise ValueError(f"case variable {item.name!r} ({item.type.value}): {exc}") from None
    return variables


_INT32 = range(-(2**31), 2**31)


def _variable(item: CaseVariable) -> Variable:
    """One case variable as an OpenText variable; ``ValueError`` if its text does not parse."""
    kind = _OPENTEXT_TYPES[item.type]
    value: Any = item.value
    if item.type is VariableType.JSON:
        value = json.loads(item.value)
    elif item.type in (VariableType.INTEGER, VariableType.LONG):
        value = int(item.value)
        if value not in _INT32:
            kind = "long"  # an OpenText integer is 32-bit
    elif item.type is VariableType.BOOLEAN:
        text = item.value.strip().lower()
        if text not in ("true", "false"):
            raise ValueError(f"expected true or false, got {item.value!r}")
        value = text == "true"
    return Variable(name=item.name, type=kind, value=value)


def update_variables(request: CaseRequest) -> list[Variable]:
    """What an update attaches to an open case: the latest reasons, events and variables."""
    keep = {"reasons", "sourceEventIds", "priority", "enrichmentComplete"}
    custom = {item.name for item in request.variables}
    return [v for v in opentext_variables(request) if v.name in keep or v.name in custom]
