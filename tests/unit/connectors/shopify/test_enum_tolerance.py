"""The client takes enum values it does not know in its stride.

Shopify adds enum values in new API versions (``REQUEST_DECLINED``,
``LABEL_VOIDED``, ``PREVENTED``...). The client keeps them as opaque strings:
nothing raises on a value it has never seen, and a mapping to our own
vocabulary falls back instead of guessing. Each check runs with every value
of Shopify's real enum (when ``../shared/contracts/shopify`` is there) plus
one no version has yet.
"""

from __future__ import annotations

import pytest
from graphql import GraphQLEnumType

from connectors.shopify import operations as ops
from connectors.shopify.errors import ShopifyUserError, classify_user_errors
from connectors.shopify.versions import DEFAULT_API_VERSION
from streams.reconcile.rest import rest_order
from tests.unit.connectors.shopify.contracts import contracts_dir, real_schema
from tests.unit.connectors.shopify.fakes import ScriptedExecutor

FUTURE = "A_VALUE_FROM_A_FUTURE_VERSION"


def values(enum: str) -> list[str]:
    """Every value Shopify has for ``enum`` (when the schema is here), and a future one."""
    found = [FUTURE]
    if contracts_dir() is not None:
        gql = real_schema(DEFAULT_API_VERSION).type_map[enum]
        assert isinstance(gql, GraphQLEnumType)
        found += list(gql.values)
    return found


@pytest.mark.parametrize("status", values("OrderDisplayFulfillmentStatus"))
def test_reconcile_maps_any_fulfillment_status(status: str) -> None:
    order = rest_order({"id": "gid://shopify/Order/1", "displayFulfillmentStatus": status})
    # REST's vocabulary has no word for most statuses: null, never a guess or a crash.
    assert order["fulfillment_status"] in {None, "fulfilled", "partial", "restocked"}
    if status == FUTURE:
        assert order["fulfillment_status"] is None


@pytest.mark.parametrize("status", values("OrderDisplayFinancialStatus"))
def test_reconcile_passes_any_financial_status_through(status: str) -> None:
    order = rest_order({"id": "gid://shopify/Order/1", "displayFinancialStatus": status})
    assert order["financial_status"] == status.lower()


@pytest.mark.parametrize("code", values("FulfillmentOrderHoldUserErrorCode"))
async def test_a_hold_error_with_any_code_is_a_typed_user_error(code: str) -> None:
    answer = ScriptedExecutor(
        {
            "fulfillmentOrderHold": {
                "fulfillmentHold": None,
                "fulfillmentOrder": None,
                "userErrors": [{"field": ["id"], "message": "refused", "code": code}],
            }
        }
    )
    with pytest.raises(ShopifyUserError) as info:
        await ops.fulfillment_order_hold(
            answer, "gid://shopify/FulfillmentOrder/1", reason="OTHER", handle="h"
        )
    assert [e.code for e in info.value.user_errors] == [code]
    if code == FUTURE:
        # Unknown means permanent: retrying a refusal we cannot read would loop.
        assert classify_user_errors(info.value.user_errors) == "permanent"


@pytest.mark.parametrize("status", values("FulfillmentOrderStatus"))
async def test_a_hold_answer_with_any_status_is_kept_as_text(status: str) -> None:
    answer = ScriptedExecutor(
        {
            "fulfillmentOrderHold": {
                "fulfillmentHold": {
                    "id": "gid://shopify/FulfillmentHold/1",
                    "handle": "h",
                    "reason": FUTURE,
                },
                "fulfillmentOrder": {"id": "gid://shopify/FulfillmentOrder/1", "status": status},
                "userErrors": [],
            }
        }
    )
    hold = await ops.fulfillment_order_hold(
        answer, "gid://shopify/FulfillmentOrder/1", reason="OTHER", handle="h"
    )
    assert (hold.reason, hold.fulfillment_order_status) == (FUTURE, status)


async def test_an_order_cancel_error_with_an_unknown_code_is_a_user_error() -> None:
    answer = ScriptedExecutor(
        {
            "orderCancel": {
                "job": None,
                "orderCancelUserErrors": [{"field": None, "message": "no", "code": FUTURE}],
            }
        }
    )
    with pytest.raises(ShopifyUserError) as info:
        await ops.order_cancel(answer, "gid://shopify/Order/1", reason="OTHER", restock=False)
    assert info.value.user_errors[0].code == FUTURE
