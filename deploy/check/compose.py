"""Checks of ``deploy/docker-compose.yml`` without a Docker engine.

PyYAML resolves the anchors and ``<<`` merge keys exactly as Compose does, so
the structure is checked on the parsed file: healthchecks, ``depends_on``
targets and conditions, profiles, the shared ``x-casebridge-env`` block, one
app id per worker, the roles, and every container's environment against
:mod:`streams.settings`. ``docker compose config`` runs too when a Compose
client answers (it needs no daemon).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from deploy.check import roles as role_info
from deploy.check import settings_env
from deploy.check.application import Application
from deploy.check.report import Finding

ARTEFACT = "compose"
ENV_ANCHOR = "x-casebridge-env"
EMULATOR_PROFILE = "emulators"
#: The Dockerfile target that carries the emulators (the production wheel does not).
EMULATOR_TARGET = "emulators"
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
_DEFAULT = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::?-(?P<default>[^}]*))?\}")


def interpolate(value: str) -> str:
    """``${VAR:-default}`` replaced by its default (the values a bare checkout gets)."""
    return _DEFAULT.sub(lambda m: m.group("default") or "", value)


def _environment(service: Mapping[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) for item in env)
        return {k: interpolate(v) for k, v in (p for p in pairs if len(p) == 2)}
    return {str(k): interpolate(str(v)) for k, v in env.items() if v is not None}


def _depends_on(service: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: {"condition": "service_started"} for name in deps}
    return {str(k): dict(v or {}) for k, v in deps.items()}


def _has_healthcheck(service: Mapping[str, Any]) -> bool:
    check = service.get("healthcheck") or {}
    return not check.get("disable") and bool(check.get("test"))


def _command(service: Mapping[str, Any]) -> list[str]:
    command = service.get("command") or []
    return command.split() if isinstance(command, str) else [str(c) for c in command]


def _build_target(service: Mapping[str, Any]) -> str | None:
    build = service.get("build")
    return str(build.get("target")) if isinstance(build, dict) and build.get("target") else None


def _is_casebridge(service: Mapping[str, Any]) -> bool:
    return str(service.get("image", "")).startswith("casebridge")


def check_compose(app: Application, path: Path) -> Iterator[Finding]:
    """Every finding for the Compose file at ``path``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        yield Finding(ARTEFACT, path.name, f"cannot be read: {exc}")
        return
    services: dict[str, dict[str, Any]] = data.get("services") or {}
    shared = data.get(ENV_ANCHOR)
    if not isinstance(shared, dict) or not shared:
        yield Finding(ARTEFACT, ENV_ANCHOR, "missing: the shared casebridge environment")
        shared = {}
    shared_env = {str(k): interpolate(str(v)) for k, v in shared.items()}

    for name, service in services.items():
        subject = f"service {name}"
        if not service.get("image") and not service.get("build"):
            yield Finding(ARTEFACT, subject, "neither image nor build")
        job = str(service.get("restart", "no")) == "no"
        if not job and not _has_healthcheck(service):
            yield Finding(ARTEFACT, subject, "a long-running service without a healthcheck")
        profiles = set(service.get("profiles") or ())
        for target, dep in _depends_on(service).items():
            other = services.get(target)
            if other is None:
                yield Finding(ARTEFACT, subject, f"depends on undefined service {target!r}")
                continue
            condition = dep.get("condition", "service_started")
            if condition not in CONDITIONS:
                yield Finding(ARTEFACT, subject, f"unknown condition {condition!r} on {target}")
            if condition == "service_healthy" and not _has_healthcheck(other):
                yield Finding(
                    ARTEFACT, subject, f"waits for {target} healthy; it has no healthcheck"
                )
            if (
                condition == "service_completed_successfully"
                and str(other.get("restart", "no")) != "no"
            ):
                yield Finding(ARTEFACT, subject, f"waits for {target} to complete; it restarts")
            other_profiles = set(other.get("profiles") or ())
            if other_profiles and not other_profiles <= profiles and dep.get("required", True):
                yield Finding(
                    ARTEFACT,
                    subject,
                    f"depends on {target} (profile {', '.join(sorted(other_profiles))}) "
                    "without required: false: `up` fails without that profile",
                )
        command = _command(service)
        if command[:1] == ["emulate"] and EMULATOR_PROFILE not in profiles:
            yield Finding(
                ARTEFACT, subject, f"an emulator outside the {EMULATOR_PROFILE!r} profile"
            )
        if command[:1] == ["emulate"] and _build_target(service) != EMULATOR_TARGET:
            # The production wheel has no emulators package (pyproject.toml).
            yield Finding(
                ARTEFACT, subject, f"an emulator not built from the {EMULATOR_TARGET!r} target"
            )

    yield from _worker_findings(app, services, shared_env)
    yield from _port_findings(services)
    yield from _compose_cli(path)


def _worker_findings(
    app: Application, services: Mapping[str, Mapping[str, Any]], shared_env: Mapping[str, str]
) -> Iterator[Finding]:
    app_ids: dict[str, str] = {}
    covered: set[str] = set()
    for name, service in services.items():
        if not _is_casebridge(service):
            continue
        subject = f"service {name}"
        command = _command(service)
        if command[:1] == ["emulate"]:
            continue
        env = _environment(service)
        missing = sorted(k for k, v in shared_env.items() if env.get(k) != v)
        if missing:
            yield Finding(
                ARTEFACT, subject, f"does not merge {ENV_ANCHOR} (<<: *...): {', '.join(missing)}"
            )
        for key, value in (service.get("environment") or {}).items():
            if settings_env.is_secret_name(str(key)) and "${" not in str(value):
                yield Finding(ARTEFACT, subject, f"{key} is a literal: take it from ${{{key}}}")
        for misspelt in settings_env.unknown_names(app, env):
            yield Finding(ARTEFACT, subject, f"{misspelt} is not a casebridge setting (misspelt?)")
        error = settings_env.load_errors(app, env)
        if error:
            yield Finding(ARTEFACT, subject, error)
        roles = role_info.roles_of(app, command)
        if roles is None:
            continue
        covered.update(roles)
        unknown, pending = role_info.role_problems(app, roles)
        if unknown:
            yield Finding(ARTEFACT, subject, f"unknown role(s): {', '.join(unknown)}")
        if pending:
            yield Finding(
                ARTEFACT,
                subject,
                f"role(s) {', '.join(pending)} not in streams.pipeline.ROLES yet",
                "warning",
            )
        if env.get("CASEBRIDGE_WEB_HOST") not in ("0.0.0.0", "::"):
            yield Finding(ARTEFACT, subject, "CASEBRIDGE_WEB_HOST must be 0.0.0.0 in a container")
        app_id = env.get("CASEBRIDGE_APP_ID", "casebridge")
        if app_id in app_ids:
            yield Finding(ARTEFACT, subject, f"app id {app_id!r} also used by {app_ids[app_id]}")
        app_ids[app_id] = name
    missing_roles = sorted(role_info.known_roles(app) - covered)
    if missing_roles:
        yield Finding(
            ARTEFACT, "(all services)", f"no service runs role(s) {', '.join(missing_roles)}"
        )


def _port_findings(services: Mapping[str, Mapping[str, Any]]) -> Iterator[Finding]:
    seen: dict[str, str] = {}
    for name, service in services.items():
        for port in service.get("ports") or ():
            parts = interpolate(str(port)).split(":")
            if len(parts) < 2:
                continue
            host_port = parts[-2]
            if host_port in seen:
                yield Finding(
                    ARTEFACT,
                    f"service {name}",
                    f"host port {host_port} also used by {seen[host_port]}",
                )
            seen[host_port] = name


def _compose_cli(path: Path) -> Iterator[Finding]:
    """``docker compose config -q`` when a Compose client works here (no daemon needed)."""
    candidates: list[list[str]] = []
    if shutil.which("docker"):
        candidates.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        candidates.append(["docker-compose"])
    for base in candidates:
        probe = subprocess.run([*base, "version"], capture_output=True, text=True, check=False)
        if probe.returncode != 0:
            continue
        result = subprocess.run(
            [*base, "-f", str(path), "--profile", EMULATOR_PROFILE, "config", "-q"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        if result.returncode != 0:
            yield Finding(ARTEFACT, "docker compose config", result.stderr.strip()[:500])
        return
    yield Finding(
        ARTEFACT,
        "docker compose config",
        "no Compose client here (the docker CLI has no compose plugin); structure checked only",
        "skipped",
    )
