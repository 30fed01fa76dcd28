"""FULFILLMENT_EXCEPTION context: affected order and lines, outcome defaults, allowedOutcomes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connectors.shopify.cost import operation_name
from connectors.shopify.errors import ShopifyUnavailableError
from schemas.records import CaseRequest, CaseType, CaseVariable, Priority, Reason, SubjectType
from streams.classify.enrich.enricher import ShopifyEnricher
from streams.classify.enrich.fulfillment import fulfillment_context
from streams.classify.enrich.fulfillment_outcomes import (
    RESCHEDULE_AFTER,
    FulfillmentLine,
    FulfillmentOrderView,
    OrderView,
    Shortage,
    Substitute,
    resolution_variables,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ORDER = "gid://shopify/Order/1001"
FO = "gid://shopify/FulfillmentOrder/501"
SCARCE = "gid://shopify/ProductVariant/31"
OTHER = "gid://shopify/ProductVariant/32"


def line(ident: int, variant: str, remaining: int, total: int | None = None) -> FulfillmentLine:
    return FulfillmentLine(
        id=f"gid://shopify/FulfillmentOrderLineItem/{ident}",
        line_item_id=f"gid://shopify/LineItem/{ident + 100}",
        variant_id=variant,
        sku=f"SKU-{variant.rsplit('/', 1)[-1]}",
        remaining=remaining,
        total=remaining if total is None else total,
    )


def order(*lines: FulfillmentLine, status: str = "OPEN", **kw: Any) -> OrderView:
    fo = FulfillmentOrderView(FO, status, kw.pop("fulfill_at", None), tuple(lines))
    return OrderView(ORDER, kw.pop("cancelled", False), (fo, *kw.pop("more", ())))


def resolve(view: OrderView | None, **kw: Any) -> dict[str, Any]:
    out = resolution_variables(view, now=NOW, fulfillment_order_id=kw.pop("fo", None), **kw)
    return {v.name: json.loads(v.value) if v.type.value == "JSON" else v.value for v in out.items}


def test_oversold_line_splits_off_the_units_short_and_offers_the_line_outcomes() -> None:
    found = resolve(
        order(line(1, SCARCE, 5), line(2, OTHER, 1)),
        shortage=Shortage(SCARCE, 2),
        substitutes=[Substitute(OTHER, 10)],
    )

    assert found["allowedOutcomes"] == ["split", "substitute", "cancel_lines", "cancel", "resolved"]
    assert found["fulfillmentOrderId"] == FO
    # The fulfillment order keeps what can ship; the 2 units short move to a new one.
    assert found["splitLineItems"] == [
        {"id": "gid://shopify/FulfillmentOrderLineItem/1", "quantity": 3},
        {"id": "gid://shopify/FulfillmentOrderLineItem/2", "quantity": 1},
    ]
    assert found["unavailableLineItems"][0]["quantity"] == 2
    assert found["cancelLineItemIds"] == ["gid://shopify/LineItem/101"]
    assert found["removeLineItemId"] == "gid://shopify/LineItem/101"
    assert found["substituteVariantId"] == OTHER
    assert found["substituteQuantity"] == "5"


def test_an_order_of_only_the_missing_item_offers_no_split_and_no_line_cancellation() -> None:
    found = resolve(order(line(1, SCARCE, 3)), shortage=Shortage(SCARCE))  # out of stock

    assert found["allowedOutcomes"] == ["cancel", "resolved"]
    assert "splitLineItems" not in found and "cancelLineItemIds" not in found


def test_a_substitute_needs_enough_stock() -> None:
    found = resolve(
        order(line(1, SCARCE, 4), line(2, OTHER, 1)),
        shortage=Shortage(SCARCE),
        substitutes=[Substitute("gid://shopify/ProductVariant/33", 3)],
    )
    assert "substitute" not in found["allowedOutcomes"]
    assert "cancel_lines" in found["allowedOutcomes"]


def test_a_shipped_order_offers_only_resolved() -> None:
    # A carrier exception: everything shipped, nothing left to split, cancel or reschedule.
    shipped = order(line(1, SCARCE, 0, total=2), status="CLOSED")
    found = resolve(shipped, shortage=None)
    assert found["allowedOutcomes"] == ["resolved"]


def test_a_scheduled_fulfillment_order_can_be_rescheduled_a_week_later() -> None:
    later = NOW + timedelta(days=3)
    found = resolve(order(line(1, OTHER, 1), status="SCHEDULED", fulfill_at=later), shortage=None)
    assert found["allowedOutcomes"] == ["substitute", "reschedule", "cancel", "resolved"]
    assert found["fulfillAt"] == (later + RESCHEDULE_AFTER).isoformat().replace("+00:00", "Z")


def test_a_hold_case_offers_what_its_fulfillment_order_supports_for_lines_the_reviewer_picks() -> (
    None
):
    # A warehouse hold names no unavailable line: no defaults, but the lines are listed.
    found = resolve(order(line(1, SCARCE, 2), line(2, OTHER, 1)), shortage=None, fo=FO)
    assert found["allowedOutcomes"] == [
        "split",
        "substitute",
        "cancel_lines",
        "cancel",
        "resolved",
    ]
    assert [x["id"] for x in found["fulfillmentOrderLineItems"]] == [
        "gid://shopify/FulfillmentOrderLineItem/1",
        "gid://shopify/FulfillmentOrderLineItem/2",
    ]
    assert "splitLineItems" not in found and "cancelLineItemIds" not in found
    single = resolve(order(line(1, SCARCE, 1)), shortage=None, fo=FO)
    assert single["allowedOutcomes"] == ["substitute", "cancel", "resolved"]


def test_no_order_or_a_cancelled_one_offers_only_resolved() -> None:
    assert resolve(None, shortage=Shortage(SCARCE))["allowedOutcomes"] == ["resolved"]
    cancelled = order(line(1, SCARCE, 2), cancelled=True)
    assert resolve(cancelled, shortage=Shortage(SCARCE)) == {"allowedOutcomes": ["resolved"]}


# --- reading Shopify -----------------------------------------------------------------------------


def fo_node(lines: list[tuple[int, str, int]]) -> dict[str, Any]:
    return {
        "id": FO,
        "status": "OPEN",
        "fulfillAt": None,
        "lineItems": {
            "nodes": [
                {
                    "id": f"gid://shopify/FulfillmentOrderLineItem/{i}",
                    "remainingQuantity": qty,
                    "totalQuantity": qty,
                    "sku": "MER-L" if variant == SCARCE else "MER-M",
                    "lineItem": {"id": f"gid://shopify/LineItem/{i + 100}"},
                    "variant": {"id": variant},
                }
                for i, variant, qty in lines
            ]
        },
    }


class StockShop:
    """Answers the four reads of a stock case; records each operation and its variables."""

    def __init__(self, **answers: dict[str, Any]) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.unavailable = False
        self.answers = answers  # by operation name, before the stock case's own

    async def execute(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        cost_estimate: float | None = None,
    ) -> dict[str, Any]:
        name, args = operation_name(document), dict(variables or {})
        self.calls.append((name, args))
        if self.unavailable:
            raise ShopifyUnavailableError("Shopify answered 503", attempts=3)
        if name in self.answers:
            return self.answers[name]
        if name == "CasebridgeInventoryItem":
            return {
                "inventoryItem": {
                    "id": args["id"],
                    "sku": "MER-L",
                    "variant": {"id": SCARCE, "product": {"id": "gid://shopify/Product/7"}},
                }
            }
        if name == "CasebridgeStockOrders":
            return {"orders": {"nodes": [{"id": ORDER}]}}
        if name == "CasebridgeFulfillmentCase":
            node = fo_node([(1, SCARCE, 4), (2, OTHER, 1)])
            return {
                "order": {"id": ORDER, "cancelledAt": None, "fulfillmentOrders": {"nodes": [node]}}
            }
        if name == "CasebridgeSubstitutes":
            return {"product": {"variants": {"nodes": [{"id": OTHER, "inventoryQuantity": 50}]}}}
        # The enricher's own parts for a FULFILLMENT_EXCEPTION (order record, shipping proof).
        if name == "CasebridgeEnrichOrder":
            return {"order": {"id": ORDER, "customer": None, "fulfillmentOrders": {"nodes": []}}}
        if name == "CasebridgeFulfillments":
            return {"order": {"id": ORDER, "fulfillments": []}}
        raise AssertionError(f"unexpected operation {name}")


def oversold_case() -> CaseRequest:
    return CaseRequest(
        case_id="FULFILLMENT_EXCEPTION-0011223344556677",
        case_type=CaseType.FULFILLMENT_EXCEPTION,
        shop="s.myshopify.com",
        subject_type=SubjectType.UNKNOWN,
        subject_id="9001",
        teams=["warehouse"],
        priority=Priority.NORMAL,
        sla_due_at=NOW + timedelta(days=1),
        reasons=[Reason(code="OVERSOLD", detail="inventory item 9001 is oversold: -1 available")],
        variables=[
            CaseVariable(name="inventoryItemId", value="9001"),
            CaseVariable(name="shortage", value="1"),
        ],
        source_event_ids=["ev-1"],
        requested_at=NOW,
    )


async def test_an_oversold_case_finds_its_order_by_sku_and_carries_every_default() -> None:
    shop = StockShop()
    case = await fulfillment_context(shop, oversold_case(), now=NOW)

    assert case.order_id == "1001"
    found = {v.name: v.value for v in case.variables}
    assert found["orderId"] == "1001"
    assert json.loads(found["allowedOutcomes"]) == [
        "split",
        "substitute",
        "cancel_lines",
        "cancel",
        "resolved",
    ]
    assert json.loads(found["splitLineItems"])[0]["quantity"] == 3
    (search,) = [args for name, args in shop.calls if name == "CasebridgeStockOrders"]
    assert search["query"] == 'sku:"MER-L" status:open'


async def test_the_enricher_offers_only_resolved_when_shopify_cannot_be_read() -> None:
    shop = StockShop()
    shop.unavailable = True
    case = await ShopifyEnricher(shop).enrich(oversold_case())

    found = {v.name: v.value for v in case.variables}
    assert json.loads(found["allowedOutcomes"]) == ["resolved"]
    assert not case.enrichment_complete
    assert "fulfillment: ShopifyUnavailableError" in found["enrichmentError"]


async def test_other_case_types_are_left_alone() -> None:
    shop = StockShop()
    other = oversold_case().model_copy(update={"case_type": CaseType.ORDER_REVIEW})
    assert await fulfillment_context(shop, other, now=NOW) == other
    assert shop.calls == []


@pytest.mark.parametrize("status", ["CANCELLED", "CLOSED", "INCOMPLETE"])
def test_a_done_fulfillment_order_is_not_affected(status: str) -> None:
    view = order(line(1, SCARCE, 0, total=2), status=status)
    assert resolve(view, shortage=Shortage(SCARCE), fo=FO)["allowedOutcomes"] == ["resolved"]


# --- partial shipments and splits --------------------------------------------------------------


def test_a_partial_shipment_offers_cancelling_the_lines_nothing_of_which_shipped() -> None:
    # Line 1 shipped 1 of 3, line 2 shipped nothing: only line 2 can go to 0.
    view = order(line(1, SCARCE, 2, total=3), line(2, OTHER, 2), status="IN_PROGRESS", more=())
    found = resolve(view, shortage=None, untouched_line_items=["102", "101"])
    assert found["cancelLineItemIds"] == ["gid://shopify/LineItem/102"]
    assert found["allowedOutcomes"] == ["split", "substitute", "cancel_lines", "resolved"]
    assert "cancel" not in found["allowedOutcomes"]  # something shipped


def test_untouched_lines_of_an_unshipped_order_are_no_default() -> None:
    found = resolve(order(line(1, SCARCE, 2)), shortage=None, untouched_line_items=["101"])
    assert "cancelLineItemIds" not in found
    assert "cancel" in found["allowedOutcomes"]


def split_shop() -> StockShop:
    """A split case: the fulfillment order is read for its order first."""
    return StockShop(
        CasebridgeFulfillmentOrderOrder={"fulfillmentOrder": {"id": FO, "orderId": ORDER}}
    )


async def test_a_split_case_learns_its_order_from_the_fulfillment_order() -> None:
    shop = split_shop()
    split = oversold_case().model_copy(
        update={
            "subject_type": SubjectType.FULFILLMENT_ORDER,
            "subject_id": "500",
            "reasons": [Reason(code="FULFILLMENT_SPLIT", detail="split")],
            "variables": [
                CaseVariable(name="fulfillmentOrderId", value="501"),
                CaseVariable(name="originalFulfillmentOrderId", value="500"),
            ],
        }
    )
    case = await fulfillment_context(shop, split, now=NOW)
    assert [name for name, _ in shop.calls] == [
        "CasebridgeFulfillmentOrderOrder",
        "CasebridgeFulfillmentCase",
    ]
    assert shop.calls[0][1] == {"id": "gid://shopify/FulfillmentOrder/501"}
    assert case.order_id == "1001"
    found = {v.name: v.value for v in case.variables}
    assert found["fulfillmentOrderId"] == "501"  # the case's own value is kept
    assert len(json.loads(found["fulfillmentOrderLineItems"])) == 2  # FO 501 was found
    assert "split" in json.loads(found["allowedOutcomes"])


FIRST_FO = {**fo_node([(1, SCARCE, 5)]), "id": "gid://shopify/FulfillmentOrder/400"}


def many_splits_shop(case_fo: dict[str, Any] | None) -> StockShop:
    """An order split several times: the case's fulfillment order is not among the first."""
    return StockShop(
        CasebridgeFulfillmentCase={
            "order": {"id": ORDER, "cancelledAt": None, "fulfillmentOrders": {"nodes": [FIRST_FO]}}
        },
        CasebridgeFulfillmentCaseFulfillmentOrder={"fulfillmentOrder": case_fo},
    )


def split_case() -> CaseRequest:
    return oversold_case().model_copy(
        update={
            "subject_type": SubjectType.FULFILLMENT_ORDER,
            "subject_id": "501",
            "order_id": "1001",
            "reasons": [Reason(code="FULFILLMENT_SPLIT", detail="split")],
            "variables": [
                CaseVariable(name="fulfillmentOrderId", value="501"),
                CaseVariable(name="originalFulfillmentOrderId", value="500"),
            ],
        }
    )


async def test_a_case_fulfillment_order_beyond_the_first_ones_is_read_for_its_lines() -> None:
    shop = many_splits_shop({**fo_node([(7, SCARCE, 2)]), "orderId": ORDER})
    case = await fulfillment_context(shop, split_case(), now=NOW)
    assert [name for name, _ in shop.calls] == [
        "CasebridgeFulfillmentCase",
        "CasebridgeFulfillmentCaseFulfillmentOrder",
    ]
    found = {v.name: v.value for v in case.variables}
    lines = json.loads(found["fulfillmentOrderLineItems"])
    # Its own line, never the first fulfillment order's (which Shopify refuses in a split).
    assert [line["id"] for line in lines] == ["gid://shopify/FulfillmentOrderLineItem/7"]
    assert "split" in json.loads(found["allowedOutcomes"])


@pytest.mark.parametrize(
    "case_fo",
    [None, {**fo_node([(7, SCARCE, 2)]), "orderId": "gid://shopify/Order/999"}],
    ids=["gone", "another-order"],
)
async def test_no_other_fulfillment_orders_lines_stand_in_for_the_cases(
    case_fo: dict[str, Any] | None,
) -> None:
    case = await fulfillment_context(many_splits_shop(case_fo), split_case(), now=NOW)
    found = {v.name: v.value for v in case.variables}
    assert "fulfillmentOrderLineItems" not in found
    assert "split" not in json.loads(found["allowedOutcomes"])
