"""A replayed decision DLQ record: the writer builds the decision again, or fails it again."""

from __future__ import annotations

from schemas.records import CaseDecision, CaseType
from streams.ops.metrics import DECISIONS
from tests.unit.streams.decisions.test_offered import OFFERED, task
from tests.unit.streams.writer.harness import SHOP, Harness


def count(case_type: CaseType, result: str) -> float:
    return DECISIONS.labels(SHOP, case_type.value, result)._value.get()  # type: ignore[attr-defined]


async def test_a_replay_that_now_builds_is_published_as_a_decision() -> None:
    h = Harness()

    (event,) = await h.deliver(task("resolved", **OFFERED).to_json())

    (built,) = h.decisions()
    assert isinstance(built, CaseDecision)
    assert built.outcome == "resolved" and built.source.value == "MANUAL"
    assert built.shop == SHOP  # the deployment's default shop: the task names none
    assert h.letters() == [] and h.states() == []
    assert h.writer.stats["replays_rebuilt"] == 1 and event.acked


async def test_a_replay_that_fails_again_is_dead_lettered_and_the_case_stays_failed() -> None:
    h = Harness()
    before = count(CaseType.FULFILLMENT_EXCEPTION, "failed")

    (event,) = await h.deliver(task("split", **OFFERED).to_json())

    (letter,) = h.letters()
    assert "was not offered" in letter["reason"]
    assert letter["error_class"] == "OutcomeNotOfferedError"
    assert h.states() == ["FAILED"]
    assert count(CaseType.FULFILLMENT_EXCEPTION, "failed") == before + 1
    assert h.decisions() == [] and event.acked


async def test_a_replay_of_a_shop_not_in_the_registry_is_dead_lettered_unbuilt() -> None:
    h = Harness()

    await h.deliver(task("resolved", shop="gone.myshopify.com", **OFFERED).to_json())

    (letter,) = h.letters()
    assert letter["error_class"] == "foreign-shop" and "gone.myshopify.com" in letter["reason"]
    assert h.decisions() == [] and h.writer.stats["replays_rebuilt"] == 0
