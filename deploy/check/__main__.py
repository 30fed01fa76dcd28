"""``python -m deploy.check``: exit 0 when every artefact passes, 1 otherwise."""

from __future__ import annotations

import sys

import click

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
@click.option("--no-k8s", is_flag=True, help="Check only the Dockerfile and the Compose file.")
def main(overlays: tuple[str, ...], kubernetes_version: str, no_k8s: bool) -> None:
    """Validate deploy/: Dockerfile, docker-compose.yml and the Kubernetes overlays."""
    report = check_all(
        overlays=overlays or OVERLAYS,
        kubernetes_version=kubernetes_version,
        kubernetes=not no_k8s,
    )
    click.echo(report.render())
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
