"""``casebridge lag`` and ``casebridge dlq`` output, with the broker replaced by fakes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from streams.kafka.health import HealthNote
from streams.ops import dlq_cli, lag_cli
from streams.ops.dlq_records import ReplayedRecord, ReplayResult
from streams.ops.errors import BrokerUnavailableError
from tests.unit.streams.ops.fakes import FakeCluster

TP0 = ("orders", 0)


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch) -> FakeCluster:
    cluster = FakeCluster()
    cluster.topic("orders", 1)
    cluster.ends[TP0] = 9
    cluster.group("casebridge")
    cluster.stop("casebridge")
    cluster.commits["casebridge"] = {TP0: 4}
    cluster.group("casebridge-audit", owners={TP0: "m"})
    cluster.commits["casebridge-audit"] = {TP0: 9}

    def source(config: dict[str, Any], timeout_s: float) -> FakeCluster:
        assert config["bootstrap.servers"] == "127.0.0.1:19999"
        return cluster

    monkeypatch.setattr(lag_cli, "AdminOffsetsSource", source)
    monkeypatch.setattr(lag_cli, "_notes", lambda config, app_id: (cluster_notes, None))
    cluster_notes.clear()
    return cluster


#: Health notes the fake Kafka holds (streams.kafka.health).
cluster_notes: list[HealthNote] = []


ARGS = ["--bootstrap-servers", "127.0.0.1:19999", "--interval", "0"]


def test_lag_table_and_status_lines(cluster: FakeCluster) -> None:
    result = CliRunner().invoke(lag_cli.lag, ARGS)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["GROUP", "TOPIC", "PARTITION", "COMMITTED", "END", "LAG", "STATUS"]
    assert lines[1].split() == ["casebridge", "orders", "0", "4", "9", "5", "STOP"]
    assert lines[2].split() == ["casebridge-audit", "orders", "0", "9", "9", "0", "OK"]
    assert "group casebridge: STOP (state EMPTY, 0 member(s), 1 partition(s), lag 5)" in lines
    assert cluster.closed  # the AdminClient is released, not left to the collector


def test_lag_json_for_one_group_and_check_exit_code(cluster: FakeCluster) -> None:
    runner = CliRunner()
    result = runner.invoke(lag_cli.lag, [*ARGS, "--group", "casebridge", "--json", "--check"])
    assert result.exit_code == 1
    body = json.loads(result.output)
    assert [g["group"] for g in body["groups"]] == ["casebridge"]
    assert body["groups"][0]["partitions"][0]["lag"] == 5
    assert body["status"] == "STOP"
    ok = runner.invoke(lag_cli.lag, [*ARGS, "--group", "casebridge-audit", "--check"])
    assert ok.exit_code == 0


def test_a_refused_stage_is_shown_and_fails_the_check(cluster: FakeCluster) -> None:
    refused = HealthNote(
        service="opentext",
        agent="sink",
        failing=True,
        errors=7,
        last_error="the OpenText gateway refused the call (HTTP 401): Invalid ApiKey",
        since="2026-12-06T04:00:00+00:00",
        updated_at="2026-12-06T04:05:00+00:00",
    )
    cluster_notes.append(refused)
    args = [*ARGS, "--group", "casebridge-audit"]
    table = CliRunner().invoke(lag_cli.lag, [*args, "--check"])
    assert table.exit_code == 1  # the lag is fine, the sink is not
    assert (
        "opentext (sink): REFUSED since 2026-12-06T04:00:00+00:00, 7 refusal(s), waiting and"
        " retrying: the OpenText gateway refused the call (HTTP 401): Invalid ApiKey"
    ) in table.output.splitlines()
    body = json.loads(CliRunner().invoke(lag_cli.lag, [*args, "--json"]).output)
    assert body["remote"][0]["failing"] is True and body["remote"][0]["errors"] == 7


def test_lag_unreachable_broker_raises_one_line_error(cluster: FakeCluster) -> None:
    cluster.down = True
    result = CliRunner().invoke(lag_cli.lag, ARGS)
    assert isinstance(result.exception, BrokerUnavailableError)
    assert "\n" not in str(result.exception)


def test_replay_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_replay(config: dict[str, Any], topic: str, **kwargs: Any) -> ReplayResult:
        seen.update(kwargs, topic=topic)
        result = ReplayResult("t.dlq", "casebridge-dlq-replay-t.dlq", dry_run=True)
        result.examined, result.matched = 3, 1
        result.replayed.append(ReplayedRecord(0, 2, "k", "t"))
        result.skipped.append((0, 1, "no source_topic header"))
        return result

    monkeypatch.setattr(dlq_cli, "replay", fake_replay)
    args = ["replay", "t", "--dry-run", "--filter", "reason=*x*", "--limit", "5",
            "--bootstrap-servers", "127.0.0.1:19999"]  # fmt: skip
    result = CliRunner().invoke(dlq_cli.dlq, args)
    assert result.exit_code == 0, result.output
    assert seen["filters"] == {"reason": ["*x*"]} and seen["limit"] == 5 and seen["dry_run"]
    assert "t.dlq/0/2 -> t attempt 2" in result.output
    assert "skipped t.dlq/0/1: no source_topic header" in result.output
    assert "would replay 1 record(s); 1 matched, 3 examined in t.dlq" in result.output
