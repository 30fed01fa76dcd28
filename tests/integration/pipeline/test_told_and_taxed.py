"""UC7 offline orders with their taxes, and UC5 customers told, end to end.

Real broker and registry, both emulators and the customers' mail server (an
aiosmtpd inbox of the harness): an intake approved in OpenText becomes an
order with its tax, shipping and payment terms; an invalid one goes back to
OpenText with the reason (and to the DLQ); a rejected high-value order is
cancelled and its customer receives the reason; a clarification request
keeps the order held and sends the customer the question.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from emulators.mail import Inbox, ReceivedMail
from tests.integration.pipeline.conftest import Pipeline
from tests.integration.pipeline.harness import variables_of, wait_until
from tests.integration.pipeline.test_inbound import instances_for
from tests.integration.pipeline.test_outbound import (
    _value,
    complete,
    effect,
    fulfillment_orders_of,
    graphql,
    held_order_review,
    offline_variables,
    order,
    orders_tagged,
    our_holds,
    reproduce,
    shop_pipeline,
    start_offline_intake,
    statuses,
    stocked_variants,
    tags_of,
    wait_final_state,
    writebacks,
)
from tests.integration.pipeline.test_outcomes import dead_letters, dlq_headers

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SHOP = f"told-{uuid.uuid4().hex[:8]}.myshopify.com"


@pytest.fixture(scope="module")
def pipeline(
    bootstrap_servers: str, registry_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    with shop_pipeline(bootstrap_servers, registry_url, tmp_path_factory, SHOP) as running:
        yield running


def inbox(pipeline: Pipeline) -> Inbox:
    assert pipeline.emulators.mail is not None
    return pipeline.emulators.mail


def mail_about(pipeline: Pipeline, case_id: str) -> ReceivedMail:
    return inbox(pipeline).wait_for(lambda m: m.header("X-Casebridge-Case") == case_id, 90)


# --- UC7 ----------------------------------------------------------------------------------------


def approved_intake(pipeline: Pipeline, **changes: Any) -> str:
    """Start and approve an intake (2 x 15.00, 8 % sales tax, 6.00 courier) with ``changes``."""
    (variant,) = stocked_variants(pipeline, 1)
    case_id = f"OFFLINE_ORDER-{uuid.uuid4().hex[:12]}"
    start_offline_intake(pipeline, case_id, {**offline_variables(variant), **changes})
    complete(pipeline, case_id, "approved")
    return case_id


def failed_and_returned(pipeline: Pipeline, case_id: str, dlq: str, reason: str) -> dict[str, Any]:
    """Assert the intake FAILED with ``reason`` on its state and DLQ record, created no
    order and went back to OpenText with the reason; the returned intake's variables."""
    failed = wait_final_state(pipeline, case_id, "FAILED")
    assert reason in (failed["detail"] or ""), failed
    (dead,) = wait_until(lambda: dead_letters(pipeline, dlq, case_id), 30, f"a record on {dlq}")
    assert reason in dlq_headers(dead).get("reason", "")
    back = variables_of(returned_intake(pipeline, case_id))
    assert reason in back["returnReason"]
    assert back["returnedFrom"] == failed["process_instance_id"]
    assert orders_tagged(pipeline, f"casebridge-intake:{case_id}") == []
    return back


def test_offline_order_created_with_tax_shipping_and_payment_terms(pipeline: Pipeline) -> None:
    case_id = approved_intake(pipeline, paymentStatus="PAYMENT_TERMS", paymentTerms="Net 30")

    tag = f"casebridge-intake:{case_id}"
    (created,) = effect(pipeline, lambda: orders_tagged(pipeline, tag), f"an order tagged {tag}")
    state = wait_final_state(pipeline, case_id, "APPLIED")
    assert state["shopify_order_id"] is not None
    after = order(pipeline, str(created["id"]))
    # 30.00 x 8 % = 2.40, 6.00 x 8 % = 0.48
    assert Decimal(after["total_tax"]) == Decimal("2.88")
    assert Decimal(after["total_shipping_price_set"]["shop_money"]["amount"]) == Decimal("6.00")
    assert Decimal(after["total_price"]) == Decimal("38.88")
    assert after["tax_lines"] == [{"title": "Sales tax", "rate": 0.08, "price": "2.88"}]
    assert after["financial_status"] == "pending"
    assert after["payment_terms"]["payment_terms_name"] == "Net 30"
    results = [_value(r["status"]) for r in writebacks(pipeline, case_id)]
    assert results.count("APPLIED") == 1, results  # the creation (terms included)


def returned_intake(pipeline: Pipeline, case_id: str) -> dict[str, Any]:
    """The intake casebridge sent back to OpenText for ``case_id``."""
    model = "casebridge.offline_order"
    found = wait_until(
        lambda: instances_for(pipeline, model, returnedCaseId=case_id),
        90,
        f"the returned intake of {case_id}\n{pipeline.worker.process.log_tail(3000)}",
    )
    assert len(found) == 1, found
    return found[0]


def test_invalid_tax_goes_back_to_the_intake_with_the_reason(pipeline: Pipeline) -> None:
    percentage = [{"title": "Sales tax", "rate": 8}]  # a percentage, not a fraction
    case_id = approved_intake(pipeline, taxLines=percentage)

    reason = "taxLines[0]: rate 8 is not a fraction in [0, 1) (8 % = 0.08)"
    back = failed_and_returned(pipeline, case_id, "cases.decisions.dlq", reason)
    assert back["taxLines"] == percentage  # what the desk must fix


def test_unknown_payment_terms_go_back_to_the_intake_and_create_no_order(
    pipeline: Pipeline,
) -> None:
    case_id = approved_intake(pipeline, paymentStatus="PAYMENT_TERMS", paymentTerms="Net 31")

    reason = "payment terms 'Net 31' is not a template of the shop"
    back = failed_and_returned(pipeline, case_id, "orders.offline.dlq", reason)
    assert back["paymentTerms"] == "Net 31"


# --- UC5 ----------------------------------------------------------------------------------------


def test_rejected_high_value_order_is_cancelled_and_the_customer_gets_the_reason(
    pipeline: Pipeline,
) -> None:
    case_id, order_id = held_order_review(pipeline, "vip_customer", "casebridge.high_value_review")
    email = order(pipeline, order_id)["email"]
    reason = "We could not verify the card holder for this order."

    complete(pipeline, case_id, "rejected", step="salesApproval", reason=reason)

    effect(pipeline, lambda: order(pipeline, order_id)["cancelled_at"], "the cancellation")
    mail = mail_about(pipeline, case_id)
    assert mail.recipients == (email,)
    assert mail.subject == f"Your order {order(pipeline, order_id)['name']} could not be accepted"
    assert reason in mail.body
    wait_final_state(pipeline, case_id, "APPLIED")
    assert statuses(writebacks(pipeline, case_id), "NOTIFY_CUSTOMER") == ["APPLIED"]

    # The same decision delivered again: the notice is found on the order, not sent again.
    replayed = reproduce(pipeline, "cases.decisions", case_id)
    effect(
        pipeline,
        lambda: len(statuses(writebacks(pipeline, case_id), "NOTIFY_CUSTOMER")) >= 1 + replayed,
        "the replayed notice's write-back",
    )
    assert (
        statuses(writebacks(pipeline, case_id), "NOTIFY_CUSTOMER")[1:]
        == ["ALREADY_APPLIED"] * replayed
    )
    assert [m for m in inbox(pipeline).messages if m.header("X-Casebridge-Case") == case_id] == [
        mail
    ]


def test_clarification_keeps_the_order_held_and_the_customer_gets_the_question(
    pipeline: Pipeline,
) -> None:
    case_id, order_id = held_order_review(pipeline, "vip_customer", "casebridge.high_value_review")
    question = "Please confirm the delivery address and a phone number."

    complete(
        pipeline,
        case_id,
        "clarification_requested",
        step="salesApproval",
        clarificationRequest=question,
    )

    mail = mail_about(pipeline, case_id)
    assert question in mail.body and "we need a few details" in mail.subject
    wait_final_state(pipeline, case_id, "APPLIED")
    after = order(pipeline, order_id)
    assert after["cancelled_at"] is None
    assert "clarification-requested" in tags_of(after)
    fos = fulfillment_orders_of(pipeline, order_id)
    assert fos and all(our_holds(fo) for fo in fos), fos  # still held
    data = graphql(
        pipeline,
        "query($id: ID!) { order(id: $id) {"
        ' metafield(namespace: "casebridge", key: "clarification_request") { value } } }',
        {"id": f"gid://shopify/Order/{order_id}"},
    )
    recorded = json.loads(data["order"]["metafield"]["value"])
    assert recorded == {"caseId": case_id, "question": question, "team": recorded["team"]}
