"""The ``/_emulator`` admin surface."""

from __future__ import annotations

import pytest

from .conftest import Running
from .helpers import seed, seed_order

pytestmark = pytest.mark.integration


async def test_seed_state_resource_and_reset(emulator: Running) -> None:
    created = await seed(
        emulator,
        {
            "products": [
                {
                    "title": "Lamp",
                    "variants": [{"sku": "L-1", "price": "30.00", "inventory_quantity": 2}],
                }
            ],
            "scenario": {"n": 5, "seed": 4},
        },
    )
    assert len(created["products"]) == 1 and len(created["scenario"]) == 5
    order = await seed_order(emulator, risk_level="high")
    state = (await emulator.http.get("/_emulator/state")).json()
    shop = state["shops"][0]
    assert shop["domain"] == "casebridge-demo.myshopify.com"
    assert any(o["admin_graphql_api_id"] == order for o in shop["orders"])
    numeric = order.rsplit("/", 1)[1]
    one = (await emulator.http.get(f"/_emulator/orders/{numeric}")).json()
    assert one["admin_graphql_api_id"] == order and one["risk_level"] == "high"
    assert (await emulator.http.get("/_emulator/orders/1")).status_code == 404
    assert (await emulator.http.get("/_emulator/widgets/1")).status_code == 404
    assert (await emulator.http.post("/_emulator/reset")).status_code == 200
    assert (await emulator.http.get("/_emulator/state")).json()["shops"][0]["orders"] == []


async def test_bad_seed_is_400(emulator: Running) -> None:
    response = await emulator.http.post("/_emulator/seed", json={"scenario": {"kinds": ["nope"]}})
    assert response.status_code == 400
    response = await emulator.http.post("/_emulator/seed", content=b"{not json")
    assert response.status_code == 400


async def test_stream_emits_continuously(emulator: Running) -> None:
    import asyncio

    response = await emulator.http.post("/_emulator/stream", json={"rate_per_s": 50, "seed": 5})
    assert response.status_code == 200
    await asyncio.sleep(0.3)
    stopped = (await emulator.http.delete("/_emulator/stream")).json()
    assert stopped["emitted"] >= 3


async def test_each_shop_streams_on_its_own(emulator: Running) -> None:
    import asyncio

    shops = [s["domain"] for s in (await emulator.http.get("/_emulator/state")).json()["shops"]]
    for domain in shops:
        started = await emulator.http.post(
            "/_emulator/stream", json={"rate_per_s": 50, "seed": 5, "shop": domain}
        )
        assert started.json()["shop"] == domain
    unknown = await emulator.http.post(
        "/_emulator/stream", json={"rate_per_s": 1, "shop": "nope.myshopify.com"}
    )
    await asyncio.sleep(0.3)
    stopped = (await emulator.http.delete("/_emulator/stream")).json()

    assert unknown.status_code == 400
    assert stopped["emitted"] >= 3 * len(shops)
