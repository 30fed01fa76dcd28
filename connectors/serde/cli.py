"""``casebridge schemas``: register the ``.avsc`` files and check changes against the registry.

::

    casebridge schemas register [--dry-run]    # every topic's schema under <topic>-value, BACKWARD
    casebridge schemas check                   # would the local files break consumers?

Both reach the registry at ``--registry-url``, else through the application's
settings (``CASEBRIDGE_REGISTRY__URL``): ``casebridge`` (:mod:`streams.cli`) passes
a :class:`RegistrySource` as click's context object, so this module reads no
settings of its own (``connectors`` imports nothing of ``streams``).

``check`` exits 1 and prints one ``<subject>: <incompatibility>`` line per
problem when a local schema cannot be registered as the next version; an
unreachable registry or a malformed file is an error (one line, exit 2,
printed by the main CLI).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import click

from connectors.serde.avro import value_subject
from connectors.serde.compat import backward_incompatibilities
from connectors.serde.registry import CompatibilityLevel, RegistryClient
from schemas import SCHEMAS_DIR, TOPIC_RECORDS, load_schema, schema_path

__all__ = ["schemas"]

_LEVELS = ["NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL",
           "FULL_TRANSITIVE"]  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Target:
    topic: str
    record: str
    subject: str
    path: Path


def _targets(schemas_dir: Path, prefix: str, topics: tuple[str, ...]) -> list[_Target]:
    unknown = [topic for topic in topics if topic not in TOPIC_RECORDS]
    if unknown:
        raise click.BadParameter(
            f"unknown topic(s) {', '.join(unknown)}; known: {', '.join(TOPIC_RECORDS)}",
            param_hint="--topic",
        )
    selected = topics or tuple(TOPIC_RECORDS)
    return [
        _Target(
            topic=topic,
            record=TOPIC_RECORDS[topic],
            subject=prefix + value_subject(topic),
            path=schema_path(TOPIC_RECORDS[topic], schemas_dir),
        )
        for topic in selected
    ]


@runtime_checkable
class RegistrySource(Protocol):
    """Where the registry is when ``--registry-url`` is not given (click's context object)."""

    def registry_client(self) -> RegistryClient:
        """A client for the configured registry (settings are read only when called)."""
        ...


def _client(registry_url: str | None) -> RegistryClient:
    if registry_url:
        return RegistryClient(registry_url)
    source = click.get_current_context().find_object(RegistrySource)  # type: ignore[type-abstract]
    if source is None:
        raise click.UsageError("--registry-url is required: no application settings to read it")
    return source.registry_client()


_common_options = [
    click.option(
        "--registry-url",
        metavar="URL",
        help="Registry base URL (default: CASEBRIDGE_REGISTRY__URL / settings).",
    ),
    click.option(
        "--schemas-dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=SCHEMAS_DIR,
        show_default="the packaged schemas",
        help="Folder of <Record>.avsc files.",
    ),
    click.option(
        "--subject-prefix",
        default="",
        metavar="PREFIX",
        help="Prefix for every subject name (isolates test runs on a shared registry).",
    ),
    click.option(
        "--topic",
        "topics",
        multiple=True,
        metavar="TOPIC",
        help="Only this topic (repeatable; default: every topic).",
    ),
]


def _with_common_options(func: Any) -> Any:
    for option in reversed(_common_options):
        func = option(func)
    return func


@click.group()
def schemas() -> None:
    """Register and check the Avro schemas of every topic."""


@schemas.command()
@_with_common_options
@click.option("--dry-run", is_flag=True, help="Validate the files and show the plan only.")
@click.option(
    "--compatibility",
    type=click.Choice(_LEVELS),
    default="BACKWARD",
    show_default=True,
    help="Compatibility level set on every subject.",
)
def register(
    registry_url: str | None,
    schemas_dir: Path,
    subject_prefix: str,
    topics: tuple[str, ...],
    dry_run: bool,
    compatibility: CompatibilityLevel,
) -> None:
    """Register each topic's schema under <topic>-value and set its compatibility."""
    targets = _targets(schemas_dir, subject_prefix, topics)
    # Validate every file before touching the registry: all or nothing on a typo.
    loaded = {target.subject: load_schema(target.record, schemas_dir) for target in targets}
    if dry_run:
        for target in targets:
            click.echo(f"{target.subject}\t{target.path}\twould register ({compatibility})")
        return
    with _client(registry_url) as client:
        for target in targets:
            schema_id = client.register(target.subject, loaded[target.subject])
            # Set after registering so a refused schema changes nothing; a first
            # version is never checked, so the order loses no protection.
            level = client.set_compatibility(target.subject, compatibility)
            found = client.lookup(target.subject, loaded[target.subject])
            version = found.version if found else "?"
            click.echo(f"{target.subject}\tid={schema_id}\tversion={version}\t{level}")


@schemas.command()
@_with_common_options
def check(
    registry_url: str | None,
    schemas_dir: Path,
    subject_prefix: str,
    topics: tuple[str, ...],
) -> None:
    """Test each local schema against the registry's latest version of its subject."""
    targets = _targets(schemas_dir, subject_prefix, topics)
    loaded = {target.subject: load_schema(target.record, schemas_dir) for target in targets}
    problems: list[str] = []
    with _client(registry_url) as client:
        for target in targets:
            schema = loaded[target.subject]
            latest = client.latest(target.subject)
            if latest is None:
                click.echo(f"{target.subject}: new (not registered yet)")
                continue
            same = client.lookup(target.subject, schema)
            if same is not None:
                click.echo(f"{target.subject}: unchanged (version {same.version})")
                continue
            compatible, messages = client.test_compatibility(target.subject, schema)
            local = backward_incompatibilities(schema, json.loads(latest.schema))
            level = client.get_compatibility(target.subject) or "NONE"
            if compatible and level == "NONE" and local:
                # A subject with level NONE accepts anything, yet consumers would
                # still break: judge it by the BACKWARD rule we register with.
                compatible, messages = False, [f"{m} (subject level is NONE)" for m in local]
            if compatible:
                click.echo(f"{target.subject}: compatible with version {latest.version} ({level})")
                continue
            # The registry decides; Apicurio gives no reason, so explain it locally.
            for message in messages or local or [f"incompatible with version {latest.version}"]:
                problems.append(f"{target.subject}: {message}")
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        # SystemExit passes through click's standalone_mode=False unchanged, so the
        # exit status is 1 however the CLI is invoked (entry point, -m, main([...])).
        sys.exit(1)
