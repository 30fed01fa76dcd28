"""The classify agent applies the rules that need enrichment before a case is published,
and never defers the enrichment of a complaint its customer's tags may route."""

from __future__ import annotations

import json
from datetime import timedelta

from schemas.records import (
    CaseRequest,
    CaseVariable,
    ComplaintSubmitted,
    IssueType,
    Severity,
    VariableType,
)
from streams.topics import SUPPORT_COMPLAINTS
from tests.unit.streams.classify.harness import SHOP, CountingEnricher, Harness
from tests.unit.streams.classify.rules.conftest import NOW


class TaggingEnricher(CountingEnricher):
    """Enrichment that finds the customer tagged VIP in Shopify."""

    async def enrich(self, request: CaseRequest) -> CaseRequest:
        await super().enrich(request)
        tags = CaseVariable(name="customerTags", type=VariableType.JSON, value=json.dumps(["VIP"]))
        return request.model_copy(update={"variables": [*request.variables, tags]})

    def would_hold(self, request: CaseRequest) -> bool:
        return False


def complaint() -> ComplaintSubmitted:
    return ComplaintSubmitted(
        complaint_id="c-1",
        shop=SHOP,
        customer_email="vip@example.com",
        issue_type=IssueType.SERVICE,
        severity=Severity.MEDIUM,
        subject="s",
        message="m",
        submitted_at=NOW - timedelta(minutes=1),
    )


async def test_a_complaint_is_routed_by_its_customers_tags_before_it_opens() -> None:
    h = Harness(TaggingEnricher())

    await h.deliver(SUPPORT_COMPLAINTS, complaint(), offset=1)

    (request,) = h.requests()
    assert request.teams == ["customer_service", "sales"]
    assert any(reason.code == "SEGMENT_FROM_TAGS" for reason in request.reasons)


async def test_a_short_budget_does_not_open_a_complaint_before_its_routing() -> None:
    h = Harness(TaggingEnricher(defer=True))

    await h.deliver(SUPPORT_COMPLAINTS, complaint(), offset=1)
    await h.classifier.deferred.join()

    assert [step for step, _ in h.enricher.steps] == ["enrich"]  # enriched first, not deferred
    (request,) = h.requests()
    assert request.teams == ["customer_service", "sales"]
    assert all(v.name != "enrichmentDeferred" for v in request.variables)
