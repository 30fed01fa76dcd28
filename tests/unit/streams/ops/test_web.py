"""The worker wiring: the /metrics view and the leader-only lag monitor timer."""

from __future__ import annotations

import faust
import pytest
from prometheus_client.parser import text_string_to_metric_families

from streams.ops.metrics import RECORDS_IN, exposition
from streams.ops.web import install_lag_monitor, install_metrics_route
from streams.settings import LagSettings, load_settings


def app() -> faust.App:
    return faust.App("casebridge-unit-ops-web", broker="kafka://127.0.0.1:1")


async def test_metrics_view_serves_the_registry_with_its_content_type() -> None:
    a = app()
    install_metrics_route(a)
    RECORDS_IN.labels(agent="unit-web").inc()
    response = await a.web.views["/metrics"].get(None)
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    body = response.body.decode()
    names = {f.name for f in text_string_to_metric_families(body)}
    assert "casebridge_records_in" in names


async def test_lag_monitor_is_a_leader_timer_and_feeds_the_collector() -> None:
    a = app()
    settings = load_settings(kafka={"bootstrap_servers": "127.0.0.1:1"})
    lag = LagSettings(interval_s=5, request_timeout_s=1)
    before = len(a._app_tasks)
    monitor = install_lag_monitor(a, settings, lag)
    assert len(a._app_tasks) == before + 1
    assert monitor.prefix == settings.app_id and monitor.notifier is None
    report = await monitor.tick()  # no broker: an ERR report, not an exception
    assert report.error is not None and "did not answer" in report.error
    assert "kafka_consumergroup_lag" in exposition().decode()
    # The worker's shutdown closes the monitor's AdminClient; the metrics collector
    # still reaches the monitor, so collection alone would not release it.
    await a.on_before_shutdown.send()
    with pytest.raises(RuntimeError, match="closed"):
        monitor.source.list_groups()
