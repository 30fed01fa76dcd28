"""Check a container's environment against casebridge's own settings model.

Manifests and compose files must not drift from :mod:`streams.settings`: a
misspelt variable (``CASEBRIDGE_KAFKA_BOOTSTRAP_SERVERS`` with one ``_``) is
silently ignored by pydantic-settings, and a bad value only fails when the pod
starts. Here every ``CASEBRIDGE_*`` name must map to a field, and the whole
environment must load through :func:`streams.settings.load_settings`.
"""

from __future__ import annotations

import os
import types
import typing
from collections.abc import Mapping
from typing import Any
from unittest import mock

from pydantic import BaseModel

from streams.settings import ENV_PREFIX, Settings, SettingsError, load_settings

#: Words that make a variable a secret: it must come from a Secret, never a literal.
SECRET_WORDS = ("PASSWORD", "SECRET", "TOKEN")


def is_secret_name(name: str) -> bool:
    """True for variables whose value is a credential."""
    return any(word in name.upper() for word in SECRET_WORDS)


def _unwrap(annotation: Any) -> list[Any]:
    """The member types of an ``X | None`` (or the annotation itself)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def _field_kind(name: str) -> str | None:
    """``"list"``, ``"mapping"`` or ``"scalar"`` for a known setting, None if unknown."""
    if not name.startswith(ENV_PREFIX):
        return None
    parts = name[len(ENV_PREFIX) :].lower().split("__")
    model: type[BaseModel] = Settings
    for index, part in enumerate(parts):
        info = model.model_fields.get(part)
        if info is None:
            return None
        last = index == len(parts) - 1
        members = _unwrap(info.annotation)
        origins = {typing.get_origin(m) for m in members}
        if dict in origins:
            return "mapping"  # CASEBRIDGE_X__MAP or CASEBRIDGE_X__MAP__KEY
        if last:
            return "list" if list in origins else "scalar"
        nested = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        if not nested:
            return None
        model = nested[0]
    return None


def unknown_names(env: Mapping[str, str]) -> list[str]:
    """The ``CASEBRIDGE_*`` names in ``env`` that no setting reads."""
    return sorted(n for n in env if n.startswith(ENV_PREFIX) and _field_kind(n) is None)


def placeholder(name: str) -> str:
    """A value of the right shape for a secret whose real value is not in the manifest."""
    return '["placeholder"]' if _field_kind(name) == "list" else "placeholder"


def load_errors(env: Mapping[str, str]) -> str | None:
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
