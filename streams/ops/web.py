"""Wire the operations tooling into a Faust worker: ``/metrics`` and the lag monitor.

::

    from streams.ops.web import install_lag_monitor, install_metrics_route

    install_metrics_route(app)                 # every worker: its own pipeline counters
    install_lag_monitor(app, settings)         # lag judged by the current leader only

The monitor runs as a Faust timer with ``on_leader=True``: every worker of
the app may declare it, but only the group leader evaluates, so N workers
send one alert, not N. After a leader change the new leader starts with
empty windows, so its first evaluations can only say OK, ERR or STOP.
The lag metrics therefore appear on the leader's ``/metrics``; the pipeline
metrics on every worker's.
"""

from __future__ import annotations

from typing import Any

import faust
from faust.web import Request, Response, View

from streams.ops.metrics import (
    CONTENT_TYPE,
    WEBHOOKS_QUIET_ALERT,
    exposition,
    install_lag_collector,
)
from streams.ops.monitor import LagMonitor
from streams.settings import LagSettings, Settings

__all__ = ["install_lag_monitor", "install_metrics_route", "register"]


def install_metrics_route(
    app: faust.App, path: str = "/metrics", *, lag: LagSettings | None = None
) -> None:
    """Serve the Prometheus exposition of :data:`streams.ops.metrics.REGISTRY` at ``path``.

    Also exports the configured thresholds the alert rules read (``lag``).
    """
    WEBHOOKS_QUIET_ALERT.set((lag or LagSettings()).webhooks_quiet_alert_s)

    class MetricsView(View):
        async def get(self, request: Request) -> Response:
            # aiohttp refuses a charset inside content_type=, so send the header as is.
            return self.bytes(exposition(), headers={"Content-Type": CONTENT_TYPE})

    app.page(path, name="prometheus-metrics")(MetricsView)


def install_lag_monitor(
    app: faust.App, settings: Settings, lag: LagSettings | None = None
) -> LagMonitor:
    """Evaluate lag every ``interval_s`` on the leader and export it as metrics."""
    monitor = LagMonitor.from_settings(settings, lag)
    install_lag_collector(lambda: monitor.latest)
    app.timer(monitor.settings.interval_s, on_leader=True, name="casebridge-lag-monitor")(
        monitor.tick
    )

    async def close(*_: object, **__: object) -> None:
        await monitor.aclose()

    app.on_before_shutdown.connect(close)
    return monitor


def register(app: faust.App, services: Any) -> LagMonitor:
    """Role entry point (``"monitor": "streams.ops.web:register"`` in ``streams.pipeline``)."""
    return install_lag_monitor(app, services.settings)
