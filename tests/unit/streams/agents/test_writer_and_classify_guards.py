"""Guards of the writer and classify agents: one shop per worker, one review hold per case."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from schemas.records import CaseRequest, CaseVariable, VariableType
from streams.agents.classify import Classifier
from streams.agents.writer import Writer
from streams.policy.loader import default_policy
from tests.unit.streams.agents.test_sink import FakeProducer, request

SHOP = "s.myshopify.com"


def settings() -> Any:
    return SimpleNamespace(shopify=SimpleNamespace(shop_domain=SHOP))


def decision_event() -> Any:
    message = SimpleNamespace(
        topic="cases.decisions", partition=1, offset=7, key=b"case-1", value=b"raw", headers=[]
    )
    return SimpleNamespace(message=message, value=message.value)


async def test_writer_dead_letters_a_record_of_another_shop() -> None:
    producer = FakeProducer()
    writer = Writer.__new__(Writer)  # no Faust app: only the guard is exercised
    writer.services = SimpleNamespace(settings=settings(), producer=producer)  # type: ignore[assignment]

    assert await writer._foreign_shop(decision_event(), SHOP, "case-1") is False
    assert producer.sent == []
    assert await writer._foreign_shop(decision_event(), "other.myshopify.com", "case-1") is True
    ((topic, value, key, headers),) = producer.sent
    assert (topic, value, key) == ("cases.decisions.dlq", b"raw", b"case-1")
    assert b"other.myshopify.com" in dict(headers)["casebridge.dlq.reason"]


class CountingEnricher:
    def __init__(self) -> None:
        self.holds = 0

    async def enrich(self, request: CaseRequest) -> CaseRequest:
        return request

    async def hold(self, request: CaseRequest) -> CaseRequest:
        self.holds += 1
        placed = CaseVariable(
            name="holdsPlaced",
            type=VariableType.JSON,
            value=json.dumps([{"fulfillmentOrderId": "1", "holdId": "h1"}]),
        )
        return request.model_copy(update={"variables": [*request.variables, placed]})


def classifier(enricher: CountingEnricher) -> tuple[Classifier, list[CaseRequest]]:
    published: list[CaseRequest] = []
    classify = Classifier.__new__(Classifier)  # no Faust app: tables are plain dicts here
    classify.services = SimpleNamespace(settings=settings(), policy=default_policy())  # type: ignore[assignment]
    classify.enricher = enricher
    classify.open_cases = {}  # type: ignore[assignment]
    classify.complaint_history = {}  # type: ignore[assignment]
    classify.stats = {"cases": 0, "updates_attached": 0}

    async def publish(request: CaseRequest, *, first: bool) -> None:
        published.append(request)

    classify._publish = publish  # type: ignore[method-assign]
    return classify, published


async def test_the_review_hold_is_placed_once_per_case_not_on_later_updates() -> None:
    # A later update (e.g. the orders/updated the decision's release caused) must not re-hold.
    enricher = CountingEnricher()
    classify, published = classifier(enricher)

    await classify._open([request()])
    await classify._open([request()])

    assert enricher.holds == 1
    assert len(published) == 2
    assert classify.open_cases[request().case_id]["held"] is True


async def test_no_hold_on_an_order_of_another_shop() -> None:
    enricher = CountingEnricher()
    classify, published = classifier(enricher)

    await classify._open([request(shop="other.myshopify.com")])

    assert enricher.holds == 0
    assert len(published) == 1
