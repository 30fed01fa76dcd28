"""``python -m deploy.check``: exit 0 when every artefact passes, 1 otherwise."""

from __future__ import annotations

import sys

import click

from deploy.check.application import from_process
from deploy.check.runner import DEFAULT_KUBERNETES_VERSION, OVERLAYS, check_all


@click.command("check")
@click.option(
    "--overlay",
    "overlays",
    multiple=True,
    type=click.Choice(OVERLAYS),
    help="Overlay to render and check (repeatable; default: all).",
)
@click.option("--kubernetes-version", default=DEFAULT_KUBERNETES_VERSION, show_default=True)
@click.option("--no-k8s", is_flag=True, help="Do not render and check the Kubernetes overlays.")
@click.option("--no-prometheus", is_flag=True, help="Do not check the alert rules with promtool.")
def main(
    overlays: tuple[str, ...], kubernetes_version: str, no_k8s: bool, no_prometheus: bool
) -> None:
    """Validate deploy/: Dockerfile, docker-compose.yml, the alert rules and the overlays."""
    # The application's facts, asked of it as a process (deploy imports nothing of streams).
    report = check_all(
        from_process(),
        overlays=overlays or OVERLAYS,
        kubernetes_version=kubernetes_version,
        kubernetes=not no_k8s,
        prometheus=not no_prometheus,
    )
    click.echo(report.render())
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
