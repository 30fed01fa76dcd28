"""A worker running only the escalation stage, for the integration test (run as a subprocess).

``python -m tests.integration.streams.escalation.escalation_app`` builds the
app the way :func:`streams.pipeline.build_app` does for one role, but with
the escalation settings taken from ``CB_ESCALATION_*`` variables so the test
can tick every second whether or not ``Settings`` has an ``escalation``
field yet. Everything else (app id, ports, broker, registry, OpenText URL)
comes from the usual ``CASEBRIDGE_*`` environment.
"""

from __future__ import annotations

import os

import faust

from streams.app import create_app
from streams.escalation import EscalationSettings
from streams.escalation.agent import EscalationStage
from streams.ops.web import install_metrics_route
from streams.services import Services
from streams.settings import load_settings
from streams.topics import ensure_topics, topic_specs
from streams.worker_cli import changelog_specs


def main() -> None:
    """Create the topics, declare the escalation stage, run the worker until SIGTERM."""
    settings = load_settings()
    ensure_topics(settings.kafka.confluent_config(), topic_specs(settings.kafka.default_partitions))
    escalation = EscalationSettings(
        interval_s=float(os.environ.get("CB_ESCALATION_INTERVAL_S", "1")),
        level_step_s=float(os.environ.get("CB_ESCALATION_LEVEL_STEP_S", "3600")),
    )
    app = create_app(settings)
    install_metrics_route(app)
    services = Services(settings)
    stage = EscalationStage(app, services, escalation)
    app.casebridge_stages = {"escalation": stage}  # type: ignore[attr-defined]
    # As the worker command does: table changelogs exist before the first write.
    ensure_topics(
        settings.kafka.confluent_config(),
        changelog_specs(app, settings.kafka.default_partitions),
    )

    async def close_services(*_: object, **__: object) -> None:
        await services.aclose()

    app.on_before_shutdown.connect(close_services)
    faust.Worker(app, loglevel="info").execute_from_commandline()


if __name__ == "__main__":
    main()
