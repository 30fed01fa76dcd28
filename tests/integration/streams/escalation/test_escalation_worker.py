"""The escalation stage end to end: real broker, real registry, OpenText emulator, worker process.

A worker running only the escalation stage (ticking every second) reads
``cases.state``. The test opens instances in the OpenText emulator with
``businessKey`` = case id, publishes OPEN complaints to ``cases.state`` (one
past its SLA, one repeated, one not yet due), and checks that OpenText got
the escalation variables and that ``cases.state`` carries exactly one
ESCALATED record per escalated case, also after several more ticks.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from pydantic import SecretStr

from connectors.opentext import OpenTextConfig
from connectors.opentext.client import OpenTextClient
from connectors.serde import AvroSerde, RegistryClient
from schemas.records import CaseState, CaseStatus, CaseType, Priority
from streams.settings import RegistrySettings
from streams.topics import CASES_STATE
from tests.conftest import free_port
from tests.integration.pipeline.harness import (
    Process,
    start_process,
    variables_of,
    wait_http,
    wait_until,
    worker_env,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SHOP = "escalation-test.myshopify.com"
MODEL = "casebridge.complaint"


@pytest.fixture
def opentext_url(tmp_path: Path) -> Iterator[str]:
    """The OpenText emulator as a subprocess on a free 127.0.0.1 port."""
    port = free_port()
    process = start_process(
        "opentext-emulator",
        [sys.executable, "-m", "streams.cli", "emulate", "opentext", "--port", str(port)],
        {},
        tmp_path,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/_emulator/state")
        yield url
    finally:
        process.stop()


def start_instance(base_url: str, case_id: str) -> str:
    """Open a COMPLAINT instance with ``businessKey`` = ``case_id``, as the sink would."""

    async def run() -> str:
        config = OpenTextConfig(
            base_url=base_url,
            tenant_id="casebridge-dev",
            client_id="casebridge",
            client_secret=SecretStr("casebridge-secret"),
            timeout_s=5.0,
        )
        async with OpenTextClient(config) as client:
            instance = await client.start_process_instance(
                MODEL, case_id, {"caseId": case_id, "priority": "NORMAL"}
            )
            return instance.id

    return asyncio.run(run())


def instance_variables(base_url: str, case_id: str) -> dict[str, Any]:
    """The variables of the emulator's instance for ``case_id``."""
    state = httpx.get(f"{base_url}/_emulator/state", timeout=10).json()
    for instance in state["instances"]:
        if instance.get("businessKey") == case_id or instance.get("business_key") == case_id:
            return variables_of(instance)
    raise AssertionError(f"no instance for {case_id}")


def end_offsets(bootstrap: str, topic: str) -> list[TopicPartition]:
    """The current end of every partition of ``topic``."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "escalation-probe"})
    try:
        metadata = consumer.list_topics(topic, timeout=10).topics[topic]
        found = []
        for p in metadata.partitions:
            _, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            found.append(TopicPartition(topic, p, high))
        return found
    finally:
        consumer.close()


def commit_group_at(bootstrap: str, group: str, offsets: list[TopicPartition]) -> None:
    """Start ``group`` at ``offsets``: records of earlier tests on the shared topic are skipped."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        consumer.commit(offsets=offsets, asynchronous=False)
    finally:
        consumer.close()


def states_since(
    bootstrap: str, serde: AvroSerde, start: list[TopicPartition], case_ids: set[str]
) -> list[CaseState]:
    """Every ``cases.state`` record of ``case_ids`` written after ``start``."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False}
    )
    try:
        ends = {tp.partition: tp.offset for tp in end_offsets(bootstrap, CASES_STATE)}
        todo = [tp for tp in start if ends[tp.partition] > tp.offset]
        consumer.assign(todo)
        remaining = {tp.partition: ends[tp.partition] for tp in todo}
        found: list[CaseState] = []
        deadline = time.monotonic() + 20
        while remaining and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            if message.offset() + 1 >= remaining.get(message.partition(), 0):
                remaining.pop(message.partition(), None)
            if message.key() and message.key().decode() in case_ids:
                found.append(CaseState.from_avro(serde.decode(message.value())))
        return found
    finally:
        consumer.close()


def escalated(records: list[CaseState], case_id: str) -> list[CaseState]:
    return [r for r in records if r.case_id == case_id and r.status is CaseStatus.ESCALATED]


def test_escalates_overdue_and_repeated_complaints_exactly_once_across_a_restart(
    bootstrap_servers: str, registry_url: str, unique: str, opentext_url: str, tmp_path: Path
) -> None:
    registry = RegistryClient.from_settings(RegistrySettings(url=registry_url))
    serde = AvroSerde.for_topic(CASES_STATE, registry)
    app_id = f"casebridge-escalation-{unique}"
    env = worker_env(
        app_id=app_id,
        web_port=free_port(),
        bootstrap_servers=bootstrap_servers,
        registry_url=registry_url,
        data_dir=tmp_path / "worker",
        extra={
            "CASEBRIDGE_OPENTEXT__BASE_URL": opentext_url,
            "CB_ESCALATION_INTERVAL_S": "1",
            "CB_ESCALATION_LEVEL_STEP_S": "3600",
        },
    )
    # Topics first (the worker would create them too), then the group at their end.
    subprocess.run(
        [sys.executable, "-m", "streams.cli", "topics"],
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    start = end_offsets(bootstrap_servers, CASES_STATE)
    commit_group_at(bootstrap_servers, app_id, start)

    overdue = f"COMPLAINT:{SHOP}:overdue-{unique}"
    repeated = f"COMPLAINT:{SHOP}:repeated-{unique}"
    not_due = f"COMPLAINT:{SHOP}:not-due-{unique}"
    for case_id in (overdue, repeated, not_due):
        start_instance(opentext_url, case_id)

    worker: Process = start_process(
        "escalation-worker",
        [sys.executable, "-m", "tests.integration.streams.escalation.escalation_app"],
        env,
        tmp_path,
    )
    try:
        wait_http(f"http://127.0.0.1:{env['CASEBRIDGE_WEB_PORT']}/metrics", timeout_s=90)

        now = datetime.now(UTC)
        producer = Producer(
            {"bootstrap.servers": bootstrap_servers, "partitioner": "murmur2_random"}
        )

        def publish(case_id: str, **fields: Any) -> None:
            state = CaseState(
                case_id=case_id,
                case_type=CaseType.COMPLAINT,
                shop=SHOP,
                subject_id=case_id.rsplit(":", 1)[-1],
                status=fields.pop("status", CaseStatus.OPEN),
                priority=Priority.NORMAL,
                updated_at=now,
                **fields,
            )
            producer.produce(CASES_STATE, serde.encode(state), key=case_id.encode())

        publish(overdue, sla_due_at=now - timedelta(minutes=5))
        publish(
            repeated,
            status=CaseStatus.REQUESTED,
            sla_due_at=now + timedelta(hours=8),
            detail="ISSUE_SERVICE; REPEATED_COMPLAINT",
        )
        publish(repeated, sla_due_at=now + timedelta(hours=8))
        publish(not_due, sla_due_at=now + timedelta(hours=8))
        assert producer.flush(15) == 0

        def both_escalated() -> bool:
            if not worker.alive():
                raise AssertionError(f"worker exited:\n{worker.log_tail()}")
            return all(
                instance_variables(opentext_url, c).get("escalationLevel") == 1
                for c in (overdue, repeated)
            )

        try:
            wait_until(both_escalated, 90, "both complaints escalated in OpenText", 0.5)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{worker.log_tail()}") from None

        # A few more ticks: a second escalation would show up by now.
        time.sleep(6)
        records = states_since(bootstrap_servers, serde, start, {overdue, repeated, not_due})

        for case_id, reason in ((overdue, "SLA_BREACHED"), (repeated, "REPEATED_COMPLAINT")):
            variables = instance_variables(opentext_url, case_id)
            assert variables["priority"] == "HIGH"
            assert variables["escalationLevel"] == 1
            assert variables["escalationReason"] == reason
            assert variables.get("escalatedAt")
            [state] = escalated(records, case_id)
            assert (state.escalation_level, state.priority) == (1, Priority.HIGH)
            assert state.process_instance_id

        assert escalated(records, not_due) == []
        assert "escalationLevel" not in instance_variables(opentext_url, not_due)
        assert instance_variables(opentext_url, not_due)["priority"] == "NORMAL"
        first_escalated_at = instance_variables(opentext_url, overdue)["escalatedAt"]

        # Restart: the table comes back from its changelog, so a later OPEN update
        # with level 0 (what the sink publishes when it attaches an update) does
        # not make the overdue complaint escalate a second time.
        worker.stop()
        worker = start_process(
            "escalation-worker-2",
            [sys.executable, "-m", "tests.integration.streams.escalation.escalation_app"],
            env,
            tmp_path,
        )
        wait_http(f"http://127.0.0.1:{env['CASEBRIDGE_WEB_PORT']}/metrics", timeout_s=90)
        publish(overdue, sla_due_at=now - timedelta(minutes=5), detail="update attached")
        assert producer.flush(15) == 0
        wait_until(
            lambda: records_in(env["CASEBRIDGE_WEB_PORT"]) >= 1,
            90,
            "the restarted worker to read the update",
            0.5,
        )
        time.sleep(5)
        records = states_since(bootstrap_servers, serde, start, {overdue})
        assert len(escalated(records, overdue)) == 1, worker.log_tail()
        assert instance_variables(opentext_url, overdue)["escalatedAt"] == first_escalated_at
    finally:
        worker.stop()


def records_in(web_port: str) -> float:
    """``casebridge_records_in_total{agent="escalation"}`` of the worker on ``web_port``."""
    text = httpx.get(f"http://127.0.0.1:{web_port}/metrics", timeout=5).text
    for line in text.splitlines():
        if line.startswith('casebridge_records_in_total{agent="escalation"}'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0
