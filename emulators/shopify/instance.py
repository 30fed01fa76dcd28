"""One running Shopify emulator: its state, its injected faults, the app key that holds it.

Beside the application (:mod:`emulators.shopify.app`) rather than in it, so the
admin routes (:mod:`emulators.shopify.admin`) and the GraphQL endpoint both
import it and neither imports the other.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, validate

from emulators.shopify.clock import Clock
from emulators.shopify.config import EmulatorConfig
from emulators.shopify.cost import LeakyBucket
from emulators.shopify.journal import MutationJournal
from emulators.shopify.store import Store
from emulators.shopify.webhooks import WebhookDispatcher


def buckets_for(config: EmulatorConfig, clock: Clock) -> dict[str, LeakyBucket]:
    return {s.domain: LeakyBucket(*s.bucket_limits(), clock=clock) for s in config.shops}


@dataclass
class Faults:
    """Injected failures of the GraphQL endpoint (admin routes are never affected).

    Attributes:
        error_rate: probability that a request fails with ``error_status``.
        error_status: 429, 500, 502, 503, or 200 for a GraphQL ``INTERNAL_SERVER_ERROR``.
        latency_s: extra wait before every answer.
        throttle_status: overrides ``config.throttle_status`` when set.
    """

    error_rate: float = 0.0
    error_status: int = 503
    latency_s: float = 0.0
    throttle_status: int | None = None


#: Distinct GraphQL documents kept parsed and validated.
DOCUMENT_CACHE_SIZE = 256


@dataclass
class Emulator:
    """Everything one running emulator holds; the aiohttp app carries one."""

    config: EmulatorConfig
    clock: Clock
    store: Store
    dispatcher: WebhookDispatcher
    schema: GraphQLSchema
    buckets: dict[str, LeakyBucket]
    faults: Faults = field(default_factory=Faults)
    rng: random.Random = field(default_factory=random.Random)
    extras: dict[str, Any] = field(default_factory=dict)
    #: Executed mutations and THROTTLED answers with precise times, for benchmarks.
    journal: MutationJournal = field(default_factory=MutationJournal)
    #: query text -> (parsed document, validation errors). Clients send the same few
    #: documents over and over; parsing and validating each one again was most of
    #: the emulator's CPU per enriched case (docs/benchmarks.md).
    documents: OrderedDict[str, tuple[DocumentNode, list[GraphQLError]]] = field(
        default_factory=OrderedDict
    )

    def document(self, query: str) -> tuple[DocumentNode, list[GraphQLError]]:
        """``query`` parsed and validated against the schema, cached (LRU).

        Raises:
            GraphQLError: the text does not parse.
        """
        cached = self.documents.get(query)
        if cached is not None:
            self.documents.move_to_end(query)
            return cached
        document = parse(query)
        cached = (document, validate(self.schema, document))
        self.documents[query] = cached
        if len(self.documents) > DOCUMENT_CACHE_SIZE:
            self.documents.popitem(last=False)
        return cached

    def reset(self) -> None:
        """Empty the store, refill buckets, clear deliveries and faults."""
        self.store.reset()
        self.dispatcher.clear()
        self.faults = Faults()
        self.buckets = buckets_for(self.config, self.clock)
        self.journal.clear()


EMULATOR = web.AppKey("emulator", Emulator)
