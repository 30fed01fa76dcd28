"""``casebridge schemas register|check`` against the fake registry."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import connectors.serde.cli as cli_module
import streams.cli
from schemas import SCHEMAS_DIR, TOPIC_RECORDS
from tests.unit.connectors.serde.fakes import FakeRegistry


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeRegistry:
    registry = FakeRegistry()
    monkeypatch.setattr(cli_module, "_client", lambda url: registry.client())
    return registry


@pytest.fixture
def schemas_dir(tmp_path: Path) -> Path:
    target = tmp_path / "schemas"
    shutil.copytree(SCHEMAS_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli_module.schemas, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_register_every_topic_with_backward(fake: FakeRegistry) -> None:
    code, out, _ = _run("register")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(TOPIC_RECORDS)
    assert lines[0].split("\t") == ["shopify.webhooks-value", "id=1", "version=1", "BACKWARD"]
    assert set(fake.levels.values()) == {"BACKWARD"}
    assert set(fake.subjects) == {f"{topic}-value" for topic in TOPIC_RECORDS}


def test_register_dry_run_touches_nothing(fake: FakeRegistry) -> None:
    code, out, _ = _run("register", "--dry-run", "--topic", "cases.state")
    assert code == 0 and "cases.state-value" in out and "would register" in out
    assert fake.calls == {}


def test_check_new_unchanged_compatible_incompatible(fake: FakeRegistry, schemas_dir: Path) -> None:
    code, out, _ = _run("check", "--topic", "cases.state")
    assert (code, out.strip()) == (0, "cases.state-value: new (not registered yet)")
    _run("register", "--topic", "cases.state", "--topic", "cases.opened")
    code, out, _ = _run("check", "--topic", "cases.state")
    assert (code, out.strip()) == (0, "cases.state-value: unchanged (version 1)")

    path = schemas_dir / "CaseState.avsc"
    schema = json.loads(path.read_text())
    schema["fields"].append({"name": "x", "type": ["null", "string"], "default": None, "doc": "x"})
    path.write_text(json.dumps(schema))
    code, out, _ = _run("check", "--schemas-dir", str(schemas_dir), "--topic", "cases.state")
    assert (code, out.strip()) == (0, "cases.state-value: compatible with version 1 (BACKWARD)")

    schema["fields"].append({"name": "y", "type": "string", "doc": "y"})
    path.write_text(json.dumps(schema))
    code, out, err = _run("check", "--schemas-dir", str(schemas_dir))
    assert code == 1
    assert err.strip() == "cases.state-value: /fields/y: field added without a default"
    assert "cases.opened-value: unchanged (version 1)" in out


def test_subject_prefix_and_unknown_topic(fake: FakeRegistry) -> None:
    code, out, _ = _run("register", "--subject-prefix", "t1.", "--topic", "cases.state")
    assert code == 0 and out.startswith("t1.cases.state-value\t")
    code, _, err = _run("check", "--topic", "nope")
    assert code == 2 and "unknown topic(s) nope" in err


def test_malformed_file_is_one_error_line_via_main(
    schemas_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (schemas_dir / "CaseOpened.avsc").write_text("{ not json")
    with pytest.raises(SystemExit) as info:
        streams.cli.main(["schemas", "check", "--schemas-dir", str(schemas_dir),
                          "--registry-url", "http://127.0.0.1:1/x"])  # fmt: skip
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"error: {schemas_dir / 'CaseOpened.avsc'}: invalid JSON at line 1")


def test_unreachable_registry_is_one_error_line_via_main(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as info:
        streams.cli.main(["schemas", "check", "--registry-url", "http://127.0.0.1:1/apis/x"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err == (
        "error: schema registry unavailable at http://127.0.0.1:1/apis/x: "
        "[Errno 111] Connection refused\n"
    )


def test_without_registry_url_the_settings_name_the_registry_via_main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # casebridge's context object (streams.cli.AppContext) reads CASEBRIDGE_REGISTRY__URL.
    monkeypatch.setenv("CASEBRIDGE_REGISTRY__URL", "http://127.0.0.1:1/apis/from-settings")
    with pytest.raises(SystemExit) as info:
        streams.cli.main(["schemas", "check"])
    assert info.value.code == 2
    assert "unavailable at http://127.0.0.1:1/apis/from-settings:" in capsys.readouterr().err


def test_without_registry_url_or_application_the_url_is_required() -> None:
    # connectors reads no settings of its own: standalone, the option is needed.
    result = CliRunner().invoke(cli_module.schemas, ["check"])

    assert result.exit_code == 2
    assert "--registry-url is required" in result.stderr


def test_check_applies_backward_when_the_subject_level_is_none(
    fake: FakeRegistry, schemas_dir: Path
) -> None:
    _run("register", "--topic", "cases.state", "--compatibility", "NONE")
    path = schemas_dir / "CaseState.avsc"
    schema = json.loads(path.read_text())
    schema["fields"][0]["type"] = "int"
    path.write_text(json.dumps(schema))
    code, _, err = _run("check", "--schemas-dir", str(schemas_dir), "--topic", "cases.state")
    assert code == 1
    assert err.strip() == (
        "cases.state-value: /fields/case_id: type changed from string to int "
        "(subject level is NONE)"
    )
