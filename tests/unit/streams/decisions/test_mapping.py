"""The outcome -> actions table, row by row, and its policy overrides."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from connectors.opentext.models import Variable
from schemas.records import Action, ActionKind, CaseType, CaseVariable, VariableType
from streams.decisions import (
    DecisionDataError,
    OutcomeMapper,
    OutcomeMappingPolicy,
    UnmappedOutcomeError,
)
from streams.decisions.variables import case_variables
from streams.runtime.keys import hold_handle, idempotency_key

CASE = "ORDER_REVIEW-0123456789abcdef"
ORDER = "gid://shopify/Order/1001"


def var(name: str, value: Any) -> CaseVariable:
    if isinstance(value, list | dict):
        return CaseVariable(name=name, type=VariableType.JSON, value=json.dumps(value))
    return CaseVariable(name=name, value=str(value))


def actions(
    case_type: CaseType,
    outcome: str,
    variables: dict[str, Any],
    mapper: OutcomeMapper | None = None,
    case_id: str = CASE,
) -> list[Action]:
    return (mapper or OutcomeMapper()).actions(
        decision_id=f"{case_id}:task-1",
        case_id=case_id,
        case_type=case_type,
        outcome=outcome,
        team="fraud",
        variables=[var(k, v) for k, v in variables.items()],
    )


def kinds(result: list[Action]) -> list[ActionKind]:
    return [a.kind for a in result]


AUDIT = ActionKind.ADD_TAGS


# --------------------------------------------------------------------------- order review


@pytest.mark.parametrize("case_type", [CaseType.ORDER_REVIEW, CaseType.HIGH_VALUE_REVIEW])
def test_approve_releases_our_hold_on_each_fulfillment_order(case_type: CaseType) -> None:
    result = actions(case_type, "approved", {"orderId": "1001", "fulfillmentOrderIds": ["7", "8"]})
    assert kinds(result) == [ActionKind.RELEASE_HOLD, ActionKind.RELEASE_HOLD, AUDIT]
    assert [a.target_id for a in result[:2]] == [
        "gid://shopify/FulfillmentOrder/7",
        "gid://shopify/FulfillmentOrder/8",
    ]
    assert {a.params_dict()["handle"] for a in result[:2]} == {hold_handle(CASE)}
    assert result[2].params_dict() == {"tags": [f"casebridge:fraud:{CASE}"]}
    assert result[2].target_id == ORDER


def test_approve_without_known_fulfillment_orders_releases_on_the_whole_order() -> None:
    result = actions(CaseType.ORDER_REVIEW, "approve", {"orderId": "1001"})
    assert result[0].kind is ActionKind.RELEASE_HOLD
    assert result[0].target_id == ORDER
    assert result[0].params_dict()["allFulfillmentOrders"] is True


@pytest.mark.parametrize(
    ("variables", "reason"),
    [
        ({"riskLevel": "HIGH"}, "FRAUD"),
        ({"riskLevel": "medium"}, "FRAUD"),
        ({"riskLevel": "LOW"}, "DECLINED"),
        ({}, "DECLINED"),
        ({"reasonCodes": "RISK_HIGH, VIP_CUSTOMER"}, "FRAUD"),
        ({"riskLevel": "HIGH", "cancelReason": "customer"}, "CUSTOMER"),
    ],
)
def test_reject_cancels_with_reason_refund_restock_notify(
    variables: dict[str, Any], reason: str
) -> None:
    result = actions(
        CaseType.ORDER_REVIEW, "rejected", {"orderId": "1001", "reason": "card stolen", **variables}
    )
    assert kinds(result) == [ActionKind.CANCEL_ORDER, AUDIT]
    params = result[0].params_dict()
    assert params["reason"] == reason
    assert params["refund"] is params["restock"] is params["notifyCustomer"] is True
    assert "card stolen" in params["staffNote"] and CASE in params["staffNote"]


def test_high_value_reject_cancels_and_notifies() -> None:
    result = actions(
        CaseType.HIGH_VALUE_REVIEW, "rejected", {"orderId": "1001", "reason": "identity unclear"}
    )
    assert kinds(result) == [ActionKind.CANCEL_ORDER, ActionKind.NOTIFY_CUSTOMER, AUDIT]
    assert result[0].params_dict()["notifyCustomer"] is True
    assert result[0].params_dict()["reason"] == "DECLINED"
    notice = result[1].params_dict()
    assert result[1].target_id == "gid://shopify/Order/1001"
    assert notice["message"] == "identity unclear" and notice["notice"] == "reject"
    assert notice["channel"] == "email" and "{order}" in notice["subject"]


def test_high_value_reject_prefers_the_customer_message() -> None:
    variables = {"orderId": "1", "reason": "internal: KYC", "customerMessage": "We could not"}
    result = actions(CaseType.HIGH_VALUE_REVIEW, "rejected", variables)
    assert result[1].params_dict()["message"] == "We could not"


def test_high_value_reject_without_a_reason_is_refused_rather_than_an_empty_notice() -> None:
    with pytest.raises(DecisionDataError, match="set one of customerMessage, reason"):
        actions(CaseType.HIGH_VALUE_REVIEW, "rejected", {"orderId": "1001"})


def test_request_clarification_keeps_the_hold_records_and_asks_the_customer() -> None:
    result = actions(
        CaseType.HIGH_VALUE_REVIEW,
        "clarification_requested",
        {"orderId": "1001", "clarificationRequest": "Please confirm the billing address"},
    )
    assert kinds(result) == [
        ActionKind.ADD_TAGS,
        ActionKind.SET_METAFIELD,
        ActionKind.NOTIFY_CUSTOMER,
        AUDIT,
    ]
    assert ActionKind.RELEASE_HOLD not in kinds(result)
    assert result[0].params_dict()["tags"] == ["clarification-requested"]
    metafield = result[1].params_dict()
    assert metafield["key"] == "clarification_request" and metafield["type"] == "json"
    assert json.loads(metafield["value"])["question"] == "Please confirm the billing address"
    notice = result[2].params_dict()
    assert notice["notice"] == "request_clarification"
    assert notice["message"] == "Please confirm the billing address"


def test_notices_off_by_policy_map_to_no_action() -> None:
    policy = OutcomeMappingPolicy.model_validate({"customer_notifications": {"channel": "none"}})
    result = actions(
        CaseType.HIGH_VALUE_REVIEW,
        "rejected",
        {"orderId": "1001", "reason": "x"},
        mapper=OutcomeMapper(policy),
    )
    assert kinds(result) == [ActionKind.CANCEL_ORDER, AUDIT]


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({"channel": "sms"}, "customer_notifications.channel"),
        ({"reject_subject": "Order {number}"}, "unknown or malformed placeholder"),
        ({"clarification_subject": ""}, "clarification_subject"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_notification_policy_is_a_clear_error(section: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError, match=expected):
        OutcomeMappingPolicy.model_validate({"customer_notifications": section})


def test_correct_updates_then_releases() -> None:
    address = {"address1": "1 Main St", "city": "Springfield", "country_code": "US"}
    result = actions(
        CaseType.ORDER_REVIEW,
        "corrected",
        {
            "orderId": "1001",
            "shippingAddress": address,
            "note": "verified by phone",
            "addTags": "verified, phone-checked",
            "fulfillmentOrderIds": ["7"],
        },
    )
    assert kinds(result) == [
        ActionKind.UPDATE_ORDER,
        ActionKind.ADD_TAGS,
        ActionKind.RELEASE_HOLD,
        AUDIT,
    ]
    update = result[0].params_dict()
    assert update["id"] == ORDER
    assert update["note"] == "verified by phone"
    assert update["shippingAddress"]["countryCode"] == "US"
    assert "tags" not in update  # orderUpdate would overwrite every tag
    assert result[1].params_dict() == {"tags": ["verified", "phone-checked"]}


def test_correct_without_any_correction_is_a_data_error() -> None:
    with pytest.raises(DecisionDataError, match="shippingAddress"):
        actions(CaseType.ORDER_REVIEW, "correct", {"orderId": "1001"})


def test_missing_order_id_is_a_data_error_naming_the_variable() -> None:
    with pytest.raises(DecisionDataError, match="orderId") as info:
        actions(CaseType.ORDER_REVIEW, "approve", {})
    assert info.value.case_id == CASE


# --------------------------------------------------------------------------- returns

RETURN_VARS = {
    "orderId": "1001",
    "returnId": "55",
    "returnLineItems": [{"id": "r1", "lineItemId": "9001", "quantity": 2}],
}


def test_return_approve_approves_and_refunds_returned_lines() -> None:
    result = actions(CaseType.RETURN_REVIEW, "approved", RETURN_VARS)
    assert kinds(result) == [ActionKind.APPROVE_RETURN, ActionKind.REFUND, AUDIT]
    assert result[0].target_id == "gid://shopify/Return/55"
    refund = result[1].params_dict()
    assert refund["orderId"] == ORDER
    assert refund["refundLineItems"] == [
        {"lineItemId": "gid://shopify/LineItem/9001", "quantity": 2, "restockType": "NO_RESTOCK"}
    ]


REPLACEMENT_VARS = {
    **RETURN_VARS,
    "resolution": "replacement",
    "replacementLineItems": [{"variantId": "31", "quantity": 2}],
}


def test_return_replacement_creates_the_replacement_and_refunds_nothing() -> None:
    result = actions(CaseType.RETURN_REVIEW, "approve", REPLACEMENT_VARS)
    assert kinds(result) == [
        ActionKind.APPROVE_RETURN,
        ActionKind.CREATE_REPLACEMENT,
        ActionKind.ADD_TAGS,
        AUDIT,
    ]
    assert ActionKind.REFUND not in kinds(result)
    params = result[1].params_dict()
    assert params["lineItems"] == [{"variantId": "gid://shopify/ProductVariant/31", "quantity": 2}]
    assert (params["mode"], params["freeOfCharge"]) == ("complete", True)
    assert params["marker"] == f"casebridge-replacement:{CASE}"
    assert params["tags"] == ["return-replacement"]
    assert result[2].params_dict() == {"tags": ["return-replacement"]}


def test_replacement_follows_the_policy() -> None:
    policy = OutcomeMappingPolicy.model_validate(
        {"replacement": {"mode": "invoice", "free_of_charge": False, "tag": "exchange"}}
    )
    result = actions(CaseType.RETURN_REVIEW, "approve", REPLACEMENT_VARS, OutcomeMapper(policy))
    params = result[1].params_dict()
    assert (params["mode"], params["freeOfCharge"], params["tags"]) == (
        "invoice",
        False,
        ["exchange"],
    )


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "nothing to replace"),
        ([{"quantity": 1}], "line 0 has no 'variantId'"),
        ([{"variantId": "31", "quantity": 0}], r"replacementLineItems\[0\]\.quantity"),
    ],
)
def test_a_replacement_without_usable_lines_is_a_data_error(
    lines: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(DecisionDataError, match=message):
        actions(
            CaseType.RETURN_REVIEW,
            "approve",
            {**REPLACEMENT_VARS, "replacementLineItems": lines},
        )


@pytest.mark.parametrize(
    "bad",
    [{"mode": "ship"}, {"tag": "a,b"}, {"tag": ""}, {"free_of_charge": "sometimes"}],
)
def test_a_bad_replacement_policy_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="replacement"):
        OutcomeMappingPolicy.model_validate({"replacement": bad})


def test_return_decline_with_reason_and_note() -> None:
    result = actions(
        CaseType.RETURN_REVIEW,
        "declined",
        {**RETURN_VARS, "declineReason": "final_sale", "declineNote": "sale item"},
    )
    assert kinds(result) == [ActionKind.DECLINE_RETURN, AUDIT]
    assert result[0].params_dict() == {
        "id": "gid://shopify/Return/55",
        "declineReason": "FINAL_SALE",
        "declineNote": "sale item",
        "notifyCustomer": True,
    }


def test_return_decline_defaults_to_other_and_rejects_unknown_reasons() -> None:
    result = actions(CaseType.RETURN_REVIEW, "decline", RETURN_VARS)
    assert result[0].params_dict()["declineReason"] == "OTHER"
    with pytest.raises(DecisionDataError, match="declineReason"):
        actions(CaseType.RETURN_REVIEW, "decline", {**RETURN_VARS, "declineReason": "because"})


# --------------------------------------------------------------------------- fulfillment

FO_VARS = {"orderId": "1001", "fulfillmentOrderId": "77"}


def test_split() -> None:
    result = actions(
        CaseType.FULFILLMENT_EXCEPTION,
        "split",
        {**FO_VARS, "splitLineItems": [{"id": "3", "quantity": 1}]},
    )
    assert kinds(result) == [ActionKind.SPLIT_FULFILLMENT, AUDIT]
    assert result[0].params_dict() == {
        "fulfillmentOrderId": "gid://shopify/FulfillmentOrder/77",
        "fulfillmentOrderLineItems": [
            {"id": "gid://shopify/FulfillmentOrderLineItem/3", "quantity": 1}
        ],
    }


def test_substitute_is_an_order_edit() -> None:
    result = actions(
        CaseType.FULFILLMENT_EXCEPTION,
        "substitute",
        {
            **FO_VARS,
            "removeLineItemId": "9001",
            "substituteVariantId": "42",
            "substituteQuantity": 2,
        },
    )
    assert kinds(result) == [ActionKind.EDIT_ORDER, AUDIT]
    ops = result[0].params_dict()["operations"]
    assert ops[0] == {
        "op": "setQuantity",
        "lineItemId": "gid://shopify/LineItem/9001",
        "quantity": 0,
        "restock": True,
    }
    assert ops[1] == {
        "op": "addVariant",
        "variantId": "gid://shopify/ProductVariant/42",
        "quantity": 2,
    }


def test_cancel_lines_sets_quantities_to_zero() -> None:
    result = actions(
        CaseType.FULFILLMENT_EXCEPTION, "cancel_lines", {**FO_VARS, "cancelLineItemIds": ["1", "2"]}
    )
    ops = result[0].params_dict()["operations"]
    assert [op["quantity"] for op in ops] == [0, 0]
    assert result[0].kind is ActionKind.EDIT_ORDER


def test_reschedule() -> None:
    result = actions(
        CaseType.FULFILLMENT_EXCEPTION,
        "rescheduled",
        {**FO_VARS, "fulfillAt": "2026-12-01T09:00:00+01:00"},
    )
    assert kinds(result) == [ActionKind.RESCHEDULE_FULFILLMENT, AUDIT]
    assert result[0].params_dict()["fulfillAt"] == "2026-12-01T08:00:00Z"


def test_reschedule_needs_a_date() -> None:
    with pytest.raises(DecisionDataError, match="fulfillAt"):
        actions(CaseType.FULFILLMENT_EXCEPTION, "reschedule", FO_VARS)


def test_fulfillment_cancel_cancels_the_order() -> None:
    result = actions(CaseType.FULFILLMENT_EXCEPTION, "cancel", {**FO_VARS, "variantId": "5"})
    assert kinds(result) == [ActionKind.CANCEL_ORDER, AUDIT]
    assert result[0].params_dict()["reason"] == "INVENTORY"


# --------------------------------------------------------------------------- chargebacks


@pytest.mark.parametrize("outcome", ["accepted", "contested", "anything"])
def test_chargeback_outcome_is_stored_on_the_order(outcome: str) -> None:
    result = actions(
        CaseType.CHARGEBACK,
        outcome,
        {"orderId": "1001", "disputeId": "9", "notes": "tracking shows delivery"},
    )
    assert kinds(result) == [
        ActionKind.ADD_NOTE,
        ActionKind.ADD_TAGS,
        ActionKind.SET_METAFIELD,
        AUDIT,
    ]
    assert result[1].params_dict() == {"tags": [f"chargeback:{outcome}"]}
    metafield = result[2].params_dict()
    assert (metafield["namespace"], metafield["key"], metafield["type"]) == (
        "casebridge",
        "dispute_9",
        "json",
    )
    value = json.loads(metafield["value"])
    assert value["outcome"] == outcome
    assert value["caseId"] == CASE
    assert value["notes"] == "tracking shows delivery"


@pytest.mark.parametrize("status", ["won", "lost", "accepted"])
def test_a_disputes_end_is_recorded_on_the_order_under_its_own_key(status: str) -> None:
    result = actions(
        CaseType.CHARGEBACK,
        f"final_{status}",
        {
            "orderId": "1001",
            "disputeId": "9",
            "disputeFinalStatus": status,
            "disputeFinalizedOn": "2026-12-01T09:00:00Z",
            "disputeAmount": "100.00",
            "currency": "USD",
        },
    )
    assert kinds(result) == [
        ActionKind.ADD_NOTE,
        ActionKind.ADD_TAGS,
        ActionKind.SET_METAFIELD,
        AUDIT,
    ]
    assert f"dispute 9 ended: {status} (100.00 USD)" in result[0].params_dict()["note"]
    assert result[1].params_dict() == {"tags": [f"chargeback:final_{status}"]}
    metafield = result[2].params_dict()
    # Its own key: the team's decision (dispute_9) is kept beside how the dispute ended.
    assert metafield["key"] == "dispute_9_final"
    value = json.loads(metafield["value"])
    assert (value["status"], value["finalizedOn"]) == (status, "2026-12-01T09:00:00Z")
    # No evidence is ever sent for an ended dispute.
    assert ActionKind.UPDATE_DISPUTE_EVIDENCE not in kinds(result)


def test_chargeback_evidence_only_when_given() -> None:
    result = actions(
        CaseType.CHARGEBACK,
        "contested",
        {"orderId": "1001", "disputeId": "9", "evidenceText": "signed delivery"},
    )
    evidence = [a for a in result if a.kind is ActionKind.UPDATE_DISPUTE_EVIDENCE]
    assert len(evidence) == 1
    assert evidence[0].params_dict()["evidence"] == {"uncategorizedText": "signed delivery"}
    policy = OutcomeMappingPolicy(update_dispute_evidence=False)
    result = actions(
        CaseType.CHARGEBACK,
        "contested",
        {"orderId": "1001", "disputeId": "9", "evidenceText": "x"},
        OutcomeMapper(policy),
    )
    assert ActionKind.UPDATE_DISPUTE_EVIDENCE not in kinds(result)


# --------------------------------------------------------------------------- one-way, offline


@pytest.mark.parametrize("outcome", ["resolved", "escalated", "closed"])
def test_complaints_write_nothing_back(outcome: str) -> None:
    assert actions(CaseType.COMPLAINT, outcome, {"orderId": "1001"}) == []


def test_an_unheld_content_review_changes_nothing_unless_the_policy_tags_products() -> None:
    assert actions(CaseType.CONTENT_REVIEW, "approved", {"productId": "3"}) == []
    assert actions(CaseType.CONTENT_REVIEW, "rejected", {"productId": "3"}) == []
    mapper = OutcomeMapper(OutcomeMappingPolicy(tag_content_products=True))
    result = actions(CaseType.CONTENT_REVIEW, "approved", {"productId": "3"}, mapper)
    assert kinds(result) == [ActionKind.ADD_TAGS, ActionKind.ADD_TAGS]
    assert result[0].target_id == "gid://shopify/Product/3"
    assert result[0].params_dict() == {"tags": ["content:approved"]}
    assert result[1].target_id == "gid://shopify/Product/3"  # the audit tag


def test_offline_order_approve_creates_the_order_without_an_audit_action() -> None:
    result = actions(CaseType.OFFLINE_ORDER, "approved", {}, case_id="OFFLINE_ORDER-1")
    assert kinds(result) == [ActionKind.CREATE_ORDER]
    assert result[0].target_id == "OFFLINE_ORDER-1"
    assert actions(CaseType.OFFLINE_ORDER, "rejected", {}) == []


# --------------------------------------------------------------------------- keys, policy


def test_hold_handle_is_deterministic_short_and_ours() -> None:
    for case_id in (CASE, "x", "CHARGEBACK-" + "f" * 200, "weird id/with:chars"):
        handle = hold_handle(case_id)
        assert handle == hold_handle(case_id)
        assert 0 < len(handle) <= 64
        assert handle.startswith("casebridge")
    assert hold_handle("A_B") != hold_handle("A-B")
    with pytest.raises(ValueError):
        hold_handle("")


def test_idempotency_keys_are_stable_and_distinct() -> None:
    first = actions(CaseType.RETURN_REVIEW, "approve", RETURN_VARS)
    again = actions(CaseType.RETURN_REVIEW, "approve", RETURN_VARS)
    assert [a.idempotency_key for a in first] == [a.idempotency_key for a in again]
    assert len({a.idempotency_key for a in first}) == len(first)
    assert first[1].idempotency_key == idempotency_key(f"{CASE}:task-1", 1, ActionKind.REFUND)
    other = idempotency_key(f"{CASE}:task-2", 1, ActionKind.REFUND)
    assert other != first[1].idempotency_key


def test_unmapped_outcome_names_case_type_and_known_outcomes() -> None:
    with pytest.raises(UnmappedOutcomeError) as info:
        actions(CaseType.ORDER_REVIEW, "maybe", {"orderId": "1001"})
    message = str(info.value)
    assert "'maybe'" in message and "ORDER_REVIEW" in message and "'approve'" in message
    assert info.value.case_id == CASE


def test_policy_override_replaces_one_mapping_and_adds_outcomes() -> None:
    policy = OutcomeMappingPolicy.model_validate(
        {
            "outcomes": {
                "order_review": {"rejected": ["release_hold"], "escalated_ok": ["release_hold"]}
            },
            "audit_tags": False,
        }
    )
    mapper = OutcomeMapper(policy)
    assert kinds(actions(CaseType.ORDER_REVIEW, "rejected", {"orderId": "1"}, mapper)) == [
        ActionKind.RELEASE_HOLD
    ]
    assert kinds(actions(CaseType.ORDER_REVIEW, "ESCALATED_OK", {"orderId": "1"}, mapper)) == [
        ActionKind.RELEASE_HOLD
    ]
    # Untouched outcomes keep their defaults.
    assert kinds(
        actions(CaseType.ORDER_REVIEW, "corrected", {"orderId": "1", "note": "n"}, mapper)
    ) == [
        ActionKind.UPDATE_ORDER,
        ActionKind.RELEASE_HOLD,
    ]


def test_policy_rejects_unknown_keys_effects_and_placeholders() -> None:
    with pytest.raises(ValidationError):
        OutcomeMappingPolicy.model_validate({"outcome": {}})
    with pytest.raises(ValidationError):
        OutcomeMappingPolicy.model_validate({"outcomes": {"ORDER_REVIEW": {"approve": ["fly"]}}})
    with pytest.raises(ValidationError, match="placeholder"):
        OutcomeMappingPolicy(audit_tag_format="cb:{shop}")


def test_audit_tag_format_is_configurable() -> None:
    mapper = OutcomeMapper(OutcomeMappingPolicy(audit_tag_format="cb-{case_type}-{outcome}"))
    result = actions(CaseType.ORDER_REVIEW, "approved", {"orderId": "1"}, mapper)
    assert result[-1].params_dict() == {"tags": ["cb-ORDER_REVIEW-approved"]}


def test_opentext_variables_convert_to_stable_text() -> None:
    converted = case_variables(
        [
            Variable(name="b", type="json", value={"y": 1, "x": [1.5]}),
            Variable(name="a", type="json", value='["7", "8"]'),
            Variable(name="c", type="double", value=19.9),
            Variable(name="d", type="boolean", value=True),
            Variable(name="e", type="string", value=None),
            Variable(name="d", type="boolean", value=False),  # a later one wins
        ]
    )
    assert [(v.name, v.type, v.value) for v in converted] == [
        ("a", VariableType.JSON, '["7","8"]'),
        ("b", VariableType.JSON, '{"x":[1.5],"y":1}'),
        ("c", VariableType.DECIMAL, "19.9"),
        ("d", VariableType.BOOLEAN, "false"),
    ]


def test_release_prefers_the_holds_the_enricher_placed() -> None:
    placed = [
        {"fulfillmentOrderId": "gid://shopify/FulfillmentOrder/7", "holdId": "h-1"},
        {"fulfillmentOrderId": "8", "holdId": None},
    ]
    result = actions(
        CaseType.ORDER_REVIEW,
        "approved",
        {"orderId": "1001", "holdsPlaced": placed, "fulfillmentOrderIds": ["7", "8", "9"]},
    )
    assert kinds(result) == [ActionKind.RELEASE_HOLD, ActionKind.RELEASE_HOLD, AUDIT]
    assert result[0].params_dict()["holdIds"] == ["h-1"]
    assert result[1].target_id == "gid://shopify/FulfillmentOrder/8"
    assert "holdIds" not in result[1].params_dict()


def test_risk_reason_codes_from_the_sink_make_a_rejection_fraud() -> None:
    reasons = [{"code": "RISK_HIGH", "detail": "Shopify risk assessment is HIGH"}]
    result = actions(CaseType.ORDER_REVIEW, "rejected", {"orderId": "1", "reasons": reasons})
    assert result[0].params_dict()["reason"] == "FRAUD"
    reasons = [{"code": "UNUSUAL_VALUE_ABSOLUTE", "detail": "big"}]
    result = actions(CaseType.ORDER_REVIEW, "rejected", {"orderId": "1", "reasons": reasons})
    assert result[0].params_dict()["reason"] == "DECLINED"


# --------------------------------------------------------------------------- the sandbox models


def test_the_emulator_models_offer_exactly_the_mapped_outcomes() -> None:
    """A reviewer in the sandbox can pick every outcome the default table maps, and only those."""
    from emulators.opentext.config import default_models

    policy = OutcomeMappingPolicy()
    aliases = policy.all_aliases()
    for model in default_models():
        table = policy.table_for(CaseType(model.case_type))
        offered = {aliases.get(outcome, outcome) for outcome in model.outcomes}
        if "*" in table:
            continue  # any outcome is mapped
        assert offered == set(table), (model.key, sorted(offered), sorted(table))
