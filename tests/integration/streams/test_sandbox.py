"""``casebridge up``: the one-command sandbox runs the whole pipeline with traffic, then stops."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import KafkaEndpoints, free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]


def _get(url: str) -> Any:
    try:
        return httpx.get(url, timeout=5).json()
    except (httpx.HTTPError, ValueError):
        return None


def test_up_runs_traffic_through_every_stage_and_stops_cleanly(
    kafka_endpoints: KafkaEndpoints, tmp_path: Path
) -> None:
    worker, shopify, opentext = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS": kafka_endpoints.bootstrap_servers,
        "CASEBRIDGE_REGISTRY__URL": kafka_endpoints.registry_url,
        # A sandbox group of its own: the broker is shared with the other tests.
        "CASEBRIDGE_APP_ID": f"cbtest-sandbox-{worker}",
        "CASEBRIDGE_DATA_DIR": str(tmp_path / "worker-data"),
    }
    up = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streams.cli",
            "up",
            "--duration",
            "75",
            "--rate",
            "2",
            "--worker-port",
            str(worker),
            "--shopify-port",
            str(shopify),
            "--opentext-port",
            str(opentext),
            "--logs",
            str(tmp_path / "logs"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        models: set[str] = set()
        written = 0
        deadline = time.monotonic() + 70
        while time.monotonic() < deadline and up.poll() is None:
            time.sleep(3)
            state = _get(f"http://127.0.0.1:{opentext}/_emulator/state") or {}
            models = {i["processDefinitionKey"] for i in state.get("instances", [])}
            overview = _get(f"http://127.0.0.1:{worker}/api/overview") or {}
            stages = {s["agent"]: s for s in overview.get("stages", [])}
            written = stages.get("writer", {}).get("out", {}).get("count", 0)
            side = {"casebridge.complaint", "casebridge.offline_order"}
            if len(models) >= 6 and side <= models and written > 0:
                break
        assert {"casebridge.complaint", "casebridge.offline_order"} <= models, models
        assert len(models) >= 6, models
        assert written > 0, "no decision was written back to Shopify"
        metrics = httpx.get(f"http://127.0.0.1:{worker}/metrics", timeout=5).text
        assert "casebridge_records_in_total" in metrics
        output, _ = up.communicate(timeout=120)
    finally:
        if up.poll() is None:
            up.terminate()
            up.wait(60)
    assert up.returncode == 0, output
    assert "operations page" in output and "stopping" in output
    # Everything it started is gone: nothing answers on its ports any more.
    for port in (worker, shopify, opentext):
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
