"""The enricher per case type, and its failure handling, against a fake GraphQL executor."""

from __future__ import annotations

import json

import pytest

from connectors.shopify.bucket import CostBucket
from connectors.shopify.budget import Priority, call_class, current_class, current_spend
from connectors.shopify.errors import ShopifyUnavailableError
from schemas.records import CaseRequest, CaseType, CaseVariable, SubjectType, VariableType
from streams.classify.enrich import EnrichOptions, ShopifyEnricher
from tests.unit.streams.classify.enrich.fakes import (
    CUSTOMER_GID,
    FO_CLOSED,
    FO_OPEN,
    ORDER_GID,
    FakeShopify,
    request,
)


def variables(case: CaseRequest) -> dict[str, CaseVariable]:
    return {variable.name: variable for variable in case.variables}


def value(case: CaseRequest, name: str) -> str:
    return variables(case)[name].value


@pytest.fixture
def shopify() -> FakeShopify:
    return FakeShopify()


@pytest.fixture
def enricher(shopify: FakeShopify) -> ShopifyEnricher:
    return ShopifyEnricher(shopify)


async def test_order_review_reads_only_the_customer_summary_and_fulfillment_orders(
    shopify: FakeShopify, enricher: ShopifyEnricher
) -> None:
    case = await enricher.enrich(request(CaseType.ORDER_REVIEW))

    found = variables(case)
    assert case.enrichment_complete
    assert found["customerOrdersCount"].type is VariableType.LONG
    assert value(case, "customerOrdersCount") == "4"
    assert value(case, "previousOrdersCount") == "3"  # this order is not "previous"
    assert found["customerTotalSpent"].type is VariableType.DECIMAL
    assert value(case, "customerTotalSpent") == "812.50"
    # No deep history for an order review: the summary is what a reviewer weighs.
    assert "previousReturnsCount" not in found
    assert found["fulfillmentOrderIds"].type is VariableType.JSON
    assert json.loads(value(case, "fulfillmentOrderIds")) == [FO_OPEN, FO_CLOSED]
    # The customer learned through the order is filled in where the classifier had none.
    assert case.customer_id == "77"
    assert "shippingProof" not in found
    assert [name for name, _ in shopify.calls] == [
        "CasebridgeEnrichOrder",
        "CasebridgeCustomerSummary",
    ]
    (call,) = shopify.calls_of("CasebridgeEnrichOrder")
    assert call["id"] == ORDER_GID


async def test_a_held_order_review_with_the_webhooks_customer_costs_no_read(
    shopify: FakeShopify, enricher: ShopifyEnricher
) -> None:
    base = request(CaseType.ORDER_REVIEW, customer_id="77")
    base = base.model_copy(
        update={
            "variables": [
                CaseVariable(name="customerOrdersCount", type=VariableType.LONG, value="4"),
                CaseVariable(name="fulfillmentOrderIds", type=VariableType.JSON, value="[]"),
                CaseVariable(name="orderFinancialStatus", value="PAID"),
            ]
        }
    )

    case = await enricher.enrich(base)

    assert case.enrichment_complete
    assert shopify.calls == []


async def test_points_spent_are_recorded_on_the_case(
    shopify: FakeShopify, enricher: ShopifyEnricher
) -> None:
    async def costed(document: str, variables: dict[str, object] | None = None, **kw: object):  # type: ignore[no-untyped-def]
        answer = await original(document, variables)
        spend = current_spend()
        assert spend is not None and spend.case_type == "ORDER_REVIEW"
        spend.add(current_class(), 12, 5)
        return answer

    original = shopify.execute
    shopify.execute = costed  # type: ignore[method-assign,assignment]
    with call_class(Priority.ENRICH):
        case = await enricher.enrich(request(CaseType.ORDER_REVIEW))

    assert value(case, "shopifyPointsRequested") == "24"
    assert value(case, "shopifyPointsCharged") == "10"


async def test_deferral_marks_the_case_and_enrichment_clears_the_mark(
    shopify: FakeShopify, enricher: ShopifyEnricher
) -> None:
    deferred = enricher.deferred(request(CaseType.ORDER_REVIEW))
    assert not deferred.enrichment_complete
    assert "enrichmentDeferred" in variables(deferred)

    done = await enricher.enrich(deferred)

    assert done.enrichment_complete
    assert "enrichmentDeferred" not in variables(done)
    assert enricher.stats["deferred"] == 1


async def test_classifier_variables_win_over_fetched_ones(enricher: ShopifyEnricher) -> None:
    base = request(CaseType.ORDER_REVIEW)
    base = base.model_copy(
        update={
            "variables": [
                CaseVariable(name="orderTotal", type=VariableType.DECIMAL, value="249.99")
            ]
        }
    )

    case = await enricher.enrich(base)

    assert value(case, "orderTotal") == "249.99"
    assert [v.name for v in case.variables].count("orderTotal") == 1


async def test_chargeback_gets_shipping_proof_order_record_and_refunds(
    shopify: FakeShopify, enricher: ShopifyEnricher
) -> None:
    case = await enricher.enrich(
        request(
            CaseType.CHARGEBACK,
            subject_type=SubjectType.DISPUTE,
            subject_id="5",  # the dispute of this case: not a "previous" one
        )
    )

    assert case.enrichment_complete
    assert value(case, "previousDisputesCount") == "0"
    proof = json.loads(value(case, "shippingProof"))
    assert proof[0]["tracking"] == [
        {"company": "UPS", "number": "1Z999", "url": "https://ups.example/1Z999"}
    ]
    assert value(case, "trackingNumbers") == "1Z999"
    assert value(case, "orderName") == "#1001"
    assert value(case, "orderCurrency") == "EUR"
    assert value(case, "refundCount") == "1"
    assert value(case, "refundedTotal") == "20.00"
    assert json.loads(value(case, "orderRefunds"))[0]["amount"] == "20.00"


async def test_fulfillment_exception_gets_fulfillment_orders_and_proof_without_history(
    shopify: FakeShopify, enricher: ShopifyEnricher
) -> None:
    case = await enricher.enrich(request(CaseType.FULFILLMENT_EXCEPTION))

    found = variables(case)
    assert "fulfillmentOrderIds" in found and "shippingProof" in found
    assert "customerOrdersCount" not in found
    assert len(shopify.calls_of("CasebridgeEnrichOrder")) == 1


async def test_return_review_excludes_its_own_return(shopify: FakeShopify) -> None:
    enricher = ShopifyEnricher(shopify)
    case = await enricher.enrich(
        request(CaseType.RETURN_REVIEW, subject_type=SubjectType.RETURN, subject_id="9")
    )

    assert value(case, "previousReturnsCount") == "0"
    assert "refundCount" in variables(case)


async def test_complaint_without_order_reads_the_customer(shopify: FakeShopify) -> None:
    case = await ShopifyEnricher(shopify).enrich(
        request(
            CaseType.COMPLAINT,
            subject_type=SubjectType.COMPLAINT,
            subject_id="c-1",
            order_id=None,
            customer_id="77",
        )
    )

    assert shopify.calls_of("CasebridgeEnrichCustomer")[0]["id"] == CUSTOMER_GID
    assert value(case, "customerOrdersCount") == "4"
    assert value(case, "previousOrdersCount") == "4"  # no order of this case to leave out


async def test_content_review_is_left_alone(shopify: FakeShopify) -> None:
    base = request(CaseType.CONTENT_REVIEW, subject_type=SubjectType.PRODUCT, order_id=None)

    assert await ShopifyEnricher(shopify).enrich(base) == base
    assert shopify.calls == []


async def test_failure_marks_the_case_incomplete_and_keeps_the_rest(shopify: FakeShopify) -> None:
    shopify.failures["CasebridgeFulfillments"] = ShopifyUnavailableError(
        "CasebridgeFulfillments: gave up after 5 attempts: HTTP 503", attempts=5, status=503
    )

    case = await ShopifyEnricher(shopify).enrich(request(CaseType.CHARGEBACK))

    assert not case.enrichment_complete
    error = value(case, "enrichmentError")
    assert error.startswith("shippingProof: ShopifyUnavailableError")
    assert "HTTP 503" in error
    assert "refundCount" in variables(case)  # the parts that worked are kept


async def test_missing_order_is_an_incomplete_enrichment(shopify: FakeShopify) -> None:
    shopify.orders.clear()

    case = await ShopifyEnricher(shopify).enrich(request(CaseType.ORDER_REVIEW))

    assert not case.enrichment_complete
    assert "not found" in value(case, "enrichmentError")


async def test_an_unexpected_bug_never_raises_out(shopify: FakeShopify) -> None:
    shopify.failures["CasebridgeEnrichOrder"] = KeyError("boom")  # an enricher bug

    case = await ShopifyEnricher(shopify).enrich(request(CaseType.ORDER_REVIEW))

    assert not case.enrichment_complete
    assert "KeyError" in value(case, "enrichmentError")


async def test_successful_enrichment_completes_a_risk_case(shopify: FakeShopify) -> None:
    # The risk-change payload has no order details: the classifier marks it incomplete.
    base = request(CaseType.ORDER_REVIEW).model_copy(update={"enrichment_complete": False})

    case = await ShopifyEnricher(shopify).enrich(base)

    assert case.enrichment_complete
    assert value(case, "orderTotal") == "250.00"


async def test_history_window_is_configurable(shopify: FakeShopify) -> None:
    enricher = ShopifyEnricher(shopify, EnrichOptions(history_orders=3, returns_per_order=2))

    await enricher.enrich(request(CaseType.RETURN_REVIEW, subject_type=SubjectType.RETURN))

    (call,) = shopify.calls_of("CasebridgeEnrichOrderHist")
    assert (call["historyFirst"], call["returnsFirst"]) == (3, 2)


async def test_enrichment_is_deferred_when_its_reads_would_wait_for_the_budget(
    shopify: FakeShopify,
) -> None:
    bucket = CostBucket(maximum_available=100, restore_rate=4, probe_first=False)
    shopify.bucket = bucket  # type: ignore[attr-defined]
    enricher = ShopifyEnricher(shopify, EnrichOptions(defer_after_s=1.0))
    returns = request(CaseType.RETURN_REVIEW, subject_type=SubjectType.RETURN)

    assert not enricher.should_defer(returns)  # a full bucket covers the reads
    bucket.mark_throttled()  # Shopify said: empty
    assert enricher.should_defer(returns)  # ~70 points at 4/s
    # A case whose webhook carried everything reads nothing, so it never waits.
    nothing_to_read = request(CaseType.CONTENT_REVIEW, subject_type=SubjectType.PRODUCT)
    assert not enricher.should_defer(nothing_to_read)
