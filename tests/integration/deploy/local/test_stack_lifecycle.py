"""The real stack's lifecycle: JVMs from Maven Central, on ports nobody else uses.

These tests start and stop their own stack on 39092/39093/38081 with data and
logs in a pytest tmp dir, so the stack other tests share on the default ports
is never touched. The artifact cache is the default one: Kafka and Apicurio
are fetched once per machine, not once per run.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from deploy.local.settings import StackSettings
from deploy.local.stack import LocalStack
from streams.settings import load_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(900)]

_SCHEMA = json.dumps(
    {"type": "record", "name": "Probe", "fields": [{"name": "id", "type": "string"}]}
)


def _settings(root: Path) -> StackSettings:
    return load_settings().stack.model_copy(
        update={
            "kafka_port": 39092,
            "controller_port": 39093,
            "registry_port": 38081,
            "data_dir": root / "data",
            "log_dir": root / "logs",
        }
    )


def _our_jvms(data_dir: Path) -> list[int]:
    """Every java process whose command line mentions ``data_dir`` (scanned from /proc)."""
    needle = str(data_dir.resolve()).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"java") and any(needle in arg for arg in argv):
            found.append(int(entry.name))
    return found


def _topics(bootstrap: str) -> set[str]:
    return set(AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10).topics)


def _subjects(registry_url: str) -> list[str]:
    response = httpx.get(f"{registry_url}/subjects", timeout=10)
    response.raise_for_status()
    subjects: list[str] = response.json()
    return subjects


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    # Not tmp_path: pytest prunes old basetemp dirs, and a concurrent pytest run
    # by someone else could delete the data dir under the running broker.
    root = Path(tempfile.mkdtemp(prefix="casebridge-stack-test-"))
    local = LocalStack(_settings(root), num_partitions=2, report=print)
    try:
        yield local
    finally:
        local.down()
        assert _our_jvms(local.paths.data_dir) == []
        shutil.rmtree(root, ignore_errors=True)


def test_up_status_down_up_keeps_data(stack: LocalStack) -> None:
    began = time.monotonic()
    first = stack.up()
    print(f"up took {time.monotonic() - began:.1f} s")

    assert first.healthy, first
    assert stack.status().healthy
    assert stack.bootstrap_servers == "127.0.0.1:39092"

    # A second `up` adopts what runs: same processes, nothing new started.
    again = stack.up()
    assert (again.kafka.pid, again.registry.pid) == (first.kafka.pid, first.registry.pid)
    assert len(_our_jvms(stack.paths.data_dir)) == 2

    topic = f"lifecycle-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": stack.bootstrap_servers})
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])[topic].result(30)
    producer = Producer({"bootstrap.servers": stack.bootstrap_servers, "enable.idempotence": True})
    producer.produce(topic, key=b"k", value=b"hello stack")
    assert producer.flush(30) == 0
    # An idle producer refreshes metadata for its topics after a reconnect, which
    # (auto.create.topics.enable=true) would re-create the topic on the fresh broker.
    del producer, admin
    consumer = Consumer(
        {
            "bootstrap.servers": stack.bootstrap_servers,
            "group.id": f"g-{topic}",
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([topic])
    try:
        deadline = time.monotonic() + 30
        message = None
        while message is None and time.monotonic() < deadline:
            message = consumer.poll(1.0)
            if message is not None and message.error():
                message = None
    finally:
        consumer.close()
    assert message is not None and message.value() == b"hello stack"

    subject = f"{topic}-value"
    registered = httpx.post(
        f"{stack.registry_url}/subjects/{subject}/versions",
        json={"schema": _SCHEMA},
        headers={"Content-Type": "application/vnd.schemaregistry.v1+json"},
        timeout=30,
    )
    assert registered.status_code == 200, registered.text
    assert subject in _subjects(stack.registry_url)

    began = time.monotonic()
    stack.down()
    print(f"down took {time.monotonic() - began:.1f} s")

    assert [c.state for c in stack.status().components] == ["stopped", "stopped"]
    assert _our_jvms(stack.paths.data_dir) == []
    assert not stack.paths.pid_file("kafka").exists()
    assert not stack.paths.pid_file("registry").exists()

    began = time.monotonic()
    restarted = stack.up()
    print(f"restart took {time.monotonic() - began:.1f} s")

    assert restarted.healthy
    assert restarted.kafka.pid != first.kafka.pid
    assert topic in _topics(stack.bootstrap_servers)
    # The registry keeps its state in Kafka (kafkasql), so schemas survive too.
    assert subject in _subjects(stack.registry_url)

    # --fresh wipes both.
    began = time.monotonic()
    fresh = stack.up(fresh=True)
    print(f"up --fresh took {time.monotonic() - began:.1f} s")

    assert fresh.healthy
    assert topic not in _topics(stack.bootstrap_servers)
    assert subject not in _subjects(stack.registry_url)
    assert len(_our_jvms(stack.paths.data_dir)) == 2
