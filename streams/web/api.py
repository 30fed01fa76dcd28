"""The operations JSON API on the worker's web server (Faust ``app.page`` views).

::

    GET  /api/overview                 stage rates, lag per group, cases by type/state, DLQ counts
    GET  /api/lag                      the lag monitor's latest report, every partition
    GET  /api/history?since=           the charts' points of the last hour (after ``since``)
    GET  /api/cases?type=&state=&limit=
    GET  /api/cases/{case_id}          the case's audit trail (404 if no record names it)
    GET  /api/dlq/{topic}?limit=       records of a DLQ (``topic`` or ``topic.dlq``)
    POST /api/dlq/{topic}/replay       body: {"filters", "dry_run", "limit", "from_beginning"}

Installed by the ``web`` role (``"web": "streams.web.api:register"`` in
:data:`streams.pipeline.ROLES`), together with the page at ``/ops/``.
Lag comes from the ``monitor`` role of the same worker, so run both in the
worker that serves the page.

The replay POST changes state, and the worker has no login: it only accepts
``Content-Type: application/json``, which a cross-site form cannot send
without a CORS preflight that this server never approves. The worker binds
to ``web_host`` (127.0.0.1 by default); expose it only behind an
authenticating proxy.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import math
from typing import Any

import faust
from faust.web import Request, Response, View

from streams.kafka.health import health_notes
from streams.ops.errors import (
    BrokerUnavailableError,
    FilterError,
    OpsError,
    ReplayError,
    UnknownTopicError,
)
from streams.ops.monitor import LagMonitor
from streams.topics import CASES_STATE
from streams.web.audit import CaseNotFoundError
from streams.web.dlqstats import DlqCounter
from streams.web.history import History
from streams.web.page import install_page
from streams.web.rates import RateTracker
from streams.web.service import OpsService, RequestError, replay_options
from streams.web.tally import CaseStateReader, CaseTally

__all__ = ["install_api", "register"]

log = logging.getLogger(__name__)

#: Seconds between two samples of the pipeline counters.
RATE_SAMPLE_INTERVAL_S = 5.0


def _error(view: View, status: int, message: str) -> Response:
    return view.json({"error": message}, status=status)


def _status_of(exc: Exception) -> int:
    if isinstance(exc, RequestError | FilterError):
        return 400
    if isinstance(exc, CaseNotFoundError | UnknownTopicError):
        return 404
    if isinstance(exc, BrokerUnavailableError):
        return 503
    if isinstance(exc, ReplayError):
        return 502
    return 500


def _int_param(request: Request, name: str, default: int, maximum: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise RequestError(f"{name}: expected a positive integer, got {raw!r}")
    return min(int(raw), maximum)


def install_api(app: faust.App, service: OpsService) -> None:
    """Declare the ``/api/...`` views of ``service`` on ``app``."""

    async def answer(view: View, call: Any) -> Response:
        try:
            return view.json(await call)
        except (RequestError, CaseNotFoundError, OpsError) as exc:
            return _error(view, _status_of(exc), str(exc))

    class OverviewView(View):
        async def get(self, request: Request) -> Response:
            return await answer(self, service.overview())

    class LagView(View):
        async def get(self, request: Request) -> Response:
            return self.json(service.lag())

    class HistoryView(View):
        async def get(self, request: Request) -> Response:
            raw = request.query.get("since") or ""
            try:
                since = float(raw) if raw else None
            except ValueError:
                return _error(self, 400, f"since: expected a Unix time in seconds, got {raw!r}")
            if since is not None and not math.isfinite(since):
                return _error(self, 400, f"since: expected a finite number, got {raw!r}")
            return self.json(service.charts(since))

    class CasesView(View):
        async def get(self, request: Request) -> Response:
            try:
                limit = _int_param(request, "limit", 100, 1000)
            except RequestError as exc:
                return _error(self, 400, str(exc))
            found = service.cases(
                request.query.get("type") or None,
                request.query.get("state") or None,
                limit,
                shop=request.query.get("shop") or None,
            )
            return self.json(found)

    class CaseView(View):
        async def get(self, request: Request, case_id: str) -> Response:
            return await answer(self, service.case(case_id))

    class DlqView(View):
        async def get(self, request: Request, topic: str) -> Response:
            try:
                limit = _int_param(request, "limit", 100, 1000)
            except RequestError as exc:
                return _error(self, 400, str(exc))
            return await answer(self, service.dlq_records(topic, limit))

    class ReplayView(View):
        async def post(self, request: Request, topic: str) -> Response:
            # Only JSON: a cross-site <form> cannot send it without a preflight (see module doc).
            content_type = request.headers.get("Content-Type", "").split(";")[0].strip()
            if content_type != "application/json":
                return _error(self, 415, "send the replay options as application/json")
            raw = await request.text()
            try:
                options = replay_options(json.loads(raw) if raw.strip() else {})
            except json.JSONDecodeError as exc:
                return _error(self, 400, f"the body is not JSON: {exc}")
            except RequestError as exc:
                return _error(self, 400, str(exc))
            log.info("replaying %s with %s (requested on the operations page)", topic, options)
            return await answer(self, service.replay(topic, options))

    app.page("/api/overview", name="ops-overview")(OverviewView)
    app.page("/api/lag", name="ops-lag")(LagView)
    app.page("/api/history", name="ops-history")(HistoryView)
    app.page("/api/cases", name="ops-cases")(CasesView)
    app.page("/api/cases/{case_id}", name="ops-case")(CaseView)
    app.page("/api/dlq/{topic}", name="ops-dlq")(DlqView)
    app.page("/api/dlq/{topic}/replay", name="ops-dlq-replay")(ReplayView)


def register(app: faust.App, services: Any) -> OpsService:
    """Role entry point: the operations page and API, the case tally and the rate sampler.

    ``services`` is the worker's :class:`~streams.services.Services`.
    """
    settings = services.settings
    client_config = settings.kafka.confluent_config()
    tally = CaseTally()
    serde = services.serde(CASES_STATE)
    reader = CaseStateReader(
        client_config, serde.decode, tally, group=f"{settings.app_id}-ops-cases"
    )

    def monitor() -> LagMonitor | None:
        # Read at request time: the monitor role may be declared after this one.
        stages = getattr(app, "casebridge_stages", {}) or {}
        candidate = stages.get("monitor")
        return candidate if isinstance(candidate, LagMonitor) else None

    service = OpsService(
        client_config=client_config,
        registry=services.registry,
        tally=tally,
        rates=RateTracker(),
        history=History(interval_s=RATE_SAMPLE_INTERVAL_S),
        dlq_counter=DlqCounter(client_config),
        monitor=monitor,
        reader=reader,
        remote_notes=functools.partial(health_notes, client_config, settings.app_id),
    )
    install_api(app, service)
    install_page(app)

    @app.task  # type: ignore[untyped-decorator]
    async def start_ops_readers() -> None:
        service.sample_rates()
        reader.start()

    async def sample_rates() -> None:
        # Every worker samples its own counters (they are per process): not on_leader.
        # The charts' history is sampled on the same beat (RATE_SAMPLE_INTERVAL_S).
        service.sample_rates()

    app.timer(RATE_SAMPLE_INTERVAL_S, name="casebridge-ops-rates")(sample_rates)

    async def stop_reader(*_: object, **__: object) -> None:
        await asyncio.to_thread(reader.stop)
        await service.aclose()

    app.on_before_shutdown.connect(stop_reader)
    return service
