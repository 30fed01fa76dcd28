"""The emulator starts as its own process and answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_python_dash_m_starts_quickly(tmp_path: Path) -> None:
    config = tmp_path / "emulator.yaml"
    config.write_text("tenant_id: standalone\nclient_secret: s\n")
    port = _free_port()
    began = time.monotonic()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulators.opentext",
            "--port",
            str(port),
            "--config",
            str(config),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        state = None
        while time.monotonic() - began < 10:
            try:
                state = httpx.get(f"{base}/_emulator/state", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert state is not None and state.status_code == 200
        assert time.monotonic() - began < 5
        assert state.json()["tenantId"] == "standalone"
        token = httpx.post(
            f"{base}/tenants/standalone/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "casebridge",
                "client_secret": "s",
            },
        )
        assert token.status_code == 200
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        started = httpx.post(
            f"{base}/workflow/v1/process-instances",
            json={"processDefinitionKey": "casebridge.complaint", "businessKey": "s-1"},
            headers=headers,
        )
        assert started.status_code == 201
        counts = httpx.get(f"{base}/_emulator/state").json()["counts"]
        assert counts["instances"] == 1
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_bad_config_file_exits_with_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("token_ttl_seconds: -1\n")
    result = subprocess.run(
        [sys.executable, "-m", "emulators.opentext", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "token_ttl_seconds" in result.stderr and "Traceback" not in result.stderr
