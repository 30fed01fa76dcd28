"""A dispute that ended: classify records it on the order once and closes the open case;
the sink closes the running instance and never starts one for it."""

from __future__ import annotations

import json
from typing import Any

from connectors.opentext import OpenTextNotFoundError, OpenTextUnavailableError
from connectors.opentext.models import ProcessInstance
from schemas.records import (
    CLOSED_BY,
    ActionKind,
    CaseDecision,
    CaseRequest,
    CaseState,
    CaseStatus,
    CaseVariable,
    DecisionSource,
    ShopifyEvent,
)
from streams.topics import CASES_DECISIONS, SHOPIFY_WEBHOOKS
from tests.unit.streams.classify.harness import SHOP, Harness
from tests.unit.streams.classify.rules.conftest import make_event
from tests.unit.streams.sink.test_agent import Harness as SinkHarness
from tests.unit.streams.sink.test_agent import fake_event, request


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


def event(status: str, event_id: str, **extra: Any) -> ShopifyEvent:
    topic = "disputes/create" if status == "needs_response" else "disputes/update"
    return make_event(
        topic, dispute(status, **extra), event_id=event_id, shop=SHOP, resource_id="598735659"
    )


def decisions(h: Harness) -> list[CaseDecision]:
    return h.producer.records(CASES_DECISIONS)


async def test_an_ended_open_case_is_recorded_on_the_order_and_closed_once() -> None:
    h = Harness()
    await h.webhook(event("needs_response", "e1"), offset=1)
    (opened,) = h.requests()
    case_id = opened.case_id

    await h.webhook(event("won", "e2", finalized_on="2026-12-01T09:00:00Z"), offset=2)

    (decision,) = decisions(h)
    assert (decision.case_id, decision.decision_id) == (case_id, f"{case_id}:final_won")
    assert (decision.outcome, decision.source) == ("final_won", DecisionSource.SHOPIFY)
    assert [a.kind for a in decision.actions] == [
        ActionKind.ADD_NOTE,
        ActionKind.ADD_TAGS,
        ActionKind.SET_METAFIELD,
        ActionKind.ADD_TAGS,  # the audit tag, team "shopify"
    ]
    assert json.loads(decision.actions[3].params)["tags"] == [f"casebridge:shopify:{case_id}"]
    # The closing request follows the decision, for the same case; it opens nothing.
    _, closing = h.requests()
    assert closing.case_id == case_id
    assert {v.name: v.value for v in closing.variables}[CLOSED_BY] == (
        "dispute won (Shopify disputes/update)"
    )
    assert h.requested() == [case_id]  # one REQUESTED state: the opening's
    assert h.stats["disputes_ended"] == 1
    # Shopify sends the same ending again (another update of the ended dispute): nothing.
    await h.webhook(event("won", "e3", finalized_on="2026-12-01T09:00:00Z"), offset=3)
    assert len(decisions(h)) == 1 and len(h.requests()) == 2


async def test_an_ending_after_the_decision_records_it_without_closing_anything() -> None:
    h = Harness()
    await h.webhook(event("needs_response", "e1"), offset=1)
    (opened,) = h.requests()
    await h.ended(opened.case_id)

    await h.webhook(event("lost", "e2"), offset=2)

    (decision,) = decisions(h)
    assert decision.outcome == "final_lost"
    assert h.requests() == [opened]  # no closing request
    # Never a second case: no new generation for the ending.
    assert h.table("classify-case-generations") == {}
    assert h.stats["generations"] == 0


async def test_an_ending_without_a_case_still_reaches_the_order_and_opens_nothing() -> None:
    h = Harness()

    await h.webhook(event("accepted", "e1"), offset=1)

    assert [d.outcome for d in decisions(h)] == ["final_accepted"]
    assert h.requests() == []
    assert h.table("classify-open-cases") == {}
    assert h.stats["cases"] == 0


async def test_an_ending_whose_order_is_unknown_is_dead_lettered() -> None:
    h = Harness()

    await h.webhook(event("won", "e1", order_id=None), offset=1)

    (letter,) = h.producer.letters(SHOPIFY_WEBHOOKS)
    assert "order_id: missing id" in letter["reason"]
    assert decisions(h) == [] and h.requests() == []


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
    client = ClosingClient()
    h = SinkHarness(client)
    h.ledger[closing().case_id] = {"state": "open", "instance": "pi-1"}

    await h.sink.open_case(fake_event(), closing())

    set_call, delete_call = client.calls
    assert set_call.startswith("set pi-1 ") and "disputeFinalStatus" in set_call
    assert delete_call == "delete pi-1: closed by casebridge: dispute won (Shopify disputes/update)"
    ((topic, state, _, _),) = h.producer.sent
    assert topic == "cases.state" and isinstance(state, CaseState)
    assert state.status is CaseStatus.CLOSED and state.process_instance_id == "pi-1"
    assert state.detail == "dispute won (Shopify disputes/update)"
    assert h.stats["closed"] == 1


async def test_without_a_ledger_entry_the_instance_is_looked_up_through_an_outage() -> None:
    client = ClosingClient(outages=1)
    h = SinkHarness(client)

    await h.sink.open_case(fake_event(), closing())

    assert client.calls[:2] == ["find", "find"]
    assert client.calls[-1].startswith("delete pi-7")
    assert h.stats["waits"] == 1 and h.stats["closed"] == 1


async def test_nothing_running_or_already_gone_is_not_closed_again() -> None:
    for client in (ClosingClient(running=False), ClosingClient(gone=True)):
        h = SinkHarness(client)

        await h.sink.open_case(fake_event(), closing())

        assert not any(call.startswith("delete") for call in client.calls)
        assert h.producer.sent == []  # no CLOSED state over the decided one, no DLQ record
        assert h.stats["after_end"] == 1 and h.stats["closed"] == 0
