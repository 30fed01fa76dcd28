"""ShopEnrichers: a case is read and held in its own shop, never in another."""

from __future__ import annotations

from schemas.records import CaseType
from streams.classify.enrich.enricher import EnrichOptions
from streams.classify.enrich.shops import ShopEnrichers
from tests.unit.streams.classify.enrich.fakes import FakeShopify, request

US = "casebridge-demo.myshopify.com"
EU = "eu-store.myshopify.com"


def enrichers() -> tuple[ShopEnrichers, dict[str, FakeShopify]]:
    clients = {US: FakeShopify(), EU: FakeShopify()}
    return ShopEnrichers(clients.__getitem__, clients.__contains__, EnrichOptions()), clients


async def test_each_request_is_enriched_and_held_with_its_own_shops_client() -> None:
    shops, clients = enrichers()
    us_case = request(CaseType.ORDER_REVIEW)
    eu_case = request(CaseType.ORDER_REVIEW).model_copy(update={"shop": EU})

    assert shops.would_hold(eu_case)
    await shops.hold(eu_case)
    enriched = await shops.enrich(us_case)

    assert enriched.enrichment_complete
    eu_ops = {op for op, _ in clients[EU].calls}
    us_ops = {op for op, _ in clients[US].calls}
    assert eu_ops and us_ops
    assert not eu_ops & us_ops  # the hold's reads in the EU store, the enrichment's in the US one
    assert shops.for_shop(US) is shops.for_shop(US) is not shops.for_shop(EU)


async def test_a_request_of_an_unregistered_shop_is_neither_read_nor_held() -> None:
    shops, clients = enrichers()
    stray = request(CaseType.ORDER_REVIEW).model_copy(update={"shop": "gone.myshopify.com"})

    enriched = await shops.enrich(stray)

    assert not shops.would_hold(stray)
    assert await shops.hold(stray) is stray
    assert not shops.should_defer(stray)
    assert enriched.enrichment_complete is False
    error = {v.name: v.value for v in enriched.variables}["enrichmentError"]
    assert error == "shop gone.myshopify.com is not in the shop registry"
    assert clients[US].calls == clients[EU].calls == []
