"""``casebridge worker`` and ``casebridge topics``: start Faust agents, create topics."""

from __future__ import annotations

import gc

import click
import faust

from streams.settings import load_settings
from streams.topics import TopicSpec, ensure_topics, topic_specs


@click.command("topics")
def topics() -> None:
    """Create every casebridge topic that does not exist yet."""
    settings = load_settings()
    created = ensure_topics(
        settings.kafka.confluent_config(),
        topic_specs(settings.kafka.default_partitions),
        replication_factor=settings.kafka.replication_factor,
    )
    click.echo(f"created {len(created)} topic(s)" + (": " + ", ".join(created) if created else ""))


@click.command("worker")
@click.option(
    "--roles",
    default=None,
    help="Comma-separated agent roles to run (default: all).",
)
def worker(roles: str | None) -> None:
    """Run a Faust worker with casebridge's agents (after creating the topics)."""
    from streams.pipeline import DEFAULT_ROLES, build_app
    from streams.preflight import StartupRefused, preflight

    settings = load_settings()
    selected = roles.split(",") if roles else None
    try:
        preflight(settings, selected or DEFAULT_ROLES)
    except StartupRefused as exc:
        raise click.ClickException(str(exc)) from exc
    ensure_topics(
        settings.kafka.confluent_config(),
        topic_specs(settings.kafka.default_partitions),
        replication_factor=settings.kafka.replication_factor,
    )
    app = build_app(settings, roles=selected)
    # Faust declares its table changelogs lazily; a table written before its
    # changelog's metadata arrived fails with PartitionsMismatch. Create them first.
    ensure_topics(
        settings.kafka.confluent_config(),
        changelog_specs(app, settings.kafka.default_partitions),
        replication_factor=settings.kafka.replication_factor,
    )
    loglevel = {"WARNING": "warn"}.get(settings.log_level, settings.log_level.lower())
    freeze_startup_objects()
    faust.Worker(app, loglevel=loglevel).execute_from_commandline()


def freeze_startup_objects() -> None:
    """Move every object alive now (modules, classes, the app) out of the collector's reach.

    They live as long as the process, yet each full (generation 2) collection
    walked all of them: 90-135 ms pauses every few seconds under webhook load,
    the ingress's p99 spikes (docs/benchmarks.md). Frozen, a full collection
    only walks what was created after start.
    """
    gc.collect()
    gc.freeze()


def changelog_specs(app: faust.App, partitions: int) -> list[TopicSpec]:
    """The compacted changelog topic of every table the app declares."""
    return [
        TopicSpec(table.changelog_topic.get_topic_name(), partitions, compacted=True)
        for table in app.tables.values()
    ]
