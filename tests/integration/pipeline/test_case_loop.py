"""Every case closes its loop (issue 13), end to end through the broker and both emulators.

* fulfillment exceptions carry what each outcome needs: a stock case finds its
  open order, the reviewer picks an outcome and types nothing, and it applies;
  an outcome the case does not offer is refused with the reason;
* a decision that fails moves the case to FAILED with the reason, shows in
  ``casebridge case show`` and the metrics, and a DLQ replay that then succeeds
  moves the case on to APPLIED;
* a new trigger after a case ended opens a new generation of it; a duplicate
  of that trigger opens nothing.

The module's worker starts with a policy whose alias for ``resolved`` points
nowhere (a bad policy deployment); the last test fixes it by restarting the
worker with the default policy and replays the decision that failed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from connectors.serde import AvroSerde, RegistryClient
from connectors.shopify.documents.operations import ORDER_CANCEL
from connectors.shopify.documents.writer import NODE_METAFIELD
from streams.kafka.dlq import parse_headers
from streams.ops.dlq import replay
from streams.runtime.keys import hold_handle
from tests.integration.pipeline.conftest import Pipeline, running_pipeline
from tests.integration.pipeline.harness import ROOT, start_worker, variables_of, wait_until
from tests.integration.pipeline.test_inbound import (
    instances_for,
    post_webhook,
    records_with_key,
    seed_kind,
)
from tests.integration.pipeline.test_outbound import (
    _value,
    complete,
    decoded,
    effect,
    fulfillment_orders_of,
    graphql,
    numeric_id,
    order,
    states,
    wait_final_state,
    wait_instance,
    worker_extra,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SHOP = f"loop-{uuid.uuid4().hex[:8]}.myshopify.com"
FULFILLMENT = "casebridge.fulfillment_exception"
BROKEN_ALIAS = "no_such_outcome"


def _broken_policy(path: Path) -> Path:
    """The default policy with ``resolved`` aliased to an outcome nothing maps."""
    data = yaml.safe_load((ROOT / "deploy/policy/default.yaml").read_text())
    decisions = data.setdefault("decisions", {}) or {}
    decisions.setdefault("aliases", {})["resolved"] = BROKEN_ALIAS
    data["decisions"] = decisions
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture(scope="module")
def pipeline(
    bootstrap_servers: str, registry_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    policy = _broken_policy(tmp_path_factory.mktemp("policy") / "policy.yaml")
    with running_pipeline(
        bootstrap_servers,
        registry_url,
        tmp_path_factory,
        worker_extra={**worker_extra(SHOP), "CASEBRIDGE_POLICY_FILE": str(policy)},
        shopify_extra={"shops": [{"domain": SHOP}]},
    ) as running:
        yield running


def fulfillment_case(pipeline: Pipeline, kind: str) -> tuple[str, str, dict[str, Any]]:
    """Seed a ``kind`` scenario; (case id, order id, variables) of its fulfillment exception."""
    entry = seed_kind(pipeline, kind)
    order_id = numeric_id(entry["order_id"])
    instance = wait_instance(pipeline, FULFILLMENT, orderId=order_id)
    return str(instance["businessKey"]), order_id, variables_of(instance)


def dead_decisions(pipeline: Pipeline, case_id: str) -> list[dict[str, str]]:
    """The ``casebridge.dlq.*`` headers of the case's records on ``cases.decisions.dlq``."""
    found = records_with_key(pipeline.bootstrap_servers, "cases.decisions.dlq", case_id.encode())
    return [parse_headers(m.headers()) for m in found]


def metric(pipeline: Pipeline, name: str, **labels: str) -> float:
    """The worker's sample ``name`` with exactly ``labels`` (0 before it exists)."""
    text = httpx.get(f"{pipeline.worker.web_url}/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


def decisions_metric(pipeline: Pipeline, case_type: str, result: str) -> float:
    # Per shop (issue #18): the series of this test's own shop, declared at 0 on start.
    return metric(
        pipeline, "casebridge_decisions_total", shop=SHOP, case_type=case_type, result=result
    )


def splits_not_actionable(pipeline: Pipeline) -> float:
    return metric(
        pipeline, "casebridge_events_not_actionable_total", topic="fulfillment_orders/split"
    )


def case_show(pipeline: Pipeline, case_id: str) -> str:
    shown = subprocess.run(
        [sys.executable, "-m", "streams.cli", "case", "show", case_id],
        cwd=ROOT,
        env={**os.environ, **pipeline.env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    return shown.stdout


# --- fulfillment exceptions ----------------------------------------------------------------------


def test_an_oversold_item_opens_a_case_on_its_order_that_splits_with_no_typed_ids(
    pipeline: Pipeline,
) -> None:
    case_id, order_id, variables = fulfillment_case(pipeline, "inventory_mismatch")

    allowed = variables["allowedOutcomes"]
    assert "split" in allowed and "resolved" in allowed, allowed
    short = variables["unavailableLineItems"]
    kept = variables["splitLineItems"]
    assert short and kept and variables["fulfillmentOrderId"]
    # One stock change, one case: the out-of-stock event of the same sale opened none.
    assert len(instances_for(pipeline, FULFILLMENT, orderId=order_id)) == 1

    ignored_before = splits_not_actionable(pipeline)
    complete(pipeline, case_id, "split")  # the reviewer types nothing

    def split() -> list[dict[str, Any]] | None:
        found = fulfillment_orders_of(pipeline, order_id)
        return found if len(found) == 2 else None

    fos = effect(pipeline, split, f"order {order_id} split into two fulfillment orders")
    remaining = sorted(sum(line["fulfillable_quantity"] for line in fo["line_items"]) for fo in fos)
    assert remaining == sorted([sum(k["quantity"] for k in kept), short[0]["quantity"]])
    applied = wait_final_state(pipeline, case_id, "APPLIED")
    assert applied["outcome"] == "split"
    assert dead_decisions(pipeline, case_id) == []
    # Shopify's fulfillment_orders/split webhook for our own split was classified as
    # such: counted as needing no case, and no exception opened about the moved units.
    wait_until(
        lambda: splits_not_actionable(pipeline) > ignored_before,
        60,
        "the webhook of our own split to be classified",
    )
    assert len(instances_for(pipeline, FULFILLMENT, orderId=order_id)) == 1
    marker = graphql(
        pipeline,
        NODE_METAFIELD,
        {"id": f"gid://shopify/Order/{order_id}", "namespace": "casebridge", "key": "own_splits"},
    )["node"]["metafield"]
    assert [m["case"] for m in json.loads(marker["value"])] == [case_id], marker


def test_an_out_of_stock_item_finds_its_open_order_which_can_be_cancelled(
    pipeline: Pipeline,
) -> None:
    case_id, order_id, variables = fulfillment_case(pipeline, "out_of_stock")

    # A one-line order of the item: nothing to split off or cancel line by line.
    assert variables["allowedOutcomes"] == ["cancel", "resolved"]

    complete(pipeline, case_id, "cancel")

    effect(pipeline, lambda: order(pipeline, order_id)["cancelled_at"], "the cancellation")
    wait_final_state(pipeline, case_id, "APPLIED")


def test_a_decision_on_an_order_cancelled_meanwhile_closes_its_case_without_a_dlq(
    pipeline: Pipeline,
) -> None:
    case_id, order_id, variables = fulfillment_case(pipeline, "inventory_mismatch")
    assert "split" in variables["allowedOutcomes"]
    # Before the warehouse decides, the order is cancelled (another case's decision).
    graphql(
        pipeline,
        ORDER_CANCEL,
        {"orderId": f"gid://shopify/Order/{order_id}", "reason": "FRAUD", "restock": True},
    )
    effect(pipeline, lambda: order(pipeline, order_id)["cancelled_at"], "the cancellation")
    before = decisions_metric(pipeline, "FULFILLMENT_EXCEPTION", "superseded")

    complete(pipeline, case_id, "split")

    closed = wait_final_state(pipeline, case_id, "CLOSED")
    assert (closed["detail"] or "").startswith("superseded: fulfillment order"), closed
    # Nothing an operator must replay: no dead letter (it would precede the state).
    assert dead_decisions(pipeline, case_id) == []
    wait_until(
        lambda: decisions_metric(pipeline, "FULFILLMENT_EXCEPTION", "superseded") > before,
        30,
        "casebridge_decisions_total{result=superseded} to count it",
    )
    assert "superseded: fulfillment order" in case_show(pipeline, case_id)


# --- a decision that fails -----------------------------------------------------------------------


def test_an_outcome_the_case_did_not_offer_fails_the_case_visibly(pipeline: Pipeline) -> None:
    case_id, _, variables = fulfillment_case(pipeline, "fulfillment_failure")
    # Shipped: nothing to split, reschedule or cancel any more.
    assert variables["allowedOutcomes"] == ["resolved"]
    failed_before = decisions_metric(pipeline, "FULFILLMENT_EXCEPTION", "failed")

    complete(pipeline, case_id, "split")

    failed = wait_final_state(pipeline, case_id, "FAILED")
    reason = "outcome 'split' was not offered for this FULFILLMENT_EXCEPTION case"
    assert reason in (failed["detail"] or ""), failed
    (headers,) = wait_until(lambda: dead_decisions(pipeline, case_id), 30, "the dead letter")
    assert reason in headers["reason"] and headers["error_class"] == "OutcomeNotOfferedError"
    shown = case_show(pipeline, case_id)
    assert "dead-letter" in shown and f"dead-lettered from cases.decisions: {reason}" in shown
    assert "state FAILED" in shown
    wait_until(
        lambda: decisions_metric(pipeline, "FULFILLMENT_EXCEPTION", "failed") > failed_before,
        30,
        "casebridge_decisions_total{result=failed} to count the failure",
    )


# --- generations ---------------------------------------------------------------------------------


def _product(product_id: int, body: str, at: datetime) -> dict[str, Any]:
    return {
        "id": product_id,
        "admin_graphql_api_id": f"gid://shopify/Product/{product_id}",
        "title": "Vitamin D3 Drops",
        "body_html": f"<p>{body}</p>",
        "product_type": "Supplements",
        "vendor": "casebridge",
        "tags": "regulated",
        "status": "active",
        "variants": [{"id": product_id + 1, "price": "18.90", "sku": "VD3-30"}],
        "updated_at": at.isoformat(),
    }


def _requests_of(pipeline: Pipeline, case_id: str) -> list[dict[str, Any]]:
    return decoded(pipeline, "cases.requests", case_id)


def test_a_product_edited_again_after_its_review_opens_a_new_generation_once(
    pipeline: Pipeline,
) -> None:
    product_id = 800_000_000 + uuid.uuid4().int % 1_000_000
    start = datetime.now(UTC)

    def edit(body: str, minutes: int, event_id: str | None = None) -> None:
        payload = _product(product_id, body, start + timedelta(minutes=minutes))
        response = post_webhook(pipeline, "products/update", payload, shop=SHOP, event_id=event_id)
        assert response.status_code == 200, response.text

    def reviews() -> list[dict[str, Any]]:
        return instances_for(pipeline, "casebridge.content_review", subjectId=str(product_id))

    edit("Daily vitamin D.", 0)
    (first,) = wait_until(reviews, 60, "the first content review")
    base = str(first["businessKey"])
    complete(pipeline, base, "approved")
    wait_final_state(pipeline, base, "DECIDED")

    second_event = f"edit-{uuid.uuid4().hex}"
    edit("Daily vitamin D, now with K2.", 1, event_id=second_event)

    def two() -> list[dict[str, Any]] | None:
        found = reviews()
        return found if len(found) == 2 else None

    again = wait_until(two, 60, "a second generation")
    assert sorted(str(i["businessKey"]) for i in again) == [base, f"{base}-g2"]

    # The same delivery again (Shopify retries): dropped. A later edit while generation 2
    # is open attaches to it; once its request is out, the duplicate was handled too.
    edit("Daily vitamin D, now with K2.", 1, event_id=second_event)
    edit("Daily vitamin D, now with K2 and E.", 2)
    wait_until(lambda: len(_requests_of(pipeline, f"{base}-g2")) == 2, 60, "the attached edit")
    assert len(reviews()) == 2
    assert _requests_of(pipeline, f"{base}-g3") == []


def test_a_risk_that_rises_after_an_approval_for_its_value_reviews_and_holds_again(
    pipeline: Pipeline,
) -> None:
    entry = seed_kind(pipeline, "unusual_value")
    order_id = numeric_id(entry["order_id"])
    first = wait_instance(pipeline, "casebridge.order_review", orderId=order_id)
    base = str(first["businessKey"])

    def held_by(case_id: str) -> bool:
        # This case's own hold: an order of unusual value may also open a
        # HIGH_VALUE_REVIEW, whose hold stays until that case is decided.
        handle = hold_handle(case_id)
        return any(
            h.get("handle") == handle
            for fo in fulfillment_orders_of(pipeline, order_id)
            for h in fo["fulfillment_holds"]
        )

    effect(pipeline, lambda: held_by(base), "the review hold")
    complete(pipeline, base, "approved")
    wait_final_state(pipeline, base, "APPLIED")
    effect(pipeline, lambda: not held_by(base), "the hold released")

    risk = {"order_id": int(order_id), "risk_level": "HIGH", "provider_title": "Fraud app"}
    event_id = f"risk-{uuid.uuid4().hex}"
    response = post_webhook(
        pipeline, "orders/risk_assessment_changed", risk, shop=SHOP, event_id=event_id
    )
    assert response.status_code == 200, response.text

    renewed = wait_instance(pipeline, "casebridge.order_review", caseId=f"{base}-g2")
    assert any(r["code"] == "RISK_HIGH" for r in variables_of(renewed)["reasons"])
    effect(pipeline, lambda: held_by(f"{base}-g2"), "the order held again for the new review")
    assert _value(states(pipeline, f"{base}-g2")[0]["status"]) == "REQUESTED"


# --- a DLQ replay that then succeeds -------------------------------------------------------------


def test_a_failed_decision_replayed_after_the_fix_moves_the_case_to_applied(
    pipeline: Pipeline,
) -> None:
    case_id, order_id, _ = fulfillment_case(pipeline, "attempted_delivery")
    complete(pipeline, case_id, "resolved", notes="carrier re-delivers on Monday")
    failed = wait_final_state(pipeline, case_id, "FAILED")
    assert "outcome 'resolved' is not mapped" in (failed["detail"] or ""), failed
    # A later decision, so the poller's watermark is past the first one: after the
    # restart below only the replay can bring that one back.
    later, _, _ = fulfillment_case(pipeline, "fulfillment_delay")
    complete(pipeline, later, "resolved")
    wait_final_state(pipeline, later, "FAILED")

    # The fix: the worker restarts with the default policy (re-reading no history
    # before its watermark). Then the operator replays the first decision.
    fixed = {k: v for k, v in pipeline.env.items() if k != "CASEBRIDGE_POLICY_FILE"}
    fixed["CASEBRIDGE_DECISIONS__OVERLAP_S"] = "0"
    pipeline.worker.process.stop()
    pipeline.env = fixed
    pipeline.worker = start_worker("worker-fixed", fixed, pipeline.logs, reset_offsets=False)
    result = replay(
        {"bootstrap.servers": pipeline.bootstrap_servers},
        "cases.decisions",
        filters={"key": [case_id]},
        from_beginning=True,
    )
    assert len(result.replayed) == 1, result

    applied = wait_final_state(pipeline, case_id, "APPLIED")
    assert applied["outcome"] == "resolved"
    note = order(pipeline, order_id)["note"] or ""
    assert "carrier re-delivers on Monday" in note
    # On cases.decisions: the replayed completed task (JSON), then the decision built from it.
    records = records_with_key(pipeline.bootstrap_servers, "cases.decisions", case_id.encode())
    replayed = [m for m in records if m.value().startswith(b"{")]
    assert [json.loads(m.value())["outcome"] for m in replayed] == ["resolved"]
    serde = AvroSerde.for_topic("cases.decisions", RegistryClient(pipeline.registry_url))
    (decision,) = [serde.decode(m.value()) for m in records if m.value().startswith(b"\x00")]
    assert _value(decision["source"]) == "MANUAL"  # built again from the replayed record
