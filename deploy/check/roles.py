"""Which worker roles exist, and which a command line asks for."""

from __future__ import annotations

from collections.abc import Sequence

from deploy.check.application import Application

#: Roles the manifests may run before the application declares them
#: (a role still being written): a warning, not an error, until it lands.
#: Empty today: every deployed role exists.
PENDING_ROLES: frozenset[str] = frozenset()

#: Roles that consume partitioned topics: their replicas beyond the partition
#: count would sit idle.
CONSUMER_ROLES = frozenset({"classify", "sink", "writer", "escalation"})


def known_roles(app: Application) -> frozenset[str]:
    """The roles ``casebridge worker --roles`` accepts today."""
    return app.roles


def roles_of(app: Application, command: Sequence[str]) -> list[str] | None:
    """The roles of a ``worker [--roles a,b]`` command; None if it is not a worker.

    A worker without ``--roles`` runs every default role.
    """
    args = list(command)
    if args[:1] == ["casebridge"]:
        args = args[1:]
    if args[:1] != ["worker"]:
        return None
    for index, arg in enumerate(args):
        if arg == "--roles" and index + 1 < len(args):
            return [r.strip() for r in args[index + 1].split(",") if r.strip()]
        if arg.startswith("--roles="):
            return [r.strip() for r in arg.split("=", 1)[1].split(",") if r.strip()]
    return list(app.default_roles)


def role_problems(app: Application, roles: Sequence[str]) -> tuple[list[str], list[str]]:
    """(unknown roles, pending roles) among ``roles``."""
    known = known_roles(app)
    unknown = [r for r in roles if r not in known and r not in PENDING_ROLES]
    pending = [r for r in roles if r not in known and r in PENDING_ROLES]
    return unknown, pending
