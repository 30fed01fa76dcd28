"""``casebridge stack``: run the local Kafka + Apicurio stack.

Settings come from the environment like everywhere else
(``CASEBRIDGE_STACK__KAFKA_PORT=29092 casebridge stack up``): ``casebridge``
(:mod:`streams.cli`) passes a :class:`StackSource` built from its settings as
click's context object, so ``deploy`` reads no application settings itself. A
:class:`~deploy.local.errors.StackError` propagates to the main CLI, which
prints it as ``error: ...`` and exits 2.
"""

from __future__ import annotations

import json
from typing import Protocol, runtime_checkable

import click

from deploy.local.settings import StackSettings
from deploy.local.stack import LocalStack, StackStatus


@runtime_checkable
class StackSource(Protocol):
    """What the stack takes from the application's settings (click's context object)."""

    def stack_settings(self) -> StackSettings:
        """The ``CASEBRIDGE_STACK__*`` settings."""
        ...

    def default_partitions(self) -> int:
        """Partitions of a topic the broker creates by itself."""
        ...


def _progress(message: str) -> None:
    click.echo(message, err=True)


def _stack() -> LocalStack:
    source = click.get_current_context().find_object(StackSource)  # type: ignore[type-abstract]
    if source is None:
        raise click.UsageError("run as `casebridge stack`: it reads the stack's settings")
    return LocalStack(
        source.stack_settings(), num_partitions=source.default_partitions(), report=_progress
    )


def _print_status(status: StackStatus) -> None:
    for component in status.components:
        pid = f"pid {component.pid}" if component.pid is not None else "-"
        click.echo(f"{component.name:<9} {component.state:<8} {component.address:<45} {pid}")


@click.group()
def stack() -> None:
    """Run a real Kafka broker and Apicurio Registry locally (fetched from Maven Central)."""


@stack.command()
@click.option("--fresh", is_flag=True, help="Stop the stack and wipe its data before starting.")
def up(fresh: bool) -> None:
    """Start the stack (fetching it on first use) and wait until both components answer."""
    local = _stack()
    status = local.up(fresh=fresh)
    _print_status(status)
    click.echo(f"CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS={local.bootstrap_servers}")
    click.echo(f"CASEBRIDGE_REGISTRY__URL={local.registry_url}")


@stack.command()
def down() -> None:
    """Stop the registry, then Kafka. Data is kept for the next ``up``."""
    local = _stack()
    local.down()
    _print_status(local.status())


@stack.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(as_json: bool) -> None:
    """Show each component as healthy, running (not answering) or stopped."""
    current = _stack().status()
    if as_json:
        click.echo(json.dumps(current.to_dict(), indent=2))
    else:
        _print_status(current)
