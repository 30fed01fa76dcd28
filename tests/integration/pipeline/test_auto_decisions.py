"""The OpenText emulator deciding like a reviewer, end to end (issue 13).

The sandbox's automatic decider used to take each model's first outcome, so
reject, correct and decline never ran in ``make run``. Here it runs in
``auto`` mode as the sandbox does, its per-model weights set to the outcome
under test, and every decision must reach Shopify: the variables the
reviewer's form supplies (a corrected address, a decline reason) are what the
write-back needs, so the case ends APPLIED with nothing dead-lettered.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from emulators.opentext.forms import ADDRESS_CORRECTIONS, DECLINE_REASONS
from tests.integration.pipeline.conftest import Pipeline, running_pipeline
from tests.integration.pipeline.harness import variables_of, wait_until
from tests.integration.pipeline.test_inbound import post_webhook, seed_kind, wait_instance
from tests.integration.pipeline.test_outbound import (
    EFFECT_TIMEOUT_S,
    dead_decisions,
    effect,
    fulfillment_orders_of,
    numeric_id,
    order,
    our_holds,
    seed_order,
    states,
    statuses,
    stocked_variants,
    tags_of,
    worker_extra,
    writebacks,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SHOP = f"autodecide-{uuid.uuid4().hex[:8]}.myshopify.com"
#: The sandbox's decider (auto, seeded), each model weighted to the outcome under test.
AUTO_DECISIONS = {
    "decisions": {
        "mode": "auto",
        "delay_seconds": 0,
        "tick_seconds": 0.2,
        "seed": 13,
        # Only this module's cases: others on the shared broker wait for their own runs.
        "match_variables": {"shop": SHOP},
        "policies": {
            "casebridge.order_review": {"weights": {"corrected": 1}},
            "casebridge.return_review": {"weights": {"declined": 1}},
        },
    }
}


def applied(pipeline: Pipeline, case_id: str, outcome: str) -> dict[str, Any]:
    """Wait for the case to be APPLIED with ``outcome``.

    Not "the latest state": a worker of another run on the shared broker may also
    have opened this case in its own OpenText emulator and decided it there.
    """

    def probe() -> dict[str, Any] | None:
        return next(
            (
                s
                for s in states(pipeline, case_id)
                if str(s["status"]) == "APPLIED" and s["outcome"] == outcome
            ),
            None,
        )

    return wait_until(
        probe,
        EFFECT_TIMEOUT_S,
        f"case {case_id} APPLIED as {outcome}\n{pipeline.worker.process.log_tail(3000)}",
        0.5,
    )


@pytest.fixture(scope="module")
def pipeline(
    bootstrap_servers: str, registry_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    """Both emulators (OpenText deciding by itself) and a worker polling its decisions."""
    with running_pipeline(
        bootstrap_servers,
        registry_url,
        tmp_path_factory,
        worker_extra={**worker_extra(SHOP), "CASEBRIDGE_DECISIONS__POLL_INTERVAL_S": "2"},
        shopify_extra={"shops": [{"domain": SHOP}]},
        opentext_config=AUTO_DECISIONS,
    ) as running:
        yield running


def test_auto_correct_sends_the_reviewers_corrected_address_note_and_tags(
    pipeline: Pipeline,
) -> None:
    # An order of the emulator's, then Shopify telling us it now ships to a restricted
    # country: the case opens from that one event, so it carries the address whatever
    # order the emulator's own webhooks arrive in.
    (variant,) = stocked_variants(pipeline, 1)
    placed = seed_order(pipeline, [(variant["id"], 1)])
    order_id = str(placed["id"])
    address = {**placed["shipping_address"], "country_code": "KP", "province_code": None}
    updated = {**placed, "shipping_address": address, "updated_at": datetime.now(UTC).isoformat()}
    response = post_webhook(pipeline, "orders/updated", updated, shop=SHOP)
    assert response.status_code == 200, response.text
    instance = wait_instance(pipeline, "casebridge.order_review", orderId=order_id)
    case_id = str(instance["businessKey"])

    applied(pipeline, case_id, "corrected")

    after = order(pipeline, order_id)
    shipping = after["shipping_address"]
    # The reviewer's correction on the address the case carried, the rest kept.
    assert shipping["address2"] in ADDRESS_CORRECTIONS, shipping
    for field in ("address1", "city", "zip", "country_code"):
        assert shipping[field] == address[field], (field, shipping, address)
    assert after["note"] and "address-checked" in tags_of(after)
    results = writebacks(pipeline, case_id)
    assert statuses(results, "UPDATE_ORDER") == ["APPLIED"], results
    effect(
        pipeline,
        lambda: not any(our_holds(fo) for fo in fulfillment_orders_of(pipeline, order_id)),
        f"the hold on order {order_id} released",
    )
    assert dead_decisions(pipeline, case_id) == []


def test_auto_decline_gives_the_return_a_reason_shopify_accepts(pipeline: Pipeline) -> None:
    entry = seed_kind(pipeline, "return_request")
    order_id = numeric_id(entry["order_id"])
    instance = wait_instance(pipeline, "casebridge.return_review", orderId=order_id)
    case_id = str(instance["businessKey"])
    return_id = numeric_id(str(variables_of(instance)["returnId"]))

    applied(pipeline, case_id, "declined")

    declined = pipeline.emulators.shopify_resource("returns", return_id)
    assert declined["status"] == "declined", declined
    assert declined["decline"]["reason"].upper() in DECLINE_REASONS
    assert declined["decline"]["note"]
    assert order(pipeline, order_id)["refunds"] == []
    assert statuses(writebacks(pipeline, case_id), "DECLINE_RETURN") == ["APPLIED"]
    assert dead_decisions(pipeline, case_id) == []
