"""Reading a split fulfillment order's order and its own-split markers; failures are said."""

from __future__ import annotations

from connectors.shopify.errors import ShopifyUnavailableError
from streams.classify.enrich.splits import read_split_origin
from streams.runtime.own_splits import OwnSplit
from tests.unit.streams.writer.fakes import FakeShopify

MARKERS = '[{"fulfillmentOrderId":"500","moved":2,"case":"FULFILLMENT_EXCEPTION-1"}]'


def answer(marker: str | None) -> dict[str, object]:
    own = None if marker is None else {"value": marker}
    return {
        "fulfillmentOrder": {
            "id": "gid://shopify/FulfillmentOrder/500",
            "orderId": "gid://shopify/Order/1001",
            "order": {"id": "gid://shopify/Order/1001", "ownSplits": own},
        }
    }


async def test_the_order_and_its_markers_are_read_in_one_call() -> None:
    fake = FakeShopify().script("CasebridgeFulfillmentOrderSplits", answer(MARKERS))
    origin = await read_split_origin(fake, "500")
    assert origin.order_id == "1001" and origin.error is None
    assert origin.markers == (OwnSplit("500", 2, "FULFILLMENT_EXCEPTION-1"),)
    assert fake.called("CasebridgeFulfillmentOrderSplits") == [
        {"id": "gid://shopify/FulfillmentOrder/500"}
    ]
    unmarked = FakeShopify().script("CasebridgeFulfillmentOrderSplits", answer(None))
    assert (await read_split_origin(unmarked, "500")).markers == ()


async def test_an_outage_a_missing_order_and_a_bad_marker_are_said_not_raised() -> None:
    down = FakeShopify().script(
        "CasebridgeFulfillmentOrderSplits", ShopifyUnavailableError("503", attempts=2)
    )
    origin = await read_split_origin(down, "500")
    assert origin.error is not None and "ShopifyUnavailableError" in origin.error
    gone = FakeShopify().script("CasebridgeFulfillmentOrderSplits", {"fulfillmentOrder": None})
    assert (await read_split_origin(gone, "500")).error == "fulfillment order 500 does not exist"
    bad = FakeShopify().script("CasebridgeFulfillmentOrderSplits", answer("[1]"))
    origin = await read_split_origin(bad, "500")
    assert origin.order_id == "1001" and "casebridge.own_splits[0]" in (origin.error or "")
