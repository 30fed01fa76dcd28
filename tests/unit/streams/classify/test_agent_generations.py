"""Case generations in the classify agent: a new trigger after a case ended opens a new case."""

from __future__ import annotations

from datetime import UTC, datetime

from schemas.records import CaseState, CaseStatus, CaseType, Reason
from streams.classify.agent import Classifier
from streams.classify.rules.caseid import generation_id
from tests.unit.streams.classify.test_agent_guards import (
    CountingEnricher,
    classifier,
    open_request,
)
from tests.unit.streams.sink.test_agent import request

BASE = request().case_id


def ended(classify: Classifier, case_id: str, status: CaseStatus = CaseStatus.APPLIED) -> None:
    """What the agent on cases.state does when the case's decision was applied."""
    classify.record_state(
        CaseState(
            case_id=case_id,
            case_type=CaseType.ORDER_REVIEW,
            shop="s.myshopify.com",
            subject_id="1001",
            status=status,
            updated_at=datetime(2026, 1, 15, 11, 0, tzinfo=UTC),
        )
    )


def risk(level: str) -> list[Reason]:
    return [Reason(code=f"RISK_{level}", detail=f"Shopify risk assessment is {level}")]


async def test_a_new_reason_after_the_case_ended_opens_the_next_generation_and_holds_again() -> (
    None
):
    enricher = CountingEnricher()
    classify, published = classifier(enricher)
    await open_request(classify, request(), "0:1")
    ended(classify, BASE)

    (pending,) = await open_request(classify, request(reasons=risk("HIGH")), "0:2")

    assert pending.request.case_id == generation_id(BASE, 2) == f"{BASE}-g2"
    assert pending.first and pending.unseen
    assert enricher.holds == 2  # the new review holds the order again
    assert [p.case_id for p in published] == [BASE, f"{BASE}-g2"]
    assert classify.stats["generations"] == 1


async def test_the_same_facts_after_the_end_open_nothing() -> None:
    # e.g. the orders/updated our own write-back caused, flagging the same order again
    classify, published = classifier(CountingEnricher())
    await open_request(classify, request(), "0:1")
    ended(classify, BASE)

    assert await open_request(classify, request(), "0:2") == []
    assert [p.case_id for p in published] == [BASE]
    assert classify.stats["after_end"] == 1


async def test_a_redelivery_after_the_end_is_not_a_new_trigger() -> None:
    classify, _ = classifier(CountingEnricher())
    await open_request(classify, request(reasons=risk("HIGH")), "0:1")
    ended(classify, BASE)

    (pending,) = await open_request(classify, request(reasons=risk("HIGH")), "0:1")

    assert pending.request.case_id == BASE and pending.first
    assert classify.stats["generations"] == 0


async def test_updates_attach_to_the_open_generation_and_count_its_reasons() -> None:
    classify, _ = classifier(CountingEnricher())
    await open_request(classify, request(), "0:1")
    ended(classify, BASE)
    await open_request(classify, request(reasons=risk("MEDIUM")), "0:2")

    (update,) = await open_request(classify, request(reasons=risk("HIGH")), "0:3")
    assert update.request.case_id == f"{BASE}-g2" and not update.first
    ended(classify, f"{BASE}-g2", CaseStatus.FAILED)

    # RISK_HIGH was part of generation 2: repeating it after that ended opens nothing.
    assert await open_request(classify, request(reasons=risk("HIGH")), "0:4") == []
    (third,) = await open_request(classify, request(reasons=risk("LOW")), "0:5")
    assert third.request.case_id == f"{BASE}-g3"


async def test_event_scoped_case_types_renew_on_any_new_event() -> None:
    # An item out of stock again: same reason code, a new event.
    classify, _ = classifier(CountingEnricher())
    stock = {
        "case_type": CaseType.FULFILLMENT_EXCEPTION,
        "reasons": [Reason(code="OUT_OF_STOCK", detail="variant MER-L is out of stock")],
    }
    base = request(**stock).case_id
    await open_request(classify, request(**stock), "1:1")
    # Not ended yet: a second stock-out attaches to the open case.
    (attached,) = await open_request(classify, request(**stock), "1:2")
    assert attached.request.case_id == base and not attached.first
    ended(classify, base, CaseStatus.DECIDED)

    (renewed,) = await open_request(classify, request(**stock), "1:3")
    assert renewed.request.case_id == f"{base}-g2" and renewed.first


def test_only_ending_states_end_a_case_and_the_first_end_is_kept() -> None:
    classify, _ = classifier(CountingEnricher())
    ended(classify, BASE, CaseStatus.OPEN)
    ended(classify, BASE, CaseStatus.ESCALATED)
    assert classify.case_ends.get(BASE) is None
    ended(classify, BASE, CaseStatus.FAILED)
    ended(classify, BASE, CaseStatus.APPLIED)  # a DLQ replay that then succeeded
    assert classify.case_ends[BASE]["status"] == "FAILED"
