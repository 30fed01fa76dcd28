"""Typed request and response bodies of OpenText Workflow Service.

Field names are snake_case in Python and camelCase on the wire (``alias``).
Response models keep unknown fields (``extra="allow"``) because the real
service returns more than the public contract documents, and a new field must
never break parsing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

VariableType: TypeAlias = Literal["string", "integer", "long", "double", "boolean", "date", "json"]
"""Variable types the service accepts."""

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


class _Wire(BaseModel):
    """Base of every wire model: camelCase aliases, unknown fields kept."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")

    def to_wire(self) -> dict[str, Any]:
        """The JSON body for this model, camelCase, without unset optional fields."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class Variable(_Wire):
    """A process or task variable: ``{"name", "type", "value", "scope"}``."""

    name: str
    type: VariableType | str | None = None
    value: Any = None
    scope: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """The JSON body for this variable; ``value`` is kept even when null."""
        wire = super().to_wire()
        wire["value"] = self.model_dump(mode="json", include={"value"})["value"]
        return wire

    @classmethod
    def of(cls, name: str, value: Any, *, scope: str | None = None) -> Variable:
        """A variable whose ``type`` is inferred from the Python value.

        ``bool`` -> boolean, ``int`` -> integer (long beyond 32 bits), ``float`` -> double,
        ``datetime`` / ``date`` -> date (ISO 8601, naive datetimes taken as UTC),
        ``dict`` / ``list`` -> json, anything else -> string.
        """
        vtype: VariableType
        if isinstance(value, bool):  # before int: bool is an int subclass
            vtype = "boolean"
        elif isinstance(value, int):
            vtype = "integer" if _INT32_MIN <= value <= _INT32_MAX else "long"
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError(f"variable {name!r}: {value} is not representable in JSON")
            vtype = "double"
        elif isinstance(value, datetime | date):
            vtype, value = "date", format_datetime(value)
        elif isinstance(value, Mapping | list | tuple):
            vtype = "json"
        elif value is None:
            vtype = "string"
        else:
            vtype, value = "string", str(value)
        return cls(name=name, type=vtype, value=value, scope=scope)


#: A variable set given either as ``{"name": value}`` (types inferred) or as explicit Variables.
VariablesInput: TypeAlias = Mapping[str, Any] | Iterable[Variable]


class ProcessInstance(_Wire):
    """A running (or just finished) case: one instance of a model."""

    id: str
    name: str | None = None
    business_key: str | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    process_definition_name: str | None = None
    start_time: datetime | None = None
    start_user_id: str | None = None
    ended: bool | None = None
    completed: bool | None = None
    suspended: bool | None = None
    tenant_id: str | None = None
    variables: list[Variable] = Field(default_factory=list)

    def variable(self, name: str, default: Any = None) -> Any:
        """Value of the variable called ``name``, or ``default``."""
        return variable_value(self.variables, name, default)


class HistoricProcessInstance(ProcessInstance):
    """A process instance as the history API sees it, with its end."""

    end_time: datetime | None = None
    duration_in_millis: int | None = None
    delete_reason: str | None = None
    end_activity_id: str | None = None
    start_activity_id: str | None = None
    super_process_instance_id: str | None = None

    @property
    def finished(self) -> bool:
        """Whether the instance has ended (completed or deleted)."""
        return self.end_time is not None


class Task(_Wire):
    """A user task waiting for (or claimed by) a person."""

    id: str
    name: str | None = None
    description: str | None = None
    assignee: str | None = None
    owner: str | None = None
    priority: int | None = None
    create_time: datetime | None = None
    due_date: datetime | None = None
    claim_time: datetime | None = None
    task_definition_key: str | None = None
    form_key: str | None = None
    process_instance_id: str | None = None
    process_definition_id: str | None = None
    execution_id: str | None = None
    business_key: str | None = None
    process_instance_business_key: str | None = None
    suspended: bool | None = None
    tenant_id: str | None = None
    variables: list[Variable] = Field(default_factory=list)

    def variable(self, name: str, default: Any = None) -> Any:
        """Value of the variable called ``name``, or ``default``."""
        return variable_value(self.variables, name, default)


class HistoricTask(Task):
    """A task as the history API sees it: when and how it ended."""

    start_time: datetime | None = None
    end_time: datetime | None = None
    duration_in_millis: int | None = None
    delete_reason: str | None = None
    outcome: str | None = None
    process_business_key: str | None = None

    @property
    def finished(self) -> bool:
        """Whether the task has ended (completed or cancelled)."""
        return self.end_time is not None


class WorkflowModel(_Wire):
    """A deployed model (process definition): ``GET /runtime/models``."""

    id: str
    key: str
    name: str | None = None
    version: int | None = None


class StartProcessInstanceRequest(_Wire):
    """Body of ``POST /process-instances``."""

    process_definition_key: str
    business_key: str
    name: str | None = None
    variables: list[Variable] = Field(default_factory=list)
    return_variables: bool = True


class TaskActionRequest(_Wire):
    """Body of ``POST /tasks/{id}``: ``complete`` or ``claim``."""

    action: Literal["complete", "claim"]
    outcome: str | None = None
    assignee: str | None = None
    variables: list[Variable] | None = None


def to_variables(variables: VariablesInput | None) -> list[Variable]:
    """Normalise a mapping or an iterable of :class:`Variable` to a list of Variables."""
    if variables is None:
        return []
    if isinstance(variables, Mapping):
        return [Variable.of(name, value) for name, value in variables.items()]
    result = list(variables)
    for item in result:
        if not isinstance(item, Variable):
            raise TypeError(f"expected Variable, got {type(item).__name__}")
    return result


def variable_value(variables: Iterable[Variable], name: str, default: Any = None) -> Any:
    """Value of the first variable called ``name`` in ``variables``, or ``default``."""
    for variable in variables:
        if variable.name == name:
            return variable.value
    return default


def format_datetime(value: datetime | date) -> str:
    """ISO 8601 in UTC with milliseconds and ``Z``, the form the engine parses everywhere.

    Naive datetimes are taken as UTC; a plain date becomes midnight UTC.
    """
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
