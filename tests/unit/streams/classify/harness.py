"""The classify stage built on fakes of its seams: the Faust app, Services, OpenText and
the enricher (Shopify); records go in through its agents and come out of the producer."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from connectors.shopify.budget import Priority, current_class
from schemas.records import (
    AvroRecord,
    CaseRequest,
    CaseState,
    CaseStatus,
    CaseType,
    CaseVariable,
    ShopifyEvent,
    VariableType,
)
from streams.classify.agent import Classifier, NoEnrichment
from streams.decisions.ending import FinalDecisionBuilder
from streams.policy.loader import default_policy
from streams.settings import Settings
from streams.topics import CASES_REQUESTS, CASES_STATE, SHOPIFY_WEBHOOKS, SUPPORT_COMPLAINTS
from tests.unit.streams.classify.rules.conftest import make_event, make_order
from tests.unit.streams.fakes import (
    Event,
    FakeApp,
    FakeStream,
    JsonSerde,
    RecordingProducer,
    registry,
    stage_services,
)

SHOP = "s.myshopify.com"
ORDER = "1001"

#: The classify agent per input topic.
AGENTS = {
    SHOPIFY_WEBHOOKS: "casebridge.classify-webhooks",
    SUPPORT_COMPLAINTS: "casebridge.classify-complaints",
    CASES_STATE: "casebridge.classify-case-ends",
}


class CountingEnricher(NoEnrichment):
    """Holds every case; records the order and the budget class of its steps."""

    def __init__(self, *, defer: bool = False, holds: bool = True) -> None:
        self.holds = 0
        self.defer = defer
        self.holding = holds
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
        return self.holding

    async def hold(self, request: CaseRequest) -> CaseRequest:
        self.steps.append(("hold", current_class()))
        self.holds += 1
        placed = CaseVariable(
            name="holdsPlaced",
            type=VariableType.JSON,
            value=json.dumps([{"fulfillmentOrderId": "1", "holdId": "h1"}]),
        )
        return request.model_copy(update={"variables": [*request.variables, placed]})


class FakeOpenText:
    """Answers the history lookup by business key; optionally never."""

    def __init__(self, known: set[str] | None = None, *, hang: bool = False) -> None:
        self.known = known or set()
        self.hang = hang
        self.lookups: list[tuple[str | None, str | None]] = []

    async def find_historic_process_instances(
        self, business_key: str | None = None, process_definition_key: str | None = None
    ) -> list[Any]:
        self.lookups.append((business_key, process_definition_key))
        if self.hang:
            await asyncio.Event().wait()  # never answers
        return [SimpleNamespace(business_key=business_key)] if business_key in self.known else []


def risk(level: str, event_id: str, *, order: str = ORDER, shop: str = SHOP) -> ShopifyEvent:
    """An ``orders/risk_assessment_changed`` webhook: an ORDER_REVIEW with ``RISK_<level>``."""
    return make_event(
        "orders/risk_assessment_changed",
        {"risk_level": level, "order_id": int(order)},
        event_id=event_id,
        shop=shop,
        resource_id=order,
        order_id=order,
    )


def restricted(event_id: str, *, order: str = ORDER) -> ShopifyEvent:
    """An ``orders/updated`` webhook shipping to a restricted country: RESTRICTED_DESTINATION."""
    payload = make_order(
        id=int(order),
        admin_graphql_api_id=f"gid://shopify/Order/{order}",
        shipping_address={"country_code": "KP", "zip": "1"},
    )
    return make_event(
        "orders/updated", payload, event_id=event_id, shop=SHOP, resource_id=order, order_id=order
    )


def out_of_stock(event_id: str) -> ShopifyEvent:
    """A ``variants/out_of_stock`` webhook: a FULFILLMENT_EXCEPTION with ``OUT_OF_STOCK``."""
    payload = {"id": 11, "product_id": 5, "sku": "MER-L", "inventory_quantity": 0}
    return make_event(
        "variants/out_of_stock", payload, event_id=event_id, shop=SHOP, resource_id="11"
    )


class Harness:
    """A classifier on fakes of its seams, and what it published."""

    def __init__(
        self,
        enricher: CountingEnricher | None = None,
        *,
        opentext: FakeOpenText | None = None,
    ) -> None:
        self.app = FakeApp()
        self.producer = RecordingProducer()
        self.enricher = enricher or CountingEnricher()
        self.opentext = opentext or FakeOpenText()
        models = {t.value: f"casebridge.{t.value.lower()}" for t in CaseType}
        services = stage_services(
            self.producer,
            settings=Settings(opentext={"models": models}),
            policy=default_policy(),
            shops=registry(SHOP),
            opentext=self.opentext,
        )
        self.classifier = Classifier(self.app, services, self.enricher, FinalDecisionBuilder())  # type: ignore[arg-type]

    @property
    def stats(self) -> dict[str, int]:
        return self.classifier.stats

    def table(self, name: str) -> dict[Any, Any]:
        return self.app.tables[name]

    async def deliver(
        self, topic: str, record: AvroRecord | bytes, *, offset: int, partition: int = 0
    ) -> Event:
        """Feed one record read at ``partition:offset`` to ``topic``'s agent; wait till done."""
        value = record if isinstance(record, bytes) else JsonSerde().encode(record)
        event = Event(topic, value, offset=offset, partition=partition, key=b"subject")
        await self.app.agents[AGENTS[topic]](FakeStream([event]))
        await self.classifier.lanes.drain()
        return event

    async def webhook(self, record: ShopifyEvent, *, offset: int, partition: int = 0) -> Event:
        return await self.deliver(SHOPIFY_WEBHOOKS, record, offset=offset, partition=partition)

    async def ended(self, case_id: str, status: CaseStatus = CaseStatus.APPLIED) -> None:
        """A case state read from ``cases.state`` (e.g. the decision was applied)."""
        state = CaseState(
            case_id=case_id,
            case_type=CaseType.ORDER_REVIEW,
            shop=SHOP,
            subject_id=ORDER,
            status=status,
            updated_at=datetime(2026, 1, 15, 11, 0, tzinfo=UTC),
        )
        await self.app.agents[AGENTS[CASES_STATE]](
            FakeStream([Event(CASES_STATE, JsonSerde().encode(state))])
        )

    def requests(self) -> list[CaseRequest]:
        return self.producer.records(CASES_REQUESTS)

    def requested(self) -> list[str]:
        """The case ids whose REQUESTED state went out (a case's first request)."""
        return [
            s.case_id
            for s in self.producer.records(CASES_STATE)
            if isinstance(s, CaseState) and s.status is CaseStatus.REQUESTED
        ]
