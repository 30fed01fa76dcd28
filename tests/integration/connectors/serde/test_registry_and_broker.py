"""The serde against the real schema registry (Apicurio ccompat) and the real broker.

Every subject and topic carries a unique suffix: the registry is shared.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer, DeserializingConsumer, Producer, SerializingProducer
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer

import streams.cli
from connectors.serde import (
    AvroSerde,
    RegistryClient,
    SchemaIncompatibleError,
    make_value_deserializer,
    make_value_serializer,
)
from schemas import SCHEMAS_DIR, schema_path
from schemas.records import CaseState
from tests.unit.schemas.samples import samples

pytestmark = pytest.mark.integration


@pytest.fixture
def topic(bootstrap_servers: str, unique: str) -> Iterator[str]:
    name = f"it-serde-{unique}"
    admin = AdminClient({"bootstrap.servers": bootstrap_servers})
    for future in admin.create_topics([NewTopic(name, 1, 1)]).values():
        future.result(timeout=30)
    yield name
    admin.delete_topics([name])


def _copy_schemas(target: Path) -> Path:
    shutil.copytree(SCHEMAS_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def _edit(directory: Path, name: str, change: Any) -> None:
    path = directory / f"{name}.avsc"
    schema = json.loads(path.read_text())
    change(schema)
    path.write_text(json.dumps(schema, indent=2))


def _consume_one(bootstrap_servers: str, topic: str, group: str) -> bytes:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap_servers,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic])
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            message = consumer.poll(1.0)
            if message is None:
                continue
            assert message.error() is None, message.error()
            value = message.value()
            assert value is not None
            return bytes(value)
        raise AssertionError(f"no message on {topic} within 30 s")
    finally:
        consumer.close()


def _cli(*args: str) -> int:
    try:
        streams.cli.main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_schema_evolution_end_to_end(
    tmp_path: Path,
    registry_url: str,
    bootstrap_servers: str,
    topic: str,
    unique: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prefix = f"it-{unique}."
    subject = f"{prefix}cases.state-value"
    v1_dir = _copy_schemas(tmp_path / "v1")
    v2_dir = _copy_schemas(tmp_path / "v2")
    _edit(
        v2_dir,
        "CaseState",
        lambda s: s["fields"].append(
            {"name": "assignee", "type": ["null", "string"], "default": None, "doc": "Who."}
        ),
    )
    common = ["--registry-url", registry_url, "--subject-prefix", prefix, "--topic", "cases.state"]

    # v1 registered with BACKWARD; v2 (an added optional field) checks and registers.
    assert _cli("schemas", "register", "--schemas-dir", str(v1_dir), *common) == 0
    assert f"{subject}\tid=" in capsys.readouterr().out
    assert _cli("schemas", "check", "--schemas-dir", str(v2_dir), *common) == 0
    assert f"{subject}: compatible with version 1" in capsys.readouterr().out
    assert _cli("schemas", "register", "--schemas-dir", str(v2_dir), *common) == 0
    assert "version=2\tBACKWARD" in capsys.readouterr().out

    # A v2 producer (plain confluent-kafka Producer) and a v1 consumer.
    registry = RegistryClient(registry_url)
    writer = AvroSerde("CaseState", registry, subject=subject, schemas_dir=v2_dir)
    reader = AvroSerde("CaseState", RegistryClient(registry_url), subject=subject,
                       schemas_dir=v1_dir)  # fmt: skip
    record = samples()["CaseState"]
    producer = Producer({"bootstrap.servers": bootstrap_servers})
    producer.produce(
        topic, key=b"case-1", value=writer.encode({**record.to_avro(), "assignee": "bob"})
    )
    assert producer.flush(30) == 0

    data = _consume_one(bootstrap_servers, topic, f"it-{unique}")
    assert data[1:5] == writer.schema_id.to_bytes(4, "big")
    decoded = reader.decode(data)
    assert "assignee" not in decoded
    assert CaseState.from_avro(decoded) == record
    assert writer.schema_id != reader.schema_id

    # Incompatible changes are refused by `schemas check`, naming the subject.
    v3_dir = _copy_schemas(tmp_path / "v3")
    shutil.copy(v2_dir / "CaseState.avsc", v3_dir / "CaseState.avsc")
    _edit(v3_dir, "CaseState", lambda s: s["fields"].append(
        {"name": "region", "type": "string", "doc": "Required, no default."}))  # fmt: skip
    assert _cli("schemas", "check", "--schemas-dir", str(v3_dir), *common) == 1
    err = capsys.readouterr().err
    assert f"{subject}: /fields/region: field added without a default" in err

    v4_dir = _copy_schemas(tmp_path / "v4")
    shutil.copy(v2_dir / "CaseState.avsc", v4_dir / "CaseState.avsc")

    def retype(schema: dict[str, Any]) -> None:
        level = next(f for f in schema["fields"] if f["name"] == "escalation_level")
        level["type"] = "string"
        level["default"] = "0"

    _edit(v4_dir, "CaseState", retype)
    assert _cli("schemas", "check", "--schemas-dir", str(v4_dir), *common) == 1
    err = capsys.readouterr().err
    assert f"{subject}: /fields/escalation_level: type changed from int to string" in err

    # And registering it anyway is refused by the registry itself.
    with pytest.raises(SchemaIncompatibleError, match=subject) as refused:
        registry.register(subject, json.loads((v4_dir / "CaseState.avsc").read_text()))
    assert "not compatible" in str(refused.value) and "\n" not in str(refused.value)


def test_interop_with_confluent_avro_serializer(
    registry_url: str, bootstrap_servers: str, topic: str, unique: str
) -> None:
    confluent_registry = SchemaRegistryClient({"url": registry_url})
    record = samples()["CaseRequest"]

    # Theirs -> ours.
    theirs = SerializingProducer(
        {
            "bootstrap.servers": bootstrap_servers,
            "value.serializer": AvroSerializer(
                confluent_registry,
                schema_path("CaseRequest").read_text(),
                conf={"auto.register.schemas": True},
            ),
        }
    )
    theirs.produce(topic, key="case-1", value=record.to_avro())
    # Ours -> theirs, on the same topic (subject <topic>-value).
    ours = SerializingProducer(
        {
            "bootstrap.servers": bootstrap_servers,
            "value.serializer": make_value_serializer(topic, registry_url, record="CaseRequest"),
        }
    )
    ours.produce(topic, key="case-1", value=record)
    assert theirs.flush(30) == 0 and ours.flush(30) == 0

    our_decode = make_value_deserializer(topic, registry_url, record="CaseRequest")
    consumer = DeserializingConsumer(
        {
            "bootstrap.servers": bootstrap_servers,
            "group.id": f"it-{unique}",
            "auto.offset.reset": "earliest",
            "value.deserializer": AvroDeserializer(confluent_registry),
        }
    )
    consumer.subscribe([topic])
    seen: list[Any] = []
    raw: list[bytes] = []
    try:
        deadline = time.monotonic() + 30
        while len(seen) < 2 and time.monotonic() < deadline:
            message = consumer.poll(1.0)
            if message is None:
                continue
            assert message.error() is None, message.error()
            seen.append(message.value())
    finally:
        consumer.close()
    assert len(seen) == 2
    for value in seen:
        assert type(record).from_avro(value) == record

    # And ours reads what theirs wrote (fetching their schema id from the registry).
    plain = Consumer({"bootstrap.servers": bootstrap_servers, "group.id": f"it2-{unique}",
                      "auto.offset.reset": "earliest"})  # fmt: skip
    plain.subscribe([topic])
    try:
        deadline = time.monotonic() + 30
        while len(raw) < 2 and time.monotonic() < deadline:
            message = plain.poll(1.0)
            if message is not None and message.error() is None and message.value():
                raw.append(bytes(message.value() or b""))
    finally:
        plain.close()
    assert len(raw) == 2
    for data in raw:
        decoded = our_decode(data, None)
        assert decoded is not None and type(record).from_avro(decoded) == record


def test_unreachable_registry_through_the_cli_is_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "streams.cli", "schemas", "check",
         "--registry-url", "http://127.0.0.1:1/apis/ccompat/v7"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        "error: schema registry unavailable at http://127.0.0.1:1/apis/ccompat/v7: "
        "[Errno 111] Connection refused\n"
    )
