"""Contract: ``orders(query: "updated_at:>...")`` with cursors visits every order once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from emulators.shopify import EmulatorConfig, FakeClock
from emulators.shopify.clock import isoformat

from .conftest import Start
from .helpers import seed

pytestmark = pytest.mark.integration

PAGE = """query($after: String, $q: String, $sort: OrderSortKeys) {
  orders(first: 7, after: $after, query: $q, sortKey: $sort) {
    edges { cursor node { id updatedAt } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def _walk(running, query: str, sort: str | None = None, between=None) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    after = None
    while True:
        data = await running.data(PAGE, {"after": after, "q": query, "sort": sort})
        page = data["orders"]
        seen.extend(e["node"]["id"] for e in page["edges"])
        if between is not None:
            await between()
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("sort", [None, "UPDATED_AT", "CREATED_AT"])
async def test_walk_visits_each_order_once(start_emulator: Start, sort: str | None) -> None:
    clock = FakeClock()
    running = await start_emulator(EmulatorConfig(), clock=clock)
    early = await seed(running, {"scenario": {"n": 5, "kinds": ["normal"], "seed": 1}})
    clock.advance(3600)
    watermark = isoformat(clock.now() - timedelta(seconds=1))
    for _ in range(6):
        await seed(running, {"scenario": {"n": 5, "kinds": ["normal", "vip_customer"], "seed": 2}})
        clock.advance(1)
    seen = await _walk(running, f"updated_at:>{watermark}", sort)
    assert len(seen) == len(set(seen)) == 30
    assert not {e["order_id"] for e in early["scenario"]} & set(seen)


async def test_orders_created_while_walking_are_not_duplicated(start_emulator: Start) -> None:
    clock = FakeClock()
    running = await start_emulator(EmulatorConfig(), clock=clock)
    await seed(running, {"scenario": {"n": 20, "kinds": ["normal"]}})

    async def more() -> None:
        clock.advance(1)
        await seed(running, {"scenario": {"n": 1, "kinds": ["normal"]}})

    seen = await _walk(running, "updated_at:>2020-01-01T00:00:00Z", "UPDATED_AT", more)
    assert len(seen) == len(set(seen)) >= 20


async def test_other_filters(start_emulator: Start) -> None:
    running = await start_emulator()
    await seed(
        running,
        {
            "orders": [
                {
                    "email": "a@example.com",
                    "tags": ["VIP"],
                    "line_items": [{"title": "T", "quantity": 1, "price": "5"}],
                },
                {
                    "email": "b@example.com",
                    "financial_status": "pending",
                    "line_items": [{"title": "T", "quantity": 1, "price": "5"}],
                },
            ]
        },
    )
    tagged = await running.data('{ orders(first: 10, query: "tag:vip") { nodes { email } } }')
    assert tagged["orders"]["nodes"] == [{"email": "a@example.com"}]
    pending = await running.data(
        '{ orders(first: 10, query: "financial_status:pending status:open") { nodes { email } } }'
    )
    assert pending["orders"]["nodes"] == [{"email": "b@example.com"}]
    last = await running.data("{ orders(last: 1, reverse: true) { nodes { email } } }")
    assert last["orders"]["nodes"] == [{"email": "a@example.com"}]
