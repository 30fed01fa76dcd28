"""The writer stage built on fakes of its seams: the Faust app, Services, Shopify (scripted)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from schemas.records import Action, ActionKind, CaseDecision, CaseState, CaseType, CaseVariable
from streams.decisions import DecisionBuilder, OutcomeMapper
from streams.decisions.replay import DecisionReplayer
from streams.policy import default_policy
from streams.runtime.keys import hold_handle
from streams.settings import Settings
from streams.shops.errors import UnknownShopError
from streams.topics import CASES_DECISIONS, CASES_STATE, ORDERS_OFFLINE, SHOPIFY_WRITEBACKS
from streams.writer.agent import Writer
from tests.unit.streams.fakes import (
    Event,
    FakeApp,
    FakeStream,
    RecordingProducer,
    events,
    registry,
    stage_services,
)
from tests.unit.streams.writer.fakes import FakeShopify

SHOP = "s.myshopify.com"
ORDER = "gid://shopify/Order/1"
FO = "gid://shopify/FulfillmentOrder/10"

#: The writer's agent per input topic.
AGENTS = {
    CASES_DECISIONS: "casebridge.shopify-writer",
    ORDERS_OFFLINE: "casebridge.offline-orders",
}

#: No waiting in tests: an unavailable Shopify is retried at once.
SETTINGS = Settings(
    writer={
        "outage": {"initial_s": 0, "max_s": 0},
        "unavailable_retry": {"initial_s": 0, "max_s": 0, "attempts": 2},
    },
    # The default policy e-mails customer notices: a writer needs a mail server to start
    # (none is contacted here: these decisions send no notice).
    smtp={"host": "127.0.0.1", "port": 2525, "tls": "none", "sender": "orders@shop.example"},
)


def shopify() -> FakeShopify:
    """A store that releases our hold and adds tags (the actions these tests decide)."""
    return (
        FakeShopify()
        .script(
            "CasebridgeFulfillmentOrderReleaseHold",
            {"fulfillmentOrderReleaseHold": {"fulfillmentOrder": {"id": FO}, "userErrors": []}},
        )
        .script("CasebridgeWriterNodeTags", {"node": {"id": ORDER, "tags": []}})
        .script("CasebridgeTagsAdd", {"tagsAdd": {"node": {"id": ORDER}, "userErrors": []}})
    )


class Harness:
    """A writer on fakes, serving ``shops``; ``store`` answers as Shopify."""

    def __init__(self, *shops: str, store: FakeShopify | None = None) -> None:
        self.app = FakeApp()
        self.producer = RecordingProducer()
        self.store = store or shopify()
        self.shops = shops or (SHOP,)
        self.removed: set[str] = set()
        self.services = stage_services(
            self.producer,
            settings=SETTINGS,
            policy=default_policy(),
            shops=registry(*self.shops),
            shopify_writer_for=self._client,
        )
        replays = DecisionReplayer(DecisionBuilder(OutcomeMapper(), default_shop=SHOP))
        self.writer = Writer(self.app, self.services, replays)  # type: ignore[arg-type]

    def _client(self, shop: str) -> FakeShopify:
        if shop in self.removed:
            # The registry was reloaded without it after the record was routed.
            self.services.shops = registry(*(s for s in self.shops if s not in self.removed))
            raise UnknownShopError(f"shop {shop!r} is not in the shop registry")
        return self.store

    async def deliver(self, *records: Any, topic: str = CASES_DECISIONS) -> list[Event]:
        """Feed ``records`` (or raw bytes) to the agent of ``topic``; wait until they are done."""
        delivered = events(topic, *records)
        name = (
            "casebridge.shopify-writer" if topic == CASES_DECISIONS else "casebridge.offline-orders"
        )
        await self.app.agents[name](FakeStream(delivered))
        await self.writer.lanes.drain()
        return delivered

    def states(self) -> list[str]:
        return [
            s.status.value for s in self.producer.records(CASES_STATE) if isinstance(s, CaseState)
        ]

    def writebacks(self) -> list[str]:
        return [r.action.value for r in self.producer.records(SHOPIFY_WRITEBACKS)]

    def letters(self, topic: str = CASES_DECISIONS) -> list[dict[str, str]]:
        return self.producer.letters(topic)

    def decisions(self) -> list[Any]:
        return self.producer.records(CASES_DECISIONS)

    def offline_orders(self) -> list[Any]:
        return self.producer.records(ORDERS_OFFLINE)


def params(kind: ActionKind) -> dict[str, Any]:
    if kind is ActionKind.RELEASE_HOLD:
        return {
            "orderId": ORDER,
            "fulfillmentOrderId": FO,
            "handle": hold_handle("CASE-1"),
            "holdIds": ["h1"],
        }
    if kind is ActionKind.ADD_TAGS:
        return {"tags": ["reviewed"]}
    return {}


def decision(case_type: CaseType, *kinds: ActionKind, shop: str = SHOP) -> CaseDecision:
    actions = [
        Action(
            kind=kind,
            target_id=FO if kind is ActionKind.RELEASE_HOLD else ORDER,
            params=json.dumps(params(kind)),
            idempotency_key=f"k{i}",
        )
        for i, kind in enumerate(kinds)
    ]
    return CaseDecision(
        decision_id="CASE-1:task-1",
        case_id="CASE-1",
        case_type=case_type,
        shop=shop,
        process_instance_id="pi-1",
        task_id="task-1",
        outcome="approved",
        decided_at=datetime.now(UTC),
        actions=actions,
        variables=[CaseVariable(name="orderId", value="1")],
    )
