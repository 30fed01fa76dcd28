"""The decision source against the OpenText emulator over real HTTP on 127.0.0.1.

The emulator runs in-process on a free port; cases are started and decided
through its API exactly as the sink and a human would, then read back by the
history poller and pushed to the callback handler. Every test runs against
the convenient default and in every strict mode (history neither paged nor
sorted nor totalled, tasks in call-activity child processes, terminate ends,
no outcome on historic tasks), with small pages so paging is exercised.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from pydantic import SecretStr

from connectors.opentext import OpenTextConfig
from connectors.opentext.client import OpenTextClient
from connectors.retry import RetryPolicy
from emulators.opentext import CallbackConfig, EmulatorConfig, create_app
from emulators.opentext.app import emulator_of_app
from emulators.opentext.config import StrictConfig
from schemas.records import ActionKind, CaseType, DecisionSource
from streams.decisions.callback import CallbackHandler, CallbackResult
from streams.decisions.source import HistoryPoller
from streams.runtime.keys import hold_handle

pytestmark = pytest.mark.integration

MODEL_KEYS = {
    CaseType.ORDER_REVIEW: "casebridge.order_review",
    CaseType.HIGH_VALUE_REVIEW: "casebridge.high_value_review",
}
SECRET = "callback-secret"
SHOP = "demo.myshopify.com"


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


@dataclass
class Receiver:
    """A local aiohttp server running the callback handler, as the Faust page would."""

    handler: CallbackHandler
    results: list[CallbackResult] = field(default_factory=list)
    url: str = ""

    async def route(self, request: web.Request) -> web.Response:
        result = self.handler.handle(dict(request.headers), await request.read())
        self.results.append(result)
        return web.json_response(result.body(), status=result.status)


@dataclass
class Stack:
    """The emulator, a client of it and the callback receiver."""

    app: web.Application
    client: OpenTextClient
    receiver: Receiver

    async def open_case(self, case_type: CaseType, **values: Any) -> tuple[str, str]:
        case_id = f"{case_type.value}-{uuid.uuid4().hex[:16]}"
        variables = {"shop": SHOP, "orderId": "1001", "fulfillmentOrderIds": ["7"], **values}
        instance = await self.client.start_process_instance(
            MODEL_KEYS[case_type], case_id, variables
        )
        return case_id, instance.id

    async def decide(self, instance_id: str, outcome: str, **variables: Any) -> str:
        (task,) = await self.client.list_tasks(process_instance_id_with_children=instance_id)
        await self.client.complete_task(task.id, outcome, variables or None)
        return task.id

    async def delivered(self) -> list[CallbackResult]:
        await emulator_of_app(self.app).callbacks.drain()
        return self.receiver.results


@pytest.fixture(params=["default", "strict"])
async def stack(request: pytest.FixtureRequest) -> AsyncIterator[Stack]:
    receiver = Receiver(CallbackHandler(MODEL_KEYS, hmac_secrets=[SECRET]))
    receiver_app = web.Application()
    receiver_app.router.add_post("/callbacks/opentext", receiver.route)
    receiver_runner, receiver_base = await serve(receiver_app)
    config = EmulatorConfig(
        callback=CallbackConfig(
            url=f"{receiver_base}/callbacks/opentext",
            auth="hmac",
            hmac_secret=SECRET,
            events="task_complete",
            max_attempts=1,
        ),
        strict=StrictConfig.every() if request.param == "strict" else StrictConfig(),
    )
    app = create_app(config)
    runner, base = await serve(app)
    client = OpenTextClient(
        OpenTextConfig(
            base_url=base,
            tenant_id=config.tenant_id,
            client_id=config.client_id,
            client_secret=SecretStr(config.client_secret),
            timeout_s=5.0,
            retry=RetryPolicy(initial_interval_s=0.05, maximum_interval_s=0.5, maximum_attempts=5),
            page_size=3,
        )
    )
    try:
        yield Stack(app, client, receiver)
    finally:
        await client.aclose()
        await runner.cleanup()
        await receiver_runner.cleanup()


async def test_approved_order_review_is_polled_once(stack: Stack) -> None:
    poller = HistoryPoller(stack.client, MODEL_KEYS)
    case_id, instance_id = await stack.open_case(CaseType.ORDER_REVIEW)
    assert await poller.poll(None) == ([], None)  # still open: nothing decided

    task_id = await stack.decide(instance_id, "approved")
    decisions, watermark = await poller.poll(None)

    assert len(decisions) == 1
    decision = decisions[0]
    assert decision.decision_id == f"{case_id}:{task_id}"
    assert (decision.case_id, decision.outcome, decision.shop) == (case_id, "approved", SHOP)
    assert decision.process_instance_id == instance_id
    assert [a.kind for a in decision.actions] == [ActionKind.RELEASE_HOLD, ActionKind.ADD_TAGS]
    release = decision.actions[0]
    assert release.target_id == "gid://shopify/FulfillmentOrder/7"
    assert release.params_dict()["handle"] == hold_handle(case_id)
    assert watermark is not None and watermark == decision.decided_at

    # From the new watermark the overlap re-reads it: already handled, nothing new.
    again, next_watermark = await poller.poll(watermark)
    assert again == []
    assert next_watermark == watermark
    # A new poller (a restart) builds the same decision again, under the same id.
    rebuilt, _ = await HistoryPoller(stack.client, MODEL_KEYS).poll(watermark)
    assert [d.decision_id for d in rebuilt] == [decision.decision_id]


async def test_high_value_review_decides_on_the_final_step(stack: Stack) -> None:
    poller = HistoryPoller(stack.client, MODEL_KEYS)
    case_id, instance_id = await stack.open_case(CaseType.HIGH_VALUE_REVIEW)

    await stack.decide(instance_id, "approved")  # sales approves: not final
    decisions, watermark = await poller.poll(None)
    assert decisions == []

    final_task = await stack.decide(instance_id, "approved")  # finance approves: final
    decisions, watermark = await poller.poll(watermark)
    assert [d.decision_id for d in decisions] == [f"{case_id}:{final_task}"]
    assert decisions[0].actions[0].kind is ActionKind.RELEASE_HOLD


async def test_high_value_rejection_at_the_first_step_is_final(stack: Stack) -> None:
    poller = HistoryPoller(stack.client, MODEL_KEYS)
    case_id, instance_id = await stack.open_case(CaseType.HIGH_VALUE_REVIEW, riskLevel="HIGH")
    task_id = await stack.decide(instance_id, "rejected", reason="card holder not verified")

    decisions, _ = await poller.poll(None)

    assert [d.decision_id for d in decisions] == [f"{case_id}:{task_id}"]
    cancel = decisions[0].actions[0]
    assert cancel.kind is ActionKind.CANCEL_ORDER
    assert cancel.params_dict()["reason"] == "FRAUD"


async def test_emulator_callback_verifies_and_matches_the_poller(stack: Stack) -> None:
    case_id, instance_id = await stack.open_case(CaseType.HIGH_VALUE_REVIEW)
    await stack.decide(instance_id, "approved")
    final_task = await stack.decide(instance_id, "approved")

    results = await stack.delivered()

    # One push per task: the intermediate one is authentic but ignored.
    assert [r.status for r in results] == [202, 200]
    pushed = results[1].decision
    assert pushed is not None and pushed.source is DecisionSource.CALLBACK
    assert pushed.decision_id == f"{case_id}:{final_task}"
    (polled,), _ = await HistoryPoller(stack.client, MODEL_KEYS).poll(None)
    assert pushed.model_dump(exclude={"source"}) == polled.model_dump(exclude={"source"})
    deliveries = emulator_of_app(stack.app).callbacks.deliveries
    assert [d.status for d in deliveries] == ["delivered", "delivered"]


async def test_every_decision_is_polled_however_history_is_paged(stack: Stack) -> None:
    """Eleven decisions, pages of three: all of them, whether or not sort and offset work."""
    poller = HistoryPoller(stack.client, MODEL_KEYS)
    expected = {}
    for n in range(11):
        case_id, instance_id = await stack.open_case(CaseType.ORDER_REVIEW)
        expected[case_id] = await stack.decide(instance_id, "approved" if n % 2 else "rejected")
    found: dict[str, str] = {}
    watermark = None
    for _ in range(12):  # bounded: a stuck watermark fails the assertion below
        batch = await poller.poll_batch(watermark)
        found.update({d.case_id: d.decision_id.split(":", 1)[1] for d in batch.decisions})
        assert batch.failures == [] and batch.unpaged == []
        if len(found) == len(expected) and batch.watermark == watermark:
            break
        watermark = batch.watermark
    assert found == expected
