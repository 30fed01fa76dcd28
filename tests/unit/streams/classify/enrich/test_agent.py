"""Wiring: the classify role with the Shopify enricher, the reconcile timer, and the whole chain."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from schemas.records import CaseType
from streams.app import create_app
from streams.classify.agent import enrich_options, register_classify
from streams.classify.enrich import EnrichOptions, ShopifyEnricher
from streams.classify.enrich.shops import ShopEnrichers
from streams.classify.rules import ClassifyContext, classify_event
from streams.kafka.watermark import MemoryWatermarkStore
from streams.policy import default_policy
from streams.reconcile import Reconciler
from streams.reconcile import agent as reconcile_agent
from streams.services import Services
from streams.settings import Settings
from tests.unit.streams.classify.enrich.fakes import FO_OPEN, FakeShopify
from tests.unit.streams.reconcile.fakes import (
    JsonEncoder,
    PagedOrders,
    RecordingProducer,
    order_node,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


async def test_register_classify_uses_the_shopify_enricher(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    app = create_app(settings)
    services = Services(settings)
    try:
        classifier = register_classify(app, services)
        reconciler = reconcile_agent.register(app, services)
    finally:
        await services.aclose()

    assert isinstance(classifier.enricher, ShopEnrichers)
    assert isinstance(classifier.enricher.for_shop(settings.shopify.shop_domain), ShopifyEnricher)
    assert classifier.enricher.for_shop("evil.myshopify.com") is None
    assert isinstance(reconciler.for_shop(settings.shopify.shop_domain), Reconciler)
    assert reconciler.for_shop(settings.shopify.shop_domain).shop == settings.shopify.shop_domain


def test_enrich_options_from_settings() -> None:
    assert enrich_options(Settings()) == EnrichOptions()
    section = SimpleNamespace(history_orders=5, place_holds=False)
    options = enrich_options(SimpleNamespace(enrich=section))  # type: ignore[arg-type]
    assert (options.history_orders, options.place_holds) == (5, False)


async def test_reconciled_risky_order_is_classified_enriched_and_held() -> None:
    # Reconcile -> classify -> enrich -> hold, with the fakes standing in for Shopify.
    reconciler = Reconciler(
        PagedOrders([]),
        RecordingProducer(),
        JsonEncoder(),
        MemoryWatermarkStore(),
        shop="casebridge-demo.myshopify.com",
        api_version="2026-01",
    )
    event = reconciler.event_for(order_node(1001, "2026-11-26T09:00:00Z", risk="HIGH"), NOW)
    (case,) = classify_event(event, default_policy(), ClassifyContext(), NOW)
    shopify = FakeShopify()
    enricher = ShopifyEnricher(shopify)

    # The hold first (the protective write), then what the case still lacks.
    opened = await enricher.enrich(await enricher.hold(case))

    assert opened.case_type is CaseType.ORDER_REVIEW and opened.enrichment_complete
    found = {v.name: v.value for v in opened.variables}
    assert found["riskLevel"] == "HIGH"  # from the classifier
    assert "customerOrdersCount" in found  # from the webhook or the summary read
    assert "fulfillmentOrderIds" in found  # from the hold's read, not read again
    assert len(shopify.calls_of("CasebridgeEnrichOrder")) <= 1
    (hold,) = json.loads(found["holdsPlaced"])
    assert hold["fulfillmentOrderId"] == FO_OPEN
    (call,) = shopify.calls_of("CasebridgeFulfillmentOrderHold")
    assert call["fulfillmentHold"]["reason"] == "HIGH_RISK_OF_FRAUD"
