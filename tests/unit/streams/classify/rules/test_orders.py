"""UC1 ORDER_REVIEW (one test per reason), UC5 HIGH_VALUE_REVIEW, determinism."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from schemas.records import CaseRequest, CaseType, Priority, SubjectType, VariableType
from streams.classify.rules import (
    ClassificationError,
    ClassifyContext,
    ShopStats,
    classify_event,
    order_total_sample,
    update_stats,
)
from streams.policy import Policy

from .conftest import NOW, make_event, make_order

EMPTY = ClassifyContext()


def _money(amount: str) -> dict[str, object]:
    return {
        "total_price": amount,
        "total_price_set": {"shop_money": {"amount": amount, "currency_code": "EUR"}},
    }


def _only(cases: list[CaseRequest], case_type: CaseType) -> CaseRequest:
    found = [case for case in cases if case.case_type is case_type]
    assert len(found) == 1, cases
    return found[0]


def test_normal_order_opens_no_case(policy: Policy) -> None:
    assert classify_event(make_event("orders/create", make_order()), policy, EMPTY, NOW) == []
    assert classify_event(make_event("orders/updated", make_order()), policy, EMPTY, NOW) == []


def test_high_risk_order_goes_to_fraud(policy: Policy) -> None:
    event = make_event("orders/create", make_order(risk_level="high"))
    case = _only(classify_event(event, policy, EMPTY, NOW), CaseType.ORDER_REVIEW)
    assert [reason.code for reason in case.reasons] == ["RISK_HIGH"]
    assert case.teams == ["fraud"]
    assert case.priority is Priority.HIGH
    assert case.sla_due_at == NOW + timedelta(hours=2)  # priority_sla HIGH
    assert case.subject_type is SubjectType.ORDER and case.subject_id == "450789469"
    assert case.order_id == "450789469" and case.customer_id == "207119551"
    assert case.source_event_ids == ["evt-1"]
    assert case.requested_at == NOW


def test_legacy_risks_recommendation_medium(policy: Policy) -> None:
    order = make_order(risks=[{"recommendation": "accept"}, {"recommendation": "investigate"}])
    case = _only(
        classify_event(make_event("orders/create", order), policy, EMPTY, NOW),
        CaseType.ORDER_REVIEW,
    )
    assert case.reasons[0].code == "RISK_MEDIUM"
    assert case.priority is Priority.NORMAL
    assert case.sla_due_at == NOW + timedelta(hours=4)


def test_risk_assessment_changed_maps_to_the_order_case(policy: Policy) -> None:
    payload = {
        "risk_level": "HIGH",
        "order_id": None,
        "admin_graphql_api_order_id": "gid://shopify/Order/450789469",
        "provider_title": "Shopify",
    }
    event = make_event("orders/risk_assessment_changed", payload, event_id="evt-risk")
    case = _only(classify_event(event, policy, EMPTY, NOW), CaseType.ORDER_REVIEW)
    assert case.subject_id == "450789469"
    assert case.teams == ["fraud"]
    assert not case.enrichment_complete
    flagged = make_event("orders/create", make_order(risk_level="HIGH"))
    assert case.case_id == classify_event(flagged, policy, EMPTY, NOW)[0].case_id


def test_risk_assessment_naming_no_order_is_refused_not_keyed_by_the_webhook(
    policy: Policy,
) -> None:
    # Issue 13: Shopify's sample (order_id null) opened an ORDER_REVIEW keyed by the
    # webhook id that ingress put in resource_id.
    payload = {"risk_level": "high", "order_id": None, "admin_graphql_api_order_id": None}
    event = make_event("orders/risk_assessment_changed", payload, resource_id="wh-123")
    with pytest.raises(ClassificationError, match="order_id: missing id"):
        classify_event(event, policy, EMPTY, NOW)


def test_low_risk_assessment_opens_nothing(policy: Policy) -> None:
    event = make_event("orders/risk_assessment_changed", {"risk_level": "low", "order_id": 5})
    assert classify_event(event, policy, EMPTY, NOW) == []


def test_absolute_value_goes_to_finance(policy: Policy) -> None:
    event = make_event("orders/create", make_order(**_money("5000.00")))
    case = _only(classify_event(event, policy, EMPTY, NOW), CaseType.ORDER_REVIEW)
    assert [reason.code for reason in case.reasons] == ["UNUSUAL_VALUE_ABSOLUTE"]
    assert case.teams == ["finance"]
    total = next(v for v in case.variables if v.name == "orderTotal")
    assert (total.type, total.value) == (VariableType.DECIMAL, "5000.00")


def test_relative_value_needs_enough_samples(policy: Policy) -> None:
    event = make_event("orders/create", make_order(**_money("450.00")))
    samples = policy.orders.review.value.min_samples
    average = Decimal(100)
    few = ClassifyContext(
        shop_stats=ShopStats(order_count=samples - 1, average_order_value=average)
    )
    assert classify_event(event, policy, few, NOW) == []
    enough = ClassifyContext(shop_stats=ShopStats(order_count=samples, average_order_value=average))
    case = _only(classify_event(event, policy, enough, NOW), CaseType.ORDER_REVIEW)
    assert [reason.code for reason in case.reasons] == ["UNUSUAL_VALUE_RELATIVE"]
    assert "4x" in case.reasons[0].detail
    not_unusual = make_event("orders/create", make_order(**_money("400.00")))
    assert classify_event(not_unusual, policy, enough, NOW) == []


def test_restricted_country_and_region_go_to_operations(policy: Policy) -> None:
    country = make_order(shipping_address={"country_code": "kp"})
    case = _only(
        classify_event(make_event("orders/create", country), policy, EMPTY, NOW),
        CaseType.ORDER_REVIEW,
    )
    assert case.reasons[0].code == "RESTRICTED_DESTINATION"
    assert case.teams == ["operations"]
    assert case.priority is Priority.HIGH
    region = make_order(shipping_address={"country_code": "UA", "province_code": "43"})
    cases = classify_event(make_event("orders/updated", region), policy, EMPTY, NOW)
    assert "UA-43" in _only(cases, CaseType.ORDER_REVIEW).reasons[0].detail


def test_inventory_mismatch_from_line_field(policy: Policy) -> None:
    order = make_order()
    order["line_items"][0]["available_quantity"] = 1
    case = _only(
        classify_event(make_event("orders/create", order), policy, EMPTY, NOW),
        CaseType.ORDER_REVIEW,
    )
    assert case.reasons[0].code == "INVENTORY_MISMATCH"
    assert "MUG-1: ordered 2, 1 available" in case.reasons[0].detail
    assert case.teams == ["operations"]


def test_inventory_mismatch_from_note_attribute(policy: Policy) -> None:
    attributes = [{"name": "inventory_available", "value": json.dumps({"11": 0})}]
    order = make_order(note_attributes=attributes)
    cases = classify_event(make_event("orders/create", order), policy, EMPTY, NOW)
    assert _only(cases, CaseType.ORDER_REVIEW).reasons[0].code == "INVENTORY_MISMATCH"
    enough = [{"name": "inventory_available", "value": json.dumps({"MUG-1": 5})}]
    order = make_order(note_attributes=enough)
    assert classify_event(make_event("orders/create", order), policy, EMPTY, NOW) == []


def test_several_reasons_merge_teams_and_take_the_highest_priority(policy: Policy) -> None:
    order = make_order(
        risk_level="MEDIUM", shipping_address={"country_code": "IR"}, **_money("9000")
    )
    case = _only(
        classify_event(make_event("orders/create", order), policy, EMPTY, NOW),
        CaseType.ORDER_REVIEW,
    )
    assert [r.code for r in case.reasons] == [
        "RISK_MEDIUM",
        "UNUSUAL_VALUE_ABSOLUTE",
        "RESTRICTED_DESTINATION",
    ]
    assert case.teams == ["fraud", "finance", "operations"]
    assert case.priority is Priority.HIGH


def test_case_id_is_deterministic(policy: Policy) -> None:
    order = make_order(risk_level="HIGH")
    first = classify_event(make_event("orders/create", order, event_id="a"), policy, EMPTY, NOW)
    again = classify_event(
        make_event("orders/create", order, event_id="a"), policy, EMPTY, NOW + timedelta(hours=3)
    )
    updated = classify_event(
        make_event("orders/updated", {**order, "note": "gift wrap"}, event_id="b"),
        policy,
        EMPTY,
        NOW,
    )
    assert first[0].case_id == again[0].case_id == updated[0].case_id
    assert first[0].case_id.startswith("ORDER_REVIEW-")
    assert len(first[0].case_id) == len("ORDER_REVIEW-") + 16
    other_shop = classify_event(
        make_event("orders/create", order, shop="other.myshopify.com"), policy, EMPTY, NOW
    )
    assert other_shop[0].case_id != first[0].case_id


def test_cancelled_order_is_not_reviewed(policy: Policy) -> None:
    order = make_order(risk_level="HIGH", cancelled_at="2026-11-26T10:00:00Z")
    assert classify_event(make_event("orders/updated", order), policy, EMPTY, NOW) == []


def test_order_variables(policy: Policy) -> None:
    event = make_event("orders/create", make_order(risk_level="HIGH"))
    case = classify_event(event, policy, EMPTY, NOW)[0]
    variables = {v.name: v for v in case.variables}
    assert variables["currency"].value == "EUR"
    assert variables["customerEmail"].value == "bob@example.com"
    assert variables["countryCode"].value == "DE"
    assert variables["riskLevel"].value == "HIGH"
    assert variables["itemCount"].type is VariableType.INTEGER
    lines = json.loads(variables["lineItems"].value)
    assert lines[0]["sku"] == "MUG-1" and lines[0]["price"] == "60.00"
    # The address as it is, for a reviewer who corrects it; only MailingAddressInput fields.
    address = json.loads(variables["shippingAddress"].value)
    assert address == {"country_code": "DE", "province_code": "BE", "zip": "10115"}


def test_vip_customer_opens_high_value_review(policy: Policy) -> None:
    order = make_order(customer={"id": 1, "email": "v@example.com", "tags": "newsletter, vip"})
    case = _only(
        classify_event(make_event("orders/create", order), policy, EMPTY, NOW),
        CaseType.HIGH_VALUE_REVIEW,
    )
    assert [reason.code for reason in case.reasons] == ["VIP_CUSTOMER"]
    assert case.teams == ["sales"]
    assert case.sla_due_at == NOW + timedelta(hours=8)


def test_wholesale_tag_and_company_orders(policy: Policy) -> None:
    tagged = make_order(tags="B2B, rush")
    case = _only(
        classify_event(make_event("orders/create", tagged), policy, EMPTY, NOW),
        CaseType.HIGH_VALUE_REVIEW,
    )
    assert case.reasons[0].code == "WHOLESALE_BUYER"
    assert case.teams == ["sales", "finance"]
    company = make_order(company={"id": 9, "location_id": 3})
    cases = classify_event(make_event("orders/create", company), policy, EMPTY, NOW)
    assert "B2B company" in _only(cases, CaseType.HIGH_VALUE_REVIEW).reasons[0].detail


def test_large_basket(policy: Policy) -> None:
    order = make_order()
    order["line_items"][0]["quantity"] = 30
    case = _only(
        classify_event(make_event("orders/create", order), policy, EMPTY, NOW),
        CaseType.HIGH_VALUE_REVIEW,
    )
    assert case.reasons[0].code == "LARGE_BASKET"
    assert case.teams == ["operations"]


def test_high_value_only_on_create(policy: Policy) -> None:
    order = make_order(tags="VIP")
    assert classify_event(make_event("orders/updated", order), policy, EMPTY, NOW) == []


def test_update_stats_mean_then_ewma() -> None:
    stats = ShopStats()
    for total in ("100", "200", "300"):
        stats = update_stats(stats, Decimal(total), window=3)
    assert stats == ShopStats(order_count=3, average_order_value=Decimal("200.0000"))
    stats = update_stats(stats, Decimal("500"), window=3)
    assert stats.order_count == 4
    assert stats.average_order_value == Decimal("300.0000")  # 200 + (500-200)/3


def test_order_total_sample_only_for_new_orders() -> None:
    assert order_total_sample(make_event("orders/create", make_order())) == Decimal("120.00")
    assert order_total_sample(make_event("orders/updated", make_order())) is None
