"""UC2 returns, UC8 chargebacks and UC3 complaints end to end: webhooks and complaints through
the real broker and registry, enrichment and decisions over real HTTP to both emulators.

* A return case carries the order date, the return window and each returned product's
  warranty; approved for a replacement, the replacement order is created (a free draft
  order, completed), once even when the decision is delivered again.
* A chargeback case carries the order's timeline (staff comments); a ``disputes/update``
  with a final status is recorded on the order and closes the still open case, once, and
  never opens a second case.
* A complaint naming only the e-mail of a customer tagged VIP in Shopify is routed VIP.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.pipeline.conftest import Pipeline, running_pipeline
from tests.integration.pipeline.harness import ROOT, variables_of, wait_until
from tests.integration.pipeline.test_inbound import instances_for
from tests.integration.pipeline.test_outbound import (
    _value,
    complete,
    decoded,
    effect,
    graphql,
    numeric_id,
    order,
    reproduce,
    states,
    statuses,
    tags_of,
    wait_instance,
    worker_extra,
    writebacks,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

#: This module's own shop: a worker of a concurrent run dead-letters these records as foreign.
SHOP = f"returns-{uuid.uuid4().hex[:8]}.myshopify.com"


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


def seed(pipeline: Pipeline, kind: str) -> dict[str, Any]:
    body = {
        "shop": SHOP,
        "scenario": {"n": 1, "seed": uuid.uuid4().int % (1 << 30), "kinds": [kind]},
    }
    created = pipeline.emulators.seed(body)
    return created["scenario"][0]  # type: ignore[no-any-return]


def decisions(pipeline: Pipeline, case_id: str) -> list[dict[str, Any]]:
    return decoded(pipeline, "cases.decisions", case_id)


def kinds(decision: dict[str, Any]) -> list[str]:
    return [_value(a["kind"]) for a in decision["actions"]]


def applied(pipeline: Pipeline, case_id: str) -> dict[str, Any]:
    """The case's one decision, once each of its actions has a write-back result.

    (Not the case's last state: workers of other runs on the shared broker classify the
    same webhooks and publish states of this case id from their own emulators.)
    """

    def done() -> dict[str, Any] | None:
        found = decisions(pipeline, case_id)
        # Other runs' workers may publish the same decision (same id) from their classify.
        assert len({d["decision_id"] for d in found}) <= 1, found
        results = writebacks(pipeline, case_id)
        return found[0] if found and len(results) >= len(found[0]["actions"]) else None

    return effect(pipeline, done, f"every action of case {case_id} applied")  # type: ignore[no-any-return]


def enriched_instance(pipeline: Pipeline, model: str, variable: str, **filters: str) -> Any:
    """The case's instance once this worker's enrichment (``variable``) is on it.

    Workers of other runs on the shared broker classify the same webhooks and may open
    the case first, unenriched (the shop is not theirs); this worker's request is then
    attached to it as an update.
    """
    wait_instance(pipeline, model, 60, **filters)

    def enriched() -> Any:
        (instance,) = instances_for(pipeline, model, **filters)
        return instance if variable in variables_of(instance) else None

    return effect(pipeline, enriched, f"{variable} on the {model} case")


def shop_state(pipeline: Pipeline) -> dict[str, Any]:
    shops = pipeline.emulators.shopify_state()["shops"]
    return next(s for s in shops if s["domain"] == SHOP)  # type: ignore[no-any-return]


# --- UC2: a return, its window and warranty, and a replacement ------------------------------------

#: Products of the emulator's catalog and the warranty the default policy gives them.
WARRANTY = {
    "Noise-Cancelling Headphones": (36, "metafield"),
    "Trail Running Shoe": (6, "product_type"),
    "Ceramic Pour-Over Set": (12, "product_type"),
}


def test_a_return_carries_its_window_and_warranty_and_a_replacement_is_created_once(
    pipeline: Pipeline,
) -> None:
    entry = seed(pipeline, "return_request")
    order_id = numeric_id(entry["order_id"])
    instance = enriched_instance(
        pipeline, "casebridge.return_review", "withinReturnWindow", orderId=order_id
    )
    case_id = str(instance["businessKey"])
    values = variables_of(instance)
    original = order(pipeline, order_id)

    # The order record: its date, and the request inside the default 30-day window.
    assert values["orderDate"] == original["processed_at"].replace("+00:00", "Z")
    assert values["returnWindowDays"] == 30
    assert values["withinReturnWindow"] is True
    # Warranty per returned line, from the product's metafield or its type.
    (returned,) = values["returnedProducts"]
    line = next(li for li in original["line_items"] if str(li["id"]) == returned["lineItemId"])
    product = next(p for p in shop_state(pipeline)["products"] if p["id"] == line["product_id"])
    (warranty,) = values["warranty"]
    months, source = WARRANTY.get(product["title"], (None, "none"))
    assert (warranty["warrantyMonths"], warranty["warrantySource"]) == (months, source)
    assert warranty["underWarranty"] is (True if months else None)
    assert values["replacementLineItems"] == [
        {"variantId": f"gid://shopify/ProductVariant/{line['variant_id']}", "quantity": 1}
    ]

    complete(pipeline, case_id, "approved", resolution="replacement", reason="wrong size sent")

    def replacement() -> dict[str, Any] | None:
        marker = f"casebridge-replacement:{case_id}"
        drafts = [d for d in shop_state(pipeline)["draft_orders"] if marker in d["tags"]]
        return drafts[0] if drafts and drafts[0]["status"] == "completed" else None

    draft = effect(pipeline, replacement, f"the replacement of order {order_id}")
    decision = applied(pipeline, case_id)
    assert kinds(decision) == ["APPROVE_RETURN", "CREATE_REPLACEMENT", "ADD_TAGS", "ADD_TAGS"]
    first = writebacks(pipeline, case_id)[: len(decision["actions"])]
    assert {_value(r["status"]) for r in first} == {"APPLIED"}
    # The replacement: the returned variant, free, to the same customer, its own order.
    created = order(pipeline, str(draft["order_id"]))
    assert [(li["variant_id"], li["quantity"]) for li in created["line_items"]] == [
        (line["variant_id"], 1)
    ]
    assert created["total_price"] == "0.00"
    assert created["customer"]["id"] == original["customer"]["id"]
    assert "return-replacement" in tags_of(created)
    # Nothing refunded; the original order flagged once; the return approved.
    after = order(pipeline, order_id)
    assert after["refunds"] == []
    assert tags_of(after).count("return-replacement") == 1
    return_id = numeric_id(str(values["returnId"]))
    assert pipeline.emulators.shopify_resource("returns", return_id)["status"] == "open"

    # The same decision delivered again: every action already applied, still one replacement.
    before = len(writebacks(pipeline, case_id))
    replayed = reproduce(pipeline, "cases.decisions", case_id)
    effect(
        pipeline,
        lambda: len(writebacks(pipeline, case_id)) >= before + replayed * len(decision["actions"]),
        "the replayed decision's write-backs",
    )
    created_results = statuses(writebacks(pipeline, case_id), "CREATE_REPLACEMENT")
    assert created_results.count("APPLIED") == 1, created_results
    assert set(created_results[1:]) == {"ALREADY_APPLIED"}, created_results
    marker = f"casebridge-replacement:{case_id}"
    assert len([d for d in shop_state(pipeline)["draft_orders"] if marker in d["tags"]]) == 1


# --- UC8: the communication history, and the dispute's end ----------------------------------------


def test_a_disputes_end_is_stored_on_the_order_and_closes_its_open_case_once(
    pipeline: Pipeline,
) -> None:
    entry = seed(pipeline, "dispute_chargeback")
    order_id = numeric_id(entry["order_id"])
    instance = enriched_instance(
        pipeline, "casebridge.chargeback", "communicationHistory", orderId=order_id
    )
    case_id = str(instance["businessKey"])
    values = variables_of(instance)
    dispute_id = numeric_id(str(values["disputeId"]))
    # The order's timeline is evidence: the staff comment and Shopify's own events.
    history = values["communicationHistory"]
    comments = [h for h in history if h["kind"] == "comment"]
    assert len(comments) == 1 and comments[0]["author"] == "Sam Support"
    assert {"placed", "dispute_opened"} <= {h["action"] for h in history}
    assert values["communicationHistoryComplete"] is True

    # The card network rules for the merchant while the case is still open.
    url = f"{pipeline.emulators.shopify_url}/_emulator/disputes/{dispute_id}/status"
    ended = httpx.post(url, json={"status": "won"}, timeout=10)
    assert ended.status_code == 200, ended.text

    decision = applied(pipeline, case_id)
    assert (decision["outcome"], _value(decision["source"])) == ("final_won", "SHOPIFY")
    assert kinds(decision) == ["ADD_NOTE", "ADD_TAGS", "SET_METAFIELD", "ADD_TAGS"]
    after = order(pipeline, order_id)
    assert tags_of(after).count("chargeback:final_won") == 1
    assert after["note"].count(f"dispute {dispute_id} ended: won") == 1
    data = graphql(
        pipeline,
        "query($id: ID!, $key: String!) { order(id: $id) {"
        ' metafield(namespace: "casebridge", key: $key) { type value } } }',
        {"id": f"gid://shopify/Order/{order_id}", "key": f"dispute_{dispute_id}_final"},
    )
    recorded = json.loads(data["order"]["metafield"]["value"])
    assert (recorded["status"], recorded["caseId"]) == ("won", case_id)
    # The case: closed in OpenText with the reason, once; no second instance or case.
    effect(
        pipeline,
        lambda: "CLOSED" in [_value(s["status"]) for s in states(pipeline, case_id)],
        f"case {case_id} closed",
    )
    ot = httpx.get(f"{pipeline.emulators.opentext_url}/_emulator/state", timeout=10).json()
    (closed,) = [i for i in ot["instances"] if i.get("businessKey") == case_id]
    assert "dispute won" in str(closed.get("deleteReason"))
    assert len(instances_for(pipeline, "casebridge.chargeback", orderId=order_id)) == 1
    assert decoded(pipeline, "cases.requests", f"{case_id}-g2") == []
    # No decision came of the deleted instance; the ending was applied once (a copy of the
    # same decision from another run's worker is ALREADY_APPLIED, never written again).
    assert {d["decision_id"] for d in decisions(pipeline, case_id)} == {f"{case_id}:final_won"}
    for kind in ("ADD_NOTE", "SET_METAFIELD"):
        results = statuses(writebacks(pipeline, case_id), kind)
        assert results.count("APPLIED") == 1 and set(results) <= {"APPLIED", "ALREADY_APPLIED"}


# --- UC3: VIP from the customer's tags -----------------------------------------------------------


def test_a_complaint_of_a_customer_tagged_vip_is_routed_vip_without_a_segment(
    pipeline: Pipeline,
) -> None:
    email = f"vip-{uuid.uuid4().hex[:8]}@example.com"
    pipeline.emulators.seed(
        {"shop": SHOP, "customers": [{"email": email, "first_name": "Vi", "tags": ["vip-gold"]}]}
    )
    env = {
        "CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS": pipeline.bootstrap_servers,
        "CASEBRIDGE_REGISTRY__URL": pipeline.registry_url,
    }
    produced = subprocess.run(
        [
            sys.executable,
            "-m",
            "streams.cli",
            "produce",
            "complaint",
            "--shop",
            SHOP,
            "--email",
            email,
            "--channel",
            "EMAIL",
            "--issue-type",
            "SERVICE",
            "--severity",
            "MEDIUM",
            "--subject",
            "Nobody answers",
            "--message",
            "Third e-mail without an answer.",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert produced.returncode == 0, produced.stderr

    instance = wait_until(
        lambda: next(
            iter(instances_for(pipeline, "casebridge.complaint", customerEmail=email)), None
        ),
        60,
        f"the complaint of {email}\n{pipeline.worker.process.log_tail(3000)}",
    )
    case_id = str(instance["businessKey"])

    def routed() -> dict[str, Any] | None:
        # This worker's request: enriched in this shop (other runs' workers on the shared
        # broker classify the same complaint too, unenriched: their requests carry no tags).
        found = [r for r in decoded(pipeline, "cases.requests", case_id) if _tagged(r)]
        return found[0] if found else None

    request = wait_until(routed, 60, f"the enriched request of {case_id}")
    # Routed by the default policy's VIP rule, though the help desk sent no segment.
    assert request["teams"] == ["customer_service", "sales"]
    assert _value(request["priority"]) == "HIGH"
    assert "SEGMENT_FROM_TAGS" in {r["code"] for r in request["reasons"]}
    values = {v["name"]: v["value"] for v in request["variables"]}
    assert values["customerSegment"] == "VIP"
    assert json.loads(values["customerTags"]) == ["vip-gold"]
    assert request["customer_id"]  # found by the e-mail
    # The case in OpenText carries the segment from Shopify.
    wait_until(
        lambda: (
            variables_of(
                next(iter(instances_for(pipeline, "casebridge.complaint", customerEmail=email)))
            ).get("customerSegment")
            == "VIP"
        ),
        60,
        f"the VIP segment on case {case_id}",
    )


def _tagged(request: dict[str, Any]) -> bool:
    return any(v["name"] == "customerTags" for v in request["variables"])
