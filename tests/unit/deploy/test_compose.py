"""The Compose file and the Dockerfile pass their offline checks, and the checks bite."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.check.compose import check_compose, interpolate
from deploy.check.dockerfile import check_dockerfile, parse, stages
from deploy.check.runner import DEPLOY_DIR, REPO_ROOT
from tests.unit.deploy.application import APP

COMPOSE = DEPLOY_DIR / "docker-compose.yml"
DOCKERFILE = DEPLOY_DIR / "docker" / "Dockerfile"


def _errors(findings: Any) -> list[str]:
    return [f"{f.subject}: {f.message}" for f in findings if f.severity == "error"]


def test_compose_file_passes() -> None:
    assert _errors(check_compose(APP, COMPOSE)) == []


def test_compose_has_the_stack_the_roles_and_optional_emulators() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]

    assert {"kafka", "registry", "init", "ingress", "processors", "sink", "decisions"} <= set(
        services
    )
    assert {"writer", "escalation", "monitor"} <= set(services)
    assert services["shopify-emulator"]["profiles"] == ["emulators"]
    assert services["opentext-emulator"]["profiles"] == ["emulators"]
    assert services["mail-emulator"]["profiles"] == ["emulators"]
    assert services["registry"]["image"] == "apicurio/apicurio-registry:3.0.9"
    assert services["registry"]["environment"]["APICURIO_STORAGE_KIND"] == "kafkasql"
    assert "broker,controller" in services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]
    assert services["ingress"]["depends_on"]["init"]["condition"] == (
        "service_completed_successfully"
    )


def test_interpolation_takes_the_default() -> None:
    assert interpolate('${X:-["a"]}') == '["a"]'
    assert interpolate("casebridge:${TAG:-dev}") == "casebridge:dev"
    assert interpolate("${UNSET}") == ""


def _mutate(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> list[str]:
    data = yaml.safe_load(COMPOSE.read_text())
    change(data)
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(data))
    return _errors(check_compose(APP, path))


def _undefined_dependency(data: dict[str, Any]) -> None:
    data["services"]["sink"]["depends_on"]["zookeeper"] = {"condition": "service_started"}


def _no_healthcheck(data: dict[str, Any]) -> None:
    del data["services"]["registry"]["healthcheck"]


def _hard_emulator_dependency(data: dict[str, Any]) -> None:
    del data["services"]["sink"]["depends_on"]["opentext-emulator"]["required"]


def _misspelt_env(data: dict[str, Any]) -> None:
    data["services"]["sink"]["environment"]["CASEBRIDGE_OPENTEXT_BASE_URL"] = "http://x:1"


def _unmerged_env(data: dict[str, Any]) -> None:
    del data["services"]["writer"]["environment"]["CASEBRIDGE_REGISTRY__URL"]


def _shared_app_id(data: dict[str, Any]) -> None:
    data["services"]["sink"]["environment"]["CASEBRIDGE_APP_ID"] = "casebridge-processors"


def _literal_secret(data: dict[str, Any]) -> None:
    data["services"]["sink"]["environment"]["CASEBRIDGE_OPENTEXT__CLIENT_SECRET"] = "hunter2"


def _emulator_without_profile(data: dict[str, Any]) -> None:
    del data["services"]["opentext-emulator"]["profiles"]


def _emulator_from_the_production_image(data: dict[str, Any]) -> None:
    data["services"]["shopify-emulator"]["build"].pop("target")


def _role_missing(data: dict[str, Any]) -> None:
    del data["services"]["monitor"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_undefined_dependency, "depends on undefined service 'zookeeper'"),
        (_no_healthcheck, "without a healthcheck"),
        (_hard_emulator_dependency, "without required: false"),
        (_misspelt_env, "CASEBRIDGE_OPENTEXT_BASE_URL is not a casebridge setting"),
        (_unmerged_env, "does not merge x-casebridge-env"),
        (_shared_app_id, "app id 'casebridge-processors' also used"),
        (_literal_secret, "CASEBRIDGE_OPENTEXT__CLIENT_SECRET is a literal"),
        (_emulator_without_profile, "an emulator outside the 'emulators' profile"),
        (_emulator_from_the_production_image, "an emulator not built from the 'emulators'"),
        (_role_missing, "no service runs role(s) monitor"),
    ],
)
def test_a_broken_compose_rule_is_reported(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    errors = _mutate(tmp_path, change)

    assert any(expected in e for e in errors), errors


def test_dockerfile_passes() -> None:
    assert _errors(check_dockerfile(APP, DOCKERFILE, REPO_ROOT)) == []


def test_dockerfile_parser_joins_continuations_and_expands_args() -> None:
    text = "ARG IMG=python:3.11-slim\nFROM ${IMG} AS b\nRUN a \\\n  # note\n  && b\nFROM ${IMG}\n"

    parsed = stages(parse(text))

    assert [(s.base, s.name) for s in parsed] == [
        ("python:3.11-slim", "b"),
        ("python:3.11-slim", None),
    ]
    assert parsed[0].instructions[0].args == "a && b"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t.replace("USER ${UID}:${UID}", "USER root"), "runs as root"),
        (
            lambda t: t.replace("HEALTHCHECK", "# HEALTHCHECK").replace('    CMD ["python"', "#"),
            "HEALTHCHECK",
        ),
        (lambda t: t.replace('ENTRYPOINT ["casebridge"]', "ENTRYPOINT casebridge"), "ENTRYPOINT"),
        (lambda t: t.replace("COPY --from=builder", "COPY"), "copies nothing from a builder"),
        (
            lambda t: t.replace("CASEBRIDGE_WEB_HOST=0.0.0.0", "CASEBRIDGE_WEB_HOST=127.0.0.1"),
            "WEB_HOST",
        ),
        (
            lambda t: t.replace(
                "COPY schemas ./schemas", "COPY schemas ./schemas\nCOPY tests ./tests"
            ),
            "COPY source tests is in .dockerignore",
        ),
    ],
)
def test_a_broken_dockerfile_rule_is_reported(
    tmp_path: Path, edit: Callable[[str], str], expected: str
) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(edit(DOCKERFILE.read_text()))

    errors = _errors(check_dockerfile(APP, path, REPO_ROOT))

    assert any(expected in e for e in errors), errors
