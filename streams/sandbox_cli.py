"""``casebridge up``: the one-command sandbox (see :mod:`streams.sandbox`)."""

from __future__ import annotations

from pathlib import Path

import click

from streams.sandbox import SandboxPorts, run_sandbox
from streams.settings import load_settings


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
    logs: Path | None,
) -> None:
    """Run the whole pipeline locally with emulators and traffic for all eight use cases."""
    ports = SandboxPorts(worker=worker_port, shopify=shopify_port, opentext=opentext_port)
    run_sandbox(load_settings(), ports, rate_per_s=rate_per_s, duration_s=duration_s, logs=logs)
