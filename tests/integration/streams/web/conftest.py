"""Fixtures for the operations page and audit trail against the real broker and registry."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic


@pytest.fixture
def make_topics(bootstrap_servers: str) -> Iterator[Callable[[list[str], int], None]]:
    """Create test-unique topics, deleted again after the test."""
    admin = AdminClient({"bootstrap.servers": bootstrap_servers})
    created: list[str] = []

    def make(names: list[str], partitions: int = 1) -> None:
        futures = admin.create_topics([NewTopic(n, partitions, 1) for n in names])
        for future in futures.values():
            future.result(timeout=30)
        created.extend(names)

    yield make
    if created:
        for future in admin.delete_topics(created).values():
            future.result(timeout=30)
