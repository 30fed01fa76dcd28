"""The history poller when the service does not page, sort or shape history as hoped.

Whether the service honours ``sort`` and ``offset`` is not documented, so each
case runs both ways; and models built like OpenText's samples (terminate ends,
call activities, timer boundaries) must be decided, not skipped.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from schemas.records import CaseType
from streams.decisions.source import WIDE_PAGE, HistoryPoller
from tests.unit.streams.decisions.fakes import MODEL_KEYS, FakeHistory, at

KEY = MODEL_KEYS[CaseType.ORDER_REVIEW]
VARS = {"shop": "demo.myshopify.com", "orderId": "1001", "fulfillmentOrderIds": ["7"]}


def poller(history: FakeHistory, now: float = 10_000) -> HistoryPoller:
    return HistoryPoller(
        history,
        {CaseType.ORDER_REVIEW: KEY},
        overlap=timedelta(seconds=3),
        clock=lambda: at(now),
    )


def decided(history: FakeHistory, count: int, *, start: int = 0) -> list[str]:
    """``count`` approved cases ending one second apart from ``start``."""
    cases = []
    for n in range(start, start + count):
        case = f"ORDER_REVIEW-{n:04d}"
        instance = history.add_instance(KEY, case, VARS, ended=at(n), instance_id=f"pi-{n:04d}")
        history.add_task(instance, "orderReview", "approved", ended=at(n))
        cases.append(case)
    return cases


async def drain(source: HistoryPoller, polls: int = 20) -> set[str]:
    """Poll until nothing new comes (at most ``polls`` times); every case decided."""
    seen: set[str] = set()
    watermark = None
    for _ in range(polls):
        batch = await source.poll_batch(watermark)
        new = {d.case_id for d in batch.decisions} - seen
        seen |= new
        if not new and batch.watermark == watermark:
            break
        watermark = batch.watermark
    return seen


@pytest.mark.parametrize("ignore_offset", [False, True])
@pytest.mark.parametrize("ignore_sort", [False, True])
async def test_every_decision_is_read_whatever_the_service_honours(
    ignore_offset: bool, ignore_sort: bool
) -> None:
    history = FakeHistory(ignore_offset=ignore_offset, ignore_sort=ignore_sort, default_page=10)
    cases = decided(history, 35)
    assert await drain(poller(history)) == set(cases)


async def test_a_sorted_but_capped_page_moves_the_watermark_to_its_end_only() -> None:
    history = FakeHistory(ignore_offset=True, default_page=10, max_page=10)
    decided(history, 25)
    batch = await poller(history).poll_batch(None)
    assert len(batch.decisions) == 10
    assert batch.watermark == at(9)  # not at(24): those after the page were not read
    assert batch.unpaged == []


async def test_a_short_page_that_looks_sorted_is_not_trusted() -> None:
    """Ties and chance make a small unsorted page look sorted: a wide page is read instead."""
    history = FakeHistory(ignore_offset=True, ignore_sort=True, default_page=3)
    for n in range(8):  # all ended in the same millisecond: any order "looks" sorted
        instance = history.add_instance(KEY, f"ORDER_REVIEW-s{n}", VARS, ended=at(1))
        history.add_task(instance, "orderReview", "approved", ended=at(1))
    batch = await poller(history).poll_batch(None)
    assert len(batch.decisions) == 8
    assert [q["page"] for q in history.instance_queries] == [None, WIDE_PAGE]


async def test_unsorted_and_unpaged_retries_wide_then_reads_all() -> None:
    history = FakeHistory(ignore_offset=True, ignore_sort=True, default_page=10)
    decided(history, 25)
    batch = await poller(history).poll_batch(None)
    assert len(batch.decisions) == 25
    assert [q["page"] for q in history.instance_queries] == [None, WIDE_PAGE]
    assert batch.watermark == at(24)


async def test_unsorted_and_unpaged_beyond_a_wide_page_keeps_the_watermark() -> None:
    history = FakeHistory(ignore_offset=True, ignore_sort=True, default_page=2, max_page=2)
    decided(history, 5)
    batch = await poller(history).poll_batch(at(-1))
    assert batch.unpaged == [KEY]
    assert batch.watermark == at(-1)  # not moved: older instances may be unread
    assert len(batch.decisions) == 2  # what was read is still decided


async def test_a_terminate_end_is_a_decision_and_a_deletion_is_not() -> None:
    history = FakeHistory()
    ended = history.add_instance(
        KEY, "ORDER_REVIEW-t", VARS, ended=at(5), delete_reason="terminate end event (reject)"
    )
    history.add_task(ended, "orderReview", "rejected", ended=at(5))
    withdrawn = history.add_instance(
        KEY, "ORDER_REVIEW-w", VARS, ended=at(6), delete_reason="process instance deleted"
    )
    history.add_task(withdrawn, "orderReview", "approved", ended=at(6), delete_reason="deleted")
    batch = await poller(history).poll_batch(None)
    assert [(d.case_id, d.outcome) for d in batch.decisions] == [("ORDER_REVIEW-t", "rejected")]
    assert batch.skipped == [withdrawn.id]


async def test_tasks_of_a_call_activity_are_found_in_the_child_process() -> None:
    history = FakeHistory()
    instance = history.add_instance(
        KEY, "ORDER_REVIEW-c", {**VARS, "approvalStatus": "approved"}, ended=at(5)
    )
    task = history.add_task(instance, "orderReview", None, ended=at(5), in_child=True)
    batch = await poller(history).poll_batch(None)
    assert [d.decision_id for d in batch.decisions] == [f"ORDER_REVIEW-c:{task.id}"]
    assert batch.decisions[0].outcome == "approved"  # from the process variable
    assert history.task_queries == [
        {"process_instance_id": instance.id},
        {"with_children": instance.id},
    ]
    assert batch.pending == [] and batch.failures == []


async def test_a_timer_boundary_decision_comes_from_the_instance() -> None:
    history = FakeHistory()
    instance = history.add_instance(
        KEY, "ORDER_REVIEW-x", {**VARS, "approvalStatus": "rejected"}, ended=at(5)
    )
    timed_out = history.add_task(
        instance, "orderReview", None, ended=at(5), delete_reason="boundary event (timer1)"
    )
    batch = await poller(history).poll_batch(None)
    assert [(d.decision_id, d.outcome) for d in batch.decisions] == [
        (f"ORDER_REVIEW-x:{timed_out.id}", "rejected")
    ]


async def test_an_interrupted_task_without_a_stored_outcome_waits() -> None:
    history = FakeHistory()
    instance = history.add_instance(KEY, "ORDER_REVIEW-y", VARS, ended=at(5))
    history.add_task(instance, "orderReview", None, ended=at(5), delete_reason="boundary event (t)")
    batch = await poller(history, now=6).poll_batch(None)
    assert batch.decisions == [] and batch.pending == [instance.id]
