"""Guards of the writer and classify agents: registered shops only, one review hold per case,
and classify's duplicate/redelivery rule (same event id: same offset = redelivery)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from connectors.shopify.budget import Priority, current_class
from schemas.records import CaseDecision, CaseRequest, CaseType, CaseVariable, VariableType
from streams.classify.agent import STATS, Classifier, NoEnrichment, Pending
from streams.policy.loader import default_policy
from streams.shops.errors import UnknownShopError
from streams.writer.agent import Writer, lane_key
from tests.unit.schemas.samples import samples
from tests.unit.streams.fakes import FakeServices, registry
from tests.unit.streams.sink.test_agent import FakeProducer, request

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
    writer.services = FakeServices(settings=settings(), producer=producer, shops=registry(SHOP))  # type: ignore[assignment]

    assert await writer._foreign_shop(decision_event(), SHOP, "case-1") is False
    assert producer.sent == []
    assert await writer._foreign_shop(decision_event(), "other.myshopify.com", "case-1") is True
    ((topic, value, key, headers),) = producer.sent
    assert (topic, value, key) == ("cases.decisions.dlq", b"raw", b"case-1")
    assert b"other.myshopify.com" in dict(headers)["casebridge.dlq.reason"]


class CountingEnricher(NoEnrichment):
    """Holds every case; records the order and the budget class of its steps."""

    def __init__(self, *, defer: bool = False) -> None:
        self.holds = 0
        self.defer = defer
        self.steps: list[tuple[str, Priority]] = []

    async def enrich(self, request: CaseRequest) -> CaseRequest:
        self.steps.append(("enrich", current_class()))
        return request

    def should_defer(self, request: CaseRequest) -> bool:
        return self.defer

    def deferred(self, request: CaseRequest) -> CaseRequest:
        marker = CaseVariable(name="enrichmentDeferred", value="budget")
        return request.model_copy(
            update={"enrichment_complete": False, "variables": [*request.variables, marker]}
        )

    def would_hold(self, request: CaseRequest) -> bool:
        return True

    async def hold(self, request: CaseRequest) -> CaseRequest:
        self.steps.append(("hold", current_class()))
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
    classify.services = FakeServices(  # type: ignore[assignment]
        settings=settings(), policy=default_policy(), shops=registry(SHOP)
    )
    classify.enricher = enricher
    classify.open_cases = {}  # type: ignore[assignment]
    classify.generations = {}  # type: ignore[assignment]
    classify.case_ends = {}  # type: ignore[assignment]
    classify.complaint_history = {}  # type: ignore[assignment]
    classify.subjects = {}  # type: ignore[assignment]
    classify.shop_stats = {}  # type: ignore[assignment]
    classify.fingerprints = {}  # type: ignore[assignment]
    classify.stats = dict.fromkeys(STATS, 0)

    async def publish(request: CaseRequest, *, first: bool) -> None:
        published.append(request)

    classify._publish = publish  # type: ignore[method-assign]
    classify.deferred = RecordingDeferral()  # type: ignore[assignment]
    return classify, published


class RecordingDeferral:
    def __init__(self) -> None:
        self.submitted: list[CaseRequest] = []

    def submit(self, request: CaseRequest) -> bool:
        self.submitted.append(request)
        return True


async def open_request(classify: Classifier, req: CaseRequest, source: str) -> list[Pending]:
    """Both phases for one request read at ``source`` (partition:offset)."""
    pending = classify._decide([req], source)
    await classify._open(pending)
    return pending


async def test_the_review_hold_is_placed_once_per_case_not_on_later_updates() -> None:
    # A later update (e.g. the orders/updated the decision's release caused) must not re-hold.
    enricher = CountingEnricher()
    classify, published = classifier(enricher)

    await open_request(classify, request(), "0:1")
    await open_request(classify, request(), "0:2")

    assert enricher.holds == 1
    assert len(published) == 2
    assert classify.open_cases[request().case_id]["held"] is True


async def test_no_hold_on_an_order_of_another_shop() -> None:
    enricher = CountingEnricher()
    classify, published = classifier(enricher)

    await open_request(classify, request(shop="other.myshopify.com"), "0:1")

    assert enricher.holds == 0
    assert len(published) == 1


async def test_the_hold_goes_out_before_enrichment_in_the_protective_class() -> None:
    enricher = CountingEnricher()
    classify, _ = classifier(enricher)

    await open_request(classify, request(), "0:1")

    assert enricher.steps == [("hold", Priority.PROTECT), ("enrich", Priority.ENRICH)]


async def test_an_update_of_an_open_case_is_not_enriched_again() -> None:
    enricher = CountingEnricher()
    classify, published = classifier(enricher)

    await open_request(classify, request(), "0:1")
    await open_request(classify, request(), "0:2")  # orders/updated of the same order

    assert [step for step, _ in enricher.steps].count("enrich") == 1
    assert len(published) == 2


async def test_a_short_budget_opens_the_case_first_and_defers_enrichment() -> None:
    enricher = CountingEnricher(defer=True)
    classify, published = classifier(enricher)

    await open_request(classify, request(), "0:1")

    assert [step for step, _ in enricher.steps] == ["hold"]  # the hold still goes out
    (opened,) = published
    assert not opened.enrichment_complete
    assert any(v.name == "enrichmentDeferred" for v in opened.variables)
    assert classify.deferred.submitted == [opened]  # type: ignore[attr-defined]


def test_a_later_request_for_an_open_case_is_an_update_but_a_redelivery_is_still_first() -> None:
    classify, _ = classifier(CountingEnricher())

    (first,) = classify._decide([request()], "3:10")
    (update,) = classify._decide([request()], "3:11")
    (redelivered,) = classify._decide([request()], "3:10")  # the first record, after a crash

    assert (first.first, first.unseen) == (True, True)
    assert (update.first, update.unseen) == (False, False)
    assert (redelivered.first, redelivered.unseen) == (True, False)
    assert classify.stats["cases"] == 1 and classify.stats["updates_attached"] == 1


def webhook_event(offset: int) -> Any:
    message = SimpleNamespace(
        topic="shopify.webhooks", partition=4, offset=offset, key=b"k", value=b"", headers=[]
    )
    return SimpleNamespace(message=message, value=message.value)


async def test_a_duplicate_webhook_is_dropped_but_a_redelivered_record_is_processed_again() -> None:
    from tests.unit.streams.classify.rules.conftest import make_event, make_order

    classify, _ = classifier(CountingEnricher())
    restricted = make_order(shipping_address={"country_code": "KP", "zip": "1"})
    record = make_event("orders/create", restricted, event_id="evt-9", resource_id="450789469")

    original = await classify.decide_webhook(webhook_event(100), record)
    duplicate = await classify.decide_webhook(webhook_event(101), record)  # Shopify resent it
    redelivery = await classify.decide_webhook(webhook_event(100), record)  # read again

    assert len(original) == 1 and original[0].first
    assert duplicate == [] and classify.stats["duplicates"] == 1
    assert [p.request.case_id for p in redelivery] == [original[0].request.case_id]
    assert redelivery[0].first  # its REQUESTED may never have been published


def test_only_complaint_cases_count_towards_the_complaint_history() -> None:
    # An order review of a customer is not a complaint: counting it would make
    # a customer with a few reviewed orders look like a repeated complainer.
    classify, _ = classifier(CountingEnricher())

    classify._decide([request()], "0:1")
    assert classify.complaint_history == {}

    complaint = request(case_type=CaseType.COMPLAINT, case_id="COMPLAINT:s.myshopify.com:c-1")
    classify._decide([complaint], "0:2")
    assert list(classify.complaint_history) == ["s.myshopify.com|customer:77"]


async def test_an_event_that_needs_no_case_is_recorded_as_not_actionable() -> None:
    from streams.ops.metrics import REGISTRY
    from tests.unit.streams.classify.rules.conftest import make_event, make_order

    classify, _ = classifier(CountingEnricher())
    labels = {"topic": "orders/create"}
    before = REGISTRY.get_sample_value("casebridge_events_not_actionable_total", labels) or 0
    record = make_event("orders/create", make_order(), event_id="evt-n", resource_id="4507")

    assert await classify.decide_webhook(webhook_event(7), record) == []

    assert classify.stats["not_actionable"] == 1
    after = REGISTRY.get_sample_value("casebridge_events_not_actionable_total", labels)
    assert after == before + 1


def test_the_writers_lane_is_per_shop_and_order() -> None:
    def decided(shop: str) -> CaseDecision:
        return a_decision(shop).model_copy(
            update={"variables": [CaseVariable(name="orderId", value="45")]}
        )

    # Order ids are only unique within a store: two stores' order 45 are two lanes.
    assert lane_key(decided("a.myshopify.com")) != lane_key(decided("b.myshopify.com"))


async def test_a_decision_of_a_shop_removed_while_queued_is_dead_lettered() -> None:
    producer = FakeProducer()
    writer = Writer.__new__(Writer)  # no Faust app: only apply()'s lookup is exercised
    services = FakeServices(settings=settings(), producer=producer, shops=registry(SHOP))

    def gone(shop: str) -> Any:
        raise UnknownShopError(f"shop {shop!r} is not in the shop registry")

    services.shopify_writer_for = gone
    writer.services = services  # type: ignore[assignment]
    writer._executors = {}
    writer.config = None  # type: ignore[assignment]
    decision = a_decision("gone.myshopify.com").model_copy(update={"actions": []})

    await writer.apply(decision_event(), decision)

    ((topic, _, _, headers),) = producer.sent
    assert topic == "cases.decisions.dlq"
    assert b"gone.myshopify.com" in dict(headers)["casebridge.dlq.reason"]


def a_decision(shop: str) -> CaseDecision:
    """The sample decision, for ``shop``."""
    sample = samples()["CaseDecision"]
    assert isinstance(sample, CaseDecision)
    return sample.model_copy(update={"shop": shop})
