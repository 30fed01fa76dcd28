"""Guards of the writer agent: registered shops only, per-order lanes."""

from __future__ import annotations

from schemas.records import ActionKind, CaseDecision, CaseType, CaseVariable
from streams.writer.agent import lane_key
from tests.unit.schemas.samples import samples
from tests.unit.streams.writer.harness import SHOP, Harness, decision


async def test_a_decision_of_another_shop_is_dead_lettered_unwritten() -> None:
    h = Harness(SHOP)

    (event,) = await h.deliver(
        decision(CaseType.ORDER_REVIEW, ActionKind.ADD_TAGS, shop="other.myshopify.com")
    )

    (letter,) = h.letters()
    assert letter["error_class"] == "foreign-shop" and "other.myshopify.com" in letter["reason"]
    assert h.store.calls == [] and h.writebacks() == [] and event.acked


async def test_a_decision_of_a_shop_removed_while_queued_is_dead_lettered() -> None:
    h = Harness(SHOP, "gone.myshopify.com")
    h.removed.add("gone.myshopify.com")  # its client is gone by the time the lane runs

    (event,) = await h.deliver(
        decision(CaseType.ORDER_REVIEW, ActionKind.ADD_TAGS, shop="gone.myshopify.com")
    )

    (letter,) = h.letters()
    assert "gone.myshopify.com" in letter["reason"]
    assert h.store.calls == [] and event.acked


async def test_an_undecodable_decision_is_dead_lettered_and_the_next_one_applied() -> None:
    h = Harness()

    delivered = await h.deliver(b"\x00garbage", decision(CaseType.COMPLAINT, ActionKind.NONE))

    (letter,) = h.letters()
    assert letter["error_class"].startswith("avro:")
    assert h.states() == ["DECIDED"]
    assert all(event.acked for event in delivered)


def test_the_writers_lane_is_per_shop_and_order() -> None:
    def decided(shop: str) -> CaseDecision:
        sample = samples()["CaseDecision"]
        assert isinstance(sample, CaseDecision)
        return sample.model_copy(
            update={"shop": shop, "variables": [CaseVariable(name="orderId", value="45")]}
        )

    # Order ids are only unique within a store: two stores' order 45 are two lanes.
    assert lane_key(decided("a.myshopify.com")) != lane_key(decided("b.myshopify.com"))
