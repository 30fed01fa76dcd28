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
from streams.classify.rules import ClassifyContext, classify_complaint
from streams.policy.loader import default_policy
from tests.unit.streams.classify.rules.conftest import NOW
from tests.unit.streams.classify.test_agent_guards import (
    SHOP,
    CountingEnricher,
    classifier,
    open_request,
)


class TaggingEnricher(CountingEnricher):
    """Enrichment that finds the customer tagged VIP in Shopify."""

    async def enrich(self, request: CaseRequest) -> CaseRequest:
        await super().enrich(request)
        tags = CaseVariable(name="customerTags", type=VariableType.JSON, value=json.dumps(["VIP"]))
        return request.model_copy(update={"variables": [*request.variables, tags]})

    def would_hold(self, request: CaseRequest) -> bool:
        return False


def complaint() -> CaseRequest:
    submitted = ComplaintSubmitted(
        complaint_id="c-1",
        shop=SHOP,
        customer_email="vip@example.com",
        issue_type=IssueType.SERVICE,
        severity=Severity.MEDIUM,
        subject="s",
        message="m",
        submitted_at=NOW - timedelta(minutes=1),
    )
    return classify_complaint(submitted, default_policy(), ClassifyContext(), NOW)


async def test_a_complaint_is_routed_by_its_customers_tags_before_it_opens() -> None:
    classify, published = classifier(TaggingEnricher())

    await open_request(classify, complaint(), "0:1")

    (request,) = published
    assert request.teams == ["customer_service", "sales"]
    assert any(reason.code == "SEGMENT_FROM_TAGS" for reason in request.reasons)


async def test_a_short_budget_does_not_open_a_complaint_before_its_routing() -> None:
    enricher = TaggingEnricher(defer=True)
    classify, published = classifier(enricher)

    await open_request(classify, complaint(), "0:1")

    assert classify.deferred.submitted == []  # type: ignore[attr-defined]
    assert [step for step, _ in enricher.steps] == ["enrich"]
    assert published[0].teams == ["customer_service", "sales"]
