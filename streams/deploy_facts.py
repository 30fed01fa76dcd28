"""What deployment artefacts must agree with: settings variables, roles, topics, defaults.

The manifest checks (``python -m deploy.check``) import nothing of ``streams``;
they ask the application, as a process::

    python -m streams.deploy_facts describe    # JSON: the facts below
    python -m streams.deploy_facts check-env   # loads the settings from exactly its
                                               # environment: one error line, exit 1

``describe`` gives every ``CASEBRIDGE_*`` variable a setting reads with its
shape (``scalar``, ``list``, or ``mapping``: then ``NAME__KEY`` too), the worker
roles and the default ones, the topic names and the defaults the checks
compare against. The unit tests of ``deploy/check`` use :func:`describe` and
:func:`load_error` in-process.
"""

from __future__ import annotations

import json
import os
import sys
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any
from unittest import mock

from pydantic import BaseModel

from streams.settings import ENV_PREFIX, KafkaSettings, Settings, SettingsError, load_settings


def _unwrap(annotation: Any) -> list[Any]:
    """The member types of an ``X | None`` (or the annotation itself)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def _kinds(model: type[BaseModel], prefix: str) -> Iterator[tuple[str, str]]:
    for field_name, info in model.model_fields.items():
        name = f"{prefix}{field_name.upper()}"
        members = _unwrap(info.annotation)
        origins = {typing.get_origin(m) for m in members}
        nested = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        if dict in origins:
            yield name, "mapping"  # CASEBRIDGE_X__MAP or CASEBRIDGE_X__MAP__KEY
        elif nested:
            yield from _kinds(nested[0], f"{name}__")
        else:
            yield name, "list" if list in origins else "scalar"


def setting_kinds() -> dict[str, str]:
    """Every variable a setting reads -> ``scalar``, ``list`` or ``mapping``."""
    return dict(_kinds(Settings, ENV_PREFIX))


def describe() -> dict[str, Any]:
    """The facts, as JSON-able values."""
    from streams.pipeline import DEFAULT_ROLES, ROLES
    from streams.topics import topic_specs

    kafka = KafkaSettings()
    return {
        "env_prefix": ENV_PREFIX,
        "setting_kinds": setting_kinds(),
        "roles": sorted(ROLES),
        "default_roles": list(DEFAULT_ROLES),
        "topics": sorted(t.name for t in topic_specs(kafka.default_partitions)),
        "web_port": Settings.model_fields["web_port"].default,
        "app_id": Settings.model_fields["app_id"].default,
        "default_partitions": kafka.default_partitions,
        "bootstrap_servers": kafka.bootstrap_servers,
    }


def load_error(env: Mapping[str, str]) -> str | None:
    """Load the settings from exactly ``env`` (plus the process's non-casebridge
    variables); the one-line error, or None when they are valid."""
    with mock.patch.dict(os.environ):
        for name in [n for n in os.environ if n.startswith(ENV_PREFIX)]:
            del os.environ[name]
        os.environ.update(env)
        try:
            load_settings(_env_file=None)
        except SettingsError as exc:
            return str(exc)
    return None


def main(argv: list[str] | None = None) -> int:
    """``describe`` or ``check-env`` (see the module docstring)."""
    command = (argv if argv is not None else sys.argv[1:])[:1]
    if command == ["describe"]:
        print(json.dumps(describe()))
        return 0
    if command == ["check-env"]:
        env = {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIX)}
        error = load_error(env)
        if error is None:
            return 0
        print(error)
        return 1
    print("usage: python -m streams.deploy_facts describe|check-env", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
