"""Rules applied after enrichment: the return window and warranty, the segment from tags."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schemas.records import (
    CaseRequest,
    CaseType,
    CaseVariable,
    ComplaintSubmitted,
    IssueType,
    Priority,
    Severity,
    VariableType,
)
from streams.classify.rules import ClassifyContext, classify_complaint, classify_event
from streams.classify.rules.enriched import add_months, after_enrichment
from streams.policy import Policy

from .conftest import NOW, SHOP, make_event


def _values(case: CaseRequest) -> dict[str, str]:
    return {item.name: item.value for item in case.variables}


def _with(case: CaseRequest, **variables: Any) -> CaseRequest:
    added = [
        CaseVariable(name=name, type=VariableType.JSON, value=json.dumps(value))
        if isinstance(value, list | dict)
        else CaseVariable(name=name, value=str(value))
        for name, value in variables.items()
    ]
    return case.model_copy(update={"variables": [*case.variables, *added]})


# --- returns ---------------------------------------------------------------------------------


def _return_case(policy: Policy) -> CaseRequest:
    payload = {
        "id": 945000954,
        "order": {"id": 450789469},
        "return_line_items": [
            {
                "id": 1,
                "quantity": 1,
                "return_reason": "defective",
                "fulfillment_line_item": {"line_item": {"id": 41}},
            },
            {
                "id": 2,
                "quantity": 1,
                "return_reason": "defective",
                "fulfillment_line_item": {"line_item": {"id": 42}},
            },
        ],
    }
    (case,) = classify_event(make_event("returns/request", payload), policy, ClassifyContext(), NOW)
    return case


def _products(*, metafield: int | None = None) -> list[dict[str, Any]]:
    headphones: dict[str, Any] = {"lineItemId": "41", "quantity": 1, "productType": "Electronics"}
    if metafield is not None:
        headphones["warrantyMetafieldMonths"] = metafield
    return [headphones, {"lineItemId": "42", "quantity": 1, "productType": "Apparel"}]


def test_the_return_rule_names_the_warranty_metafield_enrichment_reads(policy: Policy) -> None:
    assert _values(_return_case(policy))["warrantyMetafield"] == "casebridge.warranty_months"


def test_a_return_within_the_window_and_under_warranty(policy: Policy) -> None:
    placed = NOW - timedelta(days=10)
    case = _with(_return_case(policy), orderDate=placed.isoformat(), returnedProducts=_products())

    assessed = after_enrichment(case, policy)

    values = _values(assessed)
    assert values["daysSinceOrder"] == "10"
    assert values["returnWindowDays"] == "30"
    assert values["returnWindowEndsAt"] == "2026-12-16T12:00:00Z"
    assert values["withinReturnWindow"] == "true"
    headphones, shirt = json.loads(values["warranty"])
    # Electronics: 24 months by the policy's product-type mapping.
    assert headphones["warrantyMonths"] == 24 and headphones["warrantySource"] == "product_type"
    assert headphones["warrantyEndsAt"] == "2028-11-16T12:00:00Z"
    assert headphones["underWarranty"] is True
    # Apparel: not in the mapping, no default: nothing known.
    assert (shirt["warrantyMonths"], shirt["warrantySource"], shirt["underWarranty"]) == (
        None,
        "none",
        None,
    )
    assert values["underWarranty"] == "true"
    codes = [reason.code for reason in assessed.reasons]
    assert "UNDER_WARRANTY" in codes and "RETURN_WINDOW_PASSED" not in codes


def test_a_late_return_is_marked_outside_the_window(policy: Policy) -> None:
    placed = NOW - timedelta(days=45)
    case = _with(_return_case(policy), orderDate=placed.isoformat(), returnedProducts=_products())

    assessed = after_enrichment(case, policy)

    assert _values(assessed)["withinReturnWindow"] == "false"
    (late,) = [r for r in assessed.reasons if r.code == "RETURN_WINDOW_PASSED"]
    assert late.detail == "requested 45 days after the order (30-day return window)"


def test_the_products_metafield_wins_over_its_type_and_a_warranty_can_have_ended(
    policy: Policy,
) -> None:
    placed = NOW - timedelta(days=400)
    products = _products(metafield=6)
    case = _with(_return_case(policy), orderDate=placed.isoformat(), returnedProducts=products)

    values = _values(after_enrichment(case, policy))

    headphones = json.loads(values["warranty"])[0]
    assert (headphones["warrantyMonths"], headphones["warrantySource"]) == (6, "metafield")
    assert headphones["underWarranty"] is False
    assert values["underWarranty"] == "false"


def test_the_default_warranty_and_no_window(policy: Policy) -> None:
    custom = policy.model_copy(
        update={
            "returns": policy.returns.model_copy(
                update={
                    "window_days": None,
                    "warranty": policy.returns.warranty.model_copy(update={"default_months": 3}),
                }
            )
        }
    )
    placed = NOW - timedelta(days=30)
    case = _with(_return_case(policy), orderDate=placed.isoformat(), returnedProducts=_products())

    values = _values(after_enrichment(case, custom))

    assert "withinReturnWindow" not in values and "returnWindowDays" not in values
    shirt = json.loads(values["warranty"])[1]
    assert (shirt["warrantyMonths"], shirt["warrantySource"], shirt["underWarranty"]) == (
        3,
        "default",
        True,
    )


def test_without_an_order_date_a_return_is_left_as_it_was(policy: Policy) -> None:
    case = _with(_return_case(policy), returnedProducts=_products())
    assert after_enrichment(case, policy) == case


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (datetime(2026, 1, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2026, 11, 16, tzinfo=UTC), 24, datetime(2028, 11, 16, tzinfo=UTC)),
        (datetime(2024, 2, 29, tzinfo=UTC), 12, datetime(2025, 2, 28, tzinfo=UTC)),
        (datetime(2026, 5, 1, tzinfo=UTC), 0, datetime(2026, 5, 1, tzinfo=UTC)),
    ],
)
def test_add_months_keeps_to_the_calendar(start: datetime, months: int, end: datetime) -> None:
    assert add_months(start, months) == end


# --- complaints ------------------------------------------------------------------------------


def _complaint(policy: Policy, segment: str | None = None) -> CaseRequest:
    complaint = ComplaintSubmitted(
        complaint_id="c-9",
        shop=SHOP,
        customer_email="vip@example.com",
        issue_type=IssueType.SERVICE,
        severity=Severity.MEDIUM,
        customer_segment=segment,
        subject="Rude answer",
        message="The agent was rude.",
        submitted_at=NOW - timedelta(minutes=5),
    )
    return classify_complaint(complaint, policy, ClassifyContext(), NOW)


def test_a_customer_tagged_vip_is_routed_vip_without_a_segment_field(policy: Policy) -> None:
    plain = _complaint(policy)
    assert plain.teams == ["customer_service"] and plain.priority is Priority.NORMAL

    routed = after_enrichment(_with(plain, customerTags=["newsletter", "vip-gold"]), policy)

    # The VIP routing rule of the default policy: customer_service + sales, HIGH.
    assert routed.teams == ["customer_service", "sales"]
    assert routed.priority is Priority.HIGH
    assert _values(routed)["customerSegment"] == "VIP"
    (tagged,) = [r for r in routed.reasons if r.code == "SEGMENT_FROM_TAGS"]
    assert tagged.detail == "customer tagged vip-gold in Shopify: segment VIP"
    # The SLA follows the new priority (COMPLAINT HIGH: 8h), capped by the escalation window.
    assert routed.sla_due_at == plain.requested_at + timedelta(hours=8)


def test_tags_win_over_the_help_desks_segment_and_say_so(policy: Policy) -> None:
    told = _complaint(policy, segment="WHOLESALE")

    routed = after_enrichment(_with(told, customerTags=["VIP"]), policy)

    assert _values(routed)["customerSegment"] == "VIP"
    (tagged,) = [r for r in routed.reasons if r.code == "SEGMENT_FROM_TAGS"]
    assert tagged.detail.endswith("; the help desk said WHOLESALE")


def test_no_matching_tag_or_the_option_off_keeps_the_routing(policy: Policy) -> None:
    plain = _complaint(policy)
    assert after_enrichment(_with(plain, customerTags=["newsletter"]), policy) == _with(
        plain, customerTags=["newsletter"]
    )
    off = policy.model_copy(
        update={"complaints": policy.complaints.model_copy(update={"segment_from_tags": False})}
    )
    tagged = _with(plain, customerTags=["VIP"])
    assert after_enrichment(tagged, off) == tagged


def test_the_same_segment_as_the_help_desk_changes_nothing(policy: Policy) -> None:
    told = _with(_complaint(policy, segment="VIP"), customerTags=["VIP"])
    assert after_enrichment(told, policy) == told


def test_other_case_types_are_untouched(policy: Policy) -> None:
    payload = {"id": 1, "order_id": 2, "status": "needs_response", "amount": "5.00"}
    (case,) = classify_event(make_event("disputes/create", payload), policy, ClassifyContext(), NOW)
    assert case.case_type is CaseType.CHARGEBACK
    assert after_enrichment(_with(case, customerTags=["VIP"]), policy).teams == case.teams
