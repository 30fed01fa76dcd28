"""A dispute that ended: classify records it on the order once and closes the open case;
the sink closes the running instance and never starts one for it."""

from __future__ import annotations

import json
from typing import Any

from connectors.opentext import OpenTextNotFoundError, OpenTextUnavailableError
from connectors.opentext.models import ProcessInstance
from schemas.records import (
    ActionKind,
    CaseDecision,
    CaseRequest,
    CaseState,
    CaseStatus,
    CaseVariable,
    DecisionSource,
)
from streams.classify.agent import Ending, Pending
from streams.classify.rules.disputes import CLOSED_BY
from tests.unit.streams.classify.rules.conftest import make_event
from tests.unit.streams.classify.test_agent_guards import (
    CountingEnricher,
    classifier,
    webhook_event,
)
from tests.unit.streams.sink.test_agent import FakeProducer, fake_event, make_sink, request

SHOP = "s.myshopify.com"


def dispute(status: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": 598735659,
        "order_id": 450789469,
        "type": "chargeback",
        "amount": "100.00",
        "currency": "USD",
        "reason": "fraudulent",
        "status": status,
        "evidence_due_by": "2026-12-10T23:00:00Z",
        **extra,
    }


def event(status: str, event_id: str, **extra: Any) -> Any:
    topic = "disputes/create" if status == "needs_response" else "disputes/update"
    return make_event(
        topic, dispute(status, **extra), event_id=event_id, shop=SHOP, resource_id="598735659"
    )


async def test_an_ended_open_case_is_recorded_on_the_order_and_closed_once() -> None:
    classify, _ = classifier(CountingEnricher())
    (opened,) = await classify.decide_webhook(webhook_event(1), event("needs_response", "e1"))
    assert isinstance(opened, Pending)
    case_id = opened.request.case_id

    won = event("won", "e2", finalized_on="2026-12-01T09:00:00Z")
    (ending,) = await classify.decide_webhook(webhook_event(2), won)

    assert isinstance(ending, Ending)
    assert ending.close and ending.request.case_id == case_id
    decision = ending.decision
    assert (decision.case_id, decision.decision_id) == (case_id, f"{case_id}:final_won")
    assert (decision.outcome, decision.source) == ("final_won", DecisionSource.SHOPIFY)
    assert [a.kind for a in decision.actions] == [
        ActionKind.ADD_NOTE,
        ActionKind.ADD_TAGS,
        ActionKind.SET_METAFIELD,
        ActionKind.ADD_TAGS,  # the audit tag, team "shopify"
    ]
    assert json.loads(decision.actions[3].params)["tags"] == [f"casebridge:shopify:{case_id}"]
    assert classify.stats["disputes_ended"] == 1
    # Shopify sends the same ending again (another update of the ended dispute): nothing.
    again = event("won", "e3", finalized_on="2026-12-01T09:00:00Z")
    assert await classify.decide_webhook(webhook_event(3), again) == []


async def test_an_ending_after_the_decision_records_it_without_closing_anything() -> None:
    classify, _ = classifier(CountingEnricher())
    (opened,) = await classify.decide_webhook(webhook_event(1), event("needs_response", "e1"))
    case_id = opened.request.case_id
    classify.case_ends[case_id] = {"status": "APPLIED", "at": "2026-11-30T00:00:00+00:00"}

    (ending,) = await classify.decide_webhook(webhook_event(2), event("lost", "e2"))

    assert isinstance(ending, Ending) and not ending.close
    assert ending.decision.outcome == "final_lost"
    # Never a second case: no new generation for the ending.
    assert classify.generations == {}
    assert classify.stats["generations"] == 0


async def test_an_ending_without_a_case_still_reaches_the_order_and_opens_nothing() -> None:
    classify, _ = classifier(CountingEnricher())

    (ending,) = await classify.decide_webhook(webhook_event(1), event("accepted", "e1"))

    assert isinstance(ending, Ending) and not ending.close
    assert classify.open_cases == {}
    assert classify.stats["cases"] == 0


async def test_the_effects_publish_the_decision_and_the_closing_request() -> None:
    classify, published = classifier(CountingEnricher())
    sent: list[tuple[str, Any, str]] = []

    async def emit(agent: str, topic: str, record: Any, key: str) -> None:
        sent.append((topic, record, key))

    classify.services.emit = emit  # type: ignore[attr-defined]
    (opened,) = await classify.decide_webhook(webhook_event(1), event("needs_response", "e1"))
    pending = await classify.decide_webhook(webhook_event(2), event("won", "e2"))

    await classify._open(pending)

    assert [topic for topic, _, _ in sent] == ["cases.decisions", "cases.requests"]
    assert isinstance(sent[0][1], CaseDecision)
    closing: CaseRequest = sent[1][1]
    assert {v.name: v.value for v in closing.variables}[CLOSED_BY] == (
        "dispute won (Shopify disputes/update)"
    )
    assert {key for _, _, key in sent} == {opened.request.case_id}
    assert published == []  # no enrichment, no hold, no REQUESTED state


async def test_an_ending_whose_order_is_unknown_is_dead_lettered() -> None:
    producer = FakeProducer()
    classify, _ = classifier(CountingEnricher())
    classify.services.producer = producer  # type: ignore[attr-defined]
    record = event("won", "e1", order_id=None)

    assert await classify.decide_webhook(webhook_event(1), record) == []

    ((topic, _, _, headers),) = producer.sent
    assert topic == "shopify.webhooks.dlq"
    assert b"order_id: missing id" in dict(headers)["casebridge.dlq.reason"]


# --- the sink ------------------------------------------------------------------------------


def closing(**fields: Any) -> CaseRequest:
    return request(
        CaseVariable(name="disputeFinalStatus", value="won"),
        CaseVariable(name=CLOSED_BY, value="dispute won (Shopify disputes/update)"),
        **fields,
    )


class ClosingClient:
    """OpenText for a closing request: records calls; never lets an instance start."""

    def __init__(self, *, running: bool = True, gone: bool = False, outages: int = 0) -> None:
        self.calls: list[str] = []
        self.running = running
        self.gone = gone
        self.outages = outages

    async def start_process_instance(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a closing request must never start an instance")

    async def ensure_process_instance(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a closing request must never start an instance")

    async def find_process_instances(self, business_key: str, model: str) -> list[Any]:
        self.calls.append("find")
        if self.outages:
            self.outages -= 1
            raise OpenTextUnavailableError(
                "503", status=503, attempts=1, endpoint="GET /process-instances"
            )
        return [ProcessInstance(id="pi-7", business_key=business_key)] if self.running else []

    async def set_variables(self, instance_id: str, variables: Any) -> None:
        self.calls.append(f"set {instance_id} " + ",".join(sorted(v.name for v in variables)))
        if self.gone:
            raise OpenTextNotFoundError(
                status=404, message="gone", body_excerpt="", attempts=1, endpoint="POST"
            )

    async def delete_process_instance(
        self, instance_id: str, *, delete_reason: str | None = None, missing_ok: bool = False
    ) -> bool:
        assert missing_ok
        self.calls.append(f"delete {instance_id}: {delete_reason}")
        return True


async def test_the_sink_closes_the_running_instance_with_the_final_status() -> None:
    producer = FakeProducer()
    sink = make_sink(producer)
    client = ClosingClient()
    sink.services.opentext = client  # type: ignore[assignment]
    sink.ledger[closing().case_id] = {"state": "open", "instance": "pi-1"}

    await sink.open_case(fake_event(), closing())

    set_call, delete_call = client.calls
    assert set_call.startswith("set pi-1 ") and "disputeFinalStatus" in set_call
    assert delete_call == "delete pi-1: closed by casebridge: dispute won (Shopify disputes/update)"
    ((topic, state, _, _),) = producer.sent
    assert topic == "cases.state" and isinstance(state, CaseState)
    assert state.status is CaseStatus.CLOSED and state.process_instance_id == "pi-1"
    assert state.detail == "dispute won (Shopify disputes/update)"
    assert sink.stats["closed"] == 1


async def test_without_a_ledger_entry_the_instance_is_looked_up_through_an_outage() -> None:
    producer = FakeProducer()
    sink = make_sink(producer)
    client = ClosingClient(outages=1)
    sink.services.opentext = client  # type: ignore[assignment]

    await sink.open_case(fake_event(), closing())

    assert client.calls[:2] == ["find", "find"]
    assert client.calls[-1].startswith("delete pi-7")
    assert sink.stats["waits"] == 1 and sink.stats["closed"] == 1


async def test_nothing_running_or_already_gone_is_not_closed_again() -> None:
    for client in (ClosingClient(running=False), ClosingClient(gone=True)):
        producer = FakeProducer()
        sink = make_sink(producer)
        sink.services.opentext = client  # type: ignore[assignment]

        await sink.open_case(fake_event(), closing())

        assert not any(call.startswith("delete") for call in client.calls)
        assert producer.sent == []  # no CLOSED state over the decided one, no DLQ record
        assert sink.stats["after_end"] == 1 and sink.stats["closed"] == 0
