"""Case variables: converting OpenText variables, and typed reads for the mapping.

OpenText variables carry JSON values of a declared type; a
:class:`~schemas.records.CaseVariable` carries text. Both the history poller
and the callback convert through :func:`case_variables`, so the same instance
gives byte-identical variables (and therefore identical actions and
idempotency keys) whichever path saw it first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.opentext.models import Variable
from schemas.records import CaseVariable, VariableType
from streams.decisions.errors import DecisionDataError

__all__ = ["DecisionVariables", "case_variables", "compact_json"]

_TYPES: dict[str, VariableType] = {
    "string": VariableType.STRING,
    "integer": VariableType.INTEGER,
    "long": VariableType.LONG,
    "double": VariableType.DECIMAL,
    "boolean": VariableType.BOOLEAN,
    "date": VariableType.DATE,
    "json": VariableType.JSON,
}


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Exact decimals stay text, as money does everywhere in casebridge.
        return format(value, "f")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def compact_json(value: Any) -> str:
    """``value`` as compact JSON with sorted keys: the same value always gives the same text."""
    return json.dumps(
        value, separators=(",", ":"), sort_keys=True, ensure_ascii=False, default=_json_default
    )


def _text(kind: VariableType, value: Any) -> str:
    if kind is VariableType.JSON and isinstance(value, str):
        # Some engines hand json variables back as text: keep it, normalised.
        try:
            return compact_json(json.loads(value))
        except ValueError:
            return value
    if kind is VariableType.JSON or isinstance(value, dict | list):
        return compact_json(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # repr() of a float is its shortest round-trip text; Decimal keeps it plain.
        return format(Decimal(repr(value)), "f")
    return str(value)


def case_variables(variables: Iterable[Variable]) -> list[CaseVariable]:
    """OpenText variables as case variables, sorted by name; null values are left out.

    A later variable of the same name wins, so callers pass process variables
    first and task-local ones after them.
    """
    by_name: dict[str, CaseVariable] = {}
    for variable in variables:
        if variable.value is None:
            continue
        declared = (variable.type or "").lower()
        kind = _TYPES.get(declared)
        if kind is None:
            kind = (
                VariableType.JSON
                if isinstance(variable.value, dict | list)
                else (VariableType.STRING)
            )
        by_name[variable.name] = CaseVariable(
            name=variable.name, type=kind, value=_text(kind, variable.value)
        )
    return [by_name[name] for name in sorted(by_name)]


class DecisionVariables:
    """Typed, error-reporting reads of a decision's variables.

    Every getter returns ``None`` for an absent or blank variable and raises
    :class:`DecisionDataError` naming the variable when the value is there but
    malformed, so a bad decision fails loudly instead of producing a wrong action.
    """

    def __init__(self, variables: Iterable[CaseVariable], *, case_id: str | None = None) -> None:
        self._values: Mapping[str, str] = {v.name: v.value for v in variables}
        self._case_id = case_id

    def _error(self, name: str, expected: str, value: str) -> DecisionDataError:
        shown = value if len(value) <= 80 else value[:77] + "..."
        return DecisionDataError(
            f"variable {name!r}: expected {expected}, got {shown!r}", case_id=self._case_id
        )

    def has(self, name: str) -> bool:
        """Whether ``name`` is present and not blank."""
        return self.text(name) is not None

    def text(self, name: str) -> str | None:
        """The value as stripped text."""
        value = self._values.get(name)
        if value is None or not value.strip():
            return None
        return value.strip()

    def require(self, name: str, why: str) -> str:
        """The text of ``name``; missing is a :class:`DecisionDataError` explaining ``why``."""
        value = self.text(name)
        if value is None:
            raise DecisionDataError(f"variable {name!r} is required {why}", case_id=self._case_id)
        return value

    def first_text(self, *names: str) -> str | None:
        """The text of the first present variable of ``names``."""
        for name in names:
            value = self.text(name)
            if value is not None:
                return value
        return None

    def json(self, name: str) -> Any:
        """The value parsed as JSON (decimals kept exact)."""
        value = self.text(name)
        if value is None:
            return None
        try:
            return json.loads(value, parse_float=Decimal)
        except ValueError:
            raise self._error(name, "JSON", value) from None

    def json_object(self, name: str) -> dict[str, Any] | None:
        """The value as a JSON object."""
        parsed = self.json(name)
        if parsed is not None and not isinstance(parsed, dict):
            raise self._error(name, "a JSON object", self._values[name])
        return parsed

    def json_list(self, name: str) -> list[Any] | None:
        """The value as a JSON list."""
        parsed = self.json(name)
        if parsed is not None and not isinstance(parsed, list):
            raise self._error(name, "a JSON list", self._values[name])
        return parsed

    def text_list(self, name: str) -> list[str] | None:
        """A JSON list of strings, or comma-separated text: ``'["a","b"]'`` or ``"a, b"``."""
        value = self.text(name)
        if value is None:
            return None
        if value.startswith("["):
            items = self.json_list(name) or []
            if not all(isinstance(item, str | int) for item in items):
                raise self._error(name, "a list of strings", value)
            parts = [str(item).strip() for item in items]
        else:
            parts = [part.strip() for part in value.split(",")]
        return [part for part in parts if part]

    def integer(self, name: str) -> int | None:
        """The value as an integer."""
        value = self.text(name)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise self._error(name, "an integer", value) from None

    def boolean(self, name: str) -> bool | None:
        """``true``/``false`` (also ``yes``/``no``, ``1``/``0``) in any letter case."""
        value = self.text(name)
        if value is None:
            return None
        lowered = value.lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
        raise self._error(name, "true or false", value)

    def decimal(self, name: str) -> Decimal | None:
        """The value as an exact decimal."""
        value = self.text(name)
        if value is None:
            return None
        try:
            return Decimal(value)
        except InvalidOperation:
            raise self._error(name, "a decimal number", value) from None

    def timestamp(self, name: str) -> datetime | None:
        """An ISO-8601 timestamp; naive values are taken as UTC."""
        value = self.text(name)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise self._error(name, "an ISO-8601 timestamp", value) from None
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
