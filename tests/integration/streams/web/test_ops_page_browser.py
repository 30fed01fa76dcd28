"""The operations page in a real browser, against a real worker, broker and registry.

A worker runs the ``web`` and ``monitor`` roles (no agents: nothing else
consumes what this test produces). The test writes CaseState records to
``cases.state`` and one dead-lettered record to a test-unique DLQ whose
``source_topic`` header names a test-unique source topic, then drives
Debian's Chromium through Playwright (never ``playwright install``):

* the lag, case and DLQ numbers the page shows equal ``/api/overview``'s;
* the case search shows the audit trail of one of the test's cases;
* clicking Replay re-publishes the record to the source topic with replay
  headers, and the DLQ still holds the original.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

from connectors.serde import AvroSerde, RegistryClient
from schemas.records import CaseState, CaseStatus, CaseType
from streams.kafka.dlq import DeadLetter
from streams.kafka.groups import start_group_at_end
from streams.ops.dlq import list_records
from tests.conftest import free_port
from tests.integration.pipeline.harness import Process, start_process, wait_until, worker_env

pytestmark = pytest.mark.integration

CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium") or "") if p and os.path.exists(p)),
    None,
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Until streams.pipeline.ROLES lists "web", add it in the worker process only.
LAUNCH = (
    "import streams.pipeline as p; p.ROLES.setdefault('web', 'streams.web.api:register'); "
    "from streams.cli import main; main()"
)

# Closed statuses only: the escalation agent of a concurrently running worker
# reads cases.state too, and ignores cases that are no longer open.
STATES = [
    (CaseType.CHARGEBACK, CaseStatus.DECIDED),
    (CaseType.CHARGEBACK, CaseStatus.APPLIED),
    (CaseType.RETURN_REVIEW, CaseStatus.CLOSED),
]


@pytest.fixture(scope="module")
def playwright_chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; skipped only when no system Chromium exists."""
    if CHROMIUM is None:
        pytest.skip("no system Chromium (/usr/bin/chromium): apt-get install -y chromium")
    # playwright is a dev dependency: its absence is a broken install, not a reason to skip.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def worker(
    bootstrap_servers: str, registry_url: str, tmp_path: Path
) -> Iterator[tuple[str, Process]]:
    """A worker with the web and monitor roles; yields its base URL."""
    app_id = f"cbtest-ops-{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = worker_env(
        app_id=app_id,
        web_port=port,
        bootstrap_servers=bootstrap_servers,
        registry_url=registry_url,
        data_dir=tmp_path / "worker-data",
        extra={"CASEBRIDGE_LAG__INTERVAL_S": "2"},
    )
    start_group_at_end({"bootstrap.servers": bootstrap_servers}, app_id)
    process = start_process(
        "ops-worker",
        [sys.executable, "-c", LAUNCH, "worker", "--roles", "web,monitor"],
        env,
        tmp_path,
    )
    url = f"http://127.0.0.1:{port}"

    def lag_available() -> bool:
        if not process.alive():
            raise AssertionError(f"worker exited:\n{process.log_tail()}")
        body = httpx.get(f"{url}/api/overview", timeout=15).json()
        return bool(body["lag"]["available"] and body["cases"]["ready"])

    try:
        wait_until(lag_available, 120, "the worker's first lag report and case tally", 0.5)
        yield url, process
    finally:
        process.stop()


def produce_states(bootstrap_servers: str, registry_url: str, unique: str) -> list[str]:
    """Write the test's CaseState records to ``cases.state``; return their case ids."""
    registry = RegistryClient(registry_url)
    serde = AvroSerde.for_topic("cases.state", registry)
    producer = Producer({"bootstrap.servers": bootstrap_servers, "partitioner": "murmur2_random"})
    ids = []
    for i, (case_type, status) in enumerate(STATES):
        case_id = f"{case_type.value}-ops{unique}{i}"
        state = CaseState(
            case_id=case_id,
            case_type=case_type,
            shop=f"ops-{unique}.myshopify.com",
            subject_id=str(1000 + i),
            status=status,
            detail=f"browser test {unique}",
            updated_at=datetime.now(UTC),
        )
        producer.produce("cases.state", key=case_id.encode(), value=serde.encode(state))
        ids.append(case_id)
    assert producer.flush(30) == 0
    registry.close()
    return ids


def produce_dead_letter(bootstrap_servers: str, dlq: str, source: str) -> None:
    failure = DeadLetter(
        source_topic=source,
        reason="test: remote said 503",
        error_class="Boom",
        source_partition=0,
        source_offset=41,
        status=503,
    )
    producer = Producer({"bootstrap.servers": bootstrap_servers})
    headers: list[tuple[str, str | bytes | None]] = list(failure.headers())
    producer.produce(dlq, key=b"order-7", value=b"original bytes", headers=headers)
    assert producer.flush(30) == 0


def shown_texts(page: Any) -> dict[str, str]:
    """Every element with a data-testid on the page -> its text."""
    return page.evaluate(  # type: ignore[no-any-return]
        """() => Object.fromEntries(Array.from(document.querySelectorAll('[data-testid]'))
              .map(e => [e.dataset.testid, e.textContent.trim()]))"""
    )


def expected_texts(overview: dict[str, Any]) -> dict[str, str]:
    """What the page must show for ``overview``."""
    lag, cases = overview["lag"], overview["cases"]
    want = {
        "lag-at": lag["at"],
        "lag-status": lag["status"],
        "cases-total": str(cases["total"]),
        "stages-total-in": str(overview["totals"]["in"]),
        "stages-total-out": str(overview["totals"]["out"]),
    }
    for g in lag["groups"]:
        want[f"lag-total-{g['group']}"] = str(g["total_lag"])
        want[f"lag-status-{g['group']}"] = g["status"]
        want[f"lag-members-{g['group']}"] = str(g["members"])
    for name, count in cases["by_type"].items():
        want[f"cases-type-{name}"] = str(count)
    for name, count in cases["by_state"].items():
        want[f"cases-state-{name}"] = str(count)
    for d in overview["dlq"]["topics"]:
        if d["exists"]:
            want[f"dlq-count-{d['topic']}"] = str(d["records"])
    return want


def wait_for_match(page: Any, url: str, check: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Poll until the page shows what /api/overview returns (both move while others run)."""
    deadline = time.monotonic() + 60
    while True:
        shown = shown_texts(page)
        overview: dict[str, Any] = httpx.get(f"{url}/api/overview", timeout=15).json()
        want = expected_texts(overview)
        diff = {k: (shown.get(k), v) for k, v in want.items() if shown.get(k) != v}
        try:
            assert not diff, f"page differs from /api/overview (shown, api): {diff}"
            check(overview)
            return overview
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def test_ops_page_shows_the_api_and_replays_a_dlq(
    playwright_chromium: Any,
    worker: tuple[str, Process],
    bootstrap_servers: str,
    registry_url: str,
    make_topics: Callable[[list[str], int], None],
) -> None:
    url, process = worker
    unique = uuid.uuid4().hex[:8]
    source, dlq = f"ops-test-{unique}.source", f"ops-test-{unique}.source.dlq"
    make_topics([source, dlq], 1)
    produce_dead_letter(bootstrap_servers, dlq, source)
    case_ids = produce_states(bootstrap_servers, registry_url, unique)

    page = playwright_chromium.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{url}/ops/")
    page.wait_for_function(
        "document.querySelector('[data-testid=\"refreshed-at\"]').textContent !== 'never'"
    )

    def ours_are_in(overview: dict[str, Any]) -> None:
        listed = httpx.get(f"{url}/api/cases", params={"type": "CHARGEBACK", "limit": 1000})
        assert {case_ids[0], case_ids[1]} <= {c["case_id"] for c in listed.json()["cases"]}
        assert overview["cases"]["by_type"].get("CHARGEBACK", 0) >= 2
        mine = [d for d in overview["dlq"]["topics"] if d["topic"] == dlq]
        assert mine and mine[0]["records"] == 1
        assert overview["lag"]["groups"], "the lag monitor watches the worker's group"

    overview = wait_for_match(page, url, ours_are_in)
    assert any(g["group"].startswith("cbtest-ops-") for g in overview["lag"]["groups"])

    # The audit trail of one of our cases, through the search box.
    page.fill('[data-testid="case-search-input"]', case_ids[2])
    page.click('[data-testid="case-search-button"]')
    page.wait_for_selector('[data-testid="case-entry"]')
    assert page.inner_text('[data-testid="case-entry-stage"]') == "state"
    summary = page.inner_text('[data-testid="case-entry-summary"]')
    assert summary == f"state CLOSED: browser test {unique}"

    # Replay the DLQ from the page.
    page.on("dialog", lambda dialog: dialog.accept())
    page.click(f'[data-testid="dlq-replay-{dlq}"]')
    result = page.wait_for_selector('[data-testid="replay-result"][data-replayed]', timeout=30000)
    assert result is not None and result.get_attribute("data-replayed") == "1", result.inner_text()
    assert f"{dlq}: replayed 1 of 1 examined" in result.inner_text()

    replayed = read_all(bootstrap_servers, source)
    assert len(replayed) == 1
    msg = replayed[0]
    headers = {k: v.decode() for k, v in msg.headers() or []}
    assert (msg.key(), msg.value()) == (b"order-7", b"original bytes")
    assert headers["casebridge.replay.of"] == f"{dlq}/0/0"
    assert headers["casebridge.replay.attempt"] == "2"
    assert not any(k.startswith("casebridge.dlq.") for k in headers)
    still = list_records({"bootstrap.servers": bootstrap_servers}, dlq)
    assert [(r.key, r.value) for r in still] == [(b"order-7", b"original bytes")]
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert process.alive(), process.log_tail()


def read_all(bootstrap_servers: str, topic: str, timeout_s: float = 20.0) -> list[Any]:
    """Every record of a one-partition topic, without a group commit."""
    consumer = Consumer({"bootstrap.servers": bootstrap_servers, "group.id": "ops-test-read"})
    try:
        _, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
        consumer.assign([TopicPartition(topic, 0, 0)])
        got: list[Any] = []
        deadline = time.monotonic() + timeout_s
        while len(got) < high and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is not None and msg.error() is None:
                got.append(msg)
        return got
    finally:
        consumer.close()
