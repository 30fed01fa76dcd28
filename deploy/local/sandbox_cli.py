"""``casebridge up``: the one-command sandbox (see :mod:`deploy.local.sandbox`).

Its configuration comes from ``casebridge``'s context object (a
:class:`SandboxSource`, built from the application's settings by
:mod:`streams.cli`): ``deploy`` imports nothing of ``streams``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import click

from deploy.local.sandbox import SandboxConfig, SandboxPorts, run_sandbox


@runtime_checkable
class SandboxSource(Protocol):
    """What the sandbox takes from the application (click's context object)."""

    def sandbox_config(self) -> SandboxConfig:
        """The sandbox's configuration, from the application's settings."""
        ...


@click.command("up")
@click.option(
    "--rate",
    "rate_per_s",
    default=1.0,
    show_default=True,
    type=float,
    help="Scenario events per second from the Shopify emulator.",
)
@click.option(
    "--duration",
    "duration_s",
    default=None,
    type=float,
    help="Stop by itself after this many seconds (default: until Ctrl-C).",
)
@click.option("--worker-port", default=6066, show_default=True, type=int)
@click.option("--shopify-port", default=8090, show_default=True, type=int)
@click.option("--opentext-port", default=8089, show_default=True, type=int)
@click.option(
    "--kafka-port",
    default=29092,
    show_default=True,
    type=int,
    help="The sandbox's own Kafka (its controller listens on the next port).",
)
@click.option("--registry-port", default=28081, show_default=True, type=int)
@click.option(
    "--mail-port",
    default=2525,
    show_default=True,
    type=int,
    help="The customers' mail server (SMTP) that prints each customer notice.",
)
@click.option(
    "--keep-data",
    is_flag=True,
    help="Resume the previous sandbox's broker data instead of starting empty.",
)
@click.option(
    "--logs",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for the components' logs (default: a new temporary folder).",
)
def up(
    rate_per_s: float,
    duration_s: float | None,
    worker_port: int,
    shopify_port: int,
    opentext_port: int,
    kafka_port: int,
    registry_port: int,
    mail_port: int,
    keep_data: bool,
    logs: Path | None,
) -> None:
    """Run the whole pipeline locally with emulators and traffic for all eight use cases.

    The sandbox runs a Kafka and registry of its own, separate from the tests'
    stack, and starts them empty unless --keep-data. With
    CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS set it uses that cluster instead.
    """
    ports = SandboxPorts(
        worker=worker_port,
        shopify=shopify_port,
        opentext=opentext_port,
        kafka=kafka_port,
        controller=kafka_port + 1,
        registry=registry_port,
        mail=mail_port,
    )
    source = click.get_current_context().find_object(SandboxSource)  # type: ignore[type-abstract]
    if source is None:
        raise click.UsageError("run as `casebridge up`: it reads the application's settings")
    run_sandbox(
        source.sandbox_config(),
        ports,
        rate_per_s=rate_per_s,
        duration_s=duration_s,
        logs=logs,
        keep_data=keep_data,
    )
