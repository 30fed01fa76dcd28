"""The classify stage with Shopify enrichment and review holds (role ``classify``).

:func:`register_classify` is what the ``classify`` role should point at once
Shopify access is configured: it builds a :class:`~streams.enrich.ShopifyEnricher`
per shop on that shop's shared, cost-aware Shopify client (:mod:`streams.enrich.shops`)
and declares the classify agents with it (:func:`streams.agents.classify.register`). Without it the
classify stage runs with ``NoEnrichment``.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import faust

from streams.agents import classify
from streams.enrich import EnrichOptions
from streams.enrich.shops import ShopEnrichers
from streams.services import Services
from streams.settings import Settings


def enrich_options(settings: Settings) -> EnrichOptions:
    """:class:`EnrichOptions` from the ``enrich`` settings section, defaults where absent."""
    section: Any = getattr(settings, "enrich", None)
    if section is None:
        return EnrichOptions()
    values = {
        f.name: getattr(section, f.name) for f in fields(EnrichOptions) if hasattr(section, f.name)
    }
    return EnrichOptions(**values)


def build_enricher(services: Services) -> ShopEnrichers:
    """One enricher per registered shop, each over that shop's shared client and budget."""
    return ShopEnrichers(
        services.shopify_for,
        lambda shop: shop in services.shops,
        enrich_options(services.settings),
    )


def register_classify(app: faust.App, services: Services) -> classify.Classifier:
    """Declare the classify stage on ``app`` with Shopify enrichment and holds."""
    return classify.register(app, services, build_enricher(services))


__all__ = ["build_enricher", "enrich_options", "register_classify"]
