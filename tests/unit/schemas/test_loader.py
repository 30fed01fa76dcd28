"""The .avsc files and their loader."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from schemas import (
    NAMESPACE,
    SCHEMAS_DIR,
    TOPIC_RECORDS,
    SchemaError,
    SchemaFileError,
    UnknownTopicError,
    load_schema,
    load_schema_file,
    parsed_schema,
    record_for_topic,
    schema_path,
)

RECORDS = sorted(TOPIC_RECORDS.values())


def _walk(schema: Any) -> list[dict[str, Any]]:
    """Every named type (record/enum) defined in ``schema``."""
    found: list[dict[str, Any]] = []
    if isinstance(schema, list):
        for branch in schema:
            found += _walk(branch)
    elif isinstance(schema, dict):
        if schema.get("type") in ("record", "enum"):
            found.append(schema)
            for field in schema.get("fields", []):
                found += _walk(field["type"])
        else:
            for key in ("type", "items", "values"):
                if key in schema:
                    found += _walk(schema[key])
    return found


def _types(schema: Any) -> list[Any]:
    """Every type node under ``schema`` (for the float/double ban)."""
    nodes = [schema]
    if isinstance(schema, list):
        for branch in schema:
            nodes += _types(branch)
    elif isinstance(schema, dict):
        for field in schema.get("fields", []):
            nodes += _types(field["type"])
        for key in ("type", "items", "values"):
            if key in schema and not isinstance(schema[key], str):
                nodes += _types(schema[key])
    return nodes


def test_every_topic_has_a_valid_schema_file() -> None:
    assert set(TOPIC_RECORDS) == {
        "shopify.webhooks", "support.complaints", "cases.requests", "cases.opened",
        "cases.decisions", "orders.offline", "shopify.writebacks", "cases.state",
    }  # fmt: skip
    files = {path.stem for path in SCHEMAS_DIR.glob("*.avsc")}
    assert files == set(RECORDS)
    for name in RECORDS:
        schema = load_schema(name)
        assert schema["name"] == name
        assert schema["namespace"] == NAMESPACE
        assert parsed_schema(name)["name"] == f"{NAMESPACE}.{name}"


@pytest.mark.parametrize("name", RECORDS)
def test_docs_enum_defaults_and_no_floats(name: str) -> None:
    schema = load_schema(name)
    for named in _walk(schema):
        assert named.get("doc"), f"{named['name']} has no doc"
        assert "namespace" not in named or named["namespace"] == NAMESPACE
        if named["type"] == "enum":
            assert named.get("default") in named["symbols"], f"{named['name']} needs a default"
        for field in named.get("fields", []):
            assert field.get("doc"), f"{named['name']}.{field['name']} has no doc"
            if isinstance(field["type"], list):  # optional fields default to null
                assert field["type"][0] == "null" and field.get("default", "x") is None
    for node in _types(schema):
        assert node not in ("float", "double"), "money must be a decimal string"


@pytest.mark.parametrize("name", RECORDS)
def test_timestamps_are_timestamp_millis(name: str) -> None:
    text = schema_path(name).read_text()
    assert '"timestamp-micros"' not in text
    for named in _walk(load_schema(name)):
        for field in named.get("fields", []):
            if field["name"].endswith("_at"):
                branches = field["type"] if isinstance(field["type"], list) else [field["type"]]
                assert {"type": "long", "logicalType": "timestamp-millis"} in branches


def test_shared_types_are_identical_in_every_file() -> None:
    definitions: dict[str, tuple[str, Any]] = {}
    repeated = set()
    for name in RECORDS:
        for named in _walk(load_schema(name)):
            if named is load_schema(name):
                continue
            key = named["name"]
            if key in definitions:
                repeated.add(key)
                first_file, first = definitions[key]
                assert named == first, f"{key} differs between {first_file} and {name}.avsc"
            else:
                definitions[key] = (f"{name}.avsc", named)
    assert {"CaseType", "Priority", "CaseVariable", "ActionKind"} <= repeated


def test_load_schema_returns_a_copy() -> None:
    first = load_schema("CaseState")
    first["fields"].clear()
    assert load_schema("CaseState")["fields"]


def test_unknown_topic_is_a_schema_error() -> None:
    assert record_for_topic("cases.state") == "CaseState"
    with pytest.raises(UnknownTopicError, match="no schema for topic 'nope'"):
        record_for_topic("nope")


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / f"{name}.avsc"
    shutil.copy(schema_path(name), target)
    return target


def test_bad_json_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "CaseState.avsc"
    path.write_text('{\n  "type": "record",\n  "name": "CaseState"\n  "fields": []\n}\n')
    with pytest.raises(SchemaFileError) as info:
        load_schema("CaseState", tmp_path)
    message = str(info.value)
    assert str(path) in message
    assert "invalid JSON at line 4 column 3" in message
    assert isinstance(info.value, SchemaError)


def test_invalid_avro_type_names_file_and_reason(tmp_path: Path) -> None:
    path = _copy(tmp_path, "CaseState")
    schema = json.loads(path.read_text())
    schema["fields"][0]["type"] = "strnig"
    path.write_text(json.dumps(schema))
    with pytest.raises(SchemaFileError) as info:
        load_schema_file(path)
    assert str(info.value).startswith(f"{path}: invalid Avro schema:")
    assert "strnig" in str(info.value)


def test_bad_default_and_name_mismatch_and_missing_file(tmp_path: Path) -> None:
    path = _copy(tmp_path, "CaseOpened")
    schema = json.loads(path.read_text())
    schema["fields"][-1]["default"] = "yes"  # a boolean field
    path.write_text(json.dumps(schema))
    with pytest.raises(SchemaFileError, match="invalid Avro schema"):
        load_schema("CaseOpened", tmp_path)

    other = tmp_path / "Other.avsc"
    other.write_text(schema_path("CaseState").read_text())
    with pytest.raises(SchemaFileError, match="does not match the file name 'Other'"):
        load_schema("Other", tmp_path)

    with pytest.raises(SchemaFileError, match=r"Missing\.avsc: cannot read schema file"):
        load_schema("Missing", tmp_path)


def test_edited_file_is_reloaded(tmp_path: Path) -> None:
    path = _copy(tmp_path, "CaseState")
    assert len(load_schema("CaseState", tmp_path)["fields"]) == 13
    schema = json.loads(path.read_text())
    schema["fields"].append({"name": "x", "type": ["null", "string"], "default": None, "doc": "x"})
    path.write_text(json.dumps(schema, indent=4))  # different size, so a new cache key
    assert len(load_schema("CaseState", tmp_path)["fields"]) == 14
