"""Prometheus metrics: the pipeline's counters and the consumer-lag collector.

Everything lives on one module-level :data:`REGISTRY` (not the client's
global default), so a test or a second app in the process cannot collide
with it, and :func:`exposition` renders exactly what ``/metrics`` serves.

Pipeline metrics, updated by the agents and clients::

    casebridge_records_in_total{agent}                 records an agent consumed
    casebridge_records_out_total{agent,topic}          records an agent produced
    casebridge_dlq_records_total{topic}                records dead-lettered, by source topic
    casebridge_retries_total{client,reason}            retried remote calls
    casebridge_remote_call_seconds{client,endpoint,status}   histogram of remote calls
    casebridge_shopify_bucket_level{shop}              Shopify leaky-bucket level (points)
    casebridge_webhooks_rejected_total{reason}         webhooks refused by ingress

Consumer-lag metrics, from the lag monitor's latest evaluation, named like
danielqsj/kafka_exporter's so existing dashboards and alerts work::

    kafka_consumergroup_lag{consumergroup,topic,partition}
    kafka_consumergroup_lag_sum{consumergroup,topic}
    kafka_consumergroup_current_offset{consumergroup,topic,partition}
    kafka_consumergroup_members{consumergroup}
    kafka_topic_partition_current_offset{topic,partition}
    casebridge_consumergroup_status{consumergroup,status}
    casebridge_consumergroup_lag_seconds{consumergroup,topic,partition}

``casebridge_consumergroup_status`` carries the Burrow status both as the
``status`` label and as its severity code: OK=0, WARN=1, REWIND=2, STALL=3,
STOP=4, ERR=5 (so ``max by (consumergroup)`` is the worst, and an alert rule
is ``casebridge_consumergroup_status >= 3``). ``current_offset`` is omitted
for partitions the group never committed (their lag still counts, from the
log start), and ``lag_seconds`` where no consume rate is measurable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from streams.ops.monitor import LagReport

__all__ = [
    "CONTENT_TYPE",
    "DECISIONS",
    "DLQ_RECORDS",
    "RECORDS_IN",
    "RECORDS_OUT",
    "REGISTRY",
    "REMOTE_CALL_SECONDS",
    "RETRIES",
    "SHOPIFY_BUCKET_LEVEL",
    "SHOPIFY_BUDGET_OLDEST_WAIT",
    "SHOPIFY_BUDGET_QUEUE",
    "SHOPIFY_BUDGET_SATURATED",
    "SHOPIFY_POINTS",
    "SHOPIFY_RESTORE_RATE",
    "WEBHOOKS_REJECTED",
    "LagCollector",
    "exposition",
    "install_lag_collector",
]

#: The registry ``/metrics`` serves.
REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

#: Content-Type header of :func:`exposition`'s body.
CONTENT_TYPE = CONTENT_TYPE_LATEST

RECORDS_IN = Counter(
    "casebridge_records_in", "Records consumed by an agent.", ["agent"], registry=REGISTRY
)
RECORDS_OUT = Counter(
    "casebridge_records_out",
    "Records produced by an agent, by destination topic.",
    ["agent", "topic"],
    registry=REGISTRY,
)
DECISIONS = Counter(
    "casebridge_decisions",
    "Decisions that ended a case, by case type and result: applied (written back, or"
    " nothing to write) or failed (the decision or a write-back was dead-lettered).",
    ["case_type", "result"],
    registry=REGISTRY,
)
DLQ_RECORDS = Counter(
    "casebridge_dlq_records",
    "Records copied to a dead-letter topic, by source topic.",
    ["topic"],
    registry=REGISTRY,
)
RETRIES = Counter(
    "casebridge_retries",
    "Remote calls retried after a retryable error.",
    ["client", "reason"],
    registry=REGISTRY,
)
REMOTE_CALL_SECONDS = Histogram(
    "casebridge_remote_call_seconds",
    "Duration of calls to Shopify, OpenText and the schema registry.",
    ["client", "endpoint", "status"],
    # Remote APIs answer in tens of milliseconds to seconds; timeouts are ~10 s.
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
SHOPIFY_BUCKET_LEVEL = Gauge(
    "casebridge_shopify_bucket_level",
    "Points currently used in the shop's GraphQL cost bucket.",
    ["shop"],
    registry=REGISTRY,
)
SHOPIFY_POINTS = Counter(
    "casebridge_shopify_points",
    "Shopify GraphQL cost points per shop, case type and call class; kind is"
    " requested (admitted against the bucket) or actual (charged).",
    ["shop", "case_type", "priority", "kind"],
    registry=REGISTRY,
)
SHOPIFY_RESTORE_RATE = Gauge(
    "casebridge_shopify_restore_rate",
    "Points per second the shop's GraphQL bucket restores (as Shopify reports it).",
    ["shop"],
    registry=REGISTRY,
)
SHOPIFY_BUDGET_QUEUE = Gauge(
    "casebridge_shopify_budget_queue_depth",
    "Calls waiting for the shop's budget, by priority class.",
    ["shop", "priority"],
    registry=REGISTRY,
)
SHOPIFY_BUDGET_OLDEST_WAIT = Gauge(
    "casebridge_shopify_budget_oldest_wait_seconds",
    "How long the oldest call of a priority class has waited for the shop's budget.",
    ["shop", "priority"],
    registry=REGISTRY,
)
SHOPIFY_BUDGET_SATURATED = Gauge(
    "casebridge_shopify_budget_saturated",
    "1 while the shop's budget cannot cover the calls asked of it (enrichment is deferred).",
    ["shop"],
    registry=REGISTRY,
)
WEBHOOKS_REJECTED = Counter(
    "casebridge_webhooks_rejected",
    "Webhooks refused by ingress (bad HMAC, too large, malformed...).",
    ["reason"],
    registry=REGISTRY,
)

_GROUP = ["consumergroup"]
_GROUP_TOPIC = ["consumergroup", "topic"]
_GROUP_PARTITION = ["consumergroup", "topic", "partition"]


class LagCollector(Collector):
    """Renders the lag monitor's latest report at scrape time (no state of its own)."""

    def __init__(self, latest: Callable[[], LagReport | None]) -> None:
        self._latest = latest

    def describe(self) -> list[Metric]:
        """The families this collector owns, so the registry can reject duplicates."""
        return list(self._families())

    def collect(self) -> Iterator[Metric]:
        """One family per metric name, from the latest report (empty before the first)."""
        report = self._latest()
        families = self._families()
        if report is None:
            yield from families
            return
        lag, lag_sum, current, members, topic_offset, status, seconds = families
        for group in report.groups:
            members.add_metric([group.group], group.members)
            status.add_metric([group.group, group.status.value], group.status.code)
            for topic, total in sorted(group.topic_lag().items()):
                lag_sum.add_metric([group.group, topic], total)
            for row in group.partitions:
                labels = [group.group, row.topic, str(row.partition)]
                if row.lag is not None:
                    lag.add_metric(labels, row.lag)
                if row.committed is not None:
                    current.add_metric(labels, row.committed)
                if row.lag_seconds is not None:
                    seconds.add_metric(labels, row.lag_seconds)
        for (topic, partition), end in sorted(report.end_offsets.items()):
            topic_offset.add_metric([topic, str(partition)], end)
        yield from families

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, ...]:
        return (
            GaugeMetricFamily(
                "kafka_consumergroup_lag",
                "Records the group has not consumed yet, per partition.",
                labels=_GROUP_PARTITION,
            ),
            GaugeMetricFamily(
                "kafka_consumergroup_lag_sum",
                "Records the group has not consumed yet, per topic.",
                labels=_GROUP_TOPIC,
            ),
            GaugeMetricFamily(
                "kafka_consumergroup_current_offset",
                "The group's committed offset.",
                labels=_GROUP_PARTITION,
            ),
            GaugeMetricFamily(
                "kafka_consumergroup_members", "Members of the group.", labels=_GROUP
            ),
            GaugeMetricFamily(
                "kafka_topic_partition_current_offset",
                "End offset (high watermark) of the partition.",
                labels=["topic", "partition"],
            ),
            GaugeMetricFamily(
                "casebridge_consumergroup_status",
                "Burrow-style group status: OK=0 WARN=1 REWIND=2 STALL=3 STOP=4 ERR=5.",
                labels=[*_GROUP, "status"],
            ),
            GaugeMetricFamily(
                "casebridge_consumergroup_lag_seconds",
                "Estimated seconds to consume the lag at the current commit rate.",
                labels=_GROUP_PARTITION,
            ),
        )


_installed: dict[int, LagCollector] = {}


def install_lag_collector(
    latest: Callable[[], LagReport | None], registry: CollectorRegistry = REGISTRY
) -> LagCollector:
    """Register a :class:`LagCollector` on ``registry``, replacing one installed before.

    Replacing (rather than failing on the duplicate names) lets a restarted
    monitor in the same process take over the metrics.
    """
    previous = _installed.pop(id(registry), None)
    if previous is not None:
        registry.unregister(previous)
    collector = LagCollector(latest)
    registry.register(collector)
    _installed[id(registry)] = collector
    return collector


def exposition(registry: CollectorRegistry = REGISTRY) -> bytes:
    """The text exposition of ``registry``: the body of ``GET /metrics``."""
    return generate_latest(registry)
