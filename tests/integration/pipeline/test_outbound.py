"""OpenText -> Kafka -> Shopify, end to end (the write-backs of use cases 1, 2, 4, 5, 7, 8).

Real broker, real registry, both emulators over HTTP, a real worker process
running every role. Each test opens a case the way production does (a
Shopify scenario event through ingress, classify, enrich and the sink, or,
for offline orders, an intake started in OpenText), completes its task through
the OpenText emulator's runtime API like a reviewer would, and then checks the
Shopify emulator's state precisely: holds, refunds, cancellations, returns,
fulfillment orders, line items, tags, notes and metafields, plus the audit
records on ``shopify.writebacks`` / ``cases.state`` and what reached the DLQ.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import httpx
import pytest
from confluent_kafka import Producer

from connectors.serde import AvroSerde, RegistryClient
from tests.integration.pipeline.conftest import Pipeline, running_pipeline
from tests.integration.pipeline.harness import (
    ROOT,
    start_worker,
    variables_of,
    wait_until,
)
from tests.integration.pipeline.test_inbound import (
    all_records,
    post_webhook,
    records_with_key,
    seed_kind,
)
from tests.integration.pipeline.test_inbound import wait_instance as _wait_instance

pytestmark = [pytest.mark.integration, pytest.mark.slow]

#: A shop of this module's own: the shared broker carries other runs' records for the
#: default shop, whose resource ids collide with this emulator's (ids count from a
#: fixed start), and the worker must neither hold nor change them here.
SHOP = f"outbound-{uuid.uuid4().hex[:8]}.myshopify.com"
TENANT = "casebridge-dev"
SHOPIFY_TOKEN = "shpat_emulator_token"
#: The history poller runs every 5 s; an effect then needs a few Shopify calls.
EFFECT_TIMEOUT_S = 60.0


def _refund_transactions() -> str:
    """``suggested`` once the Shopify emulator answers ``suggestedRefund``, else ``omit``."""
    sources = (ROOT / "emulators/shopify").glob("*.py")
    knows = any("suggestedRefund" in path.read_text() for path in sources)
    return "suggested" if knows else "omit"


def worker_extra(shop: str) -> dict[str, str]:
    """A worker serving ``shop``, its writer set up for the emulator's refunds."""
    return {
        "CASEBRIDGE_WRITER__REFUND_TRANSACTIONS": _refund_transactions(),
        "CASEBRIDGE_SHOPIFY__SHOP_DOMAIN": shop,
    }


@contextmanager
def shop_pipeline(
    bootstrap_servers: str,
    registry_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    shop: str,
) -> Iterator[Pipeline]:
    """A pipeline serving a module's own ``shop``, its writer set up for the emulator's refunds."""
    with running_pipeline(
        bootstrap_servers,
        registry_url,
        tmp_path_factory,
        worker_extra=worker_extra(shop),
        shopify_extra={"shops": [{"domain": shop}]},
    ) as running:
        yield running


@pytest.fixture(scope="module")
def pipeline(
    bootstrap_servers: str, registry_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    """The shared pipeline of this module's shop."""
    with shop_pipeline(bootstrap_servers, registry_url, tmp_path_factory, SHOP) as running:
        yield running


def numeric_id(ident: str | int) -> str:
    """``gid://shopify/Order/123`` (or ``123``) -> ``123``."""
    return str(ident).rsplit("/", 1)[-1]


def wait_instance(
    pipeline: Pipeline, model: str, timeout_s: float = 60, **variables: str
) -> dict[str, Any]:
    """The one instance of ``model`` of the pipeline's shop matching ``variables``."""
    shop = pipeline.env["CASEBRIDGE_SHOPIFY__SHOP_DOMAIN"]
    return _wait_instance(pipeline, model, timeout_s, shop=shop, **variables)


# --- OpenText: complete tasks like a reviewer ----------------------------------------------------


@cache
def _ot_token(opentext_url: str) -> str:
    response = httpx.post(
        f"{opentext_url}/tenants/{TENANT}/oauth2/token",
        json={
            "grant_type": "client_credentials",
            "client_id": "casebridge",
            "client_secret": "casebridge-secret",
        },
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def _ot(pipeline: Pipeline) -> httpx.Client:
    url = pipeline.emulators.opentext_url
    headers = {"Authorization": f"Bearer {_ot_token(url)}"}
    return httpx.Client(base_url=f"{url}/workflow/v1", headers=headers, timeout=15)


def typed(name: str, value: Any) -> dict[str, Any]:
    """An OpenText variable with the type its Python value implies."""
    if isinstance(value, bool):
        kind = "boolean"
    elif isinstance(value, int):
        kind = "integer"
    elif isinstance(value, dict | list):
        kind = "json"
    else:
        kind = "string"
    return {"name": name, "type": kind, "value": value}


def open_tasks(pipeline: Pipeline, case_id: str) -> list[dict[str, Any]]:
    """The open tasks of the case, from the runtime API."""
    with _ot(pipeline) as client:
        response = client.get("/tasks", params={"processInstanceBusinessKey": case_id})
        response.raise_for_status()
        return response.json()["_embedded"]["tasks"]  # type: ignore[no-any-return]


def complete(
    pipeline: Pipeline, case_id: str, outcome: str, step: str | None = None, **variables: Any
) -> dict[str, Any]:
    """Complete the case's one open task (of ``step`` if given) with ``outcome``."""
    tasks = open_tasks(pipeline, case_id)
    if step is not None:
        tasks = [t for t in tasks if t["taskDefinitionKey"] == step]
    assert len(tasks) == 1, tasks
    body = {
        "action": "complete",
        "outcome": outcome,
        "variables": [typed(k, v) for k, v in variables.items()],
    }
    with _ot(pipeline) as client:
        response = client.post(f"/tasks/{tasks[0]['id']}", json=body)
    assert response.status_code in (200, 204), response.text
    return tasks[0]


def start_offline_intake(pipeline: Pipeline, case_id: str, variables: dict[str, Any]) -> str:
    """Start a ``casebridge.offline_order`` intake; returns the instance id."""
    body = {
        "processDefinitionKey": "casebridge.offline_order",
        "businessKey": case_id,
        "name": f"Phone order {case_id}",
        "variables": [typed(k, v) for k, v in variables.items()],
        "returnVariables": True,
    }
    with _ot(pipeline) as client:
        response = client.post("/process-instances", json=body)
    assert response.status_code in (200, 201), response.text
    return str(response.json()["id"])


# --- Kafka: decoded records of one case ----------------------------------------------------------


@cache
def _serde(registry_url: str, topic: str) -> AvroSerde:
    return AvroSerde.for_topic(topic, RegistryClient(registry_url))


def decoded(pipeline: Pipeline, topic: str, case_id: str) -> list[dict[str, Any]]:
    """Every record of ``topic`` keyed ``case_id``, decoded, in offset order."""
    serde = _serde(pipeline.registry_url, topic)
    found = records_with_key(pipeline.bootstrap_servers, topic, case_id.encode())
    return [serde.decode(m.value()) for m in sorted(found, key=lambda m: m.offset())]


def writebacks(pipeline: Pipeline, case_id: str) -> list[dict[str, Any]]:
    """The ``WritebackResult`` records of a case."""
    return decoded(pipeline, "shopify.writebacks", case_id)


def states(pipeline: Pipeline, case_id: str) -> list[dict[str, Any]]:
    """The ``CaseState`` records of a case."""
    return decoded(pipeline, "cases.state", case_id)


def dead_decisions(pipeline: Pipeline, case_id: str) -> list[Any]:
    """Records of the case on ``cases.decisions.dlq``."""
    return records_with_key(pipeline.bootstrap_servers, "cases.decisions.dlq", case_id.encode())


def _value(status: Any) -> str:
    return str(getattr(status, "value", status))


def wait_final_state(pipeline: Pipeline, case_id: str, status: str) -> dict[str, Any]:
    """Wait until the case's latest ``CaseState`` has ``status``."""

    def probe() -> dict[str, Any] | None:
        found = states(pipeline, case_id)
        return found[-1] if found and _value(found[-1]["status"]) == status else None

    return wait_until(
        probe,
        EFFECT_TIMEOUT_S,
        f"case {case_id} to reach {status}\n{pipeline.worker.process.log_tail(3000)}",
        0.5,
    )


def statuses(results: list[dict[str, Any]], action: str) -> list[str]:
    """The statuses of the write-backs of one action kind."""
    return [_value(r["status"]) for r in results if _value(r["action"]) == action]


# --- Shopify: state reads ------------------------------------------------------------------------


def order(pipeline: Pipeline, order_id: str) -> dict[str, Any]:
    """The order as the emulator's admin surface shows it."""
    return pipeline.emulators.shopify_resource("orders", numeric_id(order_id))


def tags_of(resource: dict[str, Any]) -> list[str]:
    """A REST resource's comma-separated tags."""
    return [t.strip() for t in (resource.get("tags") or "").split(",") if t.strip()]


def fulfillment_orders_of(pipeline: Pipeline, order_id: str) -> list[dict[str, Any]]:
    """Every fulfillment order of the order."""
    wanted = int(numeric_id(order_id))
    shops = pipeline.emulators.shopify_state()["shops"]
    return [fo for s in shops for fo in s["fulfillment_orders"] if fo["order_id"] == wanted]


def our_holds(fo: dict[str, Any]) -> list[dict[str, Any]]:
    """casebridge's holds on a fulfillment order."""
    return [h for h in fo["fulfillment_holds"] if (h.get("handle") or "").startswith("casebridge")]


def variant_stock(pipeline: Pipeline, product_id: int, variant_id: int) -> int:
    """The inventory quantity of a variant."""
    product = pipeline.emulators.shopify_resource("products", str(product_id))
    return int(next(v for v in product["variants"] if v["id"] == variant_id)["inventory_quantity"])


def graphql(pipeline: Pipeline, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """A read through the emulator's Admin GraphQL API."""
    response = httpx.post(
        f"{pipeline.emulators.shopify_url}/admin/api/2026-01/graphql.json",
        json={"query": query, "variables": variables},
        headers={"X-Shopify-Access-Token": SHOPIFY_TOKEN},
        timeout=15,
    )
    response.raise_for_status()
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]  # type: ignore[no-any-return]


def effect(pipeline: Pipeline, probe: Callable[[], Any], what: str) -> Any:
    """Wait for an effect in Shopify, naming it and showing the worker's log on timeout."""
    return wait_until(
        probe, EFFECT_TIMEOUT_S, f"{what}\n{pipeline.worker.process.log_tail(4000)}", 0.5
    )


# --- opening cases -------------------------------------------------------------------------------


def held_order_review(pipeline: Pipeline, kind: str, model: str) -> tuple[str, str]:
    """Seed a ``kind`` scenario, wait for its ``model`` case and our holds; (case id, order id)."""
    entry = seed_kind(pipeline, kind)
    order_id = numeric_id(entry["order_id"])
    instance = wait_instance(pipeline, model, orderId=order_id)
    effect(
        pipeline,
        lambda: (
            (fos := fulfillment_orders_of(pipeline, order_id)) and all(our_holds(fo) for fo in fos)
        ),
        f"our holds on order {order_id}",
    )
    return str(instance["businessKey"]), order_id


def seed_order(pipeline: Pipeline, lines: list[tuple[int, int]]) -> dict[str, Any]:
    """An ordinary order of ``(variant id, quantity)`` lines; returns the order resource."""
    state = pipeline.emulators.shopify_state()["shops"][0]
    variants = {v["id"]: v for p in state["products"] for v in p["variants"]}
    body = {
        "orders": [
            {
                "email": f"buyer-{uuid.uuid4().hex[:6]}@example.com",
                "line_items": [
                    {
                        "title": variants[variant]["title"],
                        "variant_id": variant,
                        "quantity": quantity,
                        "price": variants[variant]["price"],
                        "sku": variants[variant]["sku"],
                    }
                    for variant, quantity in lines
                ],
                "shipping_address": {
                    "first_name": "Ada",
                    "last_name": "Byron",
                    "address1": "1 Main St",
                    "city": "Austin",
                    "province_code": "TX",
                    "country_code": "US",
                    "zip": "78701",
                },
            }
        ]
    }
    created = pipeline.emulators.seed(body)
    return order(pipeline, created["orders"][0])


def stocked_variants(pipeline: Pipeline, n: int) -> list[dict[str, Any]]:
    """``n`` variants with plenty of stock (the catalog exists after any scenario event)."""
    state = pipeline.emulators.shopify_state()["shops"][0]
    if not state["products"]:
        seed_kind(pipeline, "normal")
        state = pipeline.emulators.shopify_state()["shops"][0]
    found = [v for p in state["products"] for v in p["variants"] if v["inventory_quantity"] > 20]
    assert len(found) >= n, found
    return found[:n]


def fulfillment_exception_for(pipeline: Pipeline, fo_id: int) -> str:
    """Open a FULFILLMENT_EXCEPTION on a fulfillment order held by a warehouse app; its case id.

    The case comes in as Shopify sends it: a signed ``fulfillment_orders/placed_on_hold``
    webhook with the fulfillment order as the emulator renders it.
    """
    fo = pipeline.emulators.shopify_resource("fulfillment_orders", str(fo_id))
    payload = {
        "fulfillment_order": fo,
        "fulfillment_hold": {
            "handle": "warehouse-app",
            "reason": "inventory_out_of_stock",
            "reason_notes": "picker found the bin empty",
        },
    }
    response = post_webhook(pipeline, "fulfillment_orders/placed_on_hold", payload, shop=SHOP)
    assert response.status_code == 200, response.text
    instance = wait_instance(
        pipeline, "casebridge.fulfillment_exception", fulfillmentOrderId=str(fo_id)
    )
    return str(instance["businessKey"])


# --- ORDER_REVIEW --------------------------------------------------------------------------------


def test_order_review_approved_releases_the_hold(pipeline: Pipeline) -> None:
    case_id, order_id = held_order_review(pipeline, "risky_order", "casebridge.order_review")
    held = fulfillment_orders_of(pipeline, order_id)

    complete(pipeline, case_id, "approved", reason="customer confirmed by phone")

    effect(
        pipeline,
        lambda: not any(our_holds(fo) for fo in fulfillment_orders_of(pipeline, order_id)),
        f"the hold on order {order_id} released",
    )
    state = wait_final_state(pipeline, case_id, "APPLIED")
    assert state["outcome"] == "approved"
    after = fulfillment_orders_of(pipeline, order_id)
    assert len(after) == len(held)
    assert all(fo["status"] == "open" and not fo["fulfillment_holds"] for fo in after), after
    current = order(pipeline, order_id)
    assert current["cancelled_at"] is None and current["refunds"] == []
    results = writebacks(pipeline, case_id)
    assert statuses(results, "RELEASE_HOLD") == ["APPLIED"] * len(held), results
    audit = [t for t in tags_of(current) if case_id in t]
    assert len(audit) == 1, tags_of(current)
    assert dead_decisions(pipeline, case_id) == []
    # The store's budget: hold to release, enrichment and audit tag included, costs at
    # most 40 requested points (a Standard store restores 100 a second).
    opened = [
        {v["name"]: v["value"] for v in request["variables"]}
        for request in decoded(pipeline, "cases.requests", case_id)
    ]
    before = max(int(v.get("shopifyPointsRequested") or 0) for v in opened)
    after_decision = sum(r["query_cost_requested"] or 0 for r in results)
    assert before > 0 and after_decision > 0, (opened, results)
    assert before + after_decision <= 40, (opened, results)
    # Our own write-backs make Shopify send orders/updated for the still-flagged order:
    # that must neither hold the order again nor fail the decided case.
    time.sleep(4)
    assert all(not fo["fulfillment_holds"] for fo in fulfillment_orders_of(pipeline, order_id))
    assert _value(states(pipeline, case_id)[-1]["status"]) == "APPLIED"
    assert (
        records_with_key(pipeline.bootstrap_servers, "cases.requests.dlq", case_id.encode()) == []
    )


def test_order_review_rejected_cancels_with_one_refund_and_restock(pipeline: Pipeline) -> None:
    case_id, order_id = held_order_review(pipeline, "risky_order", "casebridge.order_review")
    before = order(pipeline, order_id)
    stock = {
        li["variant_id"]: variant_stock(pipeline, li["product_id"], li["variant_id"])
        for li in before["line_items"]
    }

    complete(pipeline, case_id, "rejected", reason="stolen card")

    effect(
        pipeline, lambda: order(pipeline, order_id)["cancelled_at"], f"order {order_id} cancelled"
    )
    wait_final_state(pipeline, case_id, "APPLIED")
    after = order(pipeline, order_id)
    assert after["cancel_reason"] == "fraud"  # a risk-flagged order
    assert len(after["refunds"]) == 1, after["refunds"]
    refunded = sum(Decimal(t["amount"]) for t in after["refunds"][0]["transactions"])
    assert refunded == Decimal(before["total_price"])
    assert after["financial_status"] == "refunded"
    for li in before["line_items"]:
        restocked = variant_stock(pipeline, li["product_id"], li["variant_id"])
        assert restocked == stock[li["variant_id"]] + li["quantity"], li
    results = writebacks(pipeline, case_id)
    assert statuses(results, "CANCEL_ORDER") == ["APPLIED"], results
    assert dead_decisions(pipeline, case_id) == []


# --- HIGH_VALUE_REVIEW ---------------------------------------------------------------------------


def test_high_value_review_needs_both_approvals_to_release(pipeline: Pipeline) -> None:
    case_id, order_id = held_order_review(pipeline, "vip_customer", "casebridge.high_value_review")
    held = fulfillment_orders_of(pipeline, order_id)

    complete(pipeline, case_id, "approved", step="salesApproval")
    # The first approval only opens the finance step; after a poll the hold is still there.
    assert [t["taskDefinitionKey"] for t in open_tasks(pipeline, case_id)] == ["financeApproval"]
    time.sleep(7)
    assert all(our_holds(fo) for fo in fulfillment_orders_of(pipeline, order_id))
    assert writebacks(pipeline, case_id) == []

    complete(pipeline, case_id, "approved", step="financeApproval")

    effect(
        pipeline,
        lambda: not any(our_holds(fo) for fo in fulfillment_orders_of(pipeline, order_id)),
        f"the hold on order {order_id} released",
    )
    wait_final_state(pipeline, case_id, "APPLIED")
    assert all(not fo["fulfillment_holds"] for fo in fulfillment_orders_of(pipeline, order_id))
    results = writebacks(pipeline, case_id)
    assert statuses(results, "RELEASE_HOLD") == ["APPLIED"] * len(held), results
    assert order(pipeline, order_id)["cancelled_at"] is None


# --- RETURN_REVIEW -------------------------------------------------------------------------------


def return_case(pipeline: Pipeline) -> tuple[str, str, dict[str, Any]]:
    """A return request and its case: (case id, order id, the return variables)."""
    entry = seed_kind(pipeline, "return_request")
    order_id = numeric_id(entry["order_id"])
    instance = wait_instance(pipeline, "casebridge.return_review", orderId=order_id)
    return str(instance["businessKey"]), order_id, variables_of(instance)


def test_return_approved_is_approved_and_refunded_once(pipeline: Pipeline) -> None:
    case_id, order_id, variables = return_case(pipeline)
    return_id = numeric_id(str(variables["returnId"]))
    requested = pipeline.emulators.shopify_resource("returns", return_id)
    assert requested["status"] == "requested"

    complete(pipeline, case_id, "approved", reason="defect confirmed from photos")

    effect(pipeline, lambda: order(pipeline, order_id)["refunds"], f"a refund on {order_id}")
    wait_final_state(pipeline, case_id, "APPLIED")
    approved = pipeline.emulators.shopify_resource("returns", return_id)
    assert approved["status"] == "open", approved
    refunds = order(pipeline, order_id)["refunds"]
    assert len(refunds) == 1, refunds
    returned = {
        line["fulfillment_line_item"]["line_item"]["id"]: line["quantity"]
        for line in requested["return_line_items"]
    }
    refunded = {li["line_item_id"]: li["quantity"] for li in refunds[0]["refund_line_items"]}
    assert refunded == returned
    results = writebacks(pipeline, case_id)
    assert statuses(results, "APPROVE_RETURN") == ["APPLIED"], results
    assert statuses(results, "REFUND") == ["APPLIED"], results


def test_return_declined_with_the_reason(pipeline: Pipeline) -> None:
    case_id, order_id, variables = return_case(pipeline)
    return_id = numeric_id(str(variables["returnId"]))

    complete(
        pipeline,
        case_id,
        "declined",
        declineReason="FINAL_SALE",
        declineNote="Clearance items cannot be returned",
    )

    effect(
        pipeline,
        lambda: pipeline.emulators.shopify_resource("returns", return_id)["status"] == "declined",
        f"return {return_id} declined",
    )
    wait_final_state(pipeline, case_id, "APPLIED")
    declined = pipeline.emulators.shopify_resource("returns", return_id)
    assert declined["decline"] == {
        "reason": "final_sale",
        "note": "Clearance items cannot be returned",
    }
    assert order(pipeline, order_id)["refunds"] == []
    assert statuses(writebacks(pipeline, case_id), "DECLINE_RETURN") == ["APPLIED"]


# --- FULFILLMENT_EXCEPTION -----------------------------------------------------------------------


def test_fulfillment_exception_split(pipeline: Pipeline) -> None:
    (variant,) = stocked_variants(pipeline, 1)
    placed = seed_order(pipeline, [(variant["id"], 3)])
    (fo,) = fulfillment_orders_of(pipeline, placed["id"])
    assert fo["status"] == "open"
    case_id = fulfillment_exception_for(pipeline, fo["id"])
    line = fo["line_items"][0]

    complete(pipeline, case_id, "split", splitLineItems=[{"id": line["id"], "quantity": 1}])

    effect(
        pipeline,
        lambda: len(fulfillment_orders_of(pipeline, placed["id"])) == 2,
        f"order {placed['id']} split into two fulfillment orders",
    )
    wait_final_state(pipeline, case_id, "APPLIED")
    fos = {f["id"]: f for f in fulfillment_orders_of(pipeline, placed["id"])}
    assert len(fos) == 2
    assert [(li["line_item_id"], li["quantity"]) for li in fos.pop(fo["id"])["line_items"]] == [
        (line["line_item_id"], 1)
    ]
    (rest,) = fos.values()
    assert [(li["line_item_id"], li["quantity"]) for li in rest["line_items"]] == [
        (line["line_item_id"], 2)
    ]
    assert statuses(writebacks(pipeline, case_id), "SPLIT_FULFILLMENT") == ["APPLIED"]


def test_fulfillment_exception_substitute_edits_the_order(pipeline: Pipeline) -> None:
    missing, substitute = stocked_variants(pipeline, 2)
    placed = seed_order(pipeline, [(missing["id"], 2)])
    (fo,) = fulfillment_orders_of(pipeline, placed["id"])
    case_id = fulfillment_exception_for(pipeline, fo["id"])
    (removed,) = placed["line_items"]

    complete(
        pipeline,
        case_id,
        "substitute",
        removeLineItemId=str(removed["id"]),
        substituteVariantId=str(substitute["id"]),
        reason="out of stock, same model in the next size",
    )

    effect(
        pipeline,
        lambda: any(
            li["variant_id"] == substitute["id"]
            for li in order(pipeline, placed["id"])["line_items"]
        ),
        f"variant {substitute['id']} on order {placed['id']}",
    )
    wait_final_state(pipeline, case_id, "APPLIED")
    lines = {li["variant_id"]: li["quantity"] for li in order(pipeline, placed["id"])["line_items"]}
    # The removed line drops to 0 (or disappears); the substitute keeps its quantity.
    assert lines.get(missing["id"], 0) == 0, lines
    assert lines[substitute["id"]] == 2, lines
    assert statuses(writebacks(pipeline, case_id), "EDIT_ORDER") == ["APPLIED"]


def test_fulfillment_exception_reschedule(pipeline: Pipeline) -> None:
    entry = seed_kind(pipeline, "scheduled_order")
    (fo,) = fulfillment_orders_of(pipeline, entry["order_id"])
    assert fo["status"] == "scheduled", fo
    case_id = fulfillment_exception_for(pipeline, fo["id"])
    new_date = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)

    complete(pipeline, case_id, "reschedule", fulfillAt=new_date.isoformat())

    def rescheduled() -> bool:
        moved = pipeline.emulators.shopify_resource("fulfillment_orders", str(fo["id"]))
        at = moved["fulfill_at"]
        return at is not None and datetime.fromisoformat(at.replace("Z", "+00:00")) == new_date

    effect(pipeline, rescheduled, f"fulfillment order {fo['id']} rescheduled to {new_date}")
    wait_final_state(pipeline, case_id, "APPLIED")
    after = pipeline.emulators.shopify_resource("fulfillment_orders", str(fo["id"]))
    assert after["status"] == "scheduled"
    assert statuses(writebacks(pipeline, case_id), "RESCHEDULE_FULFILLMENT") == ["APPLIED"]


def test_permanent_user_error_goes_to_the_dlq_and_the_next_decision_applies(
    pipeline: Pipeline,
) -> None:
    first, second = stocked_variants(pipeline, 2)
    open_order = seed_order(pipeline, [(first["id"], 2)])
    (open_fo,) = fulfillment_orders_of(pipeline, open_order["id"])
    refused_case = fulfillment_exception_for(pipeline, open_fo["id"])
    next_order = seed_order(pipeline, [(second["id"], 2)])
    (next_fo,) = fulfillment_orders_of(pipeline, next_order["id"])
    next_case = fulfillment_exception_for(pipeline, next_fo["id"])

    # A split keeping more units than the line has: an offered outcome that Shopify
    # refuses with a permanent userError.
    complete(
        pipeline,
        refused_case,
        "split",
        splitLineItems=[{"id": open_fo["line_items"][0]["id"], "quantity": 5}],
    )
    complete(
        pipeline,
        next_case,
        "split",
        splitLineItems=[{"id": next_fo["line_items"][0]["id"], "quantity": 1}],
    )

    failed = wait_final_state(pipeline, refused_case, "FAILED")
    assert "SPLIT_FULFILLMENT" in (failed["detail"] or "")
    dead = wait_until(
        lambda: dead_decisions(pipeline, refused_case), 30, "the refused decision in the DLQ"
    )
    assert len(dead) == 1
    headers = dict(dead[0].headers() or [])
    assert b"quantity" in headers.get("casebridge.dlq.reason", b"").lower(), headers
    original = records_with_key(
        pipeline.bootstrap_servers, "cases.decisions", refused_case.encode()
    )
    assert dead[0].value() in {m.value() for m in original}
    results = writebacks(pipeline, refused_case)
    assert [_value(r["status"]) for r in results] == ["FAILED"], results
    assert results[0]["error_message"] and "quantity" in results[0]["error_message"].lower()
    assert len(fulfillment_orders_of(pipeline, open_order["id"])) == 1
    # The pipeline went on: the next decision was applied.
    wait_final_state(pipeline, next_case, "APPLIED")
    assert len(fulfillment_orders_of(pipeline, next_order["id"])) == 2
    assert dead_decisions(pipeline, next_case) == []


# --- CHARGEBACK ----------------------------------------------------------------------------------


def test_chargeback_outcome_recorded_on_the_order(pipeline: Pipeline) -> None:
    entry = seed_kind(pipeline, "dispute_chargeback")
    order_id = numeric_id(entry["order_id"])
    instance = wait_instance(pipeline, "casebridge.chargeback", orderId=order_id)
    case_id = str(instance["businessKey"])
    dispute_id = numeric_id(str(variables_of(instance)["disputeId"]))
    note_before = order(pipeline, order_id)["note"]

    complete(pipeline, case_id, "contested", notes="Carrier confirms delivery with signature")

    effect(
        pipeline,
        lambda: "chargeback:contested" in tags_of(order(pipeline, order_id)),
        f"the chargeback tag on order {order_id}",
    )
    wait_final_state(pipeline, case_id, "APPLIED")
    after = order(pipeline, order_id)
    assert tags_of(after).count("chargeback:contested") == 1
    assert len([t for t in tags_of(after) if case_id in t]) == 1, tags_of(after)
    assert after["note"] != note_before
    assert f"dispute {dispute_id}" in after["note"]
    assert "Carrier confirms delivery with signature" in after["note"]
    data = graphql(
        pipeline,
        "query($id: ID!, $key: String!) { order(id: $id) {"
        ' metafield(namespace: "casebridge", key: $key) { type value } } }',
        {"id": f"gid://shopify/Order/{order_id}", "key": f"dispute_{dispute_id}"},
    )
    metafield = data["order"]["metafield"]
    assert metafield is not None and metafield["type"] == "json"
    value = json.loads(metafield["value"])
    assert value["caseId"] == case_id
    assert value["outcome"] == "contested"
    assert value["disputeId"].endswith(dispute_id)
    results = writebacks(pipeline, case_id)
    for kind in ("ADD_NOTE", "SET_METAFIELD"):
        assert statuses(results, kind) == ["APPLIED"], results


# --- OFFLINE_ORDER -------------------------------------------------------------------------------


def offline_variables(variant: dict[str, Any]) -> dict[str, Any]:
    """Valid intake variables for one line of ``variant``."""
    return {
        "customer": {
            "email": f"phone-{uuid.uuid4().hex[:8]}@example.com",
            "firstName": "Grace",
            "lastName": "Hopper",
            "shippingAddress": {
                "address1": "5 Harbour Rd",
                "city": "Portland",
                "provinceCode": "OR",
                "countryCode": "US",
                "zip": "97205",
            },
        },
        "lineItems": [
            {
                "variantId": str(variant["id"]),
                "quantity": 2,
                "priceOverride": "15.00",
                "overrideReason": "loyalty discount agreed by phone",
            }
        ],
        "currency": "USD",
        "taxLines": [{"title": "Sales tax", "rate": "0.08"}],
        "shippingLines": [{"title": "Courier", "price": "6.00", "code": "UPS"}],
        "paymentStatus": "PAID",
        "note": "ordered by phone",
        "tags": ["phone-order"],
    }


def orders_tagged(pipeline: Pipeline, tag: str) -> list[dict[str, Any]]:
    """Every order carrying ``tag``."""
    shops = pipeline.emulators.shopify_state()["shops"]
    return [o for s in shops for o in s["orders"] if tag in tags_of(o)]


def approved_offline_order(pipeline: Pipeline) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Start and approve an intake; (case id, the created order, the intake's variant)."""
    (variant,) = stocked_variants(pipeline, 1)
    case_id = f"OFFLINE_ORDER-{uuid.uuid4().hex[:12]}"
    start_offline_intake(pipeline, case_id, offline_variables(variant))
    complete(pipeline, case_id, "approved")
    tag = f"casebridge-intake:{case_id}"
    (created,) = effect(pipeline, lambda: orders_tagged(pipeline, tag), f"an order tagged {tag}")
    return case_id, created, variant


def test_offline_order_approved_creates_the_order(pipeline: Pipeline) -> None:
    case_id, created, variant = approved_offline_order(pipeline)

    state = wait_final_state(pipeline, case_id, "APPLIED")
    assert state["shopify_order_id"] is not None
    assert numeric_id(state["shopify_order_id"]) == str(created["id"])
    assert _value(state["case_type"]) == "OFFLINE_ORDER"
    assert len(orders_tagged(pipeline, f"casebridge-intake:{case_id}")) == 1
    assert "phone-order" in tags_of(created)
    assert [(li["variant_id"], li["quantity"], li["price"]) for li in created["line_items"]] == [
        (variant["id"], 2, "15.00")
    ]
    assert created["currency"] == "USD"
    assert created["note"] == "ordered by phone"
    assert created["shipping_address"]["city"] == "Portland"


# --- exactly once --------------------------------------------------------------------------------


def reproduce(pipeline: Pipeline, topic: str, key: str) -> int:
    """Produce every record of ``topic`` keyed ``key`` again, byte for byte; how many."""
    records = records_with_key(pipeline.bootstrap_servers, topic, key.encode())
    assert records, f"nothing on {topic} for {key}"
    producer = Producer({"bootstrap.servers": pipeline.bootstrap_servers})
    for record in records:
        producer.produce(topic, key=record.key(), value=record.value(), headers=record.headers())
    assert producer.flush(10) == 0
    return len(records)


def test_same_decision_twice_gives_one_cancellation_one_refund_one_order(
    pipeline: Pipeline,
) -> None:
    # A rejected review (cancel + refund + restock), then its decision delivered again.
    case_id, order_id = held_order_review(pipeline, "risky_order", "casebridge.order_review")
    complete(pipeline, case_id, "rejected")
    effect(pipeline, lambda: order(pipeline, order_id)["cancelled_at"], "the cancellation")
    wait_final_state(pipeline, case_id, "APPLIED")
    cancelled = order(pipeline, order_id)
    cancels = len(statuses(writebacks(pipeline, case_id), "CANCEL_ORDER"))
    replayed = reproduce(pipeline, "cases.decisions", case_id)

    # An approved offline intake, its OfflineOrder record delivered again.
    intake_id, created, _ = approved_offline_order(pipeline)
    wait_final_state(pipeline, intake_id, "APPLIED")
    creates = len(writebacks(pipeline, intake_id))
    replayed_orders = reproduce(pipeline, "orders.offline", intake_id)

    def replays_done() -> bool:
        cancel_results = statuses(writebacks(pipeline, case_id), "CANCEL_ORDER")
        create_results = writebacks(pipeline, intake_id)
        return (
            len(cancel_results) >= cancels + replayed
            and len(create_results) >= creates + replayed_orders
        )

    effect(pipeline, replays_done, "the replayed records' write-backs")
    cancel_results = statuses(writebacks(pipeline, case_id), "CANCEL_ORDER")
    assert cancel_results.count("APPLIED") == 1, cancel_results
    assert set(cancel_results[cancels:]) == {"ALREADY_APPLIED"}, cancel_results
    create_results = [_value(r["status"]) for r in writebacks(pipeline, intake_id)]
    assert create_results.count("APPLIED") == 1, create_results
    assert set(create_results[creates:]) == {"ALREADY_APPLIED"}, create_results
    after = order(pipeline, order_id)
    assert after["cancelled_at"] == cancelled["cancelled_at"]
    assert len(after["refunds"]) == 1
    assert after["line_items"] == cancelled["line_items"]
    assert len(orders_tagged(pipeline, f"casebridge-intake:{intake_id}")) == 1
    assert dead_decisions(pipeline, case_id) == []
    assert created["id"] == orders_tagged(pipeline, f"casebridge-intake:{intake_id}")[0]["id"]


def test_worker_killed_mid_way_then_restarted_applies_once(pipeline: Pipeline) -> None:
    case_id, order_id, _ = return_case(pipeline)
    complete(pipeline, case_id, "approved")
    # Crash as soon as the writer started on the decision (approve done, refund maybe).
    effect(pipeline, lambda: writebacks(pipeline, case_id), "the first write-back")
    pipeline.worker.process.kill()
    pipeline.worker = start_worker(
        "worker-restarted", pipeline.env, pipeline.logs, reset_offsets=False
    )
    # A second decision after the restart, to prove the restarted worker applies.
    later, later_order = held_order_review(pipeline, "risky_order", "casebridge.order_review")
    complete(pipeline, later, "rejected")
    effect(pipeline, lambda: order(pipeline, later_order)["cancelled_at"], "the cancellation")

    effect(pipeline, lambda: order(pipeline, order_id)["refunds"], "the return's refund")
    wait_final_state(pipeline, case_id, "APPLIED")
    wait_final_state(pipeline, later, "APPLIED")
    assert len(order(pipeline, order_id)["refunds"]) == 1
    assert len(order(pipeline, later_order)["refunds"]) == 1
    # Effects exactly once (one refund, asserted above). The audit record of the write
    # in flight at the kill may be lost with the process: the restarted worker then
    # finds the effect in place and records ALREADY_APPLIED, never a second APPLIED.
    results = writebacks(pipeline, case_id)
    for action in ("REFUND", "APPROVE_RETURN"):
        found = statuses(results, action)
        assert found and set(found) <= {"APPLIED", "ALREADY_APPLIED"}, results
        assert found.count("APPLIED") <= 1, results


# --- the cost bucket -----------------------------------------------------------------------------


def test_backlog_against_a_slow_bucket_is_never_throttled(pipeline: Pipeline) -> None:
    cases = [
        held_order_review(pipeline, "risky_order", "casebridge.order_review") for _ in range(6)
    ]
    faults = f"{pipeline.emulators.shopify_url}/_emulator/faults"
    httpx.post(faults, json={"restore_rate": 10, "maximum_available": 100}, timeout=10)
    try:
        for case_id, _ in cases:
            complete(pipeline, case_id, "approved")
        for _, order_id in cases:
            wait_until(
                lambda order_id=order_id: (
                    not any(  # type: ignore[misc]
                        our_holds(fo) for fo in fulfillment_orders_of(pipeline, order_id)
                    )
                ),
                180,
                f"the hold on {order_id} released\n{pipeline.worker.process.log_tail(3000)}",
                1.0,
            )
        for case_id, _ in cases:
            wait_final_state(pipeline, case_id, "APPLIED")
    finally:
        httpx.delete(faults, timeout=10).raise_for_status()
    throttled = [
        m
        for m in all_records(pipeline.bootstrap_servers, "cases.decisions.dlq")
        if b"THROTTLED" in b"".join(v or b"" for _, v in (m.headers() or []))
    ]
    ours = {case_id.encode() for case_id, _ in cases}
    assert [m for m in throttled if m.key() in ours] == []
    for case_id, _ in cases:
        results = writebacks(pipeline, case_id)
        assert results and all(_value(r["status"]) != "FAILED" for r in results), results
