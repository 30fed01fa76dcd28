"""A running pipeline (emulators + one worker) shared by a test module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import uuid

import pytest

from tests.conftest import free_port
from tests.integration.pipeline.harness import (
    Emulators,
    Worker,
    emulators,
    start_worker,
    worker_env,
)


@dataclass
class Pipeline:
    """The emulators and the worker of one test module."""

    emulators: Emulators
    worker: Worker
    logs: Path
    bootstrap_servers: str
    registry_url: str


@pytest.fixture(scope="module")
def pipeline(
    bootstrap_servers: str, registry_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    """Both emulators and a worker running every inbound role, on fresh consumer groups."""
    logs = tmp_path_factory.mktemp("pipeline")
    web_port = free_port()
    ingress = f"http://127.0.0.1:{web_port}/webhooks/shopify"
    with emulators(logs, ingress) as emus:
        env = worker_env(
            app_id=f"casebridge-test-{uuid.uuid4().hex[:8]}",
            web_port=web_port,
            bootstrap_servers=bootstrap_servers,
            registry_url=registry_url,
            data_dir=logs / "worker-data",
            emulators=emus,
        )
        worker = start_worker("worker", env, logs)
        try:
            yield Pipeline(emus, worker, logs, bootstrap_servers, registry_url)
        finally:
            worker.process.stop()
