"""Classify after a crash or a rebalance: no second hold, no event remembered before it counts.

Found by the reliability suite (tests/reliability): a worker that took over a
partition re-held an order whose review had been approved and released, because
its open-cases table did not have the case yet.
"""

from __future__ import annotations

import asyncio
from typing import Any

from streams.classify import agent as classify_module
from tests.unit.streams.classify.harness import CountingEnricher, FakeOpenText, Harness, risk
from tests.unit.streams.classify.rules.conftest import make_event


async def test_a_case_opentext_already_has_is_not_held_again() -> None:
    probe = Harness()
    await probe.webhook(risk("HIGH", "evt-1"), offset=1)
    (case_id,) = {r.case_id for r in probe.requests()}
    h = Harness(opentext=FakeOpenText({case_id}))  # a worker whose table lacks the case

    await h.webhook(risk("HIGH", "evt-1"), offset=1)

    assert h.enricher.holds == 0
    assert len(h.requests()) == 1  # the update still reaches the sink


async def test_a_new_case_is_held_after_one_lookup() -> None:
    h = Harness(opentext=FakeOpenText())

    await h.webhook(risk("HIGH", "evt-1"), offset=1)
    await h.webhook(risk("HIGH", "evt-2"), offset=2)

    assert h.enricher.holds == 1
    assert len(h.opentext.lookups) == 1  # the table answers for the second request
    assert len(h.requests()) == 2


async def test_an_unanswered_lookup_does_not_delay_the_hold(monkeypatch: Any) -> None:
    monkeypatch.setattr(classify_module, "OPENED_LOOKUP_TIMEOUT_S", 0.05)
    h = Harness(opentext=FakeOpenText(hang=True))

    await asyncio.wait_for(h.webhook(risk("HIGH", "evt-1"), offset=1), timeout=5)

    assert h.enricher.holds == 1
    assert len(h.requests()) == 1


async def test_no_opentext_lookup_when_no_hold_would_be_placed() -> None:
    # The lookup only guards a hold; without one it is a wasted OpenText call per case.
    h = Harness(CountingEnricher(holds=False), opentext=FakeOpenText())

    await h.webhook(risk("HIGH", "evt-1"), offset=1)

    assert h.opentext.lookups == [] and h.enricher.holds == 0
    assert len(h.requests()) == 1


async def test_a_redelivered_product_change_is_classified_against_the_state_before_it() -> None:
    # The content tables change in the decision phase; a crash before the hold and the
    # request were done must not make the change look already seen when it is read again.
    h = Harness()
    product = {
        "id": 632910392,
        "title": "Herbal tea",
        "body_html": "<p>calm</p>",
        "status": "active",
        "variants": [{"id": 1, "price": "10.00"}],
    }
    created = make_event("products/create", product, event_id="p-1", resource_id="632910392")
    await h.webhook(created, offset=10)
    assert h.requests() == []
    claim = {**product, "title": "Herbal tea that cures colds"}
    edited = make_event("products/update", claim, event_id="p-2", resource_id="632910392")

    await h.webhook(edited, offset=11)
    await h.webhook(edited, offset=11)  # read again after a crash

    original, redelivery = h.requests()
    assert redelivery.case_id == original.case_id
    values = {v.name: v.value for v in redelivery.variables}
    assert values["contentHold"] == "restore"
    assert values["approvedContent"] == '{"title":"Herbal tea"}'
