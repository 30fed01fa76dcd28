"""The enricher per case type, and its failure handling, against a fake GraphQL executor."""

from __future__ import annotations

import json

import pytest

from connectors.shopify.bucket import CostBucket
from connectors.shopify.budget import Priority, call_class, current_class, current_spend
from connectors.shopify.errors import ShopifyUnavailableError
from schemas.records import CaseRequest, CaseType, CaseVariable, SubjectType, VariableType
from streams.classify.enrich import ShopifyEnricher
from streams.settings import EnrichSettings
from tests.unit.streams.classify.enrich.fakes import (
    CUSTOMER_GID,
    FO_CLOSED,
    FO_OPEN,
    LINE_GID,
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
    assert value(case, "orderNote") == "Please leave the parcel with the neighbour"
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
    enricher = ShopifyEnricher(shopify, EnrichSettings(history_orders=3, returns_per_order=2))

    await enricher.enrich(request(CaseType.RETURN_REVIEW, subject_type=SubjectType.RETURN))

    (call,) = shopify.calls_of("CasebridgeEnrichOrderHist")
    assert (call["historyFirst"], call["returnsFirst"]) == (3, 2)


async def test_enrichment_is_deferred_when_its_reads_would_wait_for_the_budget(
    shopify: FakeShopify,
) -> None:
    bucket = CostBucket(maximum_available=100, restore_rate=4, probe_first=False)
    shopify.bucket = bucket  # type: ignore[attr-defined]
    enricher = ShopifyEnricher(shopify, EnrichSettings(defer_after_s=1.0))
    returns = request(CaseType.RETURN_REVIEW, subject_type=SubjectType.RETURN)

    assert not enricher.should_defer(returns)  # a full bucket covers the reads
    bucket.mark_throttled()  # Shopify said: empty
    assert enricher.should_defer(returns)  # ~70 points at 4/s
    # A case whose webhook carried everything reads nothing, so it never waits.
    nothing_to_read = request(CaseType.CONTENT_REVIEW, subject_type=SubjectType.PRODUCT)
    assert not enricher.should_defer(nothing_to_read)


# --- returned lines, timeline, customer by e-mail ------------------------------------------


def _with(case: CaseRequest, *items: CaseVariable) -> CaseRequest:
    return case.model_copy(update={"variables": [*case.variables, *items]})


def _return_case() -> CaseRequest:
    lines = [{"id": "7", "lineItemId": "41", "quantity": 1, "returnReason": "defective"}]
    return _with(
        request(CaseType.RETURN_REVIEW, subject_type=SubjectType.RETURN, subject_id="9"),
        CaseVariable(name="returnLineItems", type=VariableType.JSON, value=json.dumps(lines)),
        CaseVariable(name="warrantyMetafield", value="casebridge.warranty_months"),
    )


async def test_return_review_reads_the_order_date_and_each_returned_products_warranty(
    shopify: FakeShopify,
) -> None:
    case = await ShopifyEnricher(shopify).enrich(_return_case())

    assert case.enrichment_complete
    (call,) = shopify.calls_of("CasebridgeReturnLines")
    assert call == {
        "order": ORDER_GID,
        "lines": [LINE_GID],
        "warrantyNamespace": "casebridge",
        "warrantyKey": "warranty_months",
    }
    assert variables(case)["orderDate"].type is VariableType.DATE
    assert value(case, "orderDate") == "2026-11-01T09:30:00Z"
    (product,) = json.loads(value(case, "returnedProducts"))
    assert product == {
        "lineItemId": "41",
        "quantity": 1,
        "variantId": "gid://shopify/ProductVariant/31",
        "productId": "gid://shopify/Product/30",
        "productType": "Electronics",
        "warrantyMetafieldMonths": 36,
    }
    # The returned items are what a replacement ships by default.
    assert json.loads(value(case, "replacementLineItems")) == [
        {"variantId": "gid://shopify/ProductVariant/31", "quantity": 1}
    ]


async def test_an_unreadable_warranty_metafield_is_named_not_guessed(shopify: FakeShopify) -> None:
    shopify.line_items[LINE_GID]["product"]["warranty"] = {"value": "two years"}

    case = await ShopifyEnricher(shopify).enrich(_return_case())

    (product,) = json.loads(value(case, "returnedProducts"))
    assert "warrantyMetafieldMonths" not in product
    assert product["warrantyMetafieldError"] == "not a number of months (0..1200): 'two years'"


async def test_a_returned_line_shopify_does_not_know_is_marked(shopify: FakeShopify) -> None:
    shopify.line_items.clear()

    case = await ShopifyEnricher(shopify).enrich(_return_case())

    (product,) = json.loads(value(case, "returnedProducts"))
    assert product == {"lineItemId": "41", "quantity": 1, "error": "line item not found in Shopify"}
    assert "replacementLineItems" not in variables(case)


async def test_a_return_without_lines_reads_no_products(shopify: FakeShopify) -> None:
    base = request(CaseType.RETURN_REVIEW, subject_type=SubjectType.RETURN, subject_id="9")

    await ShopifyEnricher(shopify).enrich(base)

    assert shopify.calls_of("CasebridgeReturnLines") == []


async def test_chargeback_gathers_the_orders_timeline_in_bounded_pages(
    shopify: FakeShopify,
) -> None:
    options = EnrichSettings(timeline_pages=2, timeline_page_size=2)
    dispute = request(CaseType.CHARGEBACK, subject_type=SubjectType.DISPUTE, subject_id="5")

    case = await ShopifyEnricher(shopify, options).enrich(dispute)

    calls = shopify.calls_of("CasebridgeOrderTimeline")
    assert [(c["first"], c["after"]) for c in calls] == [(2, None), (2, "2")]
    history = json.loads(value(case, "communicationHistory"))
    assert [h["message"] for h in history] == ["staff note 5", "event 4", "staff note 3", "event 2"]
    assert history[0] == {
        "at": "2026-11-25T10:00:00Z",
        "kind": "comment",
        "action": "comment",
        "author": "Sam Support",
        "message": "staff note 5",
    }
    assert value(case, "communicationComments") == "2"
    # Five entries, four read: the case says the history is cut short.
    assert value(case, "communicationHistoryComplete") == "false"


async def test_a_short_timeline_is_complete_in_one_page(shopify: FakeShopify) -> None:
    dispute = request(CaseType.CHARGEBACK, subject_type=SubjectType.DISPUTE, subject_id="5")

    case = await ShopifyEnricher(shopify).enrich(dispute)

    assert len(shopify.calls_of("CasebridgeOrderTimeline")) == 1
    assert len(json.loads(value(case, "communicationHistory"))) == 5
    assert value(case, "communicationHistoryComplete") == "true"


async def test_no_further_timeline_page_when_it_would_wait_for_the_budget(
    shopify: FakeShopify,
) -> None:
    bucket = CostBucket(maximum_available=100, restore_rate=1, probe_first=False)
    shopify.bucket = bucket  # type: ignore[attr-defined]
    options = EnrichSettings(timeline_pages=3, timeline_page_size=2, defer_after_s=1.0)
    enricher = ShopifyEnricher(shopify, options)
    dispute = request(CaseType.CHARGEBACK, subject_type=SubjectType.DISPUTE, subject_id="5")
    bucket.mark_throttled()  # the bucket is empty once the first page went out

    added = await enricher._timeline(ORDER_GID)

    # The first page is always read (the case asked for it); the next would wait.
    assert len(shopify.calls_of("CasebridgeOrderTimeline")) == 1
    found = {item.name: item.value for item in added.items}
    assert found["communicationHistoryComplete"] == "false"
    assert enricher.missing(dispute).timeline


async def test_timeline_switched_off_reads_nothing(shopify: FakeShopify) -> None:
    dispute = request(CaseType.CHARGEBACK, subject_type=SubjectType.DISPUTE, subject_id="5")

    case = await ShopifyEnricher(shopify, EnrichSettings(timeline_pages=0)).enrich(dispute)

    assert shopify.calls_of("CasebridgeOrderTimeline") == []
    assert "communicationHistory" not in variables(case)


async def test_a_complaint_naming_only_an_email_finds_the_customer_and_its_tags(
    shopify: FakeShopify,
) -> None:
    base = request(
        CaseType.COMPLAINT, subject_type=SubjectType.COMPLAINT, subject_id="c-2", order_id=None
    )
    case = await ShopifyEnricher(shopify).enrich(
        _with(base, CaseVariable(name="customerEmail", value="vip@example.com"))
    )

    assert [name for name, _ in shopify.calls] == ["CasebridgeCustomerByEmail"]
    assert case.customer_id == "77"
    assert json.loads(value(case, "customerTags")) == ["VIP"]
    assert value(case, "customerOrdersCount") == "4"


async def test_an_unknown_email_is_said_and_the_case_still_complete(shopify: FakeShopify) -> None:
    base = request(
        CaseType.COMPLAINT, subject_type=SubjectType.COMPLAINT, subject_id="c-3", order_id=None
    )
    case = await ShopifyEnricher(shopify).enrich(
        _with(base, CaseVariable(name="customerEmail", value="nobody@example.com"))
    )

    assert case.enrichment_complete and case.customer_id is None
    assert value(case, "customerLookup") == "no Shopify customer with e-mail nobody@example.com"
    assert "customerTags" not in variables(case)


async def test_the_customer_history_carries_the_customers_tags(shopify: FakeShopify) -> None:
    shopify.customers[CUSTOMER_GID]["tags"] = ["vip-gold", "newsletter"]
    complaint = request(
        CaseType.COMPLAINT,
        subject_type=SubjectType.COMPLAINT,
        subject_id="c-1",
        order_id=None,
        customer_id="77",
    )

    case = await ShopifyEnricher(shopify).enrich(complaint)

    assert json.loads(value(case, "customerTags")) == ["vip-gold", "newsletter"]
