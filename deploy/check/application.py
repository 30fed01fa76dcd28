"""The application the artefacts deploy, as the checks see it: facts, not imports.

``deploy`` imports nothing of ``streams``. What the checks compare manifests
against (the variables a setting reads, the worker roles, the topics, the
defaults) comes from the application itself: :func:`from_process` runs
``python -m streams.deploy_facts describe`` once, and validates an environment
by running ``python -m streams.deploy_facts check-env`` with exactly that
environment (cached: compose services share most of theirs). Tests build one
in-process with :meth:`Application.from_facts`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: The module that answers for the application (run as a process, never imported here).
FACTS_MODULE = "streams.deploy_facts"


class FactsUnavailable(RuntimeError):
    """The application could not be asked for its facts (not installed, or it failed)."""


@dataclass(frozen=True)
class Application:
    """What the deployment checks need to know about casebridge."""

    env_prefix: str
    #: Every variable a setting reads -> ``scalar``, ``list`` or ``mapping``.
    setting_kinds: Mapping[str, str]
    roles: frozenset[str]
    default_roles: tuple[str, ...]
    topics: frozenset[str]
    web_port: int
    app_id: str
    default_partitions: int
    bootstrap_servers: str
    #: ``env -> one-line error or None``: loads the settings from exactly ``env``.
    load_error: Callable[[Mapping[str, str]], str | None] = field(repr=False, compare=False)

    def setting_kind(self, name: str) -> str | None:
        """``"list"``, ``"mapping"`` or ``"scalar"`` for a known setting, None if unknown."""
        kind = self.setting_kinds.get(name)
        if kind is not None:
            return kind
        # A key of a mapping setting: CASEBRIDGE_OPENTEXT__MODELS__ORDER_REVIEW.
        parts = name.split("__")
        for end in range(len(parts) - 1, 0, -1):
            if self.setting_kinds.get("__".join(parts[:end])) == "mapping":
                return "mapping"
        return None

    @classmethod
    def from_facts(
        cls, facts: Mapping[str, Any], load_error: Callable[[Mapping[str, str]], str | None]
    ) -> Application:
        """From ``describe``'s JSON and a way to validate an environment."""
        return cls(
            env_prefix=str(facts["env_prefix"]),
            setting_kinds={str(k): str(v) for k, v in facts["setting_kinds"].items()},
            roles=frozenset(facts["roles"]),
            default_roles=tuple(facts["default_roles"]),
            topics=frozenset(facts["topics"]),
            web_port=int(facts["web_port"]),
            app_id=str(facts["app_id"]),
            default_partitions=int(facts["default_partitions"]),
            bootstrap_servers=str(facts["bootstrap_servers"]),
            load_error=load_error,
        )


def _run(args: Sequence[str], env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [sys.executable, "-m", FACTS_MODULE, *args],
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FactsUnavailable(f"python -m {FACTS_MODULE} {' '.join(args)}: {exc}") from None


def from_process() -> Application:
    """Ask the installed application (``python -m streams.deploy_facts``) for its facts."""
    done = _run(["describe"], os.environ)
    if done.returncode != 0:
        raise FactsUnavailable(f"python -m {FACTS_MODULE} describe: {done.stderr.strip()}")
    facts = json.loads(done.stdout)
    prefix = str(facts["env_prefix"])
    # The process's own non-casebridge variables (PATH, HOME...) stay; its casebridge ones go.
    base = {k: v for k, v in os.environ.items() if not k.startswith(prefix)}
    cache: dict[frozenset[tuple[str, str]], str | None] = {}

    def load_error(env: Mapping[str, str]) -> str | None:
        key = frozenset(env.items())
        if key not in cache:
            checked = _run(["check-env"], {**base, **env})
            if checked.returncode not in (0, 1):
                raise FactsUnavailable(f"python -m {FACTS_MODULE} check-env: {checked.stderr}")
            cache[key] = checked.stdout.strip() or None if checked.returncode else None
        return cache[key]

    return Application.from_facts(facts, load_error)
