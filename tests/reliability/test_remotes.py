"""Scenarios 3 and 4: OpenText goes away for a minute; Shopify's bucket runs dry."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from deploy.local.stack import LocalStack
from tests.reliability.conftest import Row
from tests.reliability.harness import all_records, audit, running_pipeline, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.reliability,
    pytest.mark.slow,
    pytest.mark.timeout(300),
]

KINDS = ["risky_order", "return_request"]
DLQS = [
    "shopify.webhooks.dlq",
    "cases.requests.dlq",
    "cases.decisions.dlq",
    "orders.offline.dlq",
]


def dead_letters_since(
    bootstrap: str, before: dict[str, int]
) -> list[tuple[str, dict[str, bytes]]]:
    """(topic, headers) of every DLQ record beyond the counts in ``before``."""
    found = []
    for topic in DLQS:
        records = all_records(bootstrap, topic)
        for message in records[before.get(topic, 0) :]:
            found.append((topic, dict(message.headers() or [])))
    return found


def dlq_counts(bootstrap: str) -> dict[str, int]:
    """How many records each DLQ holds now."""
    return {topic: len(all_records(bootstrap, topic)) for topic in DLQS}


@pytest.mark.scenario(3)
def test_opentext_down_for_60_s(stack: LocalStack, tmp_path: Path, row: Row) -> None:
    with running_pipeline(stack, tmp_path) as pipeline:
        before = dlq_counts(pipeline.bootstrap)
        pipeline.emulators.opentext_faults({"outage_seconds": 60})
        began = time.monotonic()
        try:
            triggers = pipeline.seed(KINDS, 16)
            # The backlog builds up: the cases are classified and held, none opens.
            time.sleep(max(0.0, 55 - (time.monotonic() - began)))
            opened_during = len(pipeline.instances())
            wait_for(lambda: time.monotonic() - began > 62, 30, "the outage to end", pipeline)
        finally:
            pipeline.emulators.opentext_faults(None)
        row.injected = (
            "OpenText answers 503 to every call for 60 s (`outage_seconds: 60`) while 16 "
            f"triggers arrive; {opened_during} cases opened during the outage"
        )
        tally = audit(pipeline, triggers, timeout_s=150)
        dead = dead_letters_since(pipeline.bootstrap, before)
        for topic, headers in dead:
            tally.lose(f"dead letter on {topic}: {headers.get('casebridge.dlq.reason', b'')!r}")
        row.take(tally)
        refused = sum(w.process.log_tail(10**7).count("HTTP 503") for w in pipeline.workers)
        row.notes.append(f"{refused} OpenText calls answered 503 and retried during the outage")
    assert opened_during == 0
    assert tally.ok, tally.problems


@pytest.mark.scenario(4)
def test_shopify_bucket_cut_to_10_points_per_s(stack: LocalStack, tmp_path: Path, row: Row) -> None:
    with running_pipeline(stack, tmp_path) as pipeline:
        before = dlq_counts(pipeline.bootstrap)
        pipeline.shopify_faults({"restore_rate": 10, "maximum_available": 100})
        began = time.monotonic()
        try:
            triggers = pipeline.seed(KINDS, 8)
            # Enrichment, holds, releases, cancellations and refunds all share the bucket.
            tally = audit(pipeline, triggers, timeout_s=200)
            drained_s = time.monotonic() - began
        finally:
            pipeline.shopify_faults(None)
        dead = dead_letters_since(pipeline.bootstrap, before)
        throttled = [
            (topic, h) for topic, h in dead if any(b"THROTTLED" in v for v in h.values() if v)
        ]
        for topic, headers in throttled:
            tally.lose(f"THROTTLED reached {topic}: {headers}")
        ours = {str(i["businessKey"]).encode() for i in pipeline.instances()}
        failed = [
            value
            for key, value in pipeline.decoded("shopify.writebacks")
            if key in ours and str(value.get("status")).endswith("FAILED")
        ]
        for result in failed:
            tally.lose(f"failed write {result.get('mutation')}: {result.get('error_code')}")
        row.injected = (
            "Shopify bucket cut to 100 points, restored at 10 points/s, for 8 triggers "
            "(enrichment reads, holds, releases, cancellations, refunds)"
        )
        row.take(tally)
        incomplete = sum(
            w.process.log_tail(10**7).count("enriched incompletely") for w in pipeline.workers
        )
        row.notes.append(
            f"{incomplete} cases opened with incomplete enrichment (an enrichment read costs "
            "more than the 100-point bucket; the case opens anyway, marked incomplete)"
        )
        row.notes.append(
            f"{len(throttled)} THROTTLED dead letters, {len(failed)} failed writes; "
            f"the 8 triggers took {drained_s:.0f} s end to end"
        )
    assert not throttled
    assert tally.ok, tally.problems
