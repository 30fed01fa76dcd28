"""The ``casebridge`` command line.

Subcommands live beside the concern they drive and are imported only when
invoked, so ``casebridge stack up`` does not pay for importing Faust. Every
:class:`~connectors.errors.CasebridgeError` (and :class:`schemas.SchemaError`) is printed
as one line and exits 2.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

import click

from connectors.errors import CasebridgeError
from schemas import SchemaError

if TYPE_CHECKING:
    from connectors.serde.registry import RegistryClient
    from deploy.local.sandbox import SandboxConfig
    from deploy.local.settings import StackSettings

#: subcommand name -> "module:attribute" of a click command or group.
SUBCOMMANDS: dict[str, str] = {
    "stack": "deploy.local.cli:stack",
    "schemas": "connectors.serde.cli:schemas",
    "emulate": "emulators.cli:emulate",
    "worker": "streams.worker_cli:worker",
    "topics": "streams.worker_cli:topics",
    "produce": "streams.produce_cli:produce",
    "lag": "streams.ops.lag_cli:lag",
    "dlq": "streams.ops.dlq_cli:dlq",
    "up": "deploy.local.sandbox_cli:up",
    "case": "streams.audit_cli:case",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, _, attribute = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            # The emulators are not in the production wheel (pyproject.toml).
            if exc.name is None or exc.name.split(".")[0] != "emulators":
                raise
            raise click.UsageError(
                f"'casebridge {cmd_name}' needs {exc.name!r}, which this installation "
                "lacks: the emulators come with a development checkout (make install) "
                "or the compose image target 'emulators', not with the production wheel"
            ) from None
        command = getattr(module, attribute)
        assert isinstance(command, click.Command)
        return command


class AppContext:
    """click's context object: what subcommands outside ``streams`` take from the settings.

    ``casebridge schemas`` (``connectors.serde.cli``) asks it for the registry
    client (a ``RegistrySource``), ``casebridge stack`` (``deploy.local.cli``)
    for the stack's settings (a ``StackSource``) and ``casebridge up``
    (``deploy.local.sandbox_cli``) for the sandbox's (a ``SandboxSource``):
    those packages import nothing of ``streams``. Settings are read only when
    a command asks, so ``--registry-url`` works where they would not validate.
    """

    def registry_client(self) -> RegistryClient:
        """A client for ``CASEBRIDGE_REGISTRY__*`` (read only when a command needs it)."""
        from connectors.serde.registry import RegistryClient
        from streams.settings import load_settings

        return RegistryClient.from_settings(load_settings().registry)

    def stack_settings(self) -> StackSettings:
        """``CASEBRIDGE_STACK__*``."""
        from streams.settings import load_settings

        return load_settings().stack

    def default_partitions(self) -> int:
        """``CASEBRIDGE_KAFKA__DEFAULT_PARTITIONS``."""
        from streams.settings import load_settings

        return load_settings().kafka.default_partitions

    def sandbox_config(self) -> SandboxConfig:
        """The sandbox's configuration (``casebridge up``)."""
        from streams.sandbox_source import sandbox_config
        from streams.settings import load_settings

        return sandbox_config(load_settings())


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """casebridge: Shopify <-> Kafka <-> OpenText Workflow Service."""
    ctx.obj = AppContext()


def main(argv: list[str] | None = None) -> Any:
    """Console entry point: run the CLI, turning our errors into one clear line."""
    try:
        return cli.main(args=argv, prog_name="casebridge", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (CasebridgeError, SchemaError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
