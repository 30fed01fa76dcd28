"""``casebridge stack`` run as a real subprocess, against ports where nothing runs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.local.processes import port_in_use

pytestmark = pytest.mark.integration


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment pointing ``casebridge stack`` at an unused stack on 39192/39193/38181."""
    return {
        **os.environ,
        "CASEBRIDGE_STACK__KAFKA_PORT": "39192",
        "CASEBRIDGE_STACK__CONTROLLER_PORT": "39193",
        "CASEBRIDGE_STACK__REGISTRY_PORT": "38181",
        "CASEBRIDGE_STACK__DATA_DIR": str(tmp_path / "data"),
        "CASEBRIDGE_STACK__LOG_DIR": str(tmp_path / "logs"),
    }


@pytest.fixture
def listener() -> Iterator[int]:
    """A foreign process's listening socket on 127.0.0.1:39192."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 39192))
        sock.listen()
        yield 39192


def _casebridge(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "streams.cli", "stack", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_status_with_nothing_running_says_stopped(env: dict[str, str]) -> None:
    result = _casebridge(env, "status")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["kafka", "stopped", "127.0.0.1:39192"]
    assert lines[1].split()[:3] == ["registry", "stopped", "http://127.0.0.1:38181/apis/ccompat/v7"]


def test_status_json(env: dict[str, str]) -> None:
    result = _casebridge(env, "status", "--json")

    payload = json.loads(result.stdout)
    assert payload["healthy"] is False
    assert {c["state"] for c in payload["components"].values()} == {"stopped"}


def test_down_with_nothing_running_is_harmless(env: dict[str, str]) -> None:
    result = _casebridge(env, "down")

    assert result.returncode == 0, result.stderr
    assert "stopped" in result.stdout


def test_port_taken_by_a_foreign_process_is_a_one_line_error(
    env: dict[str, str], listener: int
) -> None:
    result = _casebridge(env, "up")

    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: kafka: port {listener} on 127.0.0.1 is already in use by another process; "
        "stop it or choose another port (CASEBRIDGE_STACK__*_PORT)"
    ]
    assert "Traceback" not in result.stderr


def test_port_probe_sees_listeners() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = int(sock.getsockname()[1])
        assert port_in_use(port)
    assert not port_in_use(port)
