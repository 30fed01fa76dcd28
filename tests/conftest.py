"""Session fixtures: a real Kafka broker and a real schema registry.

Where they come from, in order:

1. ``KAFKA_BOOTSTRAP_SERVERS`` (and ``SCHEMA_REGISTRY_URL``) from the environment;
2. testcontainers, when a Docker engine answers a ping;
3. casebridge's local stack from Maven Central: one already running
   (``casebridge stack up``) as it is, else one the session starts with empty
   data in a folder of its own (``<stack data dir>/../test-data``) and stops at
   the end.
"""

from __future__ import annotations

import contextlib
import gc
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class KafkaEndpoints:
    """Where the integration tests find the broker and the registry."""

    bootstrap_servers: str
    registry_url: str
    origin: str


def _docker_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        return bool(client.ping())
    except Exception:
        return False


@contextlib.contextmanager
def _testcontainers_stack() -> Iterator[KafkaEndpoints]:
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.waiting_utils import wait_for_logs
    from testcontainers.kafka import KafkaContainer

    with KafkaContainer().with_kraft() as kafka:
        registry = DockerContainer("apicurio/apicurio-registry:3.0.9").with_exposed_ports(8080)
        with registry:
            wait_for_logs(registry, "Installed features", timeout=120)
            url = (
                f"http://{registry.get_container_host_ip()}:"
                f"{registry.get_exposed_port(8080)}/apis/ccompat/v7"
            )
            yield KafkaEndpoints(kafka.get_bootstrap_server(), url, "testcontainers")


@contextlib.contextmanager
def _local_stack() -> Iterator[KafkaEndpoints]:
    from deploy.local.stack import LocalStack, ensure_running
    from streams.settings import load_settings

    settings = load_settings().stack
    if LocalStack(settings).status().healthy:
        # Someone's `casebridge stack up`: used as it is, and left running.
        stack, started_by_us = LocalStack(settings), False
    else:
        # The session's own stack, in a data folder of its own emptied at start: every
        # run creates topics of its own, and a broker that kept them all from earlier
        # runs ran out of file handles ("Too many open files") and died mid-session.
        own = settings.model_copy(update={"data_dir": settings.data_dir.with_name("test-data")})
        stack, started_by_us = ensure_running(own, fresh=True)
    try:
        yield KafkaEndpoints(stack.bootstrap_servers, stack.registry_url, "local-stack")
    finally:
        if started_by_us and not os.environ.get("CASEBRIDGE_KEEP_STACK"):
            # Kafka clients left in reference cycles by tests would otherwise be freed
            # after the broker stopped, each logging "Connection refused" until then.
            gc.collect()
            stack.down()


@pytest.fixture(scope="session")
def kafka_endpoints() -> Iterator[KafkaEndpoints]:
    """The broker and registry for the whole session (see module docstring)."""
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if bootstrap:
        registry = os.environ.get("SCHEMA_REGISTRY_URL", "http://127.0.0.1:18081/apis/ccompat/v7")
        yield KafkaEndpoints(bootstrap, registry, "environment")
        return
    source = _testcontainers_stack if _docker_answers() else _local_stack
    with source() as endpoints:
        yield endpoints


@pytest.fixture(scope="session")
def bootstrap_servers(kafka_endpoints: KafkaEndpoints) -> str:
    """``host:port`` of the real broker."""
    return kafka_endpoints.bootstrap_servers


@pytest.fixture(scope="session")
def registry_url(kafka_endpoints: KafkaEndpoints) -> str:
    """Base URL of the real Confluent-compatible registry API."""
    return kafka_endpoints.registry_url


@pytest.fixture
def unique() -> str:
    """A short unique suffix for topic, subject and group names."""
    return uuid.uuid4().hex[:10]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def port() -> int:
    """A free port on 127.0.0.1."""
    return free_port()
