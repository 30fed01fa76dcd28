"""The sandbox's own broker: each ``casebridge up`` starts empty; ``--keep-data`` says what it kept.

Real Kafka + registry JVMs of the sandbox's own (free ports, a temporary data
directory, the shared artifact cache), never the stack the tests use: a first
sandbox leaves a case state and a dead letter behind; a second one started
with ``keep_data`` reports exactly those; a third, default one starts from an
empty broker, so nothing an earlier run (or a test) wrote reaches its page.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from confluent_kafka import Producer

from deploy.local.sandbox import Progress, Sandbox, SandboxPorts
from deploy.local.settings import StackSettings
from streams.sandbox_source import existing_data, sandbox_config
from streams.settings import Settings, load_settings
from streams.topics import CASES_STATE, dlq_name, ensure_topics, topic_specs
from tests.conftest import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]


def start(settings: Settings, ports: SandboxPorts, tmp: Path, keep: bool) -> tuple[Sandbox, str]:
    out = io.StringIO()
    config = sandbox_config(settings)
    box = Sandbox(config, ports, tmp, 1.0, keep_data=keep, progress=Progress(out))
    servers, _registry = box._start_stack()
    return box, servers


def test_each_up_starts_empty_and_keep_data_says_what_it_resumed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS", raising=False)
    tests_stack = tmp_path / "tests-stack" / "data"
    settings = Settings(
        stack=StackSettings(
            cache_dir=load_settings().stack.cache_dir,  # the artifacts already fetched
            data_dir=tests_stack,
            log_dir=tmp_path / "tests-stack" / "logs",
            kafka_heap="512m",
            registry_heap="384m",
        )
    )
    kafka = free_port()
    ports = SandboxPorts(kafka=kafka, controller=free_port(), registry=free_port())

    first, servers = start(settings, ports, tmp_path, keep=False)
    try:
        client = {"bootstrap.servers": servers}
        ensure_topics(client, topic_specs(1))
        producer = Producer(client)
        producer.produce(CASES_STATE, key=b"CHARGEBACK-old", value=b"left by an earlier run")
        producer.produce(dlq_name("cases.decisions"), key=b"k", value=b"a dead letter")
        assert producer.flush(30) == 0
    finally:
        first.stop()

    resumed, servers = start(settings, ports, tmp_path, keep=True)
    try:
        found = existing_data({"bootstrap.servers": servers})
    finally:
        resumed.stop()
    assert found == "1 case state records in cases.state; dead letters: cases.decisions.dlq 1"

    fresh, servers = start(settings, ports, tmp_path, keep=False)
    try:
        found = existing_data({"bootstrap.servers": servers})
    finally:
        fresh.stop()
    assert found == "0 case state records in cases.state; dead letters: none"
    # The tests' stack directory was never touched by any of the three.
    assert not tests_stack.exists()
    assert (tmp_path / "tests-stack").parent / "sandbox" == tmp_path / "sandbox"
