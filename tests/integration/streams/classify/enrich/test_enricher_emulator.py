"""The enricher and the review hold against the Shopify emulator over real HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from schemas.records import CaseRequest, CaseType, Reason, SubjectType
from streams.classify.enrich import ShopifyEnricher
from streams.runtime.keys import hold_handle
from tests.integration.streams.classify.enrich.emulator import running_emulator

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)


def order(email: str, price: str, quantity: int = 1) -> dict[str, object]:
    return {
        "email": email,
        "customer": {"email": email, "first_name": "Ada", "tags": ["vip"]},
        "line_items": [{"title": "Widget", "sku": "W-1", "quantity": quantity, "price": price}],
        "shipping_address": {"address1": "1 Main St", "city": "Austin", "country_code": "US"},
        "financial_status": "paid",
    }


def review_case(order_gid: str) -> CaseRequest:
    order_id = order_gid.rsplit("/", 1)[-1]
    return CaseRequest(
        case_id=f"casebridge-demo.myshopify.com:ORDER_REVIEW:ORDER:{order_id}:order",
        case_type=CaseType.ORDER_REVIEW,
        shop="casebridge-demo.myshopify.com",
        subject_type=SubjectType.ORDER,
        subject_id=order_id,
        order_id=order_id,
        sla_due_at=NOW + timedelta(hours=4),
        reasons=[Reason(code="RISK_HIGH", detail="Shopify risk assessment is HIGH")],
        requested_at=NOW,
    )


async def test_enrich_and_hold_twice_against_the_emulator() -> None:
    async with running_emulator() as emulator:
        created = await emulator.seed(
            {
                "orders": [
                    order("ada@example.com", "30.00"),
                    order("ada@example.com", "45.50", quantity=2),
                    order("ada@example.com", "120.00"),
                ]
            }
        )
        current = created["orders"][-1]
        enricher = ShopifyEnricher(emulator.client)
        case = review_case(current)

        enriched = await enricher.enrich(case)
        found = {v.name: v.value for v in enriched.variables}
        assert enriched.enrichment_complete, found.get("enrichmentError")
        assert found["customerOrdersCount"] == "3"
        assert found["previousOrdersCount"] == "2"
        # An order review reads the customer's summary, not the returns of their orders.
        assert "previousReturnsCount" not in found
        fo_ids = json.loads(found["fulfillmentOrderIds"])
        assert fo_ids and all(fo.startswith("gid://shopify/FulfillmentOrder/") for fo in fo_ids)
        assert found["orderName"].startswith("#")
        assert enriched.customer_id is not None

        held = await enricher.hold(enriched)
        again = await ShopifyEnricher(emulator.client).hold(enriched)  # a redelivery

        handle = hold_handle(case.case_id)
        placed = json.loads({v.name: v.value for v in held.variables}["holdsPlaced"])
        assert [p["fulfillmentOrderId"] for p in placed] == fo_ids
        # The redelivery's hold is refused as a duplicate handle: recorded, not placed again.
        replayed = json.loads({v.name: v.value for v in again.variables}["holdsPlaced"])
        assert [p["fulfillmentOrderId"] for p in replayed] == fo_ids
        assert "holdError" not in {v.name for v in again.variables}
        for fo in fo_ids:
            state = await emulator.resource("fulfillment_orders", fo.rsplit("/", 1)[-1])
            ours = [h for h in state["fulfillment_holds"] if h["handle"] == handle]
            assert len(ours) == 1, state["fulfillment_holds"]
            assert ours[0]["reason"] == "high_risk_of_fraud"
            assert case.case_id in ours[0]["reason_notes"]
            assert state["status"] == "on_hold"


async def test_a_missing_order_still_opens_the_case() -> None:
    async with running_emulator() as emulator:
        case = review_case("gid://shopify/Order/999999")

        enriched = await ShopifyEnricher(emulator.client).enrich(case)

        assert not enriched.enrichment_complete
        assert any(v.name == "enrichmentError" for v in enriched.variables)
