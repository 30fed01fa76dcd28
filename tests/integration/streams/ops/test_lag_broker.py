"""Lag monitoring against the real broker: a consumer stops, falls behind, catches up."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from confluent_kafka import Consumer
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from streams.ops.burrow import Status
from streams.ops.errors import BrokerUnavailableError
from streams.ops.lag import AdminOffsetsSource
from streams.ops.lag_cli import lag
from streams.ops.metrics import exposition, install_lag_collector
from streams.ops.monitor import LagMonitor, LagReport
from streams.settings import LagSettings
from tests.integration.streams.ops.conftest import consume, produce

pytestmark = pytest.mark.integration

BEHIND = 5


async def evaluate(monitor: LagMonitor, times: int) -> LagReport:
    report = await monitor.evaluate_once()
    for _ in range(times - 1):
        await asyncio.sleep(0.2)
        report = await monitor.evaluate_once()
    return report


async def test_stopped_consumer_lag_status_metrics_and_recovery(
    bootstrap_servers: str, unique: str, make_topic: Callable[[str, int], str]
) -> None:
    topic = make_topic(f"it-ops-lag-{unique}", 2)
    group = f"casebridge-it-{unique}"
    produce(bootstrap_servers, topic, [(b"a", b"1", []), (b"b", b"2", [])], partition=0)
    consume(bootstrap_servers, topic, group, 2)
    produce(bootstrap_servers, topic, [(b"k", b"v", [])] * BEHIND, partition=0)

    settings = LagSettings(groups=[group], group_prefix="", window=3, interval_s=0.2)
    source = AdminOffsetsSource({"bootstrap.servers": bootstrap_servers}, timeout_s=15)
    monitor = LagMonitor(source, settings, prefix="")
    report = await evaluate(monitor, 3)

    g = report.group(group)
    assert g is not None, report.to_dict()
    rows = {row.partition: row for row in g.partitions}
    assert (rows[0].committed, rows[0].end, rows[0].lag) == (2, 2 + BEHIND, BEHIND)
    assert rows[1].lag == 0 and rows[1].status is Status.OK
    assert g.state == "EMPTY" and g.members == 0
    assert g.status is Status.STOP and rows[0].status is Status.STOP

    registry = CollectorRegistry()
    install_lag_collector(lambda: monitor.latest, registry)
    text = exposition(registry).decode()
    assert (
        f'kafka_consumergroup_lag{{consumergroup="{group}",partition="0",topic="{topic}"}} '
        f"{float(BEHIND)}"
    ) in text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    status = families["casebridge_consumergroup_status"].samples[0]
    assert status.labels == {"consumergroup": group, "status": "STOP"} and status.value == 4

    consume(bootstrap_servers, topic, group, BEHIND)
    report = await monitor.evaluate_once()
    g = report.group(group)
    assert g is not None and g.total_lag == 0 and g.status is Status.OK


def test_lag_cli_json(
    bootstrap_servers: str, unique: str, make_topic: Callable[[str, int], str]
) -> None:
    topic = make_topic(f"it-ops-lagcli-{unique}", 1)
    group = f"casebridge-itcli-{unique}"
    produce(bootstrap_servers, topic, [(None, b"x", [])])
    consume(bootstrap_servers, topic, group, 1)
    produce(bootstrap_servers, topic, [(None, b"y", [])] * BEHIND)

    args = ["--bootstrap-servers", bootstrap_servers, "--group", group, "--json",
            "--samples", "2", "--interval", "0.2"]  # fmt: skip
    result = CliRunner().invoke(lag, args)
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    (g,) = body["groups"]
    assert g["group"] == group and g["total_lag"] == BEHIND and g["status"] != "OK"
    assert g["partitions"][0]["topic"] == topic and g["partitions"][0]["lag"] == BEHIND


def test_unreachable_broker_is_one_line() -> None:
    source = AdminOffsetsSource({"bootstrap.servers": "127.0.0.1:1"}, timeout_s=2)
    with pytest.raises(BrokerUnavailableError, match=r"Kafka at 127.0.0.1:1 did not answer"):
        source.list_groups()


async def test_live_member_that_does_not_commit_is_stall(
    bootstrap_servers: str, unique: str, make_topic: Callable[[str, int], str]
) -> None:
    topic = make_topic(f"it-ops-stall-{unique}", 1)
    group = f"casebridge-itstall-{unique}"
    produce(bootstrap_servers, topic, [(None, b"x", [])])
    consume(bootstrap_servers, topic, group, 1)
    produce(bootstrap_servers, topic, [(None, b"y", [])] * BEHIND)
    member = Consumer(
        {"bootstrap.servers": bootstrap_servers, "group.id": group, "enable.auto.commit": False}
    )
    member.subscribe([topic])
    try:
        for _ in range(40):  # join the group and get the partition, commit nothing
            member.poll(0.25)
            if member.assignment():
                break
        assert member.assignment(), "consumer never got its partition"
        settings = LagSettings(groups=[group], group_prefix="", window=3)
        source = AdminOffsetsSource({"bootstrap.servers": bootstrap_servers}, timeout_s=15)
        # STALL needs a full window of samples with lag and no commit (Burrow).
        report = await evaluate(LagMonitor(source, settings, prefix=""), settings.window)
    finally:
        member.close()
    g = report.group(group)
    assert g is not None and g.state == "STABLE" and g.members == 1
    (row,) = g.partitions
    assert row.owner is not None and row.lag == BEHIND
    assert g.status is Status.STALL


async def test_a_live_consumer_at_a_few_records_stays_ok(
    bootstrap_servers: str, unique: str, make_topic: Callable[[str, int], str]
) -> None:
    """The sandbox's case: one record now and then, seen before the consumer commits it."""
    topic = make_topic(f"it-ops-lowrate-{unique}", 1)
    group = f"casebridge-itlow-{unique}"
    produce(bootstrap_servers, topic, [(None, b"first", [])])
    member = Consumer(
        {
            "bootstrap.servers": bootstrap_servers,
            "group.id": group,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    member.subscribe([topic])

    def take_and_commit() -> None:
        for _ in range(80):
            msg = member.poll(0.25)
            if msg is not None and msg.error() is None:
                member.commit(message=msg, asynchronous=False)
                return
        raise AssertionError("the consumer got no record")

    settings = LagSettings(groups=[group], group_prefix="", window=3)
    source = AdminOffsetsSource({"bootstrap.servers": bootstrap_servers}, timeout_s=15)
    monitor = LagMonitor(source, settings, prefix="")
    seen: list[tuple[int | None, Status]] = []
    try:
        take_and_commit()
        for i in range(6):
            report = await monitor.evaluate_once()  # caught up: lag 0
            group_report = report.group(group)
            assert group_report is not None
            seen.append((group_report.total_lag, group_report.status))
            produce(bootstrap_servers, topic, [(None, f"r{i}".encode(), [])])
            # Sampled while the new record is not committed yet, for two samples in a row.
            for _ in range(2):
                report = await monitor.evaluate_once()
                group_report = report.group(group)
                assert group_report is not None
                seen.append((group_report.total_lag, group_report.status))
            take_and_commit()
    finally:
        member.close()
    assert {lag for lag, _ in seen} == {0, 1}, seen
    assert {status for _, status in seen} == {Status.OK}, seen
