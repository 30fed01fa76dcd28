"""Bad payloads raise ClassificationError naming the topic, event and field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from streams.classify.rules import ClassificationError, ClassifyContext, classify_event
from streams.policy import Policy

from .conftest import NOW, make_event, make_order


@pytest.mark.parametrize(
    ("topic", "payload", "message"),
    [
        ("orders/create", "{not json", "payload is not valid JSON"),
        ("orders/create", "[1, 2]", "payload must be a JSON object, got list"),
        ("orders/create", make_order(id=None, admin_graphql_api_id=None), "id: missing id"),
        ("orders/create", make_order(id=True), "id: expected an id, got True"),
        ("orders/create", make_order(total_price_set=None, total_price="lots"), "total_price"),
        ("orders/create", make_order(line_items={"a": 1}), "line_items: expected a list"),
        (
            "orders/create",
            make_order(line_items=[{"id": 1, "quantity": "two"}]),
            "line_items[0].quantity: expected an integer",
        ),
        ("orders/create", make_order(customer="bob"), "customer: expected an object"),
        ("orders/create", make_order(tags=5), "tags: expected a comma-separated string"),
        (
            "orders/create",
            make_order(note_attributes=[{"name": "inventory_available", "value": "nope"}]),
            "note_attributes.inventory_available",
        ),
        ("orders/risk_assessment_changed", {"order_id": 1}, "risk_level: missing"),
        ("returns/request", {"status": "requested"}, "id: missing id"),
        (
            "disputes/create",
            {"id": 1, "order_id": 5, "status": "needs_response", "amount": "1,00"},
            "amount",
        ),
        ("disputes/create", {"id": 1}, "status: missing dispute status"),
        (
            "disputes/create",
            {"id": 1, "order_id": 5, "status": "needs_response", "evidence_due_by": "soon"},
            "evidence_due_by: expected an ISO-8601 timestamp",
        ),
        ("fulfillment_events/create", {"status": "failure", "fulfillment_id": 1}, "order_id"),
        ("fulfillment_orders/placed_on_hold", {"fulfillment_order": {"id": 1}}, "fulfillment_hold"),
        ("products/update", {"title": "x"}, "id: missing id"),
        # Events without the ids their case needs (issue 13): dead-lettered, never a
        # case keyed by the webhook id.
        (
            "orders/risk_assessment_changed",
            {"risk_level": "high", "order_id": None, "admin_graphql_api_order_id": None},
            "order_id: missing id",
        ),
        ("returns/request", {"id": 9, "order": None}, "order.id: missing id"),
        ("disputes/create", {"id": 1, "status": "needs_response"}, "order_id: missing id"),
        # Hostile bodies that reached the topic some other way than ingress.
        ("orders/create", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("orders/create", '{"id": ' + "7" * 5000 + "}", "a number has over 4300 digits"),
        (
            "orders/create",
            make_order(line_items=[{"id": 1, "quantity": "9" * 5000}]),
            "line_items[0].quantity: expected an integer, got '99999",
        ),
        (
            "orders/create",
            make_order(line_items=[{"id": 1, "quantity": 2**70}]),
            "line_items[0].quantity: expected an integer",
        ),
        ("orders/create", make_order(total_price_set=None, total_price="1e999999"), "magnitude"),
    ],
)
def test_bad_payload_raises_classification_error(
    policy: Policy, topic: str, payload: Any, message: str
) -> None:
    event = make_event(topic, payload, event_id="evt-bad")
    with pytest.raises(ClassificationError) as caught:
        classify_event(event, policy, ClassifyContext(), NOW)
    text = str(caught.value)
    assert text.startswith(f"{topic} event evt-bad: ")
    assert message in text


def test_big_ids_and_gids_are_kept_exact(policy: Policy) -> None:
    big = 2**63 - 5
    order = make_order(id=big, risk_level="HIGH")
    case = classify_event(make_event("orders/create", order), policy, ClassifyContext(), NOW)[0]
    assert case.subject_id == str(big)
    gid = make_order(id=None, admin_graphql_api_id=f"gid://shopify/Order/{big}", risk_level="HIGH")
    again = classify_event(make_event("orders/create", gid), policy, ClassifyContext(), NOW)[0]
    assert again.case_id == case.case_id


@pytest.mark.parametrize(
    "overrides",
    [
        {"customer": "x" * 100_000},
        {"tags": json.loads("[" * 500 + "]" * 500)},
        {"total_price_set": None, "total_price": "1" * 3000 + ".5"},
    ],
)
def test_error_messages_stay_short_whatever_the_value(
    policy: Policy, overrides: dict[str, Any]
) -> None:
    # The message becomes the DLQ reason: never the whole value, never a deep repr.
    event = make_event("orders/create", make_order(**overrides))
    with pytest.raises(ClassificationError) as caught:
        classify_event(event, policy, ClassifyContext(), NOW)
    assert len(str(caught.value)) < 300
