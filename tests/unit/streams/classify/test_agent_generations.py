"""Case generations in the classify agent: a new trigger after a case ended opens a new case."""

from __future__ import annotations

from schemas.records import CaseStatus
from streams.classify.rules.caseid import generation_id
from tests.unit.streams.classify.harness import Harness, out_of_stock, restricted, risk

CASE_ENDS = "classify-case-ends"


async def opened(h: Harness) -> list[str]:
    return [r.case_id for r in h.requests()]


async def test_a_new_reason_after_the_case_ended_opens_the_next_generation_and_holds_again() -> (
    None
):
    h = Harness()
    await h.webhook(risk("MEDIUM", "evt-1"), offset=1)
    (base,) = await opened(h)
    await h.ended(base)

    await h.webhook(risk("HIGH", "evt-2"), offset=2)

    assert await opened(h) == [base, generation_id(base, 2)] == [base, f"{base}-g2"]
    assert h.requested() == [base, f"{base}-g2"]  # the new generation is a first request
    assert h.enricher.holds == 2  # the new review holds the order again
    assert h.stats["generations"] == 1


async def test_the_same_facts_after_the_end_open_nothing() -> None:
    # e.g. the orders/updated our own write-back caused, flagging the same order again
    h = Harness()
    await h.webhook(risk("HIGH", "evt-1"), offset=1)
    (base,) = await opened(h)
    await h.ended(base)

    await h.webhook(risk("HIGH", "evt-2"), offset=2)

    assert await opened(h) == [base]
    assert h.stats["after_end"] == 1


async def test_a_redelivery_after_the_end_is_not_a_new_trigger() -> None:
    h = Harness()
    await h.webhook(risk("HIGH", "evt-1"), offset=1)
    (base,) = await opened(h)
    await h.ended(base)

    await h.webhook(risk("HIGH", "evt-1"), offset=1)  # the same record, read again

    assert await opened(h) == [base, base]
    assert h.requested() == [base, base]
    assert h.stats["generations"] == 0


async def test_updates_attach_to_the_open_generation_and_count_its_reasons() -> None:
    h = Harness()
    await h.webhook(risk("MEDIUM", "evt-1"), offset=1)
    (base,) = await opened(h)
    await h.ended(base)
    await h.webhook(risk("HIGH", "evt-2"), offset=2)  # opens generation 2

    await h.webhook(risk("MEDIUM", "evt-3"), offset=3)  # attaches to it
    assert await opened(h) == [base, f"{base}-g2", f"{base}-g2"]
    assert h.requested() == [base, f"{base}-g2"]
    await h.ended(f"{base}-g2", CaseStatus.FAILED)

    # Both reasons were part of generation 2: repeating either after it ended opens nothing.
    await h.webhook(risk("HIGH", "evt-4"), offset=4)
    await h.webhook(risk("MEDIUM", "evt-5"), offset=5)
    assert await opened(h) == [base, f"{base}-g2", f"{base}-g2"]
    assert h.stats["after_end"] == 2
    await h.webhook(restricted("evt-6"), offset=6)  # a reason no generation covered
    assert (await opened(h))[-1] == f"{base}-g3"


async def test_event_scoped_case_types_renew_on_any_new_event() -> None:
    # An item out of stock again: same reason code, a new event.
    h = Harness()
    await h.webhook(out_of_stock("evt-1"), offset=1)
    (base,) = await opened(h)
    # Not ended yet: a second stock-out attaches to the open case.
    await h.webhook(out_of_stock("evt-2"), offset=2)
    assert await opened(h) == [base, base] and h.requested() == [base]
    await h.ended(base, CaseStatus.DECIDED)

    await h.webhook(out_of_stock("evt-3"), offset=3)

    assert await opened(h) == [base, base, f"{base}-g2"]
    assert h.requested() == [base, f"{base}-g2"]


async def test_only_ending_states_end_a_case_and_the_first_end_is_kept() -> None:
    h = Harness()
    base = "ORDER_REVIEW-1"
    await h.ended(base, CaseStatus.OPEN)
    await h.ended(base, CaseStatus.ESCALATED)
    assert h.table(CASE_ENDS).get(base) is None
    await h.ended(base, CaseStatus.FAILED)
    await h.ended(base, CaseStatus.APPLIED)  # a DLQ replay that then succeeded
    assert h.table(CASE_ENDS)[base]["status"] == "FAILED"
