"""Check a container's environment against casebridge's own settings model.

Manifests and compose files must not drift from the application's settings: a
misspelt variable (``CASEBRIDGE_KAFKA_BOOTSTRAP_SERVERS`` with one ``_``) is
silently ignored by pydantic-settings, and a bad value only fails when the pod
starts. Here every ``CASEBRIDGE_*`` name must map to a setting, and the whole
environment must load through the application's settings (both known through
:class:`~deploy.check.application.Application`, never by importing them).
"""

from __future__ import annotations

from collections.abc import Mapping

from deploy.check.application import Application

#: Words that make a variable a secret: it must come from a Secret, never a literal.
SECRET_WORDS = ("PASSWORD", "SECRET", "TOKEN")


def is_secret_name(name: str) -> bool:
    """True for variables whose value is a credential."""
    return any(word in name.upper() for word in SECRET_WORDS)


def unknown_names(app: Application, env: Mapping[str, str]) -> list[str]:
    """The ``CASEBRIDGE_*`` names in ``env`` that no setting reads."""
    return sorted(n for n in env if n.startswith(app.env_prefix) and app.setting_kind(n) is None)


def placeholder(app: Application, name: str) -> str:
    """A value of the right shape for a secret whose real value is not in the manifest."""
    return '["placeholder"]' if app.setting_kind(name) == "list" else "placeholder"


def load_errors(app: Application, env: Mapping[str, str]) -> str | None:
    """Load the settings from exactly ``env`` (plus the process's non-casebridge
    variables); the one-line error, or None when they are valid."""
    return app.load_error(env)
