"""A replayed decision DLQ record: the writer builds the decision again, or fails it again."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from schemas.records import ActionKind, CaseDecision, CaseState, CaseType
from streams.decisions import DecisionBuilder, OutcomeMapper
from streams.ops.metrics import DECISIONS
from streams.topics import CASES_DECISIONS, CASES_STATE
from streams.writer.agent import Writer
from tests.unit.streams.decisions.test_offered import OFFERED, task
from tests.unit.streams.writer.test_agent_states import SHOP, case_states, decision, writer


class Producer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None, list[tuple[str, bytes]]]] = []

    async def send(self, topic: str, value: bytes | None, **kw: Any) -> None:
        self.sent.append((topic, value, list(kw.get("headers") or [])))


def replaying_writer() -> tuple[Writer, list[tuple[str, Any]], Producer]:
    w, sent = writer()
    producer = Producer()
    w.services = SimpleNamespace(  # type: ignore[assignment]
        emit=w.services.emit,
        producer=producer,
        settings=SimpleNamespace(shopify=SimpleNamespace(shop_domain=SHOP)),
    )
    w.builder = DecisionBuilder(OutcomeMapper(), default_shop=SHOP)
    w.stats["replays_rebuilt"] = 0
    return w, sent, producer


def event(value: bytes) -> Any:
    message = SimpleNamespace(
        topic=CASES_DECISIONS, partition=0, offset=7, key=b"k", value=value, headers=[]
    )
    return SimpleNamespace(message=message, value=value)


def count(case_type: CaseType, result: str) -> float:
    return DECISIONS.labels(SHOP, case_type.value, result)._value.get()  # type: ignore[attr-defined]


async def test_a_replay_that_now_builds_is_published_as_a_decision() -> None:
    w, sent, producer = replaying_writer()
    replayed = task("resolved", **OFFERED).to_json()

    await w.rebuild(event(replayed), task("resolved", **OFFERED))

    ((topic, built),) = sent
    assert topic == CASES_DECISIONS and isinstance(built, CaseDecision)
    assert built.outcome == "resolved" and built.source.value == "MANUAL"
    assert producer.sent == []


async def test_a_replay_that_fails_again_is_dead_lettered_and_the_case_stays_failed() -> None:
    w, sent, producer = replaying_writer()
    before = count(CaseType.FULFILLMENT_EXCEPTION, "failed")

    await w.rebuild(event(b"{}"), task("split", **OFFERED))

    ((topic, _value, headers),) = producer.sent
    assert topic == "cases.decisions.dlq"
    assert b"was not offered" in dict(headers)["casebridge.dlq.reason"]
    ((state_topic, state),) = sent
    assert state_topic == CASES_STATE and isinstance(state, CaseState)
    assert state.status.value == "FAILED"
    assert count(CaseType.FULFILLMENT_EXCEPTION, "failed") == before + 1


async def test_applied_decisions_are_counted_by_case_type() -> None:
    w, sent = writer()
    before = count(CaseType.CHARGEBACK, "applied")

    await w.apply(None, decision(CaseType.CHARGEBACK, ActionKind.ADD_NOTE))

    assert case_states(sent) == ["APPLYING", "APPLIED"]
    assert count(CaseType.CHARGEBACK, "applied") == before + 1
