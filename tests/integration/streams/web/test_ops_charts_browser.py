"""The operations page's charts in Debian's Chromium: they render and they move.

A worker runs the ``web`` and ``monitor`` roles. The test owns a consumer
group whose id starts with the worker's app id (so the worker's lag monitor
watches it) committed at offset 0 of a test-unique topic, then produces
records to that topic: the group's lag goes from 0 to the number produced,
and the page's lag chart must draw that rise from the worker's in-memory
history, next to the other charts of the last hour.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

from streams.kafka.groups import start_group_at_end
from streams.settings import KafkaSettings
from streams.topics import ensure_topics, topic_specs
from streams.web.history import CHARTS
from tests.conftest import free_port
from tests.integration.pipeline.harness import Process, start_process, wait_until, worker_env
from tests.integration.streams.web.test_ops_page_browser import (
    LAUNCH,
    playwright_chromium,
)

pytestmark = pytest.mark.integration

__all__ = ["playwright_chromium"]  # the fixture, imported to be used here

RECORDS = 7
PARTITIONS = KafkaSettings().default_partitions


@pytest.fixture
def charted_worker(
    bootstrap_servers: str, registry_url: str, tmp_path: Path
) -> Iterator[tuple[str, str, Process]]:
    """A worker with the web and monitor roles; yields its URL and app id."""
    app_id = f"cbtest-charts-{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = worker_env(
        app_id=app_id,
        web_port=port,
        bootstrap_servers=bootstrap_servers,
        registry_url=registry_url,
        data_dir=tmp_path / "worker-data",
        extra={"CASEBRIDGE_LAG__INTERVAL_S": "1"},
    )
    # On a fresh broker the pipeline topics may not exist yet (the group's start needs them).
    ensure_topics({"bootstrap.servers": bootstrap_servers}, topic_specs(PARTITIONS))

    def group_started() -> bool:
        try:
            start_group_at_end({"bootstrap.servers": bootstrap_servers}, app_id)
        except KafkaException:  # a topic created just now has no leader for a moment
            return False
        return True

    wait_until(group_started, 30, "the worker's group committed at the topics' ends", 0.5)
    process = start_process(
        "charts-worker",
        [sys.executable, "-c", LAUNCH, "worker", "--roles", "web,monitor"],
        env,
        tmp_path,
    )
    url = f"http://127.0.0.1:{port}"

    def answering() -> bool:
        if not process.alive():
            raise AssertionError(f"worker exited:\n{process.log_tail()}")
        try:
            return httpx.get(f"{url}/api/history", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(answering, 120, "the worker's operations API", 0.5)
        yield url, app_id, process
    finally:
        process.stop()


def commit_at_start(bootstrap_servers: str, group: str, topic: str) -> None:
    """Give ``group`` a commit at offset 0 of ``topic`` (lag 0 while the topic is empty)."""
    consumer = Consumer({"bootstrap.servers": bootstrap_servers, "group.id": group})
    try:
        consumer.commit(offsets=[TopicPartition(topic, 0, 0)], asynchronous=False)
    finally:
        consumer.close()


def line_of(page: Any, chart: str, series: str) -> dict[str, Any] | None:
    """The drawn polyline of one series: its point count, last value and last time."""
    return page.evaluate(  # type: ignore[no-any-return]
        """([chart, series]) => {
            const svg = document.querySelector(`[data-testid="chart-svg-${chart}"]`);
            if (!svg) return null;
            const line = Array.from(svg.querySelectorAll('polyline'))
                .find(l => l.dataset.series === series);
            if (!line) return null;
            return {count: Number(line.dataset.count), last: Number(line.dataset.last),
                    lastAt: Number(line.dataset.lastAt),
                    drawn: line.getAttribute('points').split(' ').length,
                    to: Number(svg.dataset.to)};
        }""",
        [chart, series],
    )


def test_the_charts_render_and_move(
    playwright_chromium: Any,
    charted_worker: tuple[str, str, Process],
    bootstrap_servers: str,
    make_topics: Callable[[list[str], int], None],
) -> None:
    url, app_id, process = charted_worker
    topic = f"charts-test-{uuid.uuid4().hex[:8]}"
    group = f"{app_id}-probe"
    make_topics([topic], 1)
    commit_at_start(bootstrap_servers, group, topic)

    page = playwright_chromium.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{url}/ops/")

    # Every chart of the page is there, with its title.
    for chart in CHARTS:
        page.wait_for_selector(f'[data-testid="chart-{chart.id}"]', timeout=30_000)
        title = page.inner_text(f'[data-testid="chart-title-{chart.id}"]')
        assert title == f"{chart.title} ({chart.unit})"

    # The probe group is drawn at lag 0 first ...
    def drawn_at(value: float, points: int) -> Callable[[], bool]:
        def check() -> bool:
            assert process.alive(), process.log_tail()
            line = line_of(page, "lag", group)
            return line is not None and line["last"] == value and line["count"] >= points

        return check

    wait_until(drawn_at(0.0, 2), 60, "the probe group drawn at lag 0", 0.5)
    before = line_of(page, "lag", group)
    assert before is not None and before["drawn"] == before["count"]

    # ... then rises to the records produced, on new points further right.
    producer = Producer({"bootstrap.servers": bootstrap_servers})
    for i in range(RECORDS):
        producer.produce(topic, value=f"r{i}".encode())
    assert producer.flush(30) == 0
    wait_until(drawn_at(float(RECORDS), 3), 60, f"the probe group drawn at lag {RECORDS}", 0.5)
    after = line_of(page, "lag", group)
    assert after is not None
    assert after["count"] > before["count"] and after["lastAt"] > before["lastAt"]
    assert after["to"] >= before["to"]
    legend = page.inner_text(f'[data-testid="chart-legend-item-lag-{group}"]')
    assert legend == f"{group}: {RECORDS}"

    # What the page drew is what the API holds.
    body = httpx.get(f"{url}/api/history", timeout=10).json()
    lag = next(c for c in body["charts"] if c["id"] == "lag")
    points = next(s["points"] for s in lag["series"] if s["name"] == group)
    assert points[-1][1] == RECORDS
    assert not errors, f"JavaScript errors on the page: {errors}"
