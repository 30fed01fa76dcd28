"""After a restart the registry is reported ready only once every schema is back.

Apicurio keeps its schemas in Kafka (``kafkasql``) and replays them on start;
its ccompat API answers before the replay ends. This stack runs on its own
ports (39292/39293/38281) with data in a pytest tmp dir.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient

from deploy.local.stack import LocalStack
from streams.settings import load_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]

SUBJECTS = 40
VERSIONS = 3


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[LocalStack]:
    settings = load_settings().stack.model_copy(
        update={
            "kafka_port": 39292,
            "controller_port": 39293,
            "registry_port": 38281,
            "data_dir": tmp_path / "data",
            "log_dir": tmp_path / "logs",
        }
    )
    local = LocalStack(settings)
    try:
        yield local
    finally:
        local.down()


def _schema(index: int, version: int) -> Schema:
    optional = [
        {"name": f"extra{k}", "type": ["null", "string"], "default": None} for k in range(version)
    ]
    record = {
        "type": "record",
        "name": f"Replay{index}",
        "fields": [{"name": "id", "type": "string"}, *optional],
    }
    return Schema(json.dumps(record), "AVRO")


def test_every_schema_is_back_when_up_returns(stack: LocalStack) -> None:
    assert stack.up().healthy
    client = SchemaRegistryClient({"url": stack.registry_url})
    for index in range(SUBJECTS):
        for version in range(VERSIONS):
            client.register_schema(f"replay.s{index}-value", _schema(index, version))

    stack.down()
    assert stack.up().healthy

    # No waiting here on purpose: "ready" must already mean "replayed".
    fresh_client = SchemaRegistryClient({"url": stack.registry_url})
    subjects = [s for s in fresh_client.get_subjects() if s.startswith("replay.")]
    assert len(subjects) == SUBJECTS
    assert fresh_client.get_versions(f"replay.s{SUBJECTS - 1}-value") == [1, 2, 3]
