"""Shopify context for cases before they open, and the fulfillment hold of review cases.

Public surface::

    enricher = ShopifyEnricher(services.shopify, EnrichOptions(history_orders=20))
    request = await enricher.enrich(request)   # variables per case type; never raises
    request = await enricher.hold(request)     # ORDER_REVIEW / HIGH_VALUE_REVIEW; idempotent

:mod:`.enricher` decides what each case type gets, :mod:`.variables` turns
GraphQL answers into typed case variables, :mod:`.holds` places the holds,
:mod:`.documents` holds the GraphQL text.
"""

from streams.classify.enrich.enricher import PLANS, EnrichOptions, Plan, ShopifyEnricher
from streams.classify.enrich.holds import (
    HELD_CASE_TYPES,
    HoldOutcome,
    HoldPlacer,
    PlacedHold,
    hold_reason,
    reason_notes,
)

__all__ = [
    "HELD_CASE_TYPES",
    "PLANS",
    "EnrichOptions",
    "HoldOutcome",
    "HoldPlacer",
    "PlacedHold",
    "Plan",
    "ShopifyEnricher",
    "hold_reason",
    "reason_notes",
]
