"""Assemble a worker: the Faust app plus the stages (roles) it runs.

One process may run every stage (the sandbox) or a single one (a Deployment
per role); the stages only meet through Kafka topics, so any split works.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import faust

from streams.app import create_app
from streams.ops.metrics import add_refresher
from streams.ops.web import install_metrics_route
from streams.services import Services
from streams.settings import Settings, SettingsError

#: role name -> "module:function" taking (app, services) and declaring the stage.
ROLES: dict[str, str] = {
    "ingress": "streams.ingress.agent:register",
    "classify": "streams.classify.agent:register_classify",
    "sink": "streams.sink.agent:register",
    "decisions": "streams.decisions.agent:register",
    "reconcile": "streams.reconcile.agent:register",
    "writer": "streams.writer.agent:register",
    "escalation": "streams.escalation.agent:register",
    "web": "streams.web.api:register",
    "monitor": "streams.ops.web:register",
}

DEFAULT_ROLES = (
    "ingress",
    "classify",
    "sink",
    "decisions",
    "writer",
    "escalation",
    "reconcile",
    "monitor",
    "web",
)


def _load(target: str) -> Callable[[faust.App, Services], Any]:
    import importlib

    module_name, _, attribute = target.partition(":")
    function = getattr(importlib.import_module(module_name), attribute)
    return function  # type: ignore[no-any-return]


def build_app(
    settings: Settings, roles: Sequence[str] | None = None, **app_overrides: Any
) -> faust.App:
    """The Faust app with the selected stages declared on it."""
    selected = list(roles or DEFAULT_ROLES)
    unknown = [r for r in selected if r not in ROLES]
    if unknown:
        raise SettingsError(f"unknown role(s) {', '.join(unknown)}; choose from {', '.join(ROLES)}")
    app = create_app(settings, **app_overrides)
    install_metrics_route(app, lag=settings.lag)
    services = Services(settings)
    add_refresher(services.refresh_budget_metrics)
    watcher = services.shop_watcher  # a bad registry file refuses the start, here
    if watcher is not None:
        # Every worker re-reads the file: each one serves whichever shops its partitions hold.
        @app.timer(settings.shops_reload_s, name="casebridge.shop-registry")  # type: ignore[untyped-decorator]
        async def reload_shops() -> None:
            watcher.check()

    app.casebridge_services = services  # type: ignore[attr-defined]
    app.casebridge_stages = {role: _load(ROLES[role])(app, services) for role in selected}  # type: ignore[attr-defined]

    async def close_services(*_: object, **__: object) -> None:
        await services.aclose()

    app.on_before_shutdown.connect(close_services)
    return app
