"""Scenarios 1, 2 and 6: workers crash, the broker goes away, the group rebalances."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from deploy.local.stack import LocalStack
from tests.reliability.conftest import Row
from tests.reliability.harness import audit, running_pipeline, stop_broker, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.reliability,
    pytest.mark.slow,
    pytest.mark.timeout(300),
]

KINDS = ["risky_order", "return_request"]


@pytest.mark.scenario(1)
def test_worker_killed_mid_stream_and_restarted(
    stack: LocalStack, tmp_path: Path, row: Row
) -> None:
    logs = tmp_path
    with running_pipeline(stack, logs) as pipeline:
        triggers = pipeline.seed(KINDS, 20)
        # Mid-stream: some cases open, some decisions on their way to Shopify.
        wait_for(lambda: len(pipeline.instances()) >= 6, 90, "the first cases", pipeline)
        opened = len(pipeline.instances())
        pipeline.worker("w1").process.kill()
        time.sleep(2)
        pipeline.start("w1", reset_offsets=False)
        row.injected = (
            f"SIGKILL of the only worker after {opened}/20 cases opened; restart with the "
            "same app id and committed offsets (webhooks of the downtime retried by Shopify)"
        )
        tally = audit(pipeline, triggers, timeout_s=150)
        row.take(tally)
    assert tally.ok, tally.problems


@pytest.mark.scenario(2)
def test_broker_stopped_and_restarted_mid_run(stack: LocalStack, tmp_path: Path, row: Row) -> None:
    logs = tmp_path
    with running_pipeline(stack, logs) as pipeline:
        first = pipeline.seed(KINDS, 10)
        wait_for(lambda: len(pipeline.instances()) >= 4, 90, "the first cases", pipeline)
        stop_broker(stack)
        began = time.monotonic()
        try:
            # Webhooks keep coming while the broker is down: ingress cannot publish.
            second = pipeline.seed(KINDS, 10)
            time.sleep(15)
        finally:
            stack.up()
        down_s = time.monotonic() - began
        row.injected = (
            f"broker SIGTERM-stopped for {down_s:.0f} s mid-run (10 triggers before, 10 during "
            "the outage), then restarted on the same data dir"
        )
        tally = audit(pipeline, first + second, timeout_s=170)
        row.take(tally)
        for worker in pipeline.workers:
            assert worker.process.alive(), worker.process.log_tail()
    assert tally.ok, tally.problems


@pytest.mark.scenario(6)
def test_rebalance_join_and_leave(stack: LocalStack, tmp_path: Path, row: Row) -> None:
    logs = tmp_path
    with running_pipeline(stack, logs, workers=2) as pipeline:
        triggers = pipeline.seed(KINDS, 12)
        wait_for(lambda: len(pipeline.instances()) >= 3, 90, "the first cases", pipeline)
        pipeline.start("w3", reset_offsets=False)
        triggers += pipeline.seed(KINDS, 12)
        wait_for(lambda: len(pipeline.instances()) >= 14, 90, "more cases", pipeline)
        # w2 leaves in an orderly way (SIGTERM): its partitions move to w1 and w3.
        pipeline.worker("w2").process.stop()
        triggers += pipeline.seed(KINDS, 12)
        row.injected = (
            "2 workers share the group; a 3rd joins mid-run, then one of the first two leaves "
            "(SIGTERM); 12 triggers before, during and after each change"
        )
        tally = audit(pipeline, triggers, timeout_s=170)
        row.take(tally)
    assert tally.ok, tally.problems
