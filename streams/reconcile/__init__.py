"""Reconciliation: re-fetch orders changed in Shopify and feed them to classify.

Public surface::

    store = KafkaWatermarkStore(settings.kafka.confluent_config(), services.producer)
    reconciler = Reconciler(services.shopify, services.producer,
                            services.serde("shopify.webhooks"), store,
                            shop=settings.shopify.shop_domain, api_version="2026-04")
    run = await reconciler.run_once()     # on a leader-only Faust timer

:mod:`.poller` holds the run and the de-duplication argument, :mod:`.rest`
the GraphQL query and the REST-shaped payload, :mod:`.watermark` the
durable watermark.
"""

from streams.kafka.watermark import (
    WATERMARK_TOPIC,
    KafkaWatermarkStore,
    MemoryWatermarkStore,
    WatermarkError,
    WatermarkStore,
)
from streams.reconcile.poller import (
    RECONCILED_TOPIC,
    Reconciler,
    ReconcileRun,
    advance,
    event_id,
)
from streams.reconcile.rest import RECONCILE_ORDERS, rest_order

__all__ = [
    "RECONCILED_TOPIC",
    "RECONCILE_ORDERS",
    "WATERMARK_TOPIC",
    "KafkaWatermarkStore",
    "MemoryWatermarkStore",
    "ReconcileRun",
    "Reconciler",
    "WatermarkError",
    "WatermarkStore",
    "advance",
    "event_id",
    "rest_order",
]
