"""A running pipeline (emulators + one worker) shared by a test module."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    env: dict[str, str] = field(default_factory=dict)
    """The worker's environment (a restarted worker reuses it: same app id, same port)."""


@pytest.fixture(scope="module")
def pipeline(
    bootstrap_servers: str, registry_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    """Both emulators and a worker running every inbound role, on fresh consumer groups."""
    with running_pipeline(bootstrap_servers, registry_url, tmp_path_factory) as running:
        yield running


@contextmanager
def running_pipeline(
    bootstrap_servers: str,
    registry_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    *,
    worker_extra: dict[str, str] | None = None,
    shopify_extra: dict[str, Any] | None = None,
    opentext_config: dict[str, Any] | None = None,
    web_port: int | None = None,
) -> Iterator[Pipeline]:
    """Start both emulators and one worker with every role.

    ``worker_extra`` is added to the worker's environment, ``shopify_extra``
    to the Shopify emulator's configuration; ``opentext_config`` configures the
    OpenText emulator. ``web_port`` fixes the worker's web port (e.g. for an
    OpenText callback URL configured before the worker starts).
    """
    logs = tmp_path_factory.mktemp("pipeline")
    web_port = web_port or free_port()
    ingress = f"http://127.0.0.1:{web_port}/webhooks/shopify"
    with emulators(
        logs, ingress, shopify_extra=shopify_extra, opentext_config=opentext_config
    ) as emus:
        env = worker_env(
            app_id=f"cbtest-{uuid.uuid4().hex[:8]}",
            web_port=web_port,
            bootstrap_servers=bootstrap_servers,
            registry_url=registry_url,
            data_dir=logs / "worker-data",
            emulators=emus,
            extra=worker_extra,
        )
        worker = start_worker("worker", env, logs)
        running = Pipeline(emus, worker, logs, bootstrap_servers, registry_url, env)
        try:
            yield running
        finally:
            # A test may have replaced the worker (a restart): stop the current one.
            running.worker.process.stop()
