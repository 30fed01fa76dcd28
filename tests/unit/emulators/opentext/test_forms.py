"""The sandbox reviewer's forms: what each outcome supplies, and when it is not offered."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from emulators.opentext.forms import DECLINE_REASONS, fill_form
from emulators.opentext.variables import Variable

NOW = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)


def case(**values: Any) -> dict[str, Variable]:
    """Process variables as the sink starts them (JSON values typed json)."""
    return {
        name: Variable(name, "json" if isinstance(v, dict | list) else "string", v)
        for name, v in values.items()
    }


def form(case_type: str, outcome: str, **values: Any) -> dict[str, Any] | None:
    filled = fill_form(case_type, outcome, case(**values), random.Random(5), NOW)
    return None if filled is None else {v.name: v.value for v in filled}


def test_correct_supplies_a_corrected_address_note_and_tags() -> None:
    address = {"address1": " 1 Main St ", "city": "Springfield", "zip": "12345"}
    filled = form("ORDER_REVIEW", "corrected", orderId="7", shippingAddress=address)
    assert filled is not None
    corrected = filled["shippingAddress"]
    assert corrected["address1"] == "1 Main St" and corrected["city"] == "Springfield"
    assert corrected["address2"]  # the reviewer's correction
    assert filled["note"] and filled["addTags"]


def test_correct_without_an_address_still_corrects_note_and_tags() -> None:
    filled = form("ORDER_REVIEW", "corrected", orderId="7")
    assert filled is not None and "shippingAddress" not in filled and filled["note"]


def test_correct_is_not_offered_without_an_order() -> None:
    assert form("ORDER_REVIEW", "corrected") is None


def test_decline_supplies_a_reason_shopify_accepts() -> None:
    filled = form("RETURN_REVIEW", "declined", returnId="9")
    assert filled is not None
    assert filled["declineReason"] in DECLINE_REASONS and filled["declineNote"]


def test_return_approval_refunds_or_replaces_what_the_case_offers() -> None:
    lines = [{"lineItemId": "11", "quantity": 1}]
    refund = form("RETURN_REVIEW", "approved", returnId="9", returnLineItems=lines)
    assert refund == {"resolution": "refund"}
    items = [{"variantId": "gid://shopify/ProductVariant/31", "quantity": 1}]
    # Not refundable, but the returned variants are known: a replacement.
    no_line_ids = [{"id": "1", "quantity": 1}]
    replacement = form(
        "RETURN_REVIEW",
        "approved",
        returnId="9",
        returnLineItems=no_line_ids,
        replacementLineItems=items,
    )
    assert replacement is not None and replacement["resolution"] == "replacement"
    assert form("RETURN_REVIEW", "approved", returnId="9", returnLineItems=no_line_ids) is None


def test_a_wrong_item_is_sometimes_replaced_and_otherwise_refunded() -> None:
    lines = [{"lineItemId": "11", "quantity": 1}]
    items = [{"variantId": "gid://shopify/ProductVariant/31", "quantity": 1}]
    values = case(returnId="9", returnLineItems=lines, replacementLineItems=items)
    values.update(case(returnReasons="wrong_item"))
    chosen = set()
    for seed in range(20):
        filled = fill_form("RETURN_REVIEW", "approved", values, random.Random(seed), NOW)
        assert filled is not None
        chosen.add({v.name: v.value for v in filled}["resolution"])
    assert chosen == {"refund", "replacement"}


def test_a_return_outside_the_window_is_declined_for_it() -> None:
    late = Variable("withinReturnWindow", "boolean", False)
    values = {**case(returnId="9"), "withinReturnWindow": late}
    filled = fill_form("RETURN_REVIEW", "declined", values, random.Random(1), NOW)
    assert filled is not None
    assert {v.name: v.value for v in filled}["declineReason"] == "RETURN_PERIOD_ENDED"


def test_split_uses_the_cases_lines_or_splits_one_unit_off() -> None:
    given = [{"id": "55", "quantity": 2}]
    # The case's own lines are kept: nothing to add.
    assert (
        form("FULFILLMENT_EXCEPTION", "split", fulfillmentOrderId="3", splitLineItems=given) == {}
    )
    lines = [
        {"id": "gid://shopify/FulfillmentOrderLineItem/60", "quantity": 1},
        {"id": "gid://shopify/FulfillmentOrderLineItem/61", "quantity": 3},
    ]
    filled = form(
        "FULFILLMENT_EXCEPTION",
        "split",
        fulfillmentOrderIds=["gid://shopify/FulfillmentOrder/3"],
        fulfillmentOrderLineItems=lines,
    )
    assert filled == {"fulfillmentOrderId": "3", "splitLineItems": [{"id": "61", "quantity": 1}]}


@pytest.mark.parametrize(
    ("outcome", "values"),
    [
        ("split", {"orderId": "1"}),  # no fulfillment order
        (
            "split",
            {"fulfillmentOrderId": "3", "fulfillmentOrderLineItems": [{"id": 1, "quantity": 1}]},
        ),
        ("substitute", {"orderId": "1", "lineItems": [{"id": 5}]}),  # no substitute offered
        ("cancel_lines", {"orderId": "1"}),  # no lines
        ("reschedule", {"fulfillmentOrderId": "3", "fulfillmentOrderStatus": "open"}),
        ("cancel", {}),
    ],
)
def test_fulfillment_outcomes_the_case_cannot_support_are_not_offered(
    outcome: str, values: dict[str, Any]
) -> None:
    assert form("FULFILLMENT_EXCEPTION", outcome, **values) is None


@pytest.mark.parametrize("outcome", ["cancel_lines", "reschedule"])
def test_an_offered_outcome_the_reviewer_cannot_fill_is_not_chosen(outcome: str) -> None:
    # Offered by the case without its lines or date (found in a sandbox run: a decision
    # without cancelLineItemIds was dead-lettered).
    allowed = json.dumps(["split", "cancel_lines", "reschedule", "resolved"])
    assert form("FULFILLMENT_EXCEPTION", outcome, orderId="1", allowedOutcomes=allowed) is None


def test_fulfillment_outcomes_the_case_supports() -> None:
    lines = [{"id": 5, "sku": "MUG"}]
    substitute = form(
        "FULFILLMENT_EXCEPTION",
        "substitute",
        orderId="1",
        lineItems=lines,
        substituteVariantIds=["8"],
    )
    assert substitute is not None
    assert (substitute["removeLineItemId"], substitute["substituteVariantId"]) == ("5", "8")
    cancel_lines = form("FULFILLMENT_EXCEPTION", "cancel_lines", orderId="1", lineItems=lines)
    assert cancel_lines is not None and cancel_lines["cancelLineItemIds"] == '["5"]'
    reschedule = form(
        "FULFILLMENT_EXCEPTION",
        "reschedule",
        fulfillmentOrderId="3",
        fulfillmentOrderStatus="SCHEDULED",
    )
    assert reschedule is not None
    when = datetime.fromisoformat(reschedule["fulfillAt"])
    assert NOW < when <= NOW + timedelta(days=14)


def test_a_partial_shipment_cancels_its_unshipped_lines() -> None:
    unshipped = [{"lineItemId": "7", "unshippedQuantity": 1, "shippedQuantity": 0}]
    cancel_lines = form(
        "FULFILLMENT_EXCEPTION", "cancel_lines", orderId="1", unshippedLineItems=unshipped
    )
    assert cancel_lines is not None and cancel_lines["cancelLineItemIds"] == '["7"]'


def test_a_listed_substitute_without_a_variant_is_not_drawn() -> None:
    # A hold or partial-shipment case offers substitute for a person to pick the variant.
    picked = {"allowedOutcomes": ["substitute", "resolved"], "orderId": "1"}
    assert form("FULFILLMENT_EXCEPTION", "substitute", **picked) is None
    offered = {**picked, "removeLineItemId": "5", "substituteVariantId": "8"}
    assert form("FULFILLMENT_EXCEPTION", "substitute", **offered) == {
        "reason": "substituted an available variant"
    }


def test_split_of_single_units_keeps_the_first_line_and_needs_lines_to_move() -> None:
    lines = [{"id": 7, "remainingQuantity": 1}, {"id": 8, "remainingQuantity": 1}]
    split = form(
        "FULFILLMENT_EXCEPTION", "split", fulfillmentOrderId="3", fulfillmentOrderLineItems=lines
    )
    assert split is not None and split["splitLineItems"] == [{"id": "7", "quantity": 1}]
    # Listed, but one single unit cannot be split and the case proposes nothing.
    one = {"allowedOutcomes": ["split", "resolved"], "fulfillmentOrderId": "3"}
    single = form("FULFILLMENT_EXCEPTION", "split", **one, fulfillmentOrderLineItems=lines[:1])
    assert single is None


def test_contested_chargeback_supplies_evidence() -> None:
    filled = form("CHARGEBACK", "contested", disputeId="2")
    assert filled is not None and filled["evidenceText"] and filled["notes"]
    assert form("CHARGEBACK", "accepted") is None


def test_the_cases_allowed_outcomes_limit_the_form() -> None:
    assert form("ORDER_REVIEW", "rejected", allowedOutcomes=["approved"]) is None
    assert form("ORDER_REVIEW", "approved", allowedOutcomes=["approved"]) == {}


def test_a_case_with_allowed_outcomes_keeps_its_own_defaults() -> None:
    # Fulfillment exceptions carry each listed outcome's defaults (streams/classify/enrich):
    # the reviewer keeps them, the form adds only what is missing.
    defaults: dict[str, Any] = {
        "allowedOutcomes": ["split", "cancel_lines", "reschedule", "resolved"],
        "orderId": "1",
        "fulfillmentOrderId": "3",
        "fulfillmentOrderLineItems": [{"id": "60", "lineItemId": "5", "remainingQuantity": 2}],
        "splitLineItems": [{"id": "60", "quantity": 1}],
        "cancelLineItemIds": ["5"],
        "fulfillAt": "2026-12-20T00:00:00Z",
        "lineItems": [{"id": 4}, {"id": 5}],
    }
    assert form("FULFILLMENT_EXCEPTION", "split", **defaults) == {}
    assert form("FULFILLMENT_EXCEPTION", "cancel_lines", **defaults) == {
        "reason": "lines cannot be fulfilled"
    }
    # Not derivable from a status here, but listed by the case with its fulfillAt.
    assert form("FULFILLMENT_EXCEPTION", "reschedule", **defaults) == {}
    assert form("FULFILLMENT_EXCEPTION", "resolved", **defaults) == {
        "notes": "Resolved with the carrier and the customer"
    }
    assert form("FULFILLMENT_EXCEPTION", "cancel", **defaults) is None


def test_cancel_lines_without_a_list_takes_the_unavailable_lines() -> None:
    filled = form(
        "FULFILLMENT_EXCEPTION",
        "cancel_lines",
        orderId="1",
        lineItems=[{"id": 4}, {"id": 5}],
        unavailableLineItems=[{"fulfillmentOrderLineItemId": "60", "lineItemId": "5"}],
    )
    assert filled is not None and filled["cancelLineItemIds"] == '["5"]'


def test_a_correction_replaces_the_cases_value() -> None:
    address = {"address1": "1 Main St", "zip": "12345"}
    filled = form("ORDER_REVIEW", "corrected", orderId="7", shippingAddress=address)
    assert filled is not None and filled["shippingAddress"] != address


SHIPS = {"email": "a@example.com", "shippingAddress": {"address1": "1 Main St", "city": "X"}}


def test_intake_approval_supplies_tax_shipping_and_payment() -> None:
    filled = form("OFFLINE_ORDER", "approved", customer=SHIPS, lineItems=[{"variantId": "1"}])
    assert filled is not None
    assert filled["taxLines"] == [{"title": "Sales tax", "rate": "0.08"}]
    assert filled["shippingLines"][0]["price"] == "7.50"
    assert filled["paymentStatus"] in {"PAID", "PENDING", "PAYMENT_TERMS"}
    assert ("paymentTerms" in filled) == (filled["paymentStatus"] == "PAYMENT_TERMS")


def test_intake_approval_for_an_exempt_pickup_customer() -> None:
    filled = form(
        "OFFLINE_ORDER", "approved", customer={"email": "a@example.com"}, taxExemptNote="resale"
    )
    assert filled is not None and "taxLines" not in filled and "shippingLines" not in filled
    assert filled["taxExempt"] == "true" and filled["taxNote"] == "resale"


def test_every_payment_status_is_drawn() -> None:
    drawn = set()
    for seed in range(30):
        filled = fill_form(
            "OFFLINE_ORDER", "approved", case(customer=SHIPS), random.Random(seed), NOW
        )
        assert filled is not None
        drawn |= {v.value for v in filled if v.name == "paymentStatus"}
    assert drawn == {"PAID", "PENDING", "PAYMENT_TERMS"}


def test_intake_the_reviewer_already_filled_keeps_its_values() -> None:
    filled = form("OFFLINE_ORDER", "approved", customer=SHIPS, paymentStatus="PAID", taxLines=[])
    assert filled is not None and "paymentStatus" not in filled and "taxLines" not in filled


def test_a_returned_intake_is_not_approved_again_but_rejected() -> None:
    assert form("OFFLINE_ORDER", "approved", customer=SHIPS, returnReason="bad tax") is None
    assert form("OFFLINE_ORDER", "rejected", returnReason="bad tax") == {
        "reason": "intake cancelled by the sales desk"
    }


def test_an_intake_that_states_its_payment_keeps_it() -> None:
    # Found by the reliability suite: an intake saying PAID got "Net 30" terms added by a
    # form that drew PAYMENT_TERMS, and the writer refused the mix.
    intake = case(paymentStatus="PAID", taxLines=[{"title": "Sales tax", "rate": "0.08"}])
    for seed in range(20):
        form_ = fill_form("OFFLINE_ORDER", "approved", intake, random.Random(seed), NOW)
        assert form_ is not None
        filled = {v.name: v.value for v in form_}
        assert "paymentStatus" not in filled and "paymentTerms" not in filled
