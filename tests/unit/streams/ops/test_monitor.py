"""LagMonitor over a fake cluster: windows, reports and the alert hook."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from streams.ops.alerts import AlertTracker, HttpAlertNotifier
from streams.ops.burrow import Status
from streams.ops.monitor import LagMonitor
from streams.settings import LagSettings
from tests.unit.streams.ops.fakes import FakeCluster, Gate, close_while_held

GROUP = "casebridge"
TP0 = ("shopify.webhooks", 0)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class Hook:
    """An alert webhook behind httpx.MockTransport."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.fail = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.fail:
            return httpx.Response(503)
        self.bodies.append(json.loads(request.content))
        return httpx.Response(204)

    def notifier(self) -> HttpAlertNotifier:
        client = httpx.AsyncClient(transport=httpx.MockTransport(self.handler))
        return HttpAlertNotifier("http://127.0.0.1:9/hook", client=client)


@pytest.fixture
def cluster() -> FakeCluster:
    cluster = FakeCluster()
    cluster.topic("shopify.webhooks", 1)
    cluster.ends[TP0] = 10
    cluster.group(GROUP, owners={TP0: "member-1"})
    cluster.commits[GROUP] = {TP0: 10}
    cluster.group("other-app")
    return cluster


def monitor(cluster: FakeCluster, clock: Clock, hook: Hook | None = None, **kw: Any) -> LagMonitor:
    settings = LagSettings(window=3, alert_after=kw.pop("alert_after", 2), **kw)
    return LagMonitor(
        cluster, settings, prefix="casebridge", clock=clock,
        notifier=hook.notifier() if hook else None,
    )  # fmt: skip


async def step(mon: LagMonitor, clock: Clock) -> Status:
    clock.now += 10
    report = await mon.evaluate_once()
    group = report.group(GROUP)
    assert group is not None
    return group.status


async def test_report_rows_and_only_prefixed_groups(cluster: FakeCluster) -> None:
    mon = monitor(cluster, Clock())
    report = await mon.evaluate_once()
    assert [g.group for g in report.groups] == [GROUP]
    (row,) = report.groups[0].partitions
    assert (row.topic, row.partition, row.committed, row.end, row.lag) == (*TP0, 10, 10, 0)
    assert report.status is Status.OK and mon.latest is report
    assert report.to_dict()["groups"][0]["partitions"][0]["status"] == "OK"


async def test_stopped_consumer_with_lag_is_stop_then_ok_after_catching_up(
    cluster: FakeCluster,
) -> None:
    clock = Clock()
    mon = monitor(cluster, clock)
    assert await step(mon, clock) is Status.OK
    cluster.stop(GROUP)
    cluster.ends[TP0] = 15
    assert await step(mon, clock) is Status.STOP
    cluster.group(GROUP, owners={TP0: "member-2"})
    cluster.commits[GROUP][TP0] = 15
    assert await step(mon, clock) is Status.OK


async def test_owned_but_stuck_is_stall_and_rewind_is_detected(cluster: FakeCluster) -> None:
    clock = Clock()
    mon = monitor(cluster, clock)
    cluster.ends[TP0] = 20
    assert await step(mon, clock) is Status.OK  # one sample, owner active
    assert await step(mon, clock) is Status.OK  # window (3) not full yet
    assert await step(mon, clock) is Status.STALL
    cluster.commits[GROUP][TP0] = 4
    assert await step(mon, clock) is Status.REWIND


async def test_alert_fires_after_n_bad_evaluations_once_then_recovers(
    cluster: FakeCluster,
) -> None:
    clock, hook = Clock(), Hook()
    mon = monitor(cluster, clock, hook, alert_after=3)
    cluster.stop(GROUP)
    cluster.ends[TP0] = 30
    for _ in range(2):
        assert await step(mon, clock) is Status.STOP
    assert hook.bodies == []
    for _ in range(3):
        await step(mon, clock)
    assert [b["state"] for b in hook.bodies] == ["firing"]
    firing = hook.bodies[0]
    assert firing["group"] == GROUP and firing["status"] == "STOP"
    assert firing["evaluations"] == 3 and firing["total_lag"] == 20
    assert firing["partitions"][0]["topic"] == "shopify.webhooks"
    assert "casebridge is STOP" in firing["text"]

    cluster.commits[GROUP][TP0] = 30
    assert await step(mon, clock) is Status.OK
    await step(mon, clock)
    assert [b["state"] for b in hook.bodies] == ["firing", "resolved"]
    await mon.aclose()
    assert cluster.closed  # the monitor owns its source: the broker client goes with it


async def test_undelivered_alert_is_retried_on_the_next_evaluation(cluster: FakeCluster) -> None:
    clock, hook = Clock(), Hook()
    mon = monitor(cluster, clock, hook, alert_after=1)
    cluster.stop(GROUP)
    cluster.ends[TP0] = 30
    hook.fail = True
    await step(mon, clock)
    assert not mon.tracker.is_open(GROUP)
    hook.fail = False
    await step(mon, clock)
    await step(mon, clock)
    assert [b["state"] for b in hook.bodies] == ["firing"]


def test_tracker_counts_an_episode_across_different_bad_statuses() -> None:
    tracker = AlertTracker(after=2)
    assert tracker.observe("g", Status.STALL) is None
    assert tracker.observe("g", Status.STOP) == "firing"
    tracker.delivered("g", "firing")
    assert tracker.observe("g", Status.ERR) is None
    assert tracker.observe("g", Status.OK) == "resolved"
    tracker.delivered("g", "resolved")
    assert tracker.observe("g", Status.OK) is None
    assert tracker.consecutive("g") == 0


async def test_unreachable_cluster_turns_known_groups_err_in_run(cluster: FakeCluster) -> None:
    clock = Clock()
    mon = monitor(cluster, clock, interval_s=0.01)
    await mon.evaluate_once()
    cluster.down = True
    stop = asyncio.Event()
    task = asyncio.create_task(mon.run(stop))
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 2)
    assert mon.latest is not None and mon.latest.error is not None
    group = mon.latest.group(GROUP)
    assert group is not None and group.status is Status.ERR
    assert mon.tracker.consecutive(GROUP) >= 1


async def test_group_error_is_err(cluster: FakeCluster, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(group: str) -> dict[tuple[str, int], int]:
        from streams.ops.errors import LagMeasurementError

        raise LagMeasurementError(f"offsets of {group}: GROUP_AUTHORIZATION_FAILED")

    monkeypatch.setattr(cluster, "committed_offsets", broken)
    report = await monitor(cluster, Clock()).evaluate_once()
    group = report.group(GROUP)
    assert group is not None and group.status is Status.ERR
    assert "GROUP_AUTHORIZATION_FAILED" in (group.error or "")


def test_lag_settings_as_a_settings_section_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pydantic import Field

    from streams.settings import Settings

    class WithLag(Settings):
        lag: LagSettings = Field(default_factory=LagSettings)

    monkeypatch.setenv("CASEBRIDGE_LAG__WINDOW", "4")
    monkeypatch.setenv("CASEBRIDGE_LAG__ALERT_URL", "http://127.0.0.1:9/hook")
    monkeypatch.setenv("CASEBRIDGE_LAG__GROUPS", '["partner"]')
    settings = WithLag()
    mon = LagMonitor.from_settings(settings)
    assert mon.settings.window == 4 and mon.settings.groups == ["partner"]
    assert mon.prefix == settings.app_id
    assert isinstance(mon.notifier, HttpAlertNotifier)


def test_alert_url_must_be_http() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="http"):
        LagSettings(alert_url="ftp://x")


async def test_a_few_records_per_partition_never_alarm(cluster: FakeCluster) -> None:
    """The sandbox's pattern: records now and then, each committed a sample or two later."""
    clock = Clock()
    mon = monitor(cluster, clock)
    end = 10
    for i in range(30):
        if i % 3 == 0:
            end += 1
            cluster.ends[TP0] = end  # a record arrives after the last commit
        elif i % 3 == 2:
            cluster.commits[GROUP][TP0] = end  # Faust commits it
        assert await step(mon, clock) is Status.OK, i
    assert mon.latest is not None and mon.latest.status is Status.OK


async def test_idle_then_stopped_then_rewound(cluster: FakeCluster) -> None:
    clock = Clock()
    mon = monitor(cluster, clock)
    for _ in range(5):  # idle: nothing new, lag 0, commit never moves
        assert await step(mon, clock) is Status.OK
    cluster.stop(GROUP)
    cluster.ends[TP0] = 12
    assert await step(mon, clock) is Status.STOP
    cluster.group(GROUP, owners={TP0: "member-2"})
    cluster.commits[GROUP][TP0] = 2  # the operator rewound the group
    assert await step(mon, clock) is Status.REWIND


async def test_closing_waits_for_the_measurement_in_flight_then_evaluations_say_err(
    cluster: FakeCluster,
) -> None:
    gate, list_groups = Gate(), cluster.list_groups
    measured: list[str] = []

    def measured_slowly() -> list[str]:
        gate.hold()
        measured.append("groups")
        return list_groups()

    cluster.list_groups = measured_slowly  # type: ignore[method-assign]
    mon = monitor(cluster, Clock())
    await close_while_held(gate, mon.evaluate_once(), mon.aclose, lambda: cluster.closed)
    report = await mon.tick()  # the destroyed client is not used again
    assert report.error is not None and "closed" in report.error
    assert measured == ["groups"]
