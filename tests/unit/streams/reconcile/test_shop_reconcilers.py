"""ShopReconcilers: one run per registered shop; a stuck store never holds another's runs."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from streams.reconcile.agent import ShopReconcilers
from streams.services import Services
from tests.unit.streams.test_services import EU, US, two_shops


class FakeReconciler:
    def __init__(self, shop: str, gate: asyncio.Event | None) -> None:
        self.shop = shop
        self.gate = gate
        self.runs = 0
        self.stats = {"failed_runs": 0}

    async def run_once(self) -> str:
        self.runs += 1
        if self.gate is not None:
            await self.gate.wait()
        return f"{self.shop} run {self.runs}"


class NoStore:
    async def prepare(self, replication_factor: int = 1) -> None:
        return None


def reconcilers(services: Services, stuck: str) -> tuple[ShopReconcilers, asyncio.Event]:
    gate = asyncio.Event()

    def build(shop: str) -> Any:
        return FakeReconciler(shop, gate if shop == stuck else None)

    return ShopReconcilers(services, build, NoStore()), gate


async def test_each_shop_runs_on_its_own_and_a_stuck_one_only_skips_itself(
    tmp_path: Path,
) -> None:
    services = two_shops(tmp_path)
    shops, gate = reconcilers(services, stuck=EU)

    first = shops.start()
    us_first = await first[0]
    second = shops.start()  # EU's first run is still waiting for its store
    us_second, eu_skipped = await asyncio.gather(second[0], second[1])
    gate.set()
    eu_first = await first[1]

    assert [us_first, us_second] == [f"{US} run 1", f"{US} run 2"]
    assert eu_skipped is None  # its tick never overlaps itself
    assert eu_first == f"{EU} run 1"
    assert shops.for_shop(US).shop == US
    await services.aclose()


async def test_stop_cancels_the_runs_still_going(tmp_path: Path) -> None:
    services = two_shops(tmp_path)
    shops, _gate = reconcilers(services, stuck=EU)
    us, eu = shops.start()
    await us

    await shops.stop()

    assert eu.cancelled()
    await services.aclose()
