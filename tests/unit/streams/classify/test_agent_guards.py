"""Guards of the classify agents: one review hold per case, registered shops only, the
duplicate/redelivery rule (same event id: same offset = redelivery), and what is counted.

Records go in through the agents (``shopify.webhooks``, ``support.complaints``) and the
case requests come out of the producer; the enricher stands in for Shopify.
"""

from __future__ import annotations

from typing import Any

from connectors.shopify.budget import Priority
from schemas.records import ComplaintSubmitted
from streams.ops.metrics import REGISTRY
from streams.topics import SHOPIFY_WEBHOOKS, SUPPORT_COMPLAINTS
from tests.unit.schemas.samples import samples
from tests.unit.streams.classify.harness import SHOP, CountingEnricher, Harness, risk
from tests.unit.streams.classify.rules.conftest import make_event, make_order

OPEN_CASES = "classify-open-cases"


async def test_the_review_hold_is_placed_once_per_case_not_on_later_updates() -> None:
    # A later update (e.g. the orders/updated the decision's release caused) must not re-hold.
    h = Harness()

    first = await h.webhook(risk("HIGH", "evt-1"), offset=1)
    await h.webhook(risk("HIGH", "evt-2"), offset=2)

    assert h.enricher.holds == 1
    (case_id,) = {r.case_id for r in h.requests()}
    assert len(h.requests()) == 2
    assert h.table(OPEN_CASES)[case_id]["held"] is True
    assert first.acked


async def test_no_hold_on_an_order_of_another_shop() -> None:
    h = Harness()

    await h.webhook(risk("HIGH", "evt-1", shop="other.myshopify.com"), offset=1)

    assert h.enricher.holds == 0
    assert len(h.requests()) == 1


async def test_the_hold_goes_out_before_enrichment_in_the_protective_class() -> None:
    h = Harness()

    await h.webhook(risk("HIGH", "evt-1"), offset=1)

    assert h.enricher.steps == [("hold", Priority.PROTECT), ("enrich", Priority.ENRICH)]


async def test_an_update_of_an_open_case_is_not_enriched_again() -> None:
    h = Harness()

    await h.webhook(risk("HIGH", "evt-1"), offset=1)
    await h.webhook(risk("MEDIUM", "evt-2"), offset=2)

    assert [step for step, _ in h.enricher.steps].count("enrich") == 1
    assert len(h.requests()) == 2


async def test_a_short_budget_opens_the_case_first_and_defers_enrichment() -> None:
    h = Harness(CountingEnricher(defer=True))

    await h.webhook(risk("HIGH", "evt-1"), offset=1)
    opened = h.requests()[0]
    await h.classifier.deferred.join()

    assert not opened.enrichment_complete
    assert any(v.name == "enrichmentDeferred" for v in opened.variables)
    # The hold went out at once; the enrichment later, published as an update of the case.
    assert [step for step, _ in h.enricher.steps] == ["hold", "enrich"]
    assert [r.case_id for r in h.requests()] == [opened.case_id, opened.case_id]
    assert h.requested() == [opened.case_id]


async def test_a_later_request_for_an_open_case_is_an_update_but_a_redelivery_is_still_first() -> (
    None
):
    h = Harness()

    await h.webhook(risk("HIGH", "evt-1"), offset=10, partition=3)
    await h.webhook(risk("HIGH", "evt-2"), offset=11, partition=3)
    await h.webhook(risk("HIGH", "evt-1"), offset=10, partition=3)  # the first, after a crash

    # REQUESTED goes out with a case's first request; the redelivered first one may
    # never have published its own, so it goes out again.
    (case_id,) = {r.case_id for r in h.requests()}
    assert len(h.requests()) == 3 and h.requested() == [case_id, case_id]
    assert h.stats["cases"] == 1 and h.stats["updates_attached"] == 1


async def test_a_duplicate_webhook_is_dropped_but_a_redelivered_record_is_processed_again() -> None:
    h = Harness()
    restricted = make_order(shipping_address={"country_code": "KP", "zip": "1"})
    record = make_event(
        "orders/create", restricted, event_id="evt-9", resource_id="450789469", shop=SHOP
    )

    await h.webhook(record, offset=100)
    await h.webhook(record, offset=101)  # Shopify resent it
    assert h.stats["duplicates"] == 1 and len(h.requests()) == 1

    redelivery = await h.webhook(record, offset=100)  # read again after a crash

    assert [r.case_id for r in h.requests()] == [h.requests()[0].case_id] * 2
    assert h.requested() == [h.requests()[0].case_id] * 2  # its REQUESTED may be lost
    assert redelivery.acked


async def test_only_complaint_cases_count_towards_the_complaint_history() -> None:
    # An order review of a customer is not a complaint: counting it would make
    # a customer with a few reviewed orders look like a repeated complainer.
    h = Harness()

    await h.webhook(risk("HIGH", "evt-1"), offset=1)
    assert h.table("classify-complaint-history") == {}

    complaint = samples()["ComplaintSubmitted"]
    assert isinstance(complaint, ComplaintSubmitted)
    await h.deliver(SUPPORT_COMPLAINTS, complaint, offset=2)
    (key,) = h.table("classify-complaint-history")
    assert key.startswith(f"{complaint.shop}|")


async def test_an_event_that_needs_no_case_is_recorded_as_not_actionable() -> None:
    h = Harness()
    labels = {"topic": "orders/create"}
    before = REGISTRY.get_sample_value("casebridge_events_not_actionable_total", labels) or 0
    record = make_event("orders/create", make_order(), event_id="evt-n", resource_id="4507")

    event = await h.webhook(record, offset=7)

    assert h.requests() == [] and event.acked
    assert h.stats["not_actionable"] == 1
    after = REGISTRY.get_sample_value("casebridge_events_not_actionable_total", labels)
    assert after == before + 1


async def test_an_undecodable_record_is_dead_lettered_and_counted() -> None:
    h = Harness()

    event = await h.deliver(SHOPIFY_WEBHOOKS, b"\x00garbage", offset=3)

    (letter,) = h.producer.letters(SHOPIFY_WEBHOOKS)
    assert letter["error_class"].startswith("avro:") and event.acked
    assert h.stats["dead_lettered"] == 1 and h.requests() == []


async def test_stock_webhooks_are_kept_and_a_late_level_takes_its_place() -> None:
    h = Harness()
    product = {
        "id": 5,
        "title": "Mug",
        "updated_at": "2026-11-26T08:00:00Z",
        "variants": [{"id": 11, "inventory_item_id": 901, "inventory_quantity": 4}],
    }
    await h.webhook(
        make_event("products/create", product, event_id="p-1", resource_id="5", shop=SHOP), offset=1
    )
    assert h.table("classify-inventory-variants")[f"{SHOP}|11"] == {
        "item": "901",
        "quantity": 4,
        "at": "2026-11-26T08:00:00+00:00",
    }

    def level(event_id: str, available: int, at: str) -> Any:
        body = {
            "inventory_item_id": 901,
            "location_id": 1,
            "available": available,
            "updated_at": at,
        }
        return make_event(
            "inventory_levels/update", body, event_id=event_id, resource_id="901", shop=SHOP
        )

    await h.webhook(level("l-1", 3, "2026-11-26T10:00:00Z"), offset=2)
    # Delivered late (stale for the subject), still a fact about the stock at its time.
    await h.webhook(level("l-2", 7, "2026-11-26T09:00:00Z"), offset=3)
    kept = h.table("classify-inventory-levels")[f"{SHOP}|901"]["locations"]["1"]
    assert [s[1] for s in kept] == [7, 3]
    assert h.stats["stale"] == 1
