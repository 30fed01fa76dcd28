"""``casebridge emulate shopify|opentext|mail``: run an emulator standalone."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("emulate")
def emulate() -> None:
    """Run a stateful emulator of Shopify or OpenText, or a mail server, on 127.0.0.1."""


@emulate.command("shopify")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8090, show_default=True, type=int)
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None)
def shopify(host: str, port: int, config_path: Path | None) -> None:
    """The Shopify Admin API emulator (GraphQL, webhooks, cost-based throttling)."""
    from emulators.shopify.app import run
    from emulators.shopify.config import load_config

    run(host, port, load_config(config_path))


@emulate.command("opentext")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8089, show_default=True, type=int)
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None)
def opentext(host: str, port: int, config_path: Path | None) -> None:
    """The OpenText Workflow Service emulator (OAuth2, runtime + history, HAL lists)."""
    from emulators.opentext.app import run
    from emulators.opentext.config import EmulatorConfig, load_config

    run(host, port, load_config(config_path) if config_path else EmulatorConfig())


@emulate.command("mail")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=1025, show_default=True, type=int)
def mail(host: str, port: int) -> None:
    """The customers' mail server (SMTP, aiosmtpd): prints every message it receives."""
    import contextlib
    import threading

    from emulators.mail import ReceivedMail, running_inbox

    def show(received: ReceivedMail) -> None:
        click.echo(f"--- mail to {', '.join(received.recipients)}: {received.subject}")
        click.echo(received.body.rstrip(), nl=True)

    with running_inbox(host, port, on_message=show):
        click.echo(f"SMTP on {host}:{port}; Ctrl-C stops it")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
