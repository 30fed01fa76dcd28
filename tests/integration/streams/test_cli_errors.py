"""Bad input at the command line is one clear line and exit code 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[3]


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CASEBRIDGE_")}
    return subprocess.run(
        [sys.executable, "-m", "streams.cli", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_one_line_error(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert done.returncode == 2, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in done.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.slow
def test_broker_unreachable() -> None:
    done = run_cli("topics", CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS="127.0.0.1:1")
    assert_one_line_error(done, "127.0.0.1:1")


def test_registry_unreachable() -> None:
    done = run_cli("schemas", "check", "--registry-url", "http://127.0.0.1:1/apis/ccompat/v7")
    assert_one_line_error(done, "127.0.0.1:1")


def test_invalid_setting_names_the_variable() -> None:
    done = run_cli("topics", CASEBRIDGE_KAFKA__DEFAULT_PARTITIONS="many")
    assert_one_line_error(done, "CASEBRIDGE_KAFKA__DEFAULT_PARTITIONS")


def test_malformed_avsc_names_the_file(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    for avsc in (ROOT / "schemas").glob("*.avsc"):
        (schemas / avsc.name).write_text(avsc.read_text())
    (schemas / "CaseState.avsc").write_text('{"type": "record", "name": "CaseState", "fields": [')
    done = run_cli("schemas", "register", "--dry-run", "--schemas-dir", str(schemas))
    assert_one_line_error(done, "CaseState.avsc")
