"""The local explanation of BACKWARD incompatibilities."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from connectors.serde.compat import backward_incompatibilities
from schemas import TOPIC_RECORDS, load_schema


def _with(schema: dict[str, Any], **changes: Any) -> dict[str, Any]:
    new = copy.deepcopy(schema)
    new.update(changes)
    return new


BASE: dict[str, Any] = {
    "type": "record",
    "name": "R",
    "namespace": "n",
    "fields": [
        {"name": "a", "type": "int"},
        {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["X", "Y"], "default": "X"}},
        {"name": "o", "type": ["null", "string"], "default": None},
        {"name": "l", "type": {"type": "array", "items": "n.E"}},
    ],
}


@pytest.mark.parametrize("name", sorted(TOPIC_RECORDS.values()))
def test_every_schema_reads_itself(name: str) -> None:
    schema = load_schema(name)
    assert backward_incompatibilities(schema, schema) == []


def test_compatible_changes() -> None:
    new = copy.deepcopy(BASE)
    new["fields"][0]["type"] = "long"  # promotion
    new["fields"].append({"name": "added", "type": ["null", "string"], "default": None})
    new["fields"][1]["type"]["symbols"].append("Z")
    new["fields"][2]["type"] = ["null", "string", "int"]
    del new["fields"][3]  # removed field: the reader ignores it
    assert backward_incompatibilities(new, BASE) == []


def test_incompatible_changes_are_explained() -> None:
    new = copy.deepcopy(BASE)
    new["fields"].append({"name": "required", "type": "string"})
    new["fields"][0]["type"] = "string"
    new["fields"][2]["type"] = ["null", "int"]
    problems = backward_incompatibilities(new, BASE)
    assert "/fields/required: field added without a default" in problems
    assert "/fields/a: type changed from int to string" in problems
    assert "/fields/o: no branch of the new union reads string" in problems


def test_removed_enum_symbol_needs_a_default() -> None:
    new = copy.deepcopy(BASE)
    enum = new["fields"][1]["type"]
    enum["symbols"] = ["X"]
    assert backward_incompatibilities(new, BASE) == []
    del enum["default"]
    # The array of the same enum, referenced by name, is checked too.
    assert backward_incompatibilities(new, BASE) == [
        "/fields/e: enum E lost Y and has no default",
        "/fields/l/items: enum E lost Y and has no default",
    ]


def test_renamed_record_is_incompatible_unless_aliased() -> None:
    assert backward_incompatibilities(_with(BASE, name="S"), BASE) == ["/: named type R became S"]
    assert backward_incompatibilities(_with(BASE, name="S", aliases=["R"]), BASE) == []
