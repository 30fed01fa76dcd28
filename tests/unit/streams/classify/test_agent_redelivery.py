"""Classify after a crash or a rebalance: no second hold, no event remembered before it counts.

Found by the reliability suite (tests/reliability): a worker that took over a
partition re-held an order whose review had been approved and released, because
its open-cases table did not have the case yet.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from schemas.records import CaseRequest
from streams.classify import agent as classify_module
from tests.unit.streams.classify.test_agent_guards import (
    SHOP,
    CountingEnricher,
    classifier,
    open_request,
)
from tests.unit.streams.sink.test_agent import request


class FakeOpenText:
    """Answers the history lookup by business key; optionally never."""

    def __init__(self, known: set[str], *, hang: bool = False) -> None:
        self.known = known
        self.hang = hang
        self.lookups: list[tuple[str | None, str | None]] = []

    async def find_historic_process_instances(
        self, business_key: str | None = None, process_definition_key: str | None = None
    ) -> list[Any]:
        self.lookups.append((business_key, process_definition_key))
        if self.hang:
            await asyncio.sleep(3600)
        return [SimpleNamespace(business_key=business_key)] if business_key in self.known else []


def with_opentext(enricher: CountingEnricher, opentext: FakeOpenText) -> Any:
    classify, published = classifier(enricher)
    case_type = request().case_type.value
    classify.services.settings = SimpleNamespace(  # type: ignore[assignment]
        shopify=SimpleNamespace(shop_domain=SHOP),
        opentext=SimpleNamespace(models={case_type: "casebridge.model"}),
    )
    classify.services.opentext = opentext  # type: ignore[assignment]
    return classify, published


async def test_a_case_opentext_already_has_is_not_held_again() -> None:
    first: CaseRequest = request()
    enricher = CountingEnricher()
    classify, published = with_opentext(enricher, FakeOpenText({first.case_id}))

    await open_request(classify, first, "0:1")

    assert enricher.holds == 0
    assert len(published) == 1  # the update still reaches the sink


async def test_a_new_case_is_held_after_one_lookup() -> None:
    enricher = CountingEnricher()
    opentext = FakeOpenText(set())
    classify, published = with_opentext(enricher, opentext)

    await open_request(classify, request(), "0:1")
    await open_request(classify, request(), "0:2")

    assert enricher.holds == 1
    assert len(opentext.lookups) == 1  # the table answers for the second request
    assert len(published) == 2


async def test_an_unanswered_lookup_does_not_delay_the_hold(monkeypatch: Any) -> None:
    monkeypatch.setattr(classify_module, "OPENED_LOOKUP_TIMEOUT_S", 0.05)
    enricher = CountingEnricher()
    classify, published = with_opentext(enricher, FakeOpenText(set(), hang=True))

    await asyncio.wait_for(open_request(classify, request(), "0:1"), timeout=5)

    assert enricher.holds == 1
    assert len(published) == 1


class NoHoldEnricher(CountingEnricher):
    """An enricher that never holds this case (e.g. no Shopify access, or a case type not held)."""

    def would_hold(self, request: CaseRequest) -> bool:
        return False


async def test_no_opentext_lookup_when_no_hold_would_be_placed() -> None:
    # The lookup only guards a hold; without one it is a wasted OpenText call per case.
    enricher = NoHoldEnricher()
    opentext = FakeOpenText(set())
    classify, published = with_opentext(enricher, opentext)

    await open_request(classify, request(), "0:1")

    assert opentext.lookups == [] and enricher.holds == 0
    assert len(published) == 1
