"""The pydantic record models against their Avro schemas."""

from __future__ import annotations

import io
import typing
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import fastavro
import pytest
from pydantic import BaseModel, ValidationError

from schemas import TOPIC_RECORDS, load_schema, parsed_schema
from schemas.records import (
    RECORD_MODELS,
    Action,
    AvroRecord,
    CaseRequest,
    CaseState,
    OfflineLineItem,
    SubjectType,
    model_for_topic,
)
from tests.unit.schemas.samples import BIG_ID, T0, samples

RECORDS = sorted(TOPIC_RECORDS.values())


def _roundtrip(name: str, datum: dict[str, Any]) -> dict[str, Any]:
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, parsed_schema(name), datum, strict=True)
    buffer.seek(0)
    result = fastavro.schemaless_reader(buffer, parsed_schema(name), None)
    assert isinstance(result, dict)
    return result


def test_every_record_has_a_model() -> None:
    assert set(RECORD_MODELS) == set(RECORDS)
    assert model_for_topic("cases.requests") is CaseRequest


@pytest.mark.parametrize("name", RECORDS)
def test_full_instance_round_trips_through_avro(name: str) -> None:
    record = samples()[name]
    decoded = _roundtrip(name, record.to_avro())
    again = type(record).from_avro(decoded)
    assert again == record
    # Nothing was left at a default: the sample exercises every field.
    assert all(value not in (None, [], "") for value in decoded.values())


@pytest.mark.parametrize("name", RECORDS)
def test_minimal_instance_round_trips(name: str) -> None:
    model = RECORD_MODELS[name]
    full = samples()[name]
    # Keep only the fields without a default in the model.
    required = {
        field: getattr(full, field)
        for field, info in model.model_fields.items()
        if info.is_required()
    }
    record = model(**required)
    assert model.from_avro(_roundtrip(name, record.to_avro())) == record


def _field_names(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        inner = _nested_model(arg)
        if inner:
            return inner
    return None


def _compare(model: type[BaseModel], schema: dict[str, Any], named: dict[str, Any]) -> None:
    named[schema["name"]] = schema
    assert _field_names(model) == [f["name"] for f in schema["fields"]], model.__name__
    for field in schema["fields"]:
        info = model.model_fields[field["name"]]
        where = f"{model.__name__}.{field['name']}"
        if "default" in field:
            assert not info.is_required(), f"{where} has an Avro default but is required"
            default = info.get_default(call_default_factory=True)
            assert default == field["default"], where
        else:
            assert info.is_required() or info.default_factory is list, where
        optional = isinstance(field["type"], list) and "null" in field["type"]
        assert optional == (type(None) in typing.get_args(info.annotation)), where
        # Recurse into nested records (inline or referenced by name).
        nested = _nested_model(info.annotation)
        if nested is not None:
            branches = field["type"] if isinstance(field["type"], list) else [field["type"]]
            for branch in branches:
                target = branch.get("items", branch) if isinstance(branch, dict) else branch
                if isinstance(target, str) and target != "null":
                    target = named[target.rsplit(".", 1)[-1]]
                if isinstance(target, dict) and target.get("type") == "record":
                    _compare(nested, target, named)


@pytest.mark.parametrize("name", RECORDS)
def test_model_fields_equal_schema_fields(name: str) -> None:
    _compare(RECORD_MODELS[name], load_schema(name), {})


@pytest.mark.parametrize("name", RECORDS)
def test_model_enums_equal_schema_enums(name: str) -> None:
    import schemas.records as records
    from tests.unit.schemas.test_loader import _walk

    for named in _walk(load_schema(name)):
        if named["type"] == "enum":
            enum = getattr(records, named["name"])
            assert [member.value for member in enum] == named["symbols"], named["name"]


def test_timestamps_must_be_aware_and_become_utc_millis() -> None:
    record = samples()["CaseState"]
    data = record.model_dump()
    data["updated_at"] = datetime(2026, 1, 1, 12, 0, 0, 123456)  # naive
    with pytest.raises(ValidationError, match="timezone"):
        CaseState(**data)
    data["updated_at"] = datetime(2026, 1, 1, 14, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    state = CaseState(**data)
    assert state.updated_at == datetime(2026, 1, 1, 12, 0, 0, 123000, tzinfo=UTC)
    assert state.updated_at.tzinfo is UTC


def test_values_are_validated() -> None:
    with pytest.raises(ValidationError, match="decimal string"):
        OfflineLineItem(variant_id="1", quantity=1, price_override="19,90")
    with pytest.raises(ValidationError):
        OfflineLineItem(variant_id="1", quantity=0)
    with pytest.raises(ValidationError, match="JSON object"):
        Action(target_id="1", params="[1]", idempotency_key="k")
    with pytest.raises(ValidationError, match="extra"):
        CaseState.model_validate({**samples()["CaseState"].model_dump(), "typo": 1})


def test_lower_case_enum_input_and_big_ids_survive() -> None:
    data = samples()["CaseRequest"].model_dump()
    data["subject_type"] = "fulfillment_order"
    request = CaseRequest(**data)
    assert request.subject_type is SubjectType.FULFILLMENT_ORDER
    decoded = _roundtrip("CaseRequest", request.to_avro())
    assert decoded["subject_id"] == BIG_ID and decoded["requested_at"] == T0


def test_to_avro_is_plain_enough_for_fastavro_strict_mode() -> None:
    record: AvroRecord = samples()["CaseDecision"]
    datum = record.to_avro()
    assert datum["actions"][0]["kind"] == "REFUND"
    assert isinstance(datum["actions"][0], dict)
