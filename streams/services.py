"""The long-lived clients a worker shares between its agents.

Built once per process from the validated settings: one registry client
(schema ids cached), one Avro serde per topic, one idempotent producer, and
the remote API clients. Agents receive this object instead of building their
own, so nothing is created per message.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from connectors.opentext import OpenTextClient, OpenTextConfig
from connectors.retry import RETRYABLE_STATUSES, RetryPolicy
from connectors.serde import AvroSerde, RegistryClient
from connectors.shopify import ShopifyAdminClient, ShopifyClientConfig
from connectors.shopify.bucket import CostBucket
from connectors.shopify.budget import Priority, Spend
from schemas.records import AvroRecord, CaseType
from streams.kafka.producer import AsyncProducer
from streams.ops.metrics import (
    CALL_SHOP,
    RECORDS_OUT,
    SHOPIFY_BUCKET_LEVEL,
    SHOPIFY_BUDGET_OLDEST_WAIT,
    SHOPIFY_BUDGET_QUEUE,
    SHOPIFY_BUDGET_SATURATED,
    SHOPIFY_CALLS,
    SHOPIFY_POINTS,
    SHOPIFY_RESTORE_RATE,
    declare_shop,
    remote_call,
    remote_retry,
)
from streams.policy.loader import default_policy, load_policy
from streams.policy.model import Policy
from streams.settings import Settings
from streams.shops import RegistryWatcher, Shop, ShopRegistry, load_registry, single_shop_registry
from streams.shops.loader import RegistryDefaults
from streams.shops.model import normalise_domain


@dataclass
class Services:
    """Shared, lazily created clients of one worker process."""

    settings: Settings
    _serdes: dict[str, AvroSerde] = field(default_factory=dict)
    _buckets: dict[str, CostBucket] = field(default_factory=dict)
    _clients: dict[tuple[str, bool], ShopifyAdminClient] = field(default_factory=dict)
    # Clients of shops a reload removed or changed: closed with the others at shutdown,
    # since a call may still be running on them.
    _retired: list[ShopifyAdminClient] = field(default_factory=list)

    @cached_property
    def registry(self) -> RegistryClient:
        """The schema registry client (ids and schemas cached)."""
        return RegistryClient.from_settings(self.settings.registry)

    def serde(self, topic: str) -> AvroSerde:
        """The Avro serde of ``topic``'s values."""
        serde = self._serdes.get(topic)
        if serde is None:
            serde = self._serdes[topic] = AvroSerde.for_topic(topic, self.registry)
        return serde

    @cached_property
    def producer(self) -> AsyncProducer:
        """The idempotent ``acks=all`` producer for every output topic and DLQ."""
        return AsyncProducer(self.settings.kafka.confluent_config())

    @cached_property
    def policy(self) -> Policy:
        """The merchant's policy file, or the default one."""
        path = self.settings.policy_file
        return load_policy(path) if path else default_policy()

    @cached_property
    def shop_watcher(self) -> RegistryWatcher | None:
        """The watched registry file (``CASEBRIDGE_SHOPS_FILE``), or None without one."""
        path = self.settings.shops_file
        if path is None:
            return None
        watcher = RegistryWatcher(path, lambda p: load_registry(p, self._registry_defaults()))
        watcher.on_change(self._shops_changed)
        for domain in watcher.current.domains:
            declare_shop(domain)
        return watcher

    @cached_property
    def _single_shop(self) -> ShopRegistry:
        s = self.settings
        declare_shop(s.shopify.shop_domain)
        return single_shop_registry(
            domain=s.shopify.shop_domain,
            access_token=s.shopify.access_token,
            webhook_secrets=tuple(s.ingress.webhook_secrets),
            defaults=self._registry_defaults(),
        )

    def _registry_defaults(self) -> RegistryDefaults:
        s = self.settings
        return RegistryDefaults(
            api_version=s.shopify.api_version,
            base_policy=self.policy,
            base_url=s.shopify.base_url,
            models=dict(s.opentext.models),
        )

    @property
    def shops(self) -> ShopRegistry:
        """The shops served now: the registry file's (reloaded on change), else settings' one."""
        watcher = self.shop_watcher
        return watcher.current if watcher is not None else self._single_shop

    def policy_for(self, shop: str) -> Policy:
        """``shop``'s policy (its overlay over the base); the base one for an unknown shop."""
        found = self.shops.get(shop)
        return found.policy if found is not None else self.policy

    def model_key(self, shop: str, case_type: str) -> str | None:
        """The OpenText model ``shop``'s cases of ``case_type`` open in (its routing, else ours)."""
        found = self.shops.get(shop)
        models = found.models if found is not None else self.settings.opentext.models
        return models.get(case_type)

    def model_keys(self) -> list[tuple[CaseType, str]]:
        """Every (case type, model key) a registered shop routes to: what decisions read."""
        pairs = {
            (CaseType(kind), key)
            for shop in self.shops
            for kind, key in {**self.settings.opentext.models, **shop.models}.items()
        }
        return sorted(pairs, key=lambda pair: (pair[0].value, pair[1]))

    def _shopify_config(self, shop: Shop, **overrides: Any) -> ShopifyClientConfig:
        return ShopifyClientConfig(
            shop_domain=shop.domain,
            api_version=shop.api_version,
            access_token=shop.access_token,
            base_url=shop.base_url,
            timeout_s=self.settings.shopify.timeout_s,
            **overrides,
        )

    def bucket_for(self, shop: str) -> CostBucket:
        """The budget scheduler of ``shop``, shared by every Shopify client of that shop here.

        One per shop, created on first use: every call to a store, from any
        stage, waits in its own store's bucket by priority class
        (:mod:`connectors.shopify.budget`), so one store's throttling never
        delays another's calls.
        """
        shop = normalise_domain(shop)
        bucket = self._buckets.get(shop)
        if bucket is None:
            config = self._shopify_config(self.shops.require(shop))
            bucket = self._buckets[shop] = CostBucket(
                maximum_available=config.maximum_available, restore_rate=config.restore_rate
            )
        return bucket

    def shopify_for(self, shop: str) -> ShopifyAdminClient:
        """``shop``'s cost-aware Admin GraphQL client (reads; retries transient failures).

        Raises:
            UnknownShopError: ``shop`` is not in the registry.
        """
        return self._client(shop, writer=False)

    def shopify_writer_for(self, shop: str) -> ShopifyAdminClient:
        """``shop``'s client to mutate with: no blind resend after a timeout.

        A resent mutation may apply twice (a split, a created order); the writer
        retries itself, re-reading Shopify's state before writing again.
        """
        return self._client(shop, writer=True)

    def _client(self, shop: str, *, writer: bool) -> ShopifyAdminClient:
        shop = normalise_domain(shop)
        client = self._clients.get((shop, writer))
        if client is None:
            entry = self.shops.require(shop)
            overrides: dict[str, Any] = {"retry": RetryPolicy(maximum_attempts=1)} if writer else {}
            client = self._clients[(shop, writer)] = ShopifyAdminClient(
                self._shopify_config(entry, **overrides),
                bucket=self.bucket_for(entry.domain),
                on_response=functools.partial(self._shopify_called, entry.domain),
                on_points=functools.partial(self._shopify_points, entry.domain),
            )
        return client

    @property
    def shopify_bucket(self) -> CostBucket:
        """The default (first) shop's budget scheduler."""
        return self.bucket_for(self.shops.default.domain)

    @property
    def shopify(self) -> ShopifyAdminClient:
        """The default (first) shop's read client (single-shop callers: preflight, tools)."""
        return self.shopify_for(self.shops.default.domain)

    @property
    def shopify_writer(self) -> ShopifyAdminClient:
        """The default (first) shop's write client."""
        return self.shopify_writer_for(self.shops.default.domain)

    def _shops_changed(self, registry: ShopRegistry) -> None:
        """Drop the clients of shops removed or changed (token, version, URL) by a reload."""
        for domain in registry.domains:
            declare_shop(domain)
        for key in list(self._clients):
            shop, config = registry.get(key[0]), self._clients[key].config
            if shop is None or (
                shop.access_token.get_secret_value(),
                shop.api_version,
                shop.base_url,
            ) != (config.access_token.get_secret_value(), config.api_version, config.base_url):
                self._retired.append(self._clients.pop(key))

    def _shopify_called(
        self, shop: str, operation: str, status: int, duration_s: float, cost: float | None
    ) -> None:
        remote_call("shopify", operation, status, duration_s, shop)
        SHOPIFY_CALLS.labels(shop, str(status)).inc()
        if status in RETRYABLE_STATUSES:
            remote_retry("shopify", str(status), shop)
        self.refresh_budget_metrics()

    def _shopify_points(
        self,
        shop: str,
        priority: Priority,
        spend: Spend | None,
        requested: float,
        actual: float,
    ) -> None:
        case_type = spend.case_type if spend is not None else "none"
        SHOPIFY_POINTS.labels(shop, case_type, priority.label, "requested").inc(requested)
        SHOPIFY_POINTS.labels(shop, case_type, priority.label, "actual").inc(actual)

    def budget_saturated(self, shop: str | None = None) -> bool:
        """Whether an enrichment read of ``shop`` (default: the first) would wait too long."""
        bucket = self.bucket_for(shop or self.shops.default.domain)
        wait = bucket.estimated_wait(0.0, Priority.ENRICH)
        return wait > self.settings.enrich.defer_after_s

    def refresh_budget_metrics(self) -> None:
        """Set each shop's budget gauges from its scheduler (every answer, every scrape)."""
        for shop, bucket in list(self._buckets.items()):
            SHOPIFY_BUCKET_LEVEL.labels(shop).set(max(bucket.maximum_available - bucket.level, 0.0))
            SHOPIFY_RESTORE_RATE.labels(shop).set(bucket.restore_rate)
            for priority in Priority:
                SHOPIFY_BUDGET_QUEUE.labels(shop, priority.label).set(bucket.queue_depth(priority))
                SHOPIFY_BUDGET_OLDEST_WAIT.labels(shop, priority.label).set(
                    bucket.oldest_wait(priority)
                )
            SHOPIFY_BUDGET_SATURATED.labels(shop).set(1.0 if self.budget_saturated(shop) else 0.0)

    def _opentext_called(self, endpoint: str, status: int, duration_s: float) -> None:
        # The OpenText client serves every shop: the case's stage names the shop in a context
        # variable, which reaches the client's hook through the awaiting task.
        shop = CALL_SHOP.get()
        remote_call("opentext", endpoint, status, duration_s, shop)
        if status in RETRYABLE_STATUSES or status == 0:
            remote_retry("opentext", str(status) if status else "connection", shop)

    @cached_property
    def opentext(self) -> OpenTextClient:
        """The OpenText Workflow client (token cached, retries on 429/5xx)."""
        s = self.settings.opentext
        return OpenTextClient(
            OpenTextConfig(
                base_url=s.base_url,
                tenant_id=s.tenant_id,
                client_id=s.client_id,
                client_secret=s.client_secret,
                timeout_s=s.timeout_s,
            ),
            on_response=self._opentext_called,
        )

    async def emit(self, agent: str, topic: str, record: AvroRecord, key: str) -> None:
        """Encode ``record`` for ``topic`` and produce it keyed by ``key``; waits for the ack."""
        await self.producer.send(topic, self.serde(topic).encode(record), key=key.encode())
        RECORDS_OUT.labels(agent, topic).inc()

    async def aclose(self) -> None:
        """Flush the producer and close the HTTP clients that were created."""
        if "producer" in self.__dict__:
            self.producer.close()
        for client in [*self._clients.values(), *self._retired]:
            await client.aclose()
        self._clients.clear()
        self._retired.clear()
        if "opentext" in self.__dict__:
            await self.opentext.aclose()
        if "registry" in self.__dict__:
            self.registry.close()
