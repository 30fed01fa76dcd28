"""The lag monitor: sample offsets, keep the windows, judge, report and alert.

:class:`LagMonitor` ties the pieces together. Each :meth:`LagMonitor.evaluate_once`
measures every watched group (:mod:`streams.ops.lag`), appends one sample per
partition to its sliding window, judges every window (:mod:`streams.ops.burrow`),
keeps the resulting :class:`LagReport` as :attr:`LagMonitor.latest` for the
Prometheus collector and the operations page, and sends alerts
(:mod:`streams.ops.alerts`). :meth:`LagMonitor.run` repeats that every
``interval_s`` until stopped; the blocking AdminClient calls run in a thread
so the worker's event loop keeps serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from streams.ops.alerts import AlertKind, AlertNotifier, AlertTracker, alert_payload
from streams.ops.burrow import PartitionWindow, Sample, Status, lag_seconds, worst
from streams.ops.errors import OpsError
from streams.ops.lag import TP, GroupOffsets, LagSnapshot, OffsetsSource, measure, select_groups
from streams.settings import LagSettings, Settings

__all__ = ["GroupReport", "LagMonitor", "LagReport", "PartitionRow"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PartitionRow:
    """One partition of one group in a report."""

    topic: str
    partition: int
    committed: int | None
    end: int | None
    lag: int | None
    status: Status
    reason: str
    stable: int | None = None
    lag_seconds: float | None = None
    owner: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "topic": self.topic,
            "partition": self.partition,
            "committed": self.committed,
            "end": self.end,
            "stable": self.stable,
            "lag": self.lag,
            "lag_seconds": self.lag_seconds,
            "status": self.status.value,
            "reason": self.reason,
            "owner": self.owner,
        }


@dataclass(frozen=True, slots=True)
class GroupReport:
    """A group's status (its worst partition's) and its partitions."""

    group: str
    status: Status
    state: str
    members: int
    partitions: list[PartitionRow] = field(default_factory=list)
    error: str | None = None

    @property
    def total_lag(self) -> int:
        """The sum of the known partition lags."""
        return sum(row.lag for row in self.partitions if row.lag is not None)

    def topic_lag(self) -> dict[str, int]:
        """Lag summed per topic."""
        totals: dict[str, int] = {}
        for row in self.partitions:
            totals[row.topic] = totals.get(row.topic, 0) + (row.lag or 0)
        return totals

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "group": self.group,
            "status": self.status.value,
            "state": self.state,
            "members": self.members,
            "total_lag": self.total_lag,
            "error": self.error,
            "partitions": [row.to_dict() for row in self.partitions],
        }


@dataclass(frozen=True, slots=True)
class LagReport:
    """The outcome of one evaluation of every watched group."""

    at: float
    groups: list[GroupReport]
    end_offsets: dict[TP, int] = field(default_factory=dict)
    error: str | None = None

    def group(self, name: str) -> GroupReport | None:
        """The report of group ``name``, if it was watched."""
        return next((g for g in self.groups if g.group == name), None)

    @property
    def status(self) -> Status:
        """The worst group status."""
        return worst(g.status for g in self.groups)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the ``casebridge lag --json`` output)."""
        return {
            "at": datetime.fromtimestamp(self.at, UTC).isoformat(),
            "status": self.status.value,
            "error": self.error,
            "groups": [g.to_dict() for g in self.groups],
        }


class LagMonitor:
    """Watches consumer groups, judges them Burrow-style and alerts on lasting trouble.

    Args:
        source: Where offsets come from (:class:`~streams.ops.lag.AdminOffsetsSource`);
            the monitor owns it (:meth:`aclose` closes it).
        settings: Groups, window, interval and alert configuration.
        prefix: Watch every group starting with this (see ``LagSettings.prefix``).
        notifier: Sends alerts; None disables alerting.
        clock: Unix time source, replaceable in tests.
        app: Name used in alert texts.
    """

    def __init__(
        self,
        source: OffsetsSource,
        settings: LagSettings | None = None,
        *,
        prefix: str = "casebridge",
        notifier: AlertNotifier | None = None,
        clock: Callable[[], float] = time.time,
        app: str = "casebridge",
    ) -> None:
        self.source = source
        self.settings = settings or LagSettings()
        self.prefix = prefix
        self.notifier = notifier
        self.app = app
        self._clock = clock
        self._windows: dict[tuple[str, str, int], PartitionWindow] = {}
        self._known_groups: list[str] = []
        self.tracker = AlertTracker(self.settings.alert_after)
        self.latest: LagReport | None = None
        # Held while a measurement uses the source in its thread: closing waits for it.
        self._measuring = asyncio.Lock()
        self._closed = False

    @classmethod
    def from_settings(cls, settings: Settings, lag: LagSettings | None = None) -> LagMonitor:
        """A monitor on the real cluster, alerting to ``lag.alert_url`` if set.

        ``lag`` defaults to ``settings.lag`` once that section exists.
        """
        from streams.ops.alerts import HttpAlertNotifier
        from streams.ops.lag import AdminOffsetsSource

        lag = lag or settings.lag
        source = AdminOffsetsSource(
            settings.kafka.confluent_config(), timeout_s=lag.request_timeout_s
        )
        notifier = (
            HttpAlertNotifier(lag.alert_url, timeout_s=lag.alert_timeout_s)
            if lag.alert_url
            else None
        )
        return cls(
            source, lag, prefix=lag.prefix(settings.app_id), notifier=notifier, app=settings.app_id
        )

    def _measure(self) -> LagSnapshot:
        groups = select_groups(
            self.source.list_groups(),
            prefix=self.prefix,
            explicit=self.settings.groups,
            exclude_prefixes=self.settings.exclude_prefixes,
        )
        return measure(
            self.source,
            groups,
            read_committed=self.settings.read_committed_groups,
            exclude_topics=self.settings.exclude_topics,
            clock=self._clock,
        )

    async def evaluate_once(self) -> LagReport:
        """Take one sample of every watched partition and judge the windows.

        Raises:
            BrokerUnavailableError: Kafka did not answer (the windows are kept).
        """
        async with self._measuring:
            if self._closed:
                raise OpsError("the lag monitor is closed (the worker is stopping)")
            snapshot = await asyncio.to_thread(self._measure)
        report = self._judge(snapshot)
        self.latest = report
        await self._alert(report)
        return report

    def _judge(self, snapshot: LagSnapshot) -> LagReport:
        seen: set[tuple[str, str, int]] = set()
        groups = [self._judge_group(g, snapshot.at, seen) for g in snapshot.groups]
        # Partitions that vanished (group deleted, topic gone) must not keep
        # stale windows that would judge a reappearing partition on old data.
        for key in set(self._windows) - seen:
            del self._windows[key]
        self._known_groups = [g.group for g in groups]
        return LagReport(at=snapshot.at, groups=groups, end_offsets=snapshot.end_offsets)

    def _judge_group(
        self, group: GroupOffsets, at: float, seen: set[tuple[str, str, int]]
    ) -> GroupReport:
        if group.error is not None:
            return GroupReport(group.group, Status.ERR, group.state, 0, error=group.error)
        rows: list[PartitionRow] = []
        for p in group.partitions:
            key = (group.group, p.topic, p.partition)
            seen.add(key)
            window = self._windows.get(key)
            if window is None:
                window = self._windows[key] = PartitionWindow(self.settings.window)
            owned = (p.owner is not None) if group.settled else None
            window.add(Sample(at, p.committed, p.target, p.lag, owned))
            verdict = window.evaluate()
            rows.append(
                PartitionRow(
                    topic=p.topic,
                    partition=p.partition,
                    committed=p.committed,
                    end=p.end,
                    stable=p.stable,
                    lag=p.lag,
                    status=verdict.status,
                    reason=verdict.reason,
                    lag_seconds=lag_seconds(window.samples),
                    owner=p.owner,
                )
            )
        status = worst(row.status for row in rows)
        return GroupReport(group.group, status, group.state, group.members, rows)

    def error_report(self, error: str) -> LagReport:
        """A report marking every previously watched group ERR (the cluster is unreachable)."""
        groups = [GroupReport(g, Status.ERR, "UNKNOWN", 0, error=error) for g in self._known_groups]
        return LagReport(at=self._clock(), groups=groups, error=error)

    async def _alert(self, report: LagReport) -> None:
        for group in report.groups:
            kind = self.tracker.observe(group.group, group.status)
            if kind is None or self.notifier is None:
                continue
            await self._send(kind, group, report.at)

    async def _send(self, kind: AlertKind, group: GroupReport, at: float) -> None:
        assert self.notifier is not None
        bad = [row.to_dict() for row in group.partitions if row.status is not Status.OK]
        payload = alert_payload(
            kind,
            group=group.group,
            status=group.status,
            evaluations=self.tracker.consecutive(group.group),
            total_lag=group.total_lag,
            partitions=bad,
            at=at,
            app=self.app,
        )
        try:
            await self.notifier.send(payload)
        except Exception as exc:  # any hook failure: log, and owe the message next time
            log.warning("lag alert for %s not delivered (%s); will retry", group.group, exc)
            return
        self.tracker.delivered(group.group, kind)

    async def tick(self) -> LagReport:
        """One evaluation that never raises for an unreachable cluster.

        When Kafka does not answer, the watched groups turn ERR (which alerts
        after ``alert_after`` evaluations) and the next tick tries again; this
        is what :meth:`run` and a Faust timer call.
        """
        try:
            return await self.evaluate_once()
        except OpsError as exc:
            log.warning("lag evaluation failed: %s", exc)
            report = self.error_report(str(exc))
            self.latest = report
            await self._alert(report)
            return report

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """:meth:`tick` every ``interval_s`` until ``stop`` is set or the task is cancelled."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            started = self._clock()
            await self.tick()
            delay = max(0.0, self.settings.interval_s - (self._clock() - started))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)

    async def aclose(self) -> None:
        """Release the offsets source's broker client and the alert hook's connections.

        A measurement in flight finishes first; later evaluations report ERR.
        """
        async with self._measuring:
            self._closed = True
            self.source.close()
        if self.notifier is not None:
            await self.notifier.aclose()
