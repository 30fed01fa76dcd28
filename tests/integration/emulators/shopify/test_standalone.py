"""The emulator starts standalone (``python -m``) in a few seconds and answers."""

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
        port: int = sock.getsockname()[1]
        return port


def test_python_m_starts_quickly_and_answers(tmp_path: Path) -> None:
    config = tmp_path / "emulator.yaml"
    config.write_text(
        "shops:\n  - domain: test-shop.myshopify.com\n    access_token: shpat_test\n"
        "    plan: advanced\nseed_orders: 10\n",
        encoding="utf-8",
    )
    port = _free_port()
    started = time.monotonic()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulators.shopify",
            "--port",
            str(port),
            "--config",
            str(config),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        while time.monotonic() - started < 10:
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{port}/admin/api/2026-01/graphql.json",
                    json={
                        "query": "{ shop { myshopifyDomain } orders(first: 3) { nodes { id } } }"
                    },
                    headers={"X-Shopify-Access-Token": "shpat_test"},
                    timeout=1,
                )
                body = response.json()
                break
            except httpx.TransportError:
                time.sleep(0.05)
        elapsed = time.monotonic() - started
        assert body is not None, "emulator did not answer"
        assert elapsed < 5, elapsed
        assert body["data"]["shop"]["myshopifyDomain"] == "test-shop.myshopify.com"
        assert len(body["data"]["orders"]["nodes"]) == 3
        assert body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"] == 2000.0
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_bad_config_file_is_one_clear_line(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("shops:\n  - plan: gold\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "emulators.shopify",
            "--port",
            "1",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "invalid emulator config" in result.stderr
    assert "Traceback" not in result.stderr
