"""Assemble a worker: the Faust app plus the stages (roles) it runs.

One process may run every stage (the sandbox) or a single one (a Deployment
per role); the stages only meet through Kafka topics, so any split works.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import faust

from streams.app import create_app
from streams.classify.rules import is_known_topic
from streams.decisions.ending import FinalDecisionBuilder
from streams.decisions.replay import DecisionReplayer
from streams.ops.metrics import add_refresher
from streams.ops.web import install_metrics_route
from streams.services import Services
from streams.settings import Settings, SettingsError

#: role name -> "module:function" taking (app, services) and declaring the stage. Stages do
#: not import each other: what one needs of another is handed over here (ingress, writer).
ROLES: dict[str, str] = {
    "ingress": "streams.pipeline:register_ingress",
    "classify": "streams.pipeline:register_classify",
    "sink": "streams.sink.agent:register",
    "decisions": "streams.decisions.agent:register",
    "reconcile": "streams.reconcile.agent:register",
    "writer": "streams.pipeline:register_writer",
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


def _load(target: str) -> Callable[..., Any]:
    import importlib

    module_name, _, attribute = target.partition(":")
    function = getattr(importlib.import_module(module_name), attribute)
    return function  # type: ignore[no-any-return]


def register_ingress(app: faust.App, services: Services) -> Any:
    """The ingress stage, accepting the webhook topics classify reads (role ``ingress``)."""
    return _load("streams.ingress.agent:register")(app, services, is_known_topic=is_known_topic)


def register_classify(app: faust.App, services: Services) -> Any:
    """The classify stage, recording disputes that ended as the decisions stage maps
    outcomes (role ``classify``)."""
    return _load("streams.classify.agent:register_classify")(
        app, services, endings=FinalDecisionBuilder()
    )


def register_writer(app: faust.App, services: Services) -> Any:
    """The writer stage, rebuilding replayed decision failures as the decisions stage
    builds decisions (role ``writer``)."""
    replays = DecisionReplayer.with_policy(
        services.policy.decisions, default_shop=services.shops.default.domain
    )
    return _load("streams.writer.agent:register")(app, services, replays=replays)


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
