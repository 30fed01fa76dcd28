"""Lag measurement over a fake cluster: what gets measured and how lag is computed."""

from __future__ import annotations

import pytest

from streams.ops import lag
from streams.ops.lag import AdminOffsetsSource, PartitionOffsets, measure, select_groups
from tests.unit.streams.ops.fakes import FakeAdminClient, FakeCluster


def test_select_groups_by_prefix_explicit_and_excludes() -> None:
    available = ["casebridge", "casebridge-dlq-replay-x.dlq", "other", "casebridge-audit"]
    chosen = select_groups(
        available,
        prefix="casebridge",
        explicit=["partner-reader"],
        exclude_prefixes=["casebridge-dlq-replay-"],
    )
    assert chosen == ["casebridge", "casebridge-audit", "partner-reader"]
    assert select_groups(available, prefix="", explicit=["other"]) == ["other"]


def test_lag_is_end_minus_committed_never_negative() -> None:
    row = PartitionOffsets("t", 0, committed=7, end=10, start=0)
    assert row.lag == 3
    assert PartitionOffsets("t", 0, committed=12, end=10).lag == 0
    assert PartitionOffsets("t", 0, committed=7, end=None).lag is None


def test_without_a_commit_lag_counts_from_the_log_start() -> None:
    assert PartitionOffsets("t", 0, committed=None, end=10, start=4).lag == 6


def test_read_committed_lag_is_measured_against_the_last_stable_offset() -> None:
    row = PartitionOffsets("t", 0, committed=5, end=10, stable=8, read_committed=True)
    assert row.target == 8
    assert row.lag == 3


def test_measure_covers_every_partition_of_consumed_topics() -> None:
    cluster = FakeCluster()
    cluster.topic("orders", 3)
    cluster.topic("unrelated", 2)
    cluster.ends.update({("orders", 0): 10, ("orders", 1): 5, ("orders", 2): 8})
    cluster.starts[("orders", 2)] = 2
    cluster.group("casebridge", owners={("orders", 0): "m1", ("orders", 1): "m1"})
    cluster.commits["casebridge"] = {("orders", 0): 4, ("orders", 1): 5}

    snapshot = measure(cluster, ["casebridge"], clock=lambda: 123.0)

    (group,) = snapshot.groups
    assert snapshot.at == 123.0
    assert group.state == "STABLE" and group.members == 1 and group.settled
    rows = {(p.topic, p.partition): p for p in group.partitions}
    assert set(rows) == {("orders", 0), ("orders", 1), ("orders", 2)}
    assert rows[("orders", 0)].lag == 6
    assert rows[("orders", 1)].lag == 0
    assert rows[("orders", 2)].committed is None and rows[("orders", 2)].lag == 6
    assert rows[("orders", 2)].owner is None and rows[("orders", 0)].owner == "m1"
    # Topic offsets are measured for the topics the watched groups consume.
    assert snapshot.end_offsets[("orders", 0)] == 10
    assert ("unrelated", 0) not in snapshot.end_offsets


def test_measure_reports_stable_offsets_only_for_read_committed_groups() -> None:
    cluster = FakeCluster()
    cluster.topic("t", 1)
    cluster.ends[("t", 0)] = 10
    cluster.stables[("t", 0)] = 7
    for g in ("casebridge-a", "casebridge-b"):
        cluster.group(g)
        cluster.commits[g] = {("t", 0): 5}
    snapshot = measure(cluster, ["casebridge-a", "casebridge-b"], read_committed=["casebridge-b"])
    lags = {g.group: g.partitions[0].lag for g in snapshot.groups}
    assert lags == {"casebridge-a": 5, "casebridge-b": 2}


def test_a_rebalancing_group_is_not_settled() -> None:
    cluster = FakeCluster()
    cluster.topic("t", 1)
    cluster.group("casebridge", state="PREPARING_REBALANCING")
    cluster.commits["casebridge"] = {("t", 0): 0}
    (group,) = measure(cluster, ["casebridge"]).groups
    assert not group.settled


def test_faust_internal_topics_are_excluded_by_the_default_patterns() -> None:
    from streams.settings import LagSettings

    cluster = FakeCluster()
    for topic in ("shopify.webhooks", "casebridge-shop-stats-changelog",
                  "casebridge-__assignor-__leader"):  # fmt: skip
        cluster.topic(topic, 1)
        cluster.ends[(topic, 0)] = 5
    owners = {(t, 0): "m" for t in cluster.partitions}
    cluster.group("casebridge", owners=owners)
    cluster.commits["casebridge"] = {("shopify.webhooks", 0): 5}
    excluded = LagSettings().exclude_topics
    (group,) = measure(cluster, ["casebridge"], exclude_topics=excluded).groups
    assert [p.topic for p in group.partitions] == ["shopify.webhooks"]


def test_closing_the_admin_source_destroys_its_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lag, "AdminClient", FakeAdminClient)
    source = AdminOffsetsSource({"bootstrap.servers": "127.0.0.1:1"})
    source.close()
    assert source._admin.exits == 1
