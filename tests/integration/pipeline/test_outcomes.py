"""Decision outcomes end to end that were only unit-tested: OpenText -> Kafka -> Shopify.

Each test opens a case the way production does (a Shopify event through
ingress, classify, enrich and the sink, or an intake started in OpenText),
decides it in the OpenText emulator like a reviewer would, and then checks the
Shopify emulator's final state, the records of the case on ``cases.decisions``,
``shopify.writebacks`` and ``cases.state`` (and the DLQs), and that every
effect happened once. The outcome -> actions table is the default
``decisions`` policy (:mod:`streams.policy.outcomes`; ``deploy/policy/default.yaml``
does not override it).

The first test runs its own pipeline whose decisions arrive only through the
OpenText emulator's signed HttpTask-style callback (history polling off); it
is torn down before the module's shared, polling pipeline starts, so the two
workers never consume the shared topics at the same time.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from confluent_kafka import Consumer, TopicPartition

from emulators.opentext.callbacks import DELIVERY_HEADER, sign
from streams.kafka.dlq import parse_headers
from tests.conftest import free_port
from tests.integration.pipeline.conftest import Pipeline, running_pipeline
from tests.integration.pipeline.harness import variables_of, wait_until
from tests.integration.pipeline.test_inbound import (
    instances_for,
    post_webhook,
    records_with_key,
    seed_kind,
)
from tests.integration.pipeline.test_outbound import (
    _serde,
    _value,
    complete,
    decoded,
    effect,
    fulfillment_orders_of,
    graphql,
    held_order_review,
    numeric_id,
    offline_variables,
    open_tasks,
    order,
    orders_tagged,
    our_holds,
    seed_order,
    start_offline_intake,
    states,
    statuses,
    stocked_variants,
    tags_of,
    variant_stock,
    wait_final_state,
    wait_instance,
    worker_extra,
    writebacks,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

#: Shops of this module's own (see test_outbound.SHOP): one per pipeline, so a worker
#: of another run (or of the other pipeline) dead-letters these records as foreign
#: instead of applying them to its own emulator's resources with colliding ids.
SHOP = f"outcomes-{uuid.uuid4().hex[:8]}.myshopify.com"
CALLBACK_SHOP = f"outcomes-cb-{uuid.uuid4().hex[:8]}.myshopify.com"
CALLBACK_SECRET = f"callback-secret-{uuid.uuid4().hex}"
CALLBACK_PATH = "/callbacks/opentext"


@pytest.fixture(scope="module")
def pipeline(
    bootstrap_servers: str, registry_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    """Both emulators and a worker whose decisions come from the history poller."""
    with running_pipeline(
        bootstrap_servers,
        registry_url,
        tmp_path_factory,
        worker_extra={**worker_extra(SHOP), "CASEBRIDGE_DECISIONS__POLL_INTERVAL_S": "2"},
        shopify_extra={"shops": [{"domain": SHOP}]},
    ) as running:
        yield running


@pytest.fixture
def callback_pipeline(
    bootstrap_servers: str, registry_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    """A pipeline whose worker learns decisions only from OpenText's signed callback."""
    web_port = free_port()
    opentext = {
        "callback": {
            "url": f"http://127.0.0.1:{web_port}{CALLBACK_PATH}",
            "auth": "hmac",
            "hmac_secret": CALLBACK_SECRET,
            "events": "instance_end",
            "backoff_seconds": 0.2,
        }
    }
    extra = {
        **worker_extra(CALLBACK_SHOP),
        "CASEBRIDGE_DECISIONS__POLL_ENABLED": "false",
        "CASEBRIDGE_DECISIONS__CALLBACK_ENABLED": "true",
        "CASEBRIDGE_DECISIONS__CALLBACK_PATH": CALLBACK_PATH,
        "CASEBRIDGE_DECISIONS__CALLBACK_HMAC_SECRETS": json.dumps([CALLBACK_SECRET]),
    }
    with running_pipeline(
        bootstrap_servers,
        registry_url,
        tmp_path_factory,
        worker_extra=extra,
        shopify_extra={"shops": [{"domain": CALLBACK_SHOP}]},
        opentext_config=opentext,
        web_port=web_port,
    ) as running:
        yield running


# --- helpers -------------------------------------------------------------------------------------


def shop_of(pipeline: Pipeline) -> str:
    """The one shop the pipeline's worker serves."""
    return pipeline.env["CASEBRIDGE_SHOPIFY__SHOP_DOMAIN"]


def fulfillment_exception_for(pipeline: Pipeline, fo_id: int) -> str:
    """A FULFILLMENT_EXCEPTION opened by a warehouse app's hold webhook; its case id."""
    fo = pipeline.emulators.shopify_resource("fulfillment_orders", str(fo_id))
    payload = {
        "fulfillment_order": fo,
        "fulfillment_hold": {
            "handle": "warehouse-app",
            "reason": "inventory_out_of_stock",
            "reason_notes": "picker found the bin empty",
        },
    }
    response = post_webhook(
        pipeline, "fulfillment_orders/placed_on_hold", payload, shop=shop_of(pipeline)
    )
    assert response.status_code == 200, response.text
    instance = wait_instance(
        pipeline, "casebridge.fulfillment_exception", fulfillmentOrderId=str(fo_id)
    )
    return str(instance["businessKey"])


def decisions(pipeline: Pipeline, case_id: str) -> list[dict[str, Any]]:
    """The ``CaseDecision`` records of a case."""
    return decoded(pipeline, "cases.decisions", case_id)


def action_kinds(decision: dict[str, Any]) -> list[str]:
    """The action kinds of a decoded decision, in order."""
    return [_value(a["kind"]) for a in decision["actions"]]


def dead_letters(pipeline: Pipeline, topic: str, case_id: str) -> list[Any]:
    """The case's records on ``topic`` (a DLQ), less other runs' foreign-shop copies.

    A worker of a concurrent run on the shared broker dead-letters our records as
    ``foreign-shop``: those say nothing about this pipeline.
    """
    found = records_with_key(pipeline.bootstrap_servers, topic, case_id.encode())
    return [m for m in found if dlq_headers(m).get("error_class") != "foreign-shop"]


def dlq_headers(message: Any) -> dict[str, str]:
    """A DLQ record's ``casebridge.dlq.*`` headers, without the prefix."""
    return parse_headers(message.headers())


def requests_of(pipeline: Pipeline, case_id: str) -> list[Any]:
    """The case's records on ``cases.requests``, in offset order."""
    found = records_with_key(pipeline.bootstrap_servers, "cases.requests", case_id.encode())
    return sorted(found, key=lambda m: m.offset())


def consumed(pipeline: Pipeline, message: Any) -> bool:
    """Whether the worker's group committed past ``message`` (it finished with it)."""
    consumer = Consumer(
        {
            "bootstrap.servers": pipeline.bootstrap_servers,
            "group.id": pipeline.worker.app_id,
            "enable.auto.commit": False,
        }
    )
    try:
        wanted = TopicPartition(message.topic(), message.partition())
        (committed,) = consumer.committed([wanted], timeout=10)
        return bool(committed.offset > message.offset())
    finally:
        consumer.close()


def applied_once(pipeline: Pipeline, case_id: str) -> dict[str, Any]:
    """Exactly one decision of the case, every action of it written once and nothing failed.

    Returns the decision.
    """
    (decision,) = decisions(pipeline, case_id)
    results = writebacks(pipeline, case_id)
    assert [_value(r["action"]) for r in results] == action_kinds(decision), results
    assert {_value(r["status"]) for r in results} <= {"APPLIED"}, results
    assert [r["decision_id"] for r in results] == [decision["decision_id"]] * len(results)
    assert dead_letters(pipeline, "cases.decisions.dlq", case_id) == []
    return decision


def audit_tags(resource: dict[str, Any], case_id: str) -> list[str]:
    """casebridge's audit tags of the case on a REST resource."""
    return [t for t in tags_of(resource) if t.startswith("casebridge:") and t.endswith(case_id)]


# --- the OpenText callback instead of the history poller -----------------------------------------


def test_callback_decision_is_recorded_once_and_applied_once_without_the_poller(
    callback_pipeline: Pipeline,
) -> None:
    pipeline = callback_pipeline
    case_id, order_id = held_order_review(pipeline, "risky_order", "casebridge.order_review")
    held = fulfillment_orders_of(pipeline, order_id)

    task = complete(pipeline, case_id, "approved", reason="confirmed with the card holder")

    effect(
        pipeline,
        lambda: not any(our_holds(fo) for fo in fulfillment_orders_of(pipeline, order_id)),
        f"the hold on order {order_id} released",
    )
    wait_final_state(pipeline, case_id, "APPLIED")
    # OpenText pushed the decision once, signed, and casebridge accepted it the first time.
    ot_state = httpx.get(f"{pipeline.emulators.opentext_url}/_emulator/state", timeout=10).json()
    pushed = [d for d in ot_state["callbacks"] if d["taskId"] == task["id"]]
    assert len(pushed) == 1, ot_state["callbacks"]
    assert pushed[0]["status"] == "delivered" and pushed[0]["attempts"] == 1, pushed
    assert pushed[0]["lastStatusCode"] == 200, pushed
    # One decision, from the callback, with the id the poller would have given it.
    decision = applied_once(pipeline, case_id)
    assert _value(decision["source"]) == "CALLBACK"
    assert decision["decision_id"] == f"{case_id}:{task['id']}"
    assert decision["outcome"] == "approved"
    assert action_kinds(decision) == ["RELEASE_HOLD"] * len(held) + ["ADD_TAGS"]
    after = fulfillment_orders_of(pipeline, order_id)
    assert all(fo["status"] == "open" and not fo["fulfillment_holds"] for fo in after), after
    current = order(pipeline, order_id)
    assert current["cancelled_at"] is None and current["refunds"] == []
    assert len(audit_tags(current, case_id)) == 1, tags_of(current)
    # A forged push for the same case (wrong signature) is refused and changes nothing.
    forged = forged_callback(pipeline, case_id, order_id)
    assert forged.status_code == 401, forged.text
    assert len(decisions(pipeline, case_id)) == 1
    assert order(pipeline, order_id)["cancelled_at"] is None


def forged_callback(pipeline: Pipeline, case_id: str, order_id: str) -> httpx.Response:
    """POST a "rejected" decision for the case to the worker, signed with the wrong secret."""
    body = json.dumps(
        {
            "event": "process.completed",
            "processInstanceId": "pi-forged",
            "businessKey": case_id,
            "processDefinitionKey": "casebridge.order_review",
            "taskId": "task-forged",
            "outcome": "rejected",
            "instanceEnded": True,
            "variables": [
                {"name": "orderId", "type": "string", "value": order_id},
                {"name": "shop", "type": "string", "value": shop_of(pipeline)},
            ],
            "completedAt": "2026-01-01T00:00:00Z",
        }
    ).encode()
    headers = {
        "Content-Type": "application/json",
        DELIVERY_HEADER: str(uuid.uuid4()),
        "X-Casebridge-Signature": sign(body, "not-the-secret"),
    }
    url = f"{pipeline.worker.web_url}{CALLBACK_PATH}"
    return httpx.post(url, content=body, headers=headers, timeout=10)


# --- HIGH_VALUE_REVIEW rejected ------------------------------------------------------------------


def test_high_value_review_rejected_at_sales_cancels_once_refunds_restocks_and_drops_the_hold(
    pipeline: Pipeline,
) -> None:
    case_id, order_id = held_order_review(pipeline, "vip_customer", "casebridge.high_value_review")
    before = order(pipeline, order_id)
    held = fulfillment_orders_of(pipeline, order_id)
    stock = {
        li["variant_id"]: variant_stock(pipeline, li["product_id"], li["variant_id"])
        for li in before["line_items"]
    }

    # A rejection at the first step ends the case: finance never sees it.
    task = complete(
        pipeline, case_id, "rejected", step="salesApproval", reason="buyer identity not confirmed"
    )

    effect(
        pipeline, lambda: order(pipeline, order_id)["cancelled_at"], f"order {order_id} cancelled"
    )
    final = wait_final_state(pipeline, case_id, "APPLIED")
    assert final["outcome"] == "rejected"
    assert open_tasks(pipeline, case_id) == []
    decision = applied_once(pipeline, case_id)
    assert decision["task_id"] == task["id"]
    # The mapping cancels and tells the customer; the cancellation itself closes the
    # held fulfillment orders, so no hold is released (there is nothing left to ship).
    assert action_kinds(decision) == ["CANCEL_ORDER", "NOTIFY_CUSTOMER", "ADD_TAGS"]
    cancel = json.loads(decision["actions"][0]["params"])
    assert cancel["reason"] == "DECLINED" and cancel["refund"] and cancel["restock"]
    after = order(pipeline, order_id)
    assert after["cancel_reason"] == "declined"
    assert len(after["refunds"]) == 1, after["refunds"]
    refunded = sum(Decimal(t["amount"]) for t in after["refunds"][0]["transactions"])
    assert refunded == Decimal(before["total_price"])
    assert after["financial_status"] == "refunded"
    for li in before["line_items"]:
        restocked = variant_stock(pipeline, li["product_id"], li["variant_id"])
        assert restocked == stock[li["variant_id"]] + li["quantity"], li
    fos = fulfillment_orders_of(pipeline, order_id)
    assert {fo["id"] for fo in fos} == {fo["id"] for fo in held}
    assert all(fo["status"] == "cancelled" and not fo["fulfillment_holds"] for fo in fos), fos
    assert len(audit_tags(after, case_id)) == 1, tags_of(after)


# --- ORDER_REVIEW corrected ----------------------------------------------------------------------


def test_order_review_corrected_updates_address_and_note_adds_tags_then_releases_the_hold(
    pipeline: Pipeline,
) -> None:
    case_id, order_id = held_order_review(pipeline, "risky_order", "casebridge.order_review")
    held = fulfillment_orders_of(pipeline, order_id)
    address = {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "address1": "12 Corrected Ave",
        "city": "Denver",
        "provinceCode": "CO",
        "countryCode": "US",
        "zip": "80202",
    }
    note = f"address corrected by phone ({case_id})"

    complete(
        pipeline,
        case_id,
        "corrected",
        shippingAddress=address,
        note=note,
        addTags=["address-verified"],
        reason="customer gave the right address",
    )

    effect(
        pipeline,
        lambda: not any(our_holds(fo) for fo in fulfillment_orders_of(pipeline, order_id)),
        f"the hold on order {order_id} released",
    )
    final = wait_final_state(pipeline, case_id, "APPLIED")
    assert final["outcome"] == "corrected"
    decision = applied_once(pipeline, case_id)
    # Correct first, release after; the audit tag last.
    assert action_kinds(decision) == (
        ["UPDATE_ORDER", "ADD_TAGS"] + ["RELEASE_HOLD"] * len(held) + ["ADD_TAGS"]
    )
    after = order(pipeline, order_id)
    shipping = after["shipping_address"]
    assert (shipping["address1"], shipping["city"], shipping["zip"]) == (
        "12 Corrected Ave",
        "Denver",
        "80202",
    )
    assert (shipping["province_code"], shipping["country_code"]) == ("CO", "US")
    assert after["note"] == note
    assert tags_of(after).count("address-verified") == 1
    assert len(audit_tags(after, case_id)) == 1, tags_of(after)
    assert after["cancelled_at"] is None and after["refunds"] == []
    fos = fulfillment_orders_of(pipeline, order_id)
    assert all(fo["status"] == "open" and not fo["fulfillment_holds"] for fo in fos), fos


# --- FULFILLMENT_EXCEPTION: cancel lines, cancel ------------------------------------------------


def test_fulfillment_exception_cancel_lines_zeroes_only_those_lines_and_restocks_them(
    pipeline: Pipeline,
) -> None:
    dropped, kept = stocked_variants(pipeline, 2)
    placed = seed_order(pipeline, [(dropped["id"], 2), (kept["id"], 1)])
    (fo,) = fulfillment_orders_of(pipeline, placed["id"])
    case_id = fulfillment_exception_for(pipeline, fo["id"])
    line = next(li for li in placed["line_items"] if li["variant_id"] == dropped["id"])
    stock = variant_stock(pipeline, line["product_id"], dropped["id"])

    complete(
        pipeline,
        case_id,
        "cancel_lines",
        cancelLineItemIds=[str(line["id"])],
        reason="discontinued, customer agreed to receive the rest",
    )

    def quantities() -> dict[int, int]:
        current = order(pipeline, placed["id"])["line_items"]
        return {li["variant_id"]: li["quantity"] for li in current}

    effect(
        pipeline,
        lambda: quantities().get(dropped["id"], 0) == 0,
        f"line {line['id']} of order {placed['id']} set to 0",
    )
    wait_final_state(pipeline, case_id, "APPLIED")
    decision = applied_once(pipeline, case_id)
    assert action_kinds(decision) == ["EDIT_ORDER", "ADD_TAGS"]
    assert quantities() == {dropped["id"]: 0, kept["id"]: 1} or quantities() == {kept["id"]: 1}
    assert variant_stock(pipeline, line["product_id"], dropped["id"]) == stock + 2
    after = order(pipeline, placed["id"])
    assert after["cancelled_at"] is None
    (fo_after,) = fulfillment_orders_of(pipeline, placed["id"])
    remaining = {li["line_item_id"]: li["fulfillable_quantity"] for li in fo_after["line_items"]}
    assert remaining.get(line["id"], 0) == 0, fo_after
    kept_line = next(li for li in placed["line_items"] if li["variant_id"] == kept["id"])
    assert remaining[kept_line["id"]] == 1, fo_after
    assert len(audit_tags(after, case_id)) == 1, tags_of(after)


def test_fulfillment_exception_cancel_cancels_the_order_and_its_fulfillment_order_once(
    pipeline: Pipeline,
) -> None:
    (variant,) = stocked_variants(pipeline, 1)
    placed = seed_order(pipeline, [(variant["id"], 2)])
    (fo,) = fulfillment_orders_of(pipeline, placed["id"])
    case_id = fulfillment_exception_for(pipeline, fo["id"])
    (line,) = placed["line_items"]
    stock = variant_stock(pipeline, line["product_id"], variant["id"])

    complete(pipeline, case_id, "cancel", reason="cannot source the item")

    effect(
        pipeline,
        lambda: order(pipeline, placed["id"])["cancelled_at"],
        f"order {placed['id']} cancelled",
    )
    wait_final_state(pipeline, case_id, "APPLIED")
    decision = applied_once(pipeline, case_id)
    assert action_kinds(decision) == ["CANCEL_ORDER", "ADD_TAGS"]
    after = order(pipeline, placed["id"])
    # A hold-based exception carries no variantId: the reason is OTHER, not INVENTORY.
    assert after["cancel_reason"] == "other"
    assert len(after["refunds"]) == 1, after["refunds"]
    assert variant_stock(pipeline, line["product_id"], variant["id"]) == stock + 2
    (fo_after,) = fulfillment_orders_of(pipeline, placed["id"])
    assert fo_after["id"] == fo["id"] and fo_after["status"] == "cancelled", fo_after
    assert len(audit_tags(after, case_id)) == 1, tags_of(after)


# --- RETURN_REVIEW approved for a replacement ----------------------------------------------------


def test_return_approved_for_a_replacement_is_approved_not_refunded_and_the_replacement_made(
    pipeline: Pipeline,
) -> None:
    entry = seed_kind(pipeline, "return_request")
    order_id = numeric_id(entry["order_id"])
    instance = wait_instance(pipeline, "casebridge.return_review", orderId=order_id)
    case_id = str(instance["businessKey"])
    return_id = numeric_id(str(variables_of(instance)["returnId"]))
    assert pipeline.emulators.shopify_resource("returns", return_id)["status"] == "requested"

    complete(pipeline, case_id, "approved", resolution="replacement", reason="wrong size sent")

    effect(
        pipeline,
        lambda: "return-replacement" in tags_of(order(pipeline, order_id)),
        f"the return-replacement tag on order {order_id}",
    )
    wait_final_state(pipeline, case_id, "APPLIED")
    decision = applied_once(pipeline, case_id)
    assert action_kinds(decision) == [
        "APPROVE_RETURN",
        "CREATE_REPLACEMENT",
        "ADD_TAGS",
        "ADD_TAGS",
    ]
    assert pipeline.emulators.shopify_resource("returns", return_id)["status"] == "open"
    after = order(pipeline, order_id)
    assert after["refunds"] == []
    assert after["financial_status"] != "refunded"
    assert tags_of(after).count("return-replacement") == 1
    assert len(audit_tags(after, case_id)) == 1, tags_of(after)
    # The replacement is an order of its own (tests/integration/pipeline/
    # test_returns_disputes_complaints.py checks its lines, price and customer).
    marker = f"casebridge-replacement:{case_id}"
    state = pipeline.emulators.shopify_state()["shops"][0]
    (draft,) = [d for d in state["draft_orders"] if marker in d["tags"]]
    assert draft["status"] == "completed" and draft["order_id"]


# --- CHARGEBACK with evidence --------------------------------------------------------------------

DISPUTE_EVIDENCE = """query($id: ID!) { dispute(id: $id) { status evidenceSentOn
  disputeEvidence { submitted uncategorizedText cancellationRebuttal customerEmailAddress } } }"""


def test_chargeback_contested_with_evidence_updates_and_submits_the_dispute_evidence_once(
    pipeline: Pipeline,
) -> None:
    entry = seed_kind(pipeline, "dispute_chargeback")
    order_id = numeric_id(entry["order_id"])
    instance = wait_instance(pipeline, "casebridge.chargeback", orderId=order_id)
    case_id = str(instance["businessKey"])
    dispute_gid = str(variables_of(instance)["disputeId"])
    dispute_id = numeric_id(dispute_gid)
    dispute_ref = {"id": f"gid://shopify/ShopifyPaymentsDispute/{dispute_id}"}
    before = graphql(pipeline, DISPUTE_EVIDENCE, dispute_ref)["dispute"]
    assert before["status"] == "NEEDS_RESPONSE" and not before["disputeEvidence"]["submitted"]
    text = "Delivered 3 days after the order; carrier scan and signature attached"

    complete(
        pipeline,
        case_id,
        "contested",
        notes="contest with the carrier's proof",
        evidenceText=text,
        cancellationRebuttal="The customer never asked to cancel",
        disputeEvidence={"customerEmailAddress": "buyer@example.com", "submitEvidence": True},
    )

    def evidence() -> dict[str, Any]:
        return graphql(pipeline, DISPUTE_EVIDENCE, dispute_ref)["dispute"]  # type: ignore[no-any-return]

    effect(
        pipeline,
        lambda: evidence()["disputeEvidence"]["uncategorizedText"] == text,
        f"the evidence of dispute {dispute_id}",
    )
    wait_final_state(pipeline, case_id, "APPLIED")
    decision = applied_once(pipeline, case_id)
    assert action_kinds(decision) == [
        "ADD_NOTE",
        "ADD_TAGS",
        "SET_METAFIELD",
        "UPDATE_DISPUTE_EVIDENCE",
        "ADD_TAGS",
    ]
    after = evidence()
    assert after["disputeEvidence"] == {
        "submitted": True,
        "uncategorizedText": text,
        "cancellationRebuttal": "The customer never asked to cancel",
        "customerEmailAddress": "buyer@example.com",
    }
    assert after["status"] == "UNDER_REVIEW" and after["evidenceSentOn"] is not None
    current = order(pipeline, order_id)
    assert tags_of(current).count("chargeback:contested") == 1
    assert len(audit_tags(current, case_id)) == 1, tags_of(current)
    # Submitting the evidence makes Shopify send disputes/update for the decided case;
    # once the worker is past that update, it has neither reopened nor redone anything.
    # (Whether it reached classify before or after the APPLIED state, it is an update of
    # the case or covered by the ended case: never a new generation.)
    webhooks = _serde(pipeline.registry_url, "shopify.webhooks")

    def dispute_update() -> Any:
        found = records_with_key(
            pipeline.bootstrap_servers, "shopify.webhooks", f"{SHOP}/{order_id}".encode()
        )
        updates = [m for m in found if webhooks.decode(m.value())["topic"] == "disputes/update"]
        return max(updates, key=lambda m: m.offset()) if updates else None

    update = wait_until(dispute_update, 30, "the disputes/update webhook")
    wait_until(lambda: consumed(pipeline, update), 30, "the worker past the update")
    assert requests_of(pipeline, f"{case_id}-g2") == []
    assert len(instances_for(pipeline, "casebridge.chargeback", orderId=order_id)) == 1
    assert _value(states(pipeline, case_id)[-1]["status"]) == "APPLIED"
    assert len(decisions(pipeline, case_id)) == 1
    assert len(writebacks(pipeline, case_id)) == len(decision["actions"])


# --- OFFLINE_ORDER intake that is invalid --------------------------------------------------------


def test_offline_intake_with_a_negative_quantity_fails_with_the_reason_and_creates_no_order(
    pipeline: Pipeline,
) -> None:
    (variant,) = stocked_variants(pipeline, 1)
    case_id = f"OFFLINE_ORDER-{uuid.uuid4().hex[:12]}"
    intake = offline_variables(variant)
    intake["lineItems"][0]["quantity"] = -2
    start_offline_intake(pipeline, case_id, intake)

    complete(pipeline, case_id, "approved")

    failed = wait_final_state(pipeline, case_id, "FAILED")
    assert _value(failed["case_type"]) == "OFFLINE_ORDER"
    assert "lineItems[0].quantity" in (failed["detail"] or ""), failed
    (dead,) = wait_until(
        lambda: dead_letters(pipeline, "cases.decisions.dlq", case_id),
        30,
        "the intake on cases.decisions.dlq",
    )
    headers = dlq_headers(dead)
    assert headers.get("error_class") == "OfflineIntakeError", headers
    assert "lineItems[0].quantity" in headers.get("reason", ""), headers
    assert json.loads(dead.value())["caseId"] == case_id  # replayable: the completed task
    # Nothing went further: no decision, no order record, no write-back, no order.
    assert decisions(pipeline, case_id) == []
    assert records_with_key(pipeline.bootstrap_servers, "orders.offline", case_id.encode()) == []
    assert writebacks(pipeline, case_id) == []
    assert orders_tagged(pipeline, f"casebridge-intake:{case_id}") == []
    assert [_value(s["status"]) for s in states(pipeline, case_id)] == ["FAILED"]


def test_offline_intake_with_an_unknown_variant_is_dead_lettered_failed_and_creates_no_order(
    pipeline: Pipeline,
) -> None:
    (variant,) = stocked_variants(pipeline, 1)
    unknown = {**variant, "id": 990000000 + int(uuid.uuid4().int % 1000000)}
    case_id = f"OFFLINE_ORDER-{uuid.uuid4().hex[:12]}"
    orders_before = len(pipeline.emulators.shopify_state()["shops"][0]["orders"])
    start_offline_intake(pipeline, case_id, offline_variables(unknown))

    complete(pipeline, case_id, "approved")

    failed = wait_final_state(pipeline, case_id, "FAILED")
    reason = f"variant {unknown['id']} does not exist"
    assert reason in (failed["detail"] or ""), failed
    (dead,) = wait_until(
        lambda: dead_letters(pipeline, "orders.offline.dlq", case_id),
        30,
        "the order on orders.offline.dlq",
    )
    assert reason in dlq_headers(dead).get("reason", ""), dlq_headers(dead)
    (original,) = records_with_key(pipeline.bootstrap_servers, "orders.offline", case_id.encode())
    assert dead.value() == original.value()
    assert orders_tagged(pipeline, f"casebridge-intake:{case_id}") == []
    assert len(pipeline.emulators.shopify_state()["shops"][0]["orders"]) == orders_before
    # The approval itself is one decision whose CREATE_ORDER only points at that record;
    # once it is through, the case must still read FAILED, never APPLIED.
    (decision,) = decisions(pipeline, case_id)
    assert action_kinds(decision) == ["CREATE_ORDER"]
    effect(
        pipeline,
        lambda: statuses(writebacks(pipeline, case_id), "CREATE_ORDER"),
        "the decision's CREATE_ORDER write-back",
    )
    assert "APPLIED" not in [_value(r["status"]) for r in writebacks(pipeline, case_id)]
    # (The writer reported APPLYING before that write-back, and APPLIED after it.)
    assert [_value(s["status"]) for s in states(pipeline, case_id)] == ["FAILED"]
    assert dead_letters(pipeline, "cases.decisions.dlq", case_id) == []
