"""AvroSerde: wire format, caching, decode errors and schema resolution."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pytest

from connectors.serde import (
    AvroSerde,
    DeserializationError,
    RegistryUnavailableError,
    SerializationError,
    split_header,
    value_subject,
)
from schemas import schema_path
from schemas.records import CaseState
from tests.unit.connectors.serde.fakes import FakeRegistry
from tests.unit.schemas.samples import samples


@pytest.fixture
def fake() -> FakeRegistry:
    return FakeRegistry()


@pytest.fixture
def serde(fake: FakeRegistry) -> AvroSerde:
    return AvroSerde.for_topic("cases.state", fake.client())


def test_wire_format_header(serde: AvroSerde, fake: FakeRegistry) -> None:
    fake.contents[1] = "{}"  # occupy id 1 so the real id is not trivially 1
    data = serde.encode(samples()["CaseState"])
    assert data[0] == 0
    (schema_id,) = struct.unpack(">I", data[1:5])
    assert schema_id == serde.schema_id == 2
    assert fake.subjects == {"cases.state-value": [2]}
    assert split_header(data)[0] == 2
    assert value_subject("cases.state") == "cases.state-value"


@pytest.mark.parametrize("name", ["ShopifyEvent", "CaseRequest", "CaseDecision", "OfflineOrder"])
def test_encode_decode_round_trip(fake: FakeRegistry, name: str) -> None:
    record = samples()[name]
    serde = AvroSerde(name, fake.client(), subject=f"{name}-value")
    data = serde.encode(record)
    assert type(record).from_avro(serde.decode(data)) == record
    assert serde.decode_model(data) == record
    # A dict shaped like the schema encodes to the same bytes as the model.
    assert serde.encode(record.to_avro()) == data


def test_registry_called_once_for_many_encodes_and_decodes(
    serde: AvroSerde, fake: FakeRegistry
) -> None:
    record = samples()["CaseState"]
    payloads = [serde.encode(record) for _ in range(1000)]
    for payload in payloads:
        serde.decode(payload)
    assert fake.calls == {"register": 1}

    # Another instance (another process) decoding: one schema fetch, then cached.
    reader = AvroSerde.for_topic("cases.state", fake.client())
    for payload in payloads:
        reader.decode(payload)
    assert fake.calls == {"register": 1, "get_schema": 1}


def test_decode_rejects_bad_magic_byte(serde: AvroSerde) -> None:
    data = bytearray(serde.encode(samples()["CaseState"]))
    data[0] = 1
    with pytest.raises(DeserializationError, match="magic byte is 0x01") as info:
        serde.decode(bytes(data))
    assert info.value.reason == "bad-magic-byte"


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"", "empty"), (b"\x00\x00\x00", "too-short"), (b'{"json": 1}', "bad-magic-byte")],
)
def test_decode_rejects_non_wire_format(serde: AvroSerde, data: bytes, reason: str) -> None:
    with pytest.raises(DeserializationError) as info:
        serde.decode(data)
    assert info.value.reason == reason


def test_decode_unknown_schema_id(serde: AvroSerde) -> None:
    with pytest.raises(DeserializationError, match="schema id 77") as info:
        serde.decode(b"\x00\x00\x00\x00\x4d" + b"\x02a")
    assert info.value.reason == "unknown-schema-id"
    assert info.value.schema_id == 77


def test_decode_truncated_body(serde: AvroSerde) -> None:
    data = serde.encode(samples()["CaseState"])
    with pytest.raises(DeserializationError) as info:
        serde.decode(data[:20])
    assert info.value.reason == "corrupt-body"


def test_encode_rejects_records_that_do_not_fit(serde: AvroSerde) -> None:
    good = samples()["CaseState"].to_avro()
    with pytest.raises(SerializationError, match="CaseState"):
        serde.encode({**good, "case_idd": "typo"})
    missing = dict(good)
    del missing["shop"]
    with pytest.raises(SerializationError):
        serde.encode(missing)
    # Fields with a default may be left out of a dict.
    del good["detail"]
    assert serde.decode(serde.encode(good))["detail"] is None


def test_registry_down_on_first_use_is_reported(fake: FakeRegistry) -> None:
    fake.down = True
    serde = AvroSerde.for_topic("cases.state", fake.client())
    with pytest.raises(RegistryUnavailableError, match=r"registry\.test"):
        serde.encode(samples()["CaseState"])


def _evolved_dir(tmp_path: Path) -> Path:
    """CaseState v2: one optional field added, one enum symbol added."""
    target = tmp_path / "v2"
    target.mkdir()
    shutil.copy(schema_path("CaseState"), target / "CaseState.avsc")
    path = target / "CaseState.avsc"
    schema = json.loads(path.read_text())
    schema["fields"].append(
        {"name": "assignee", "type": ["null", "string"], "default": None, "doc": "Who."}
    )
    status = next(f for f in schema["fields"] if f["name"] == "status")
    status["type"]["symbols"].append("ARCHIVED")
    path.write_text(json.dumps(schema))
    return target


def test_old_reader_reads_new_writer_and_back(fake: FakeRegistry, tmp_path: Path) -> None:
    v2_dir = _evolved_dir(tmp_path)
    v1 = AvroSerde.for_topic("cases.state", fake.client())
    v2 = AvroSerde.for_topic("cases.state", fake.client(), schemas_dir=v2_dir)
    record = samples()["CaseState"].to_avro()

    new = v2.encode({**record, "assignee": "bob", "status": "ARCHIVED"})
    old_view = v1.decode(new)
    assert "assignee" not in old_view
    assert old_view["status"] == "UNKNOWN"  # unknown symbol -> the enum's default
    assert CaseState.from_avro(old_view).case_id == "case-1"

    old = v1.encode(record)
    new_view = v2.decode(old)
    assert new_view["assignee"] is None
    assert v1.schema_id != v2.schema_id
