"""Prometheus metrics: the pipeline's counters and the consumer-lag collector.

Everything lives on one module-level :data:`REGISTRY` (not the client's
global default), so a test or a second app in the process cannot collide
with it, and :func:`exposition` renders exactly what ``/metrics`` serves.

Pipeline metrics, updated by the agents and clients::

    casebridge_records_in_total{agent}                 records an agent consumed
    casebridge_records_out_total{agent,topic}          records an agent produced
    casebridge_dlq_records_total{topic}                records dead-lettered, by source topic
    casebridge_retries_total{client,reason,shop}       retried remote calls
    casebridge_remote_call_seconds{client,endpoint,status,shop}   histogram of remote calls
    casebridge_shopify_bucket_level{shop}              Shopify leaky-bucket level (points)
    casebridge_webhooks_rejected_total{reason}         webhooks refused by ingress (unknown_shop...)
    casebridge_shop_registry_reloads_total{result}     shop registry reloads: ok / error
    casebridge_shop_registry_shops                     shops in the current registry
    casebridge_events_not_actionable_total{topic}      events that needed no case
    casebridge_webhooks_accepted_total{shop}           webhooks accepted by ingress
    casebridge_webhook_last_accepted_timestamp_seconds last accepted webhook (or process start)
    casebridge_webhooks_quiet_alert_seconds            the "no webhooks" alert's threshold
    casebridge_decisions_total{shop,case_type,result}  decisions written back: applied / failed
                                                        / superseded
    casebridge_shopify_api_version_days_left{version}  days until Shopify drops the API version
    casebridge_opentext_auth_errors_total{agent}       OpenText auth failures (backed off)
    casebridge_shopify_points_total{shop,case_type,priority,kind}  Shopify points per case type
    casebridge_shopify_calls_total{shop,status}        Shopify answers per shop and status
    casebridge_shopify_restore_rate{shop}              the shop's bucket restore rate
    casebridge_shopify_budget_queue_depth{shop,priority}  calls waiting for the budget
    casebridge_shopify_budget_oldest_wait_seconds{shop,priority}  their oldest wait
    casebridge_shopify_budget_saturated{shop}          1 while enrichment is deferred

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

import logging
import weakref
from collections.abc import Callable, Iterator
from contextvars import ContextVar
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

from schemas import DLQ_SOURCES
from schemas.records import CaseType

if TYPE_CHECKING:
    from streams.ops.monitor import LagReport

__all__ = [
    "CALL_SHOP",
    "CONTENT_TYPE",
    "DECISIONS",
    "DLQ_RECORDS",
    "EVENTS_NOT_ACTIONABLE",
    "NO_SHOP",
    "OPENTEXT_AUTH_ERRORS",
    "RECORDS_IN",
    "RECORDS_OUT",
    "REGISTRY",
    "REMOTE_CALL_SECONDS",
    "RETRIES",
    "SHOPIFY_API_VERSION_DAYS_LEFT",
    "SHOPIFY_BUCKET_LEVEL",
    "SHOPIFY_BUDGET_OLDEST_WAIT",
    "SHOPIFY_BUDGET_QUEUE",
    "SHOPIFY_BUDGET_SATURATED",
    "SHOPIFY_CALLS",
    "SHOPIFY_POINTS",
    "SHOPIFY_RESTORE_RATE",
    "SHOP_REGISTRY_RELOADS",
    "SHOP_REGISTRY_SHOPS",
    "WEBHOOKS_ACCEPTED",
    "WEBHOOKS_QUIET_ALERT",
    "WEBHOOKS_REJECTED",
    "WEBHOOK_LAST_ACCEPTED",
    "LagCollector",
    "add_refresher",
    "decision_counted",
    "decision_unbuildable",
    "declare_shop",
    "exposition",
    "install_lag_collector",
    "refresh",
    "remote_call",
    "remote_retry",
    "webhook_accepted",
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
DLQ_RECORDS = Counter(
    "casebridge_dlq_records",
    "Records copied to a dead-letter topic, by source topic.",
    ["topic"],
    registry=REGISTRY,
)
# Every source topic's series exists from the start at 0, so the first dead letter is
# an increase() the "DLQ growing" alert sees rather than a series appearing from nothing.
for _topic in DLQ_SOURCES:
    DLQ_RECORDS.labels(_topic)
RETRIES = Counter(
    "casebridge_retries",
    "Remote calls retried after a retryable error.",
    ["client", "reason", "shop"],
    registry=REGISTRY,
)
REMOTE_CALL_SECONDS = Histogram(
    "casebridge_remote_call_seconds",
    "Duration of calls to Shopify, OpenText and the schema registry.",
    ["client", "endpoint", "status", "shop"],
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
SHOPIFY_CALLS = Counter(
    "casebridge_shopify_calls",
    "Shopify Admin API answers per shop and HTTP status (0: no answer): one store's outage"
    " shows on its own.",
    ["shop", "status"],
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
SHOPIFY_API_VERSION_DAYS_LEFT = Gauge(
    "casebridge_shopify_api_version_days_left",
    "Days until Shopify stops serving the configured Admin API version (set at start).",
    ["version"],
    registry=REGISTRY,
)
OPENTEXT_AUTH_ERRORS = Counter(
    "casebridge_opentext_auth_errors",
    "OpenText calls refused for credentials or region (gateway fault, 401/403); backed off.",
    ["agent"],
    registry=REGISTRY,
)
EVENTS_NOT_ACTIONABLE = Counter(
    "casebridge_events_not_actionable",
    "Shopify events of a known topic that needed no case (recorded, not dropped), by topic.",
    ["topic"],
    registry=REGISTRY,
)
WEBHOOKS_REJECTED = Counter(
    "casebridge_webhooks_rejected",
    "Webhooks refused by ingress (bad HMAC, too large, malformed...).",
    ["reason"],
    registry=REGISTRY,
)

SHOP_REGISTRY_RELOADS = Counter(
    "casebridge_shop_registry_reloads",
    "Reloads of the shop registry file, by result (ok / error: the last good one is kept).",
    ["result"],
    registry=REGISTRY,
)
SHOP_REGISTRY_SHOPS = Gauge(
    "casebridge_shop_registry_shops",
    "Shops in the current shop registry.",
    registry=REGISTRY,
)

WEBHOOKS_ACCEPTED = Counter(
    "casebridge_webhooks_accepted",
    "Webhooks verified and published by ingress (duplicates not counted), by shop.",
    ["shop"],
    registry=REGISTRY,
)
WEBHOOK_LAST_ACCEPTED = Gauge(
    "casebridge_webhook_last_accepted_timestamp_seconds",
    "Unix time of the last webhook accepted, or of the process start before the first:"
    " the 'no webhooks for a while' alert compares it with time().",
    registry=REGISTRY,
)
WEBHOOK_LAST_ACCEPTED.set_to_current_time()
WEBHOOKS_QUIET_ALERT = Gauge(
    "casebridge_webhooks_quiet_alert_seconds",
    "The configured silence (CASEBRIDGE_LAG__WEBHOOKS_QUIET_ALERT_S) after which the"
    " CasebridgeNoWebhooks alert rule fires: the rule reads its threshold from here.",
    registry=REGISTRY,
)
DECISIONS = Counter(
    "casebridge_decisions",
    "Decisions that ended a case, by shop, case type and result: applied (something"
    " written back) or failed (the decision or a write-back was dead-lettered).",
    ["shop", "case_type", "result"],
    registry=REGISTRY,
)

#: The shop a remote call is made for, set by the stage handling a case; calls made for
#: no case (token refresh, the history poll) carry :data:`NO_SHOP`.
NO_SHOP = "none"
CALL_SHOP: ContextVar[str] = ContextVar("casebridge_call_shop", default=NO_SHOP)


#: How a decision ends in ``casebridge_decisions_total``: written, refused, or no longer
#: applicable (its order was cancelled meanwhile: the case closes, nothing to retry).
DECISION_RESULTS = ("applied", "failed", "superseded")


def declare_shop(shop: str) -> None:
    """Create ``shop``'s per-shop series at 0 (called for every shop the registry serves).

    A failure's first increment is then an increase() that alert rules see, not a
    series appearing from nowhere.
    """
    for case_type in CaseType:
        for result in DECISION_RESULTS:
            DECISIONS.labels(shop, case_type.value, result)
    WEBHOOKS_ACCEPTED.labels(shop)


def decision_counted(shop: str, case_type: CaseType | str, result: str, n: int = 1) -> None:
    """Count ``n`` decisions of ``shop`` ending in ``result`` (:data:`DECISION_RESULTS`)."""
    label = case_type.value if isinstance(case_type, CaseType) else case_type
    DECISIONS.labels(shop or NO_SHOP, label, result).inc(n)


def decision_unbuildable(case_id: str, shop: str | None = None) -> None:
    """Count a decision that failed before any write (it could not be built from the task).

    Case ids start with their case type (``FULFILLMENT_EXCEPTION-...``); anything
    else counts as UNKNOWN, so a bad id cannot create a new series.
    """
    prefix = case_id.split("-", 1)[0]
    case_type = prefix if prefix in CaseType.__members__ else CaseType.UNKNOWN.value
    decision_counted(shop or NO_SHOP, case_type, "failed")


def remote_call(client: str, endpoint: str, status: int, duration_s: float, shop: str) -> None:
    """Time one remote call of ``shop`` (:data:`NO_SHOP` when made for no case)."""
    REMOTE_CALL_SECONDS.labels(client, endpoint, str(status), shop).observe(duration_s)


def remote_retry(client: str, reason: str, shop: str) -> None:
    """Count one retried remote call of ``shop``."""
    RETRIES.labels(client, reason, shop).inc()


def webhook_accepted(shop: str) -> None:
    """Count one accepted webhook of ``shop`` and date it (ingress calls this once per publish)."""
    WEBHOOKS_ACCEPTED.labels(shop).inc()
    WEBHOOK_LAST_ACCEPTED.set_to_current_time()


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


#: The collector installed on each registry; weak, so a registry a caller dropped
#: (a test's) lets its collector, and the monitor and admin client behind it, go.
_installed: weakref.WeakKeyDictionary[CollectorRegistry, LagCollector] = weakref.WeakKeyDictionary()


def install_lag_collector(
    latest: Callable[[], LagReport | None], registry: CollectorRegistry = REGISTRY
) -> LagCollector:
    """Register a :class:`LagCollector` on ``registry``, replacing one installed before.

    Replacing (rather than failing on the duplicate names) lets a restarted
    monitor in the same process take over the metrics.
    """
    previous = _installed.pop(registry, None)
    if previous is not None:
        registry.unregister(previous)
    collector = LagCollector(latest)
    registry.register(collector)
    _installed[registry] = collector
    return collector


#: Called before the registry is read: gauges that mirror live state (the Shopify
#: budget's queues) are set then, so a scrape never reads a figure from the last
#: time a call happened to update it.
_REFRESHERS: list[Callable[[], None]] = []


def add_refresher(refresh: Callable[[], None]) -> None:
    """Run ``refresh`` before every read of the registry (a scrape, a history sample)."""
    _REFRESHERS.append(refresh)


def refresh() -> None:
    """Run the refreshers; one that fails is logged and skipped."""
    for callback in list(_REFRESHERS):
        try:
            callback()
        except Exception:  # a broken refresher must not break /metrics
            logging.getLogger(__name__).exception("metrics refresher failed")


def exposition(registry: CollectorRegistry = REGISTRY) -> bytes:
    """The text exposition of ``registry``: the body of ``GET /metrics``."""
    refresh()
    return generate_latest(registry)
