"""What the writer's entry points share: the store's client, settings, sleep and clock."""

from __future__ import annotations

import asyncio

from connectors.shopify.cost import GraphQLExecutor
from streams.settings import WriterSettings
from streams.writer.context import Mailer, Sleep
from streams.writer.results import Clock, utc_now


class StoreWriter:
    """Base of :class:`~streams.writer.executor.ActionExecutor` and
    :class:`~streams.writer.offline.OfflineOrderCreator`.

    Args:
        client: the store's GraphQL executor (a :class:`~connectors.shopify.ShopifyAdminClient`
            or a fake with the same ``execute``).
        config: the ``writer`` settings section (retries, polling, page sizes).
        sleep: awaitable sleep (tests pass a no-op).
        clock: ``finished_at`` of the results.
        mailer: the customer notices' mail client (None: notices cannot be sent).
    """

    def __init__(
        self,
        client: GraphQLExecutor,
        *,
        config: WriterSettings | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = utc_now,
        mailer: Mailer | None = None,
    ) -> None:
        self._client = client
        self._config = config or WriterSettings()
        self._sleep = sleep
        self._clock = clock
        self._mailer = mailer
