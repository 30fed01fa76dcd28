"""opentext_variables: typed OpenText variables of a case request; unparseable values raise."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from connectors.opentext import Variable
from schemas.records import CaseVariable, VariableType
from streams.sink.variables import opentext_variables, update_variables
from tests.unit.streams.sink.test_agent import SLA, request


def by_name(variables: list[Variable]) -> dict[str, Variable]:
    names = [v.name for v in variables]
    assert len(names) == len(set(names)), "variable names must be unique"
    return {v.name: v for v in variables}


def test_fixed_variables_are_present_and_typed() -> None:
    got = by_name(opentext_variables(request()))

    assert (got["caseId"].type, got["caseId"].value) == (
        "string",
        "ORDER_REVIEW:s.myshopify.com:1001",
    )
    assert (got["caseType"].type, got["caseType"].value) == ("string", "ORDER_REVIEW")
    assert got["shop"].value == "s.myshopify.com"
    assert got["subjectType"].value == "ORDER"
    assert got["subjectId"].value == "1001"
    assert got["priority"].value == "HIGH"
    assert got["slaDueAt"].type == "date"
    assert datetime.fromisoformat(got["slaDueAt"].value) == SLA
    assert (got["teams"].type, got["teams"].value) == ("json", ["fraud", "finance"])
    assert got["reasons"].type == "json"
    assert got["reasons"].value == [{"code": "HIGH_VALUE", "detail": "total 2500.00 over 1000.00"}]
    assert (got["enrichmentComplete"].type, got["enrichmentComplete"].value) == ("boolean", False)
    assert got["sourceEventIds"].value == ["ev-1", "ev-2"]
    assert (got["orderId"].value, got["customerId"].value) == ("1001", "77")


def test_optional_ids_are_left_out_when_absent() -> None:
    got = by_name(opentext_variables(request(order_id=None, customer_id=None)))
    assert "orderId" not in got
    assert "customerId" not in got


def test_variables_serialise_to_the_wire() -> None:
    wire = [v.to_wire() for v in opentext_variables(request())]
    json.dumps(wire)  # nothing that JSON cannot carry (datetimes, enums)
    assert {"name": "caseType", "type": "string", "value": "ORDER_REVIEW"} in wire


@pytest.mark.parametrize(
    ("vtype", "text", "wire_type", "value"),
    [
        (VariableType.STRING, "hello", "string", "hello"),
        (VariableType.DECIMAL, "2500.10", "string", "2500.10"),
        (VariableType.DECIMAL, "0.30", "string", "0.30"),
        (VariableType.INTEGER, "42", "integer", 42),
        (VariableType.INTEGER, "-7", "integer", -7),
        (VariableType.INTEGER, str(2**31), "long", 2**31),
        (VariableType.LONG, "9223372036854775807", "long", 9223372036854775807),
        (VariableType.LONG, "5", "long", 5),
        (VariableType.BOOLEAN, "true", "boolean", True),
        (VariableType.BOOLEAN, "TRUE", "boolean", True),
        (VariableType.BOOLEAN, "false", "boolean", False),
        (VariableType.DATE, "2026-01-15T10:00:00Z", "date", "2026-01-15T10:00:00Z"),
        (VariableType.JSON, '{"a": [1, "2.50"]}', "json", {"a": [1, "2.50"]}),
        (VariableType.JSON, "[1, 2]", "json", [1, 2]),
    ],
)
def test_custom_variable_types_are_mapped(
    vtype: VariableType, text: str, wire_type: str, value: Any
) -> None:
    got = by_name(opentext_variables(request(CaseVariable(name="x", type=vtype, value=text))))
    assert got["x"].type == wire_type
    assert got["x"].value == value
    assert type(got["x"].value) is type(value)


def test_decimal_is_never_a_float() -> None:
    variable = CaseVariable(name="total", type=VariableType.DECIMAL, value="0.1")
    got = by_name(opentext_variables(request(variable)))["total"]
    assert got.value == "0.1"
    assert got.to_wire()["value"] == "0.1"


@pytest.mark.parametrize(
    ("vtype", "text"),
    [
        (VariableType.INTEGER, "1.5"),
        (VariableType.LONG, "many"),
        (VariableType.BOOLEAN, "yes"),
        (VariableType.BOOLEAN, "1"),
        (VariableType.JSON, "{not json"),
    ],
)
def test_unparseable_values_raise_value_error_naming_the_variable(
    vtype: VariableType, text: str
) -> None:
    with pytest.raises(ValueError, match="case variable 'bad'"):
        opentext_variables(request(CaseVariable(name="bad", type=vtype, value=text)))


def test_update_keeps_reasons_events_priority_and_custom_variables() -> None:
    custom = CaseVariable(name="riskScore", type=VariableType.INTEGER, value="80")
    names = {v.name for v in update_variables(request(custom))}
    assert names == {"reasons", "sourceEventIds", "priority", "enrichmentComplete", "riskScore"}
