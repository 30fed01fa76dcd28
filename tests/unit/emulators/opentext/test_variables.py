"""Variable parsing and type validation."""

from __future__ import annotations

from typing import Any

import pytest

from emulators.opentext.errors import InvalidRequestError
from emulators.opentext.variables import infer_type, parse_variable, parse_variables


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("string", "x"),
        ("integer", 5),
        ("long", 2**40),
        ("double", 1.5),
        ("double", 2),
        ("boolean", False),
        ("date", "2026-01-01T00:00:00Z"),
        ("json", {"a": [1, 2]}),
        ("string", None),
    ],
)
def test_valid_types(kind: str, value: Any) -> None:
    variable = parse_variable({"name": "v", "type": kind, "value": value})
    assert variable.type == kind


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("string", 5),
        ("integer", "5"),
        ("integer", 2**40),
        ("integer", True),
        ("long", 1.5),
        ("double", "1.5"),
        ("boolean", "true"),
        ("date", "yesterday"),
        ("date", 5),
        ("decimal", 1),
    ],
)
def test_wrong_types_are_400(kind: str, value: Any) -> None:
    with pytest.raises(InvalidRequestError):
        parse_variable({"name": "v", "type": kind, "value": value})


@pytest.mark.parametrize(
    "raw",
    [
        {"value": 1},
        {"name": "", "value": 1},
        {"name": "v"},
        "v",
        {"name": "v", "value": 1, "scope": "x"},
    ],
)
def test_malformed_variables_are_400(raw: Any) -> None:
    with pytest.raises(InvalidRequestError):
        parse_variable(raw)


def test_list_required() -> None:
    assert parse_variables(None) == []
    with pytest.raises(InvalidRequestError):
        parse_variables({"name": "v"})


def test_inferred_types() -> None:
    assert [infer_type(v) for v in (True, 1, 2**40, 1.0, "s", [1])] == [
        "boolean",
        "integer",
        "long",
        "double",
        "string",
        "json",
    ]
