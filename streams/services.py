"""The long-lived clients a worker shares between its agents.

Built once per process from the validated settings: one registry client
(schema ids cached), one Avro serde per topic, one idempotent producer, and
the remote API clients. Agents receive this object instead of building their
own, so nothing is created per message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from connectors.opentext import OpenTextClient, OpenTextConfig
from connectors.retry import RETRYABLE_STATUSES, RetryPolicy
from connectors.serde import AvroSerde, RegistryClient
from connectors.shopify import ShopifyAdminClient, ShopifyClientConfig
from connectors.shopify.bucket import CostBucket
from connectors.shopify.budget import Priority, Spend
from schemas.records import AvroRecord
from streams.kafka.producer import AsyncProducer
from streams.ops.metrics import (
    RECORDS_OUT,
    REMOTE_CALL_SECONDS,
    RETRIES,
    SHOPIFY_BUCKET_LEVEL,
    SHOPIFY_BUDGET_OLDEST_WAIT,
    SHOPIFY_BUDGET_QUEUE,
    SHOPIFY_BUDGET_SATURATED,
    SHOPIFY_POINTS,
    SHOPIFY_RESTORE_RATE,
)
from streams.policy.loader import default_policy, load_policy
from streams.policy.model import Policy
from streams.settings import Settings


@dataclass
class Services:
    """Shared, lazily created clients of one worker process."""

    settings: Settings
    _serdes: dict[str, AvroSerde] = field(default_factory=dict)

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

    def _shopify_config(self, **overrides: Any) -> ShopifyClientConfig:
        s = self.settings.shopify
        return ShopifyClientConfig(
            shop_domain=s.shop_domain,
            api_version=s.api_version,
            access_token=s.access_token,
            base_url=s.base_url,
            timeout_s=s.timeout_s,
            **overrides,
        )

    @cached_property
    def shopify_bucket(self) -> CostBucket:
        """The shop's budget scheduler, shared by every Shopify client here.

        One per shop: every call to the store, from any stage, waits in it by
        priority class (:mod:`connectors.shopify.budget`).
        """
        config = self._shopify_config()
        return CostBucket(
            maximum_available=config.maximum_available, restore_rate=config.restore_rate
        )

    @cached_property
    def shopify(self) -> ShopifyAdminClient:
        """The cost-aware Shopify Admin GraphQL client (reads; retries transient failures)."""
        return ShopifyAdminClient(
            self._shopify_config(),
            bucket=self.shopify_bucket,
            on_response=self._shopify_called,
            on_points=self._shopify_points,
        )

    @cached_property
    def shopify_writer(self) -> ShopifyAdminClient:
        """The client the writer mutates with: no blind resend after a timeout.

        A resent mutation may apply twice (a split, a created order); the writer
        retries itself, re-reading Shopify's state before writing again.
        """
        return ShopifyAdminClient(
            self._shopify_config(retry=RetryPolicy(maximum_attempts=1)),
            bucket=self.shopify_bucket,
            on_response=self._shopify_called,
            on_points=self._shopify_points,
        )

    def _shopify_called(
        self, operation: str, status: int, duration_s: float, cost: float | None
    ) -> None:
        REMOTE_CALL_SECONDS.labels("shopify", operation, str(status)).observe(duration_s)
        if status in RETRYABLE_STATUSES:
            RETRIES.labels("shopify", str(status)).inc()
        self.refresh_budget_metrics()

    def _shopify_points(
        self, priority: Priority, spend: Spend | None, requested: float, actual: float
    ) -> None:
        shop = self.settings.shopify.shop_domain
        case_type = spend.case_type if spend is not None else "none"
        SHOPIFY_POINTS.labels(shop, case_type, priority.label, "requested").inc(requested)
        SHOPIFY_POINTS.labels(shop, case_type, priority.label, "actual").inc(actual)

    def budget_saturated(self) -> bool:
        """Whether an enrichment read would now wait longer than enrichment is let wait."""
        wait = self.shopify_bucket.estimated_wait(0.0, Priority.ENRICH)
        return wait > self.settings.enrich.defer_after_s

    def refresh_budget_metrics(self) -> None:
        """Set the shop's budget gauges from the scheduler (every answer, every scrape)."""
        if "shopify_bucket" not in self.__dict__:
            return
        bucket = self.shopify_bucket
        shop = self.settings.shopify.shop_domain
        SHOPIFY_BUCKET_LEVEL.labels(shop).set(max(bucket.maximum_available - bucket.level, 0.0))
        SHOPIFY_RESTORE_RATE.labels(shop).set(bucket.restore_rate)
        for priority in Priority:
            SHOPIFY_BUDGET_QUEUE.labels(shop, priority.label).set(bucket.queue_depth(priority))
            SHOPIFY_BUDGET_OLDEST_WAIT.labels(shop, priority.label).set(
                bucket.oldest_wait(priority)
            )
        SHOPIFY_BUDGET_SATURATED.labels(shop).set(1.0 if self.budget_saturated() else 0.0)

    def _opentext_called(self, endpoint: str, status: int, duration_s: float) -> None:
        REMOTE_CALL_SECONDS.labels("opentext", endpoint, str(status)).observe(duration_s)
        if status in RETRYABLE_STATUSES or status == 0:
            RETRIES.labels("opentext", str(status) if status else "connection").inc()

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
        if "shopify" in self.__dict__:
            await self.shopify.aclose()
        if "shopify_writer" in self.__dict__:
            await self.shopify_writer.aclose()
        if "opentext" in self.__dict__:
            await self.opentext.aclose()
        if "registry" in self.__dict__:
            self.registry.close()
