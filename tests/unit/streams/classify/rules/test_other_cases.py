"""UC2 returns, UC4 fulfillment, UC6 content and UC8 disputes: one test per trigger."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schemas.records import CaseType, Priority, SubjectType, VariableType
from streams.classify.rules import (
    ClassificationError,
    ClassifyContext,
    classify_event,
    is_known_topic,
    product_fingerprint,
)
from streams.classify.rules.fulfillment import SplitOrigin, split_fulfillment_order
from streams.policy import Policy
from streams.runtime.own_splits import OwnSplit

from .conftest import NOW, make_event, make_order

EMPTY = ClassifyContext()


def _vars(case: Any) -> dict[str, Any]:
    return {variable.name: variable for variable in case.variables}


# --------------------------------------------------------------------- UC2 returns


def test_return_request_opens_return_review(policy: Policy) -> None:
    payload = {
        "id": 945000959,
        "admin_graphql_api_id": "gid://shopify/Return/945000959",
        "status": "requested",
        "name": "#1001-R1",
        "order": {"id": 450789469, "admin_graphql_api_id": "gid://shopify/Order/450789469"},
        "return_line_items": [
            {
                "id": 1,
                "quantity": 1,
                "return_reason": "defective",
                "return_reason_note": "handle snapped",
                "customer_note": "please replace",
                "fulfillment_line_item": {"line_item": {"id": 77}},
            },
            {"id": 2, "quantity": 2, "return_reason": "unwanted"},
        ],
    }
    cases = classify_event(make_event("returns/request", payload), policy, EMPTY, NOW)
    assert len(cases) == 1
    case = cases[0]
    assert case.case_type is CaseType.RETURN_REVIEW
    assert (case.subject_type, case.subject_id, case.order_id) == (
        SubjectType.RETURN,
        "945000959",
        "450789469",
    )
    assert [r.code for r in case.reasons] == ["RETURN_DEFECTIVE", "RETURN_UNWANTED"]
    assert "handle snapped" in case.reasons[0].detail
    assert case.priority is Priority.HIGH
    assert case.sla_due_at == NOW + timedelta(days=1)
    variables = _vars(case)
    assert variables["customerNote"].value == "please replace"
    assert variables["returnQuantity"].value == "3"
    lines = json.loads(variables["returnLineItems"].value)
    assert lines[0]["lineItemId"] == "77"


# ----------------------------------------------------------------- UC4 fulfillment


def test_carrier_failure_opens_fulfillment_exception(policy: Policy) -> None:
    payload = {
        "id": 944956395,
        "fulfillment_id": 255858046,
        "order_id": 450789469,
        "status": "FAILURE",
        "message": "Address not found",
        "happened_at": "2026-11-26T09:00:00-05:00",
    }
    cases = classify_event(make_event("fulfillment_events/create", payload), policy, EMPTY, NOW)
    case = cases[0]
    assert case.case_type is CaseType.FULFILLMENT_EXCEPTION
    assert case.subject_type is SubjectType.ORDER and case.order_id == "450789469"
    assert case.teams == ["logistics", "customer_service"]
    assert case.priority is Priority.HIGH
    assert _vars(case)["happenedAt"].value == "2026-11-26T14:00:00Z"
    delayed = classify_event(
        make_event("fulfillment_events/create", {**payload, "status": "delayed"}),
        policy,
        EMPTY,
        NOW,
    )
    assert delayed[0].case_id == case.case_id  # one case per fulfillment
    in_transit = make_event("fulfillment_events/create", {**payload, "status": "in_transit"})
    assert classify_event(in_transit, policy, EMPTY, NOW) == []


def test_hold_by_others_opens_case_but_not_our_own(policy: Policy) -> None:
    payload: dict[str, Any] = {
        "fulfillment_order": {
            "id": "gid://shopify/FulfillmentOrder/1046000812",
            "status": "on_hold",
        },
        "fulfillment_hold": {"reason": "incorrect_address", "reason_notes": "no street number"},
    }
    event = make_event("fulfillment_orders/placed_on_hold", payload, order_id="450789469")
    case = classify_event(event, policy, EMPTY, NOW)[0]
    assert case.subject_type is SubjectType.FULFILLMENT_ORDER
    assert case.subject_id == "1046000812" and case.order_id == "450789469"
    assert case.reasons[0].code == "HOLD_INCORRECT_ADDRESS"
    assert case.teams == ["warehouse"]
    ours = {**payload, "fulfillment_hold": {"reason": "OTHER", "handle": "casebridge-OR-1"}}
    assert (
        classify_event(make_event("fulfillment_orders/placed_on_hold", ours), policy, EMPTY, NOW)
        == []
    )
    fraud = {**payload, "fulfillment_hold": {"reason": "HIGH_RISK_OF_FRAUD"}}
    assert (
        classify_event(make_event("fulfillment_orders/placed_on_hold", fraud), policy, EMPTY, NOW)
        == []
    )


def _partial_order(**overrides: Any) -> dict[str, Any]:
    lines = [
        {"id": 1, "variant_id": 11, "sku": "MUG-1", "quantity": 2, "fulfillable_quantity": 0},
        {"id": 2, "variant_id": 12, "sku": "CUP-1", "quantity": 3, "fulfillable_quantity": 3},
    ]
    return make_order(line_items=lines, fulfillment_status="partial", **overrides)


def test_partial_shipment_opens_fulfillment_exception_with_the_unshipped_lines(
    policy: Policy,
) -> None:
    event = make_event("orders/partially_fulfilled", _partial_order(), order_id="450789469")
    (case,) = classify_event(event, policy, EMPTY, NOW)
    assert case.case_type is CaseType.FULFILLMENT_EXCEPTION
    assert case.subject_type is SubjectType.ORDER and case.subject_id == "450789469"
    assert case.order_id == "450789469"
    assert case.reasons[0].code == "PARTIAL_SHIPMENT"
    assert case.reasons[0].detail == "2 units shipped, 3 on 1 line(s) still to ship"
    assert case.teams == ["warehouse", "customer_service"]
    unshipped = json.loads(_vars(case)["unshippedLineItems"].value)
    assert unshipped == [
        {
            "lineItemId": "2",
            "variantId": "12",
            "sku": "CUP-1",
            "title": None,
            "quantity": 3,
            "shippedQuantity": 0,
            "unshippedQuantity": 3,
        }
    ]


def test_partial_shipment_opens_nothing_when_off_cancelled_or_all_shipped(policy: Policy) -> None:
    off = policy.model_copy(
        update={"fulfillment": policy.fulfillment.model_copy(update={"open_on_partial": False})}
    )
    event = make_event("orders/partially_fulfilled", _partial_order())
    assert classify_event(event, off, EMPTY, NOW) == []
    cancelled = _partial_order(cancelled_at="2026-11-26T10:00:00Z")
    assert (
        classify_event(make_event("orders/partially_fulfilled", cancelled), policy, EMPTY, NOW)
        == []
    )
    shipped = make_order(
        line_items=[{"id": 1, "variant_id": 11, "quantity": 2, "fulfillable_quantity": 0}]
    )
    assert (
        classify_event(make_event("orders/partially_fulfilled", shipped), policy, EMPTY, NOW) == []
    )


def test_split_fulfillment_order_opens_a_case_about_the_moved_units(policy: Policy) -> None:
    payload = {
        "split_line_items": [{"id": "gid://shopify/FulfillmentOrderLineItem/7", "quantity": 1}],
        "fulfillment_order": {"id": "gid://shopify/FulfillmentOrder/1", "status": "open"},
        "remaining_fulfillment_order": {"id": "gid://shopify/FulfillmentOrder/2", "status": "open"},
        "replacement_fulfillment_order": None,
    }
    (case,) = classify_event(make_event("fulfillment_orders/split", payload), policy, EMPTY, NOW)
    assert case.subject_type is SubjectType.FULFILLMENT_ORDER and case.subject_id == "2"
    assert case.order_id is None  # Shopify names no order: enrichment reads it
    assert case.reasons[0].code == "FULFILLMENT_SPLIT"
    variables = _vars(case)
    assert variables["fulfillmentOrderId"].value == "2"
    assert variables["originalFulfillmentOrderId"].value == "1"
    assert json.loads(variables["movedLineItems"].value) == [{"id": "7", "quantity": 1}]
    off = policy.model_copy(
        update={"fulfillment": policy.fulfillment.model_copy(update={"open_on_split": False})}
    )
    assert classify_event(make_event("fulfillment_orders/split", payload), off, EMPTY, NOW) == []


SPLIT = {
    "split_line_items": [{"id": "gid://shopify/FulfillmentOrderLineItem/7", "quantity": 2}],
    "fulfillment_order": {"id": "gid://shopify/FulfillmentOrder/1", "status": "open"},
    "remaining_fulfillment_order": {"id": "gid://shopify/FulfillmentOrder/2", "status": "open"},
}


def test_our_own_split_opens_nothing(policy: Policy) -> None:
    event = make_event("fulfillment_orders/split", SPLIT)
    assert split_fulfillment_order(event, policy) == "1"  # what the agent reads first
    ours = ClassifyContext(split_origin=SplitOrigin("1001", (OwnSplit("1", 2, "case-1"),)))
    assert classify_event(event, policy, ours, NOW) == []


def test_a_split_that_was_not_ours_opens_its_case_on_the_order_read(policy: Policy) -> None:
    event = make_event("fulfillment_orders/split", SPLIT)
    other_units = SplitOrigin("1001", (OwnSplit("1", 5, "case-1"),))
    (case,) = classify_event(event, policy, ClassifyContext(split_origin=other_units), NOW)
    assert case.order_id == "1001"  # Shopify's payload names none: the read did
    unread = SplitOrigin(error="ShopifyUnavailableError: 503")
    (case,) = classify_event(event, policy, ClassifyContext(split_origin=unread), NOW)
    assert "not known whether casebridge made it: ShopifyUnavailableError" in case.reasons[0].detail
    assert split_fulfillment_order(make_event("fulfillment_orders/split", {}), policy) is None


def test_a_hold_on_some_lines_names_them_and_where_the_rest_went(policy: Policy) -> None:
    payload = {
        "fulfillment_order": {"id": "gid://shopify/FulfillmentOrder/1", "status": "on_hold"},
        "remaining_fulfillment_order": {"id": "gid://shopify/FulfillmentOrder/2"},
        "held_fulfillment_order_line_items": [
            {"id": "gid://shopify/FulfillmentOrderLineItem/3", "quantity": 4}
        ],
        "fulfillment_hold": {"reason": "inventory_out_of_stock", "handle": "wms-1"},
    }
    event = make_event("fulfillment_orders/placed_on_hold", payload, order_id="450789469")
    (case,) = classify_event(event, policy, EMPTY, NOW)
    variables = _vars(case)
    assert json.loads(variables["heldLineItems"].value) == [{"id": "3", "quantity": 4}]
    assert variables["remainingFulfillmentOrderId"].value == "2"
    bad = {**payload, "held_fulfillment_order_line_items": [{"quantity": 4}]}
    with pytest.raises(ClassificationError, match=r"held_fulfillment_order_line_items\[0\]\.id"):
        classify_event(make_event("fulfillment_orders/placed_on_hold", bad), policy, EMPTY, NOW)


def test_fulfillment_order_cancelled_is_configurable(policy: Policy) -> None:
    event = make_event("fulfillment_orders/cancelled", {"fulfillment_order": {"id": 5}})
    assert classify_event(event, policy, EMPTY, NOW) == []
    enabled = policy.model_copy(
        update={"fulfillment": policy.fulfillment.model_copy(update={"open_on_cancelled": True})}
    )
    assert classify_event(event, enabled, EMPTY, NOW)[0].reasons[0].code == "FULFILLMENT_CANCELLED"


def test_variant_out_of_stock(policy: Policy) -> None:
    payload = {"id": 808950810, "product_id": 632910392, "sku": "IPOD-2", "inventory_quantity": 0}
    case = classify_event(make_event("variants/out_of_stock", payload), policy, EMPTY, NOW)[0]
    assert case.case_type is CaseType.FULFILLMENT_EXCEPTION
    assert (case.subject_type, case.subject_id) == (SubjectType.PRODUCT, "632910392")
    assert case.teams == ["warehouse"]
    assert _vars(case)["variantId"].value == "808950810"


# --------------------------------------------------------------------- UC6 content


def _product(**overrides: Any) -> dict[str, Any]:
    product: dict[str, Any] = {
        "id": 632910392,
        "title": "Herbal tea",
        "body_html": "<p>A calm <b>evening</b> blend.</p>",
        "product_type": "Tea",
        "vendor": "Leaf",
        "tags": "organic",
        "variants": [{"id": 1, "price": "9.90", "compare_at_price": None}],
    }
    product.update(overrides)
    return product


def test_regulated_product_update_opens_content_review(policy: Policy) -> None:
    event = make_event("products/update", _product(product_type="supplements"))
    case = classify_event(event, policy, EMPTY, NOW)[0]
    assert case.case_type is CaseType.CONTENT_REVIEW
    assert case.reasons[0].code == "REGULATED_PRODUCT"
    assert case.teams == ["legal", "merchandising"]
    assert case.priority is Priority.LOW
    assert case.sla_due_at == NOW + timedelta(days=3)


def test_claim_keywords_per_region(policy: Policy) -> None:
    body = "<p>Clinically <i>proven</i> to help.</p><p>Clinically proven and it cures colds</p>"
    case = classify_event(
        make_event("products/update", _product(body_html=body)), policy, EMPTY, NOW
    )[0]
    assert [r.code for r in case.reasons] == ["CLAIM_US", "CLAIM_EU", "CLAIM_UK"]
    assert case.teams == ["legal", "marketing"]
    assert _vars(case)["claimRegions"].value == "US, EU, UK"


def test_unchanged_watched_fields_open_nothing(policy: Policy) -> None:
    event = make_event("products/update", _product(product_type="Supplements"))
    stored = product_fingerprint(event, policy)
    assert stored is not None
    seen = ClassifyContext(content_fingerprints={stored[0]: stored[1]})
    assert classify_event(event, policy, seen, NOW) == []
    repriced = _product(product_type="Supplements", variants=[{"id": 1, "price": "19.90"}])
    assert classify_event(make_event("products/update", repriced), policy, seen, NOW)


def test_plain_product_change_only_with_review_all(policy: Policy) -> None:
    event = make_event("products/update", _product())
    known = ClassifyContext(content_fingerprints={"example.myshopify.com|product:632910392": "x"})
    assert classify_event(event, policy, known, NOW) == []
    review_all = policy.model_copy(
        update={"content": policy.content.model_copy(update={"review_all_watched_changes": True})}
    )
    case = classify_event(event, review_all, known, NOW)[0]
    assert case.reasons[0].code == "WATCHED_FIELD_CHANGED"


def test_theme_publish_opens_content_review(policy: Policy) -> None:
    payload = {"id": 828155753, "name": "Dawn", "role": "main"}
    case = classify_event(make_event("themes/publish", payload), policy, EMPTY, NOW)[0]
    assert case.case_type is CaseType.CONTENT_REVIEW
    assert case.subject_id == "828155753"
    assert classify_event(make_event("themes/update", payload), policy, EMPTY, NOW) == []


# -------------------------------------------------------------------- UC8 disputes


def _dispute(**overrides: Any) -> dict[str, Any]:
    dispute: dict[str, Any] = {
        "id": 598735659,
        "order_id": 450789469,
        "type": "chargeback",
        "amount": "100.00",
        "currency": "USD",
        "reason": "product_not_received",
        "network_reason_code": "13.1",
        "status": "needs_response",
        "evidence_due_by": "2026-12-10T23:00:00Z",
        "initiated_at": "2026-11-25T12:00:00Z",
    }
    dispute.update(overrides)
    return dispute


def test_dispute_opens_chargeback(policy: Policy) -> None:
    case = classify_event(make_event("disputes/create", _dispute()), policy, EMPTY, NOW)[0]
    assert case.case_type is CaseType.CHARGEBACK
    assert (case.subject_type, case.subject_id, case.order_id) == (
        SubjectType.DISPUTE,
        "598735659",
        "450789469",
    )
    assert case.teams == ["fulfillment", "customer_service"]
    assert case.priority is Priority.HIGH
    variables = _vars(case)
    assert (variables["disputeAmount"].type, variables["disputeAmount"].value) == (
        VariableType.DECIMAL,
        "100.00",
    )
    assert variables["evidenceDueBy"].value == "2026-12-10T23:00:00Z"
    assert case.sla_due_at == NOW + timedelta(days=3)
    update = classify_event(make_event("disputes/update", _dispute()), policy, EMPTY, NOW)[0]
    assert update.case_id == case.case_id


def test_dispute_sla_ends_before_evidence_deadline(policy: Policy) -> None:
    due = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    payload = _dispute(evidence_due_by=due.isoformat(), type="inquiry", reason="other")
    case = classify_event(make_event("disputes/create", payload), policy, EMPTY, NOW)[0]
    assert case.sla_due_at == due - timedelta(days=1)
    assert case.priority is Priority.NORMAL
    assert case.teams == ["customer_service", "fulfillment", "finance"]


def test_an_ended_dispute_gives_its_case_marked_closing_with_the_final_status(
    policy: Policy,
) -> None:
    opened = classify_event(make_event("disputes/create", _dispute()), policy, EMPTY, NOW)[0]
    ended = _dispute(status="won", finalized_on="2026-12-01T09:00:00Z")

    (case,) = classify_event(make_event("disputes/update", ended), policy, EMPTY, NOW)

    # The same case (never a new one): the agent closes it rather than opening anything.
    assert case.case_id == opened.case_id
    assert case.closing_reason() == "dispute won (Shopify disputes/update)"
    assert opened.closing_reason() is None
    variables = _vars(case)
    assert variables["disputeFinalStatus"].value == "won"
    assert variables["disputeFinalizedOn"].value == "2026-12-01T09:00:00Z"


def test_a_status_neither_open_nor_final_opens_nothing(policy: Policy) -> None:
    event = make_event("disputes/update", _dispute(status="charge_refunded"))
    assert classify_event(event, policy, EMPTY, NOW) == []
    # Switched off: an ended dispute is not recorded at all.
    quiet = policy.model_copy(
        update={"disputes": policy.disputes.model_copy(update={"final_statuses": []})}
    )
    won = make_event("disputes/update", _dispute(status="won"))
    assert classify_event(won, quiet, EMPTY, NOW) == []


def test_an_ended_dispute_with_a_bad_end_date_is_refused_naming_it(policy: Policy) -> None:
    event = make_event("disputes/update", _dispute(status="won", finalized_on="yesterday"))
    with pytest.raises(ClassificationError, match="finalized_on: expected an ISO-8601 timestamp"):
        classify_event(event, policy, EMPTY, NOW)


def test_an_ended_dispute_without_its_order_is_refused(policy: Policy) -> None:
    event = make_event("disputes/update", _dispute(status="lost", order_id=None))
    with pytest.raises(ClassificationError, match="order_id: missing id"):
        classify_event(event, policy, EMPTY, NOW)


# -------------------------------------------------------------------- unknown topics


def test_unknown_topic_opens_nothing_even_with_bad_payload(policy: Policy) -> None:
    assert not is_known_topic("customers/update")
    assert classify_event(make_event("customers/update", "not json"), policy, EMPTY, NOW) == []
    assert is_known_topic("orders/create") and is_known_topic("themes/update")


def test_hold_found_in_fulfillment_holds_list(policy: Policy) -> None:
    fulfillment_order = {
        "id": 7,
        "order_id": 450789469,
        "fulfillment_holds": [
            {"reason": "high_risk_of_fraud", "handle": "casebridge-ORDER_REVIEW-1"},
            {"reason": "inventory_out_of_stock", "handle": "warehouse-1"},
        ],
    }
    event = make_event(
        "fulfillment_orders/placed_on_hold", {"fulfillment_order": fulfillment_order}
    )
    case = classify_event(event, policy, EMPTY, NOW)[0]
    assert case.reasons[0].code == "HOLD_INVENTORY_OUT_OF_STOCK"
    assert case.order_id == "450789469"
    created = {
        "fulfillment_order": fulfillment_order,
        "created_fulfillment_hold": {"reason": "high_risk_of_fraud", "handle": "casebridge-x"},
    }
    event = make_event("fulfillment_orders/placed_on_hold", created)
    assert classify_event(event, policy, EMPTY, NOW) == []


def test_oversold_inventory_level(policy: Policy) -> None:
    payload = {"inventory_item_id": 39072856, "location_id": 487838322, "available": -3}
    case = classify_event(make_event("inventory_levels/update", payload), policy, EMPTY, NOW)[0]
    assert case.case_type is CaseType.FULFILLMENT_EXCEPTION
    assert (case.subject_type, case.subject_id) == (SubjectType.UNKNOWN, "39072856")
    assert case.reasons[0].code == "OVERSOLD"
    restocked = make_event("inventory_levels/update", {**payload, "available": 4})
    assert classify_event(restocked, policy, EMPTY, NOW) == []
