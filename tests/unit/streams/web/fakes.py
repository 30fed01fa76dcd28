"""Fakes for the operations service: DLQ counts, a lag monitor on a fake cluster, the service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from streams.ops.errors import BrokerUnavailableError
from streams.ops.monitor import LagMonitor
from streams.settings import LagSettings
from streams.web.rates import RateTracker
from streams.web.service import OpsService
from streams.web.tally import CaseTally
from tests.unit.connectors.serde.fakes import FakeRegistry
from tests.unit.streams.ops.fakes import FakeCluster

GROUP = "casebridge-unit"


@dataclass
class FakeDlqCounter:
    """Stands in for :class:`DlqCounter`; counts calls, can fail."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0
    down: bool = False
    closed: bool = False

    def close(self) -> None:
        self.closed = True

    def counts(self) -> list[dict[str, Any]]:
        self.calls += 1
        if self.closed:
            raise BrokerUnavailableError("the DLQ counter is closed (the worker is stopping)")
        if self.down:
            raise BrokerUnavailableError("Kafka at fake:9092 did not answer")
        return [dict(r) for r in self.rows]


def monitor_with_lag(lag: int = 5) -> LagMonitor:
    """A lag monitor over a fake cluster where GROUP lags ``lag`` records on one partition."""
    cluster = FakeCluster()
    cluster.topic("shopify.webhooks", 1)
    cluster.ends[("shopify.webhooks", 0)] = 10 + lag
    cluster.group(GROUP, owners={("shopify.webhooks", 0): "member-1"})
    cluster.commits[GROUP] = {("shopify.webhooks", 0): 10}
    return LagMonitor(cluster, LagSettings(interval_s=5), prefix=GROUP)


def service(
    *,
    monitor: LagMonitor | None = None,
    dlq: FakeDlqCounter | None = None,
    tally: CaseTally | None = None,
) -> OpsService:
    """An OpsService whose Kafka-facing parts are fakes."""
    counter: Any = dlq or FakeDlqCounter()
    values: dict[tuple[str, str, str], float] = {("in", "classify", ""): 3.0}
    return OpsService(
        client_config={"bootstrap.servers": "127.0.0.1:1"},
        registry=FakeRegistry().client(),
        tally=tally or CaseTally(),
        rates=RateTracker(lambda: dict(values)),
        dlq_counter=counter,
        monitor=lambda: monitor,
    )
