"""Typed process and task variables: parsing and type validation.

The service stores ``{name, type, value, scope}``; a value that does not fit
its declared type is a 400, as it is for the engine underneath.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from emulators.opentext.clock import parse_time
from emulators.opentext.errors import InvalidRequestError

VariableType = Literal["string", "integer", "long", "double", "boolean", "date", "json"]
VARIABLE_TYPES: tuple[str, ...] = get_args(VariableType)

_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


@dataclass
class Variable:
    """One stored variable."""

    name: str
    type: VariableType
    value: Any
    scope: str = "global"

    def to_json(self, *, scope: str | None = None) -> dict[str, Any]:
        """The variable as the API answers it, optionally seen from another ``scope``."""
        return {
            "name": self.name,
            "type": self.type,
            "value": self.value,
            "scope": scope or self.scope,
        }


def infer_type(value: Any) -> VariableType:
    """The type the engine picks when a request leaves ``type`` out."""
    # bool before int: bool is an int subclass.
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer" if _INT32[0] <= value <= _INT32[1] else "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    return "json"


def _check_value(name: str, kind: VariableType, value: Any) -> Any:
    """Return the value to store, or raise if it does not fit ``kind``."""

    def wrong() -> InvalidRequestError:
        return InvalidRequestError(
            f"variable '{name}': value {value!r} is not a valid {kind}",
            details={"variable": name, "type": kind},
        )

    if value is None or kind == "json":
        return value
    if kind == "string":
        if not isinstance(value, str):
            raise wrong()
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise wrong()
        return value
    if kind in ("integer", "long"):
        low, high = _INT32 if kind == "integer" else _INT64
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise wrong()
        return value
    if kind == "double":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong()
        return float(value)
    # date: an ISO 8601 string, kept as sent.
    if not isinstance(value, str):
        raise wrong()
    try:
        parse_time(value)
    except ValueError:
        raise wrong() from None
    return value


def parse_variable(raw: Any, *, default_scope: str = "global") -> Variable:
    """Validate one ``{name, type, value, scope}`` object from a request body.

    Raises:
        InvalidRequestError: the object is malformed or the value has the wrong type.
    """
    if not isinstance(raw, dict):
        raise InvalidRequestError("a variable must be an object with name, type and value")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise InvalidRequestError("a variable needs a non-empty string 'name'")
    if "value" not in raw:
        raise InvalidRequestError(f"variable '{name}' has no 'value'")
    value = raw["value"]
    kind_raw = raw.get("type")
    if kind_raw is None:
        kind = infer_type(value)
    elif kind_raw in VARIABLE_TYPES:
        kind = cast(VariableType, kind_raw)
    else:
        raise InvalidRequestError(
            f"variable '{name}': unknown type {kind_raw!r}",
            details={"variable": name, "allowedTypes": list(VARIABLE_TYPES)},
        )
    scope = raw.get("scope") or default_scope
    if not isinstance(scope, str) or scope not in ("global", "local"):
        raise InvalidRequestError(f"variable '{name}': scope must be 'global' or 'local'")
    return Variable(name=name, type=kind, value=_check_value(name, kind, value), scope=scope)


def parse_variables(raw: Any, *, default_scope: str = "global") -> list[Variable]:
    """Validate a list of variables; ``None`` is an empty list.

    Raises:
        InvalidRequestError: not a list, or any item is invalid.
    """
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InvalidRequestError("'variables' must be a list of {name, type, value} objects")
    return [parse_variable(item, default_scope=default_scope) for item in raw]
