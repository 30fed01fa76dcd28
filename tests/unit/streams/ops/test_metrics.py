"""The Prometheus collector and pipeline metrics, read back with the exposition parser."""

from __future__ import annotations

import functools
import gc
import weakref

from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from streams.ops import metrics
from streams.ops.burrow import Status
from streams.ops.metrics import LagCollector, exposition, install_lag_collector
from streams.ops.monitor import GroupReport, LagReport, PartitionRow


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def report() -> LagReport:
    rows = [
        PartitionRow("orders", 0, committed=5, end=12, lag=7, status=Status.STOP, reason="x"),
        PartitionRow("orders", 1, committed=None, end=3, lag=3, status=Status.STOP, reason="y",
                     lag_seconds=1.5),
        PartitionRow("refunds", 0, committed=9, end=9, lag=0, status=Status.OK, reason="z"),
    ]  # fmt: skip
    group = GroupReport("casebridge", Status.STOP, "EMPTY", 0, rows)
    ends = {("orders", 0): 12, ("orders", 1): 3, ("refunds", 0): 9}
    return LagReport(at=0.0, groups=[group], end_offsets=ends)


def test_collector_emits_kafka_exporter_names_and_labels() -> None:
    registry = CollectorRegistry()
    registry.register(LagCollector(report))
    found = samples(exposition(registry).decode())
    g = ("consumergroup", "casebridge")
    assert found[("kafka_consumergroup_lag", (g, ("partition", "0"), ("topic", "orders")))] == 7
    assert found[("kafka_consumergroup_lag", (g, ("partition", "1"), ("topic", "orders")))] == 3
    assert found[("kafka_consumergroup_lag_sum", (g, ("topic", "orders")))] == 10
    assert found[("kafka_consumergroup_lag_sum", (g, ("topic", "refunds")))] == 0
    current = ("kafka_consumergroup_current_offset", (g, ("partition", "0"), ("topic", "orders")))
    assert found[current] == 5
    # No commit: no current offset, but the lag is still there.
    assert ("kafka_consumergroup_current_offset",
            (g, ("partition", "1"), ("topic", "orders"))) not in found  # fmt: skip
    topic = ("kafka_topic_partition_current_offset", (("partition", "0"), ("topic", "refunds")))
    assert found[topic] == 9
    assert found[("casebridge_consumergroup_status", (g, ("status", "STOP")))] == 4
    assert found[("kafka_consumergroup_members", (g,))] == 0
    seconds = ("casebridge_consumergroup_lag_seconds",
               (g, ("partition", "1"), ("topic", "orders")))  # fmt: skip
    assert found[seconds] == 1.5


def test_collector_before_the_first_evaluation_is_empty_but_valid() -> None:
    registry = CollectorRegistry()
    registry.register(LagCollector(lambda: None))
    families = {f.name for f in text_string_to_metric_families(exposition(registry).decode())}
    assert "kafka_consumergroup_lag" in families
    assert all(not f.samples for f in text_string_to_metric_families(exposition(registry).decode()))


def test_install_replaces_the_previous_collector() -> None:
    registry = CollectorRegistry()
    install_lag_collector(lambda: None, registry)
    install_lag_collector(report, registry)  # no duplicate-name error
    assert "kafka_consumergroup_lag{" in exposition(registry).decode()


def test_a_dropped_registry_lets_its_collector_and_monitor_go() -> None:
    class Monitor:
        latest = None

    monitor = Monitor()
    gone = weakref.ref(monitor)
    install_lag_collector(functools.partial(getattr, monitor, "latest"), CollectorRegistry())
    del monitor
    gc.collect()
    assert gone() is None  # the admin client behind a real monitor is freed with it


def test_pipeline_metrics_are_on_the_module_registry() -> None:
    metrics.RECORDS_IN.labels(agent="classify").inc()
    metrics.RECORDS_OUT.labels(agent="classify", topic="cases.requests").inc(2)
    metrics.DLQ_RECORDS.labels(topic="shopify.webhooks").inc()
    metrics.remote_retry("shopify", "throttled", "demo.myshopify.com")
    metrics.remote_call("opentext", "/process-instances", 201, 0.2, metrics.NO_SHOP)
    metrics.SHOPIFY_BUCKET_LEVEL.labels(shop="demo.myshopify.com").set(120)
    metrics.WEBHOOKS_REJECTED.labels(reason="hmac").inc()
    found = samples(exposition().decode())
    names = {name for name, _ in found}
    for name in (
        "casebridge_records_in_total",
        "casebridge_records_out_total",
        "casebridge_dlq_records_total",
        "casebridge_retries_total",
        "casebridge_remote_call_seconds_bucket",
        "casebridge_remote_call_seconds_count",
        "casebridge_shopify_bucket_level",
        "casebridge_webhooks_rejected_total",
    ):
        assert name in names, name
    key = ("casebridge_records_out_total", (("agent", "classify"), ("topic", "cases.requests")))
    assert found[key] >= 2
    assert metrics.CONTENT_TYPE.startswith("text/plain")


def _value(name: str, labels: dict[str, str] | None = None) -> float:
    from streams.ops.metrics import REGISTRY

    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


def test_decision_failures_count_by_the_case_type_of_the_id() -> None:
    from streams.ops.metrics import decision_unbuildable

    shop = "us.myshopify.com"
    labels = {"shop": shop, "case_type": "FULFILLMENT_EXCEPTION", "result": "failed"}
    unknown = {"shop": "none", "case_type": "UNKNOWN", "result": "failed"}
    before, before_unknown = (
        _value("casebridge_decisions_total", labels),
        _value("casebridge_decisions_total", unknown),
    )
    decision_unbuildable("FULFILLMENT_EXCEPTION-0123456789abcdef", shop)
    decision_unbuildable("not-a-case-type-abc")
    assert _value("casebridge_decisions_total", labels) == before + 1
    assert _value("casebridge_decisions_total", unknown) == before_unknown + 1


def test_every_decision_and_dlq_series_exists_from_the_start() -> None:
    from schemas.records import CaseType
    from streams.ops.metrics import REGISTRY, declare_shop
    from streams.topics import DLQ_SOURCES

    get = REGISTRY.get_sample_value
    declare_shop("eu.myshopify.com")  # what the services do for every registered shop
    for case_type in CaseType:
        for result in ("applied", "failed"):
            labels = {"shop": "eu.myshopify.com", "case_type": case_type.value, "result": result}
            assert get("casebridge_decisions_total", labels) is not None, labels
    assert get("casebridge_webhooks_accepted_total", {"shop": "eu.myshopify.com"}) is not None
    for topic in DLQ_SOURCES:
        assert get("casebridge_dlq_records_total", {"topic": topic}) is not None, topic


def test_an_accepted_webhook_is_counted_and_dated() -> None:
    from streams.ops.metrics import webhook_accepted

    shop = {"shop": "us.myshopify.com"}
    before = _value("casebridge_webhooks_accepted_total", shop)
    started = _value("casebridge_webhook_last_accepted_timestamp_seconds")
    assert started > 0  # the process start until the first webhook
    webhook_accepted("us.myshopify.com")
    assert _value("casebridge_webhooks_accepted_total", shop) == before + 1
    assert _value("casebridge_webhook_last_accepted_timestamp_seconds") >= started
