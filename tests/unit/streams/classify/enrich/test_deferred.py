"""Deferred enrichment: bounded, in the ENRICH class, published again, failures contained."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from connectors.shopify.budget import Priority, current_class
from schemas.records import CaseRequest, CaseType, Reason, SubjectType
from streams.classify.enrich.deferred import DeferredEnrichment

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def request(case_id: str) -> CaseRequest:
    return CaseRequest(
        case_id=case_id,
        case_type=CaseType.RETURN_REVIEW,
        shop="casebridge-demo.myshopify.com",
        subject_type=SubjectType.RETURN,
        subject_id=case_id,
        order_id="1001",
        sla_due_at=NOW + timedelta(hours=4),
        reasons=[Reason(code="RETURN_REQUESTED", detail="x")],
        requested_at=NOW,
        enrichment_complete=False,
    )


class Enricher:
    def __init__(self, *, fail: set[str] | None = None) -> None:
        self.classes: list[Priority] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail = fail or set()

    async def enrich(self, req: CaseRequest) -> CaseRequest:
        self.classes.append(current_class())
        await self.gate.wait()
        if req.case_id in self.fail:
            raise RuntimeError("boom")
        return req.model_copy(update={"enrichment_complete": True})


async def test_deferred_cases_are_enriched_in_the_enrich_class_and_published() -> None:
    enricher = Enricher()
    published: list[CaseRequest] = []

    async def publish(req: CaseRequest) -> None:
        published.append(req)

    deferred = DeferredEnrichment(enricher, publish, concurrency=2)
    assert deferred.submit(request("a")) and deferred.submit(request("b"))
    await asyncio.wait_for(deferred.join(), 5)
    await deferred.stop()

    assert sorted(r.case_id for r in published) == ["a", "b"]
    assert all(r.enrichment_complete for r in published)
    assert enricher.classes == [Priority.ENRICH, Priority.ENRICH]
    assert deferred.stats["completed"] == 2


async def test_a_full_queue_leaves_the_case_incomplete_and_counts_it() -> None:
    enricher = Enricher()
    enricher.gate.clear()  # workers stuck: the queue fills

    async def publish(req: CaseRequest) -> None:
        return None

    deferred = DeferredEnrichment(enricher, publish, concurrency=1, limit=2)
    results = [deferred.submit(request(str(i))) for i in range(4)]
    await asyncio.sleep(0)
    # One taken by the worker, two queued; the fourth does not fit.
    assert results.count(False) >= 1
    assert deferred.stats["dropped"] == results.count(False)
    enricher.gate.set()
    await asyncio.wait_for(deferred.join(), 5)
    await deferred.stop()


async def test_one_failing_case_does_not_stop_the_others() -> None:
    enricher = Enricher(fail={"bad"})
    published: list[str] = []

    async def publish(req: CaseRequest) -> None:
        published.append(req.case_id)

    deferred = DeferredEnrichment(enricher, publish, concurrency=1)
    deferred.submit(request("bad"))
    deferred.submit(request("good"))
    await asyncio.wait_for(deferred.join(), 5)
    await deferred.stop()

    assert published == ["good"]
    assert deferred.stats["failed"] == 1


def test_invalid_sizes_are_refused() -> None:
    async def publish(req: CaseRequest) -> None:
        return None

    with pytest.raises(ValueError):
        DeferredEnrichment(Enricher(), publish, concurrency=0)
