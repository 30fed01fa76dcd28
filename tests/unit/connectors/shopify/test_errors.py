"""The Shopify error hierarchy and userErrors classification."""

from __future__ import annotations

import pytest

from connectors.errors import CasebridgeError
from connectors.shopify.errors import (
    ShopifyAuthError,
    ShopifyError,
    ShopifyGraphQLError,
    ShopifyThrottledError,
    ShopifyUnavailableError,
    ShopifyUserError,
    UserErrorDetail,
    classify_user_errors,
)


def test_hierarchy_and_transience() -> None:
    assert issubclass(ShopifyError, CasebridgeError)
    assert issubclass(ShopifyThrottledError, ShopifyUnavailableError)
    assert not ShopifyAuthError("x").transient
    assert not ShopifyGraphQLError(["x"]).transient
    assert ShopifyUnavailableError("x", attempts=3).transient
    assert ShopifyThrottledError("x", attempts=3).transient


@pytest.mark.parametrize(
    "error",
    [
        {
            "field": ["metafields", "0"],
            "message": "The resource has been modified",
            "code": "STALE_OBJECT",
        },
        {"field": None, "message": "Order is locked by another process, please try again"},
        {"message": "An order edit is already in progress"},
        {"message": "Please try again later."},
        {"message": "x", "code": "RESOURCE_LOCKED"},
    ],
)
def test_transient_user_errors(error: dict[str, object]) -> None:
    assert classify_user_errors([error]) == "transient"


@pytest.mark.parametrize(
    "error",
    [
        {"field": ["id"], "message": "Fulfillment order not found", "code": "NOT_FOUND"},
        {"field": ["orderId"], "message": "Order has already been cancelled", "code": "INVALID"},
        {"field": ["input", "refundLineItems", "0", "quantity"], "message": "Quantity is invalid"},
        {"field": ["fulfillmentHold", "handle"], "message": "Handle has already been taken"},
        {"message": "Cannot retry this payment"},
        {"message": "Conflicting discount codes", "code": "INVALID"},
    ],
)
def test_permanent_user_errors(error: dict[str, object]) -> None:
    assert classify_user_errors([error]) == "permanent"


def test_one_permanent_error_makes_the_failure_permanent() -> None:
    errors = [{"message": "please try again"}, {"message": "Line item not found"}]
    assert classify_user_errors(errors) == "permanent"
    assert classify_user_errors([]) == "permanent"


def test_user_error_carries_field_message_code() -> None:
    err = ShopifyUserError(
        "fulfillmentOrderHold",
        [
            UserErrorDetail.from_json(
                {"field": ["fulfillmentHold", "handle"], "message": "taken", "code": "TAKEN"}
            ),
            UserErrorDetail(message="second"),
        ],
    )
    assert err.field == ("fulfillmentHold", "handle")
    assert err.message == "taken"
    assert err.code == "TAKEN"
    assert not err.transient
    assert len(err.user_errors) == 2
    assert str(err) == "fulfillmentOrderHold failed: [TAKEN] fulfillmentHold.handle: taken; second"


def test_user_error_needs_entries() -> None:
    with pytest.raises(ValueError):
        ShopifyUserError("tagsAdd", [])
