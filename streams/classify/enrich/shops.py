"""Enrichment and holds per shop: each request goes to its own shop's client and budget.

:class:`ShopEnrichers` is the classify stage's :class:`~streams.classify.agent.Enricher`
when a deployment serves several stores: it keeps one
:class:`~streams.classify.enrich.ShopifyEnricher` per shop (created on first use over
that shop's client), so a case is read and held in its own store, and one
store's short budget defers only that store's enrichment.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from connectors.shopify.client import GraphQLExecutor
from schemas.records import CaseRequest, CaseVariable
from streams.classify.enrich import variables as v
from streams.classify.enrich.enricher import EnrichOptions, ShopifyEnricher

log = logging.getLogger(__name__)

#: The read client of a shop; raises (UnknownShopError) for a shop not in the registry.
ClientOf = Callable[[str], GraphQLExecutor]


class ShopEnrichers:
    """One :class:`ShopifyEnricher` per shop, chosen by the request's ``shop``."""

    def __init__(
        self, client_of: ClientOf, is_registered: Callable[[str], bool], options: EnrichOptions
    ) -> None:
        self._client_of = client_of
        self._is_registered = is_registered
        self._options = options
        # Keyed by client: a reload that rotates a shop's token gives it a new client.
        self._enrichers: dict[GraphQLExecutor, ShopifyEnricher] = {}

    def for_shop(self, shop: str) -> ShopifyEnricher | None:
        """``shop``'s enricher; None when the shop is not (any longer) in the registry."""
        if not self._is_registered(shop):
            return None
        client = self._client_of(shop)
        enricher = self._enrichers.get(client)
        if enricher is None:
            enricher = self._enrichers[client] = ShopifyEnricher(client, self._options)
        return enricher

    async def enrich(self, request: CaseRequest) -> CaseRequest:
        enricher = self.for_shop(request.shop)
        if enricher is None:
            # The case still opens, marked incomplete: its store cannot be read from here.
            log.warning(
                "case %s: shop %s not registered: not enriched", request.case_id, request.shop
            )
            error = CaseVariable(
                name="enrichmentError", value=f"shop {request.shop} is not in the shop registry"
            )
            return request.model_copy(
                update={
                    "enrichment_complete": False,
                    "variables": v.replace(request.variables, [error]),
                }
            )
        return await enricher.enrich(request)

    def should_defer(self, request: CaseRequest) -> bool:
        enricher = self.for_shop(request.shop)
        return enricher.should_defer(request) if enricher is not None else False

    def deferred(self, request: CaseRequest) -> CaseRequest:
        enricher = self.for_shop(request.shop)
        return enricher.deferred(request) if enricher is not None else request

    def would_hold(self, request: CaseRequest) -> bool:
        enricher = self.for_shop(request.shop)
        return enricher.would_hold(request) if enricher is not None else False

    async def hold(self, request: CaseRequest) -> CaseRequest:
        enricher = self.for_shop(request.shop)
        return await enricher.hold(request) if enricher is not None else request
