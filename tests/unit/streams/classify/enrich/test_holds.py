"""Review holds: once per fulfillment order, skipped when ours is there, reason by risk."""

from __future__ import annotations

import json

import pytest

from connectors.shopify.errors import ShopifyUnavailableError
from schemas.records import CaseRequest, CaseType, Reason, SubjectType
from streams.classify.enrich import ShopifyEnricher, hold_reason, reason_notes
from streams.classify.enrich.enricher import EnrichOptions
from streams.runtime.keys import hold_handle
from tests.unit.streams.classify.enrich.fakes import (
    FO_CLOSED,
    FO_OPEN,
    ORDER_GID,
    FakeShopify,
    request,
)


def value(case: CaseRequest, name: str) -> str:
    return next(v.value for v in case.variables if v.name == name)


def holds_on(shopify: FakeShopify, fo_id: str) -> list[dict[str, str]]:
    nodes = shopify.orders[ORDER_GID]["fulfillmentOrders"]["nodes"]
    return next(node["fulfillmentHolds"] for node in nodes if node["id"] == fo_id)


@pytest.fixture
def shopify() -> FakeShopify:
    return FakeShopify()


async def test_holds_each_open_fulfillment_order_once(shopify: FakeShopify) -> None:
    enricher = ShopifyEnricher(shopify)
    case = request(CaseType.ORDER_REVIEW)

    held = await enricher.hold(case)

    handle = hold_handle(case.case_id)
    (call,) = shopify.calls_of("CasebridgeFulfillmentOrderHold")
    assert call["id"] == FO_OPEN  # the CLOSED one cannot be held
    assert call["fulfillmentHold"]["handle"] == handle
    assert call["fulfillmentHold"]["reason"] == "OTHER"
    assert case.case_id in call["fulfillmentHold"]["reasonNotes"]
    placed = json.loads(value(held, "holdsPlaced"))
    assert placed == [
        {"fulfillmentOrderId": FO_OPEN, "holdId": holds_on(shopify, FO_OPEN)[0]["id"]}
    ]
    assert value(held, "holdHandle") == handle
    assert json.loads(value(held, "holdsSkipped")) == [FO_CLOSED]
    assert enricher.stats["holds_placed"] == 1


async def test_a_redelivered_case_places_no_second_hold(shopify: FakeShopify) -> None:
    enricher = ShopifyEnricher(shopify)
    case = request(CaseType.HIGH_VALUE_REVIEW)

    await enricher.hold(case)
    # A crash after the hold and a redelivery: a new worker sees the same request again.
    again = await ShopifyEnricher(shopify).hold(case)

    # Shopify refuses the second hold with the same handle: recorded as already there.
    assert len(holds_on(shopify, FO_OPEN)) == 1
    placed = json.loads(value(again, "holdsPlaced"))
    assert [hold["fulfillmentOrderId"] for hold in placed] == [FO_OPEN]
    assert all(v.name != "holdError" for v in again.variables)


async def test_hold_on_a_held_request_replaces_its_variables(shopify: FakeShopify) -> None:
    enricher = ShopifyEnricher(shopify)
    held = await enricher.hold(await enricher.hold(request(CaseType.ORDER_REVIEW)))

    assert [v.name for v in held.variables].count("holdsPlaced") == 1


async def test_the_hold_reads_only_ids_and_statuses_and_keeps_them_for_the_case(
    shopify: FakeShopify,
) -> None:
    held = await ShopifyEnricher(shopify).hold(request(CaseType.ORDER_REVIEW))

    assert [name for name, _ in shopify.calls] == [
        "CasebridgeHoldTargetsWithOrder",
        "CasebridgeFulfillmentOrderHold",
    ]
    assert json.loads(value(held, "fulfillmentOrderIds")) == [FO_OPEN, FO_CLOSED]


async def test_the_holds_read_brings_what_the_case_lacks_and_enrichment_reads_nothing(
    shopify: FakeShopify,
) -> None:
    enricher = ShopifyEnricher(shopify)
    # A risk-assessment case: its webhook named the order and nothing else.
    held = await enricher.hold(request(CaseType.ORDER_REVIEW))
    assert shopify.calls[0][0] == "CasebridgeHoldTargetsWithOrder"
    assert value(held, "orderName") == "#1001"
    assert value(held, "customerOrdersCount") == "4"
    assert value(held, "previousOrdersCount") == "3"

    shopify.calls.clear()
    enriched = await enricher.enrich(held)

    assert enriched.enrichment_complete
    assert shopify.calls == []


async def test_an_order_with_many_fulfillment_orders_is_paged(shopify: FakeShopify) -> None:
    nodes = shopify.orders[ORDER_GID]["fulfillmentOrders"]["nodes"]
    for index in range(5):
        nodes.append(
            {
                "id": f"gid://shopify/FulfillmentOrder/6{index}",
                "status": "OPEN",
                "fulfillmentHolds": [],
            }
        )

    held = await ShopifyEnricher(shopify, EnrichOptions(hold_fulfillment_orders_first=3)).hold(
        request(CaseType.ORDER_REVIEW)
    )

    pages = shopify.calls_of("CasebridgeHoldTargetsWithOrder") + shopify.calls_of(
        "CasebridgeHoldTargets"
    )
    assert len(pages) == 3
    assert len(json.loads(value(held, "holdsPlaced"))) == 6  # every open one


def test_risk_reasons_hold_as_fraud() -> None:
    risky = request(CaseType.ORDER_REVIEW, reasons=[Reason(code="RISK_HIGH", detail="x")])
    value_only = request(CaseType.ORDER_REVIEW)

    assert hold_reason(risky) == "HIGH_RISK_OF_FRAUD"
    assert hold_reason(value_only) == "OTHER"
    assert reason_notes(risky).startswith(
        f"casebridge ORDER_REVIEW case {risky.case_id}: RISK_HIGH"
    )


async def test_risky_case_is_held_for_fraud(shopify: FakeShopify) -> None:
    risky = request(CaseType.ORDER_REVIEW, reasons=[Reason(code="RISK_MEDIUM", detail="x")])

    await ShopifyEnricher(shopify).hold(risky)

    (call,) = shopify.calls_of("CasebridgeFulfillmentOrderHold")
    assert call["fulfillmentHold"]["reason"] == "HIGH_RISK_OF_FRAUD"


@pytest.mark.parametrize(
    "case",
    [
        request(CaseType.RETURN_REVIEW, subject_type=SubjectType.RETURN),
        request(CaseType.CHARGEBACK, subject_type=SubjectType.DISPUTE),
        request(CaseType.ORDER_REVIEW, order_id=None),
    ],
)
async def test_other_cases_are_not_held(shopify: FakeShopify, case: CaseRequest) -> None:
    assert await ShopifyEnricher(shopify).hold(case) == case
    assert shopify.calls == []


async def test_holds_can_be_switched_off(shopify: FakeShopify) -> None:
    case = request(CaseType.ORDER_REVIEW)
    enricher = ShopifyEnricher(shopify, EnrichOptions(place_holds=False))

    assert await enricher.hold(case) == case


async def test_a_failed_hold_is_recorded_and_the_case_still_opens(shopify: FakeShopify) -> None:
    shopify.failures["CasebridgeFulfillmentOrderHold"] = ShopifyUnavailableError(
        "CasebridgeFulfillmentOrderHold: gave up", attempts=5, status=503
    )

    held = await ShopifyEnricher(shopify).hold(request(CaseType.ORDER_REVIEW))

    assert FO_OPEN in value(held, "holdError")
    assert json.loads(value(held, "holdsPlaced")) == []


async def test_unreadable_fulfillment_orders_are_a_hold_error(shopify: FakeShopify) -> None:
    shopify.failures["CasebridgeHoldTargetsWithOrder"] = ShopifyUnavailableError(
        "CasebridgeHoldTargetsWithOrder: gave up", attempts=5, status=503
    )

    held = await ShopifyEnricher(shopify).hold(request(CaseType.ORDER_REVIEW))

    assert value(held, "holdError").startswith("hold: ShopifyUnavailableError")
