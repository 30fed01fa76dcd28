"""Reading back what happened in a benchmark run: Kafka records, the emulators' own records.

Every timestamp ``bench.latency`` reports comes from here: ingress
``received_at`` on ``shopify.webhooks``, the Shopify emulator's mutation
journal (``GET /_emulator/mutations``) and the OpenText emulator's instance
start and task end times. None of them depends on how often anyone polled.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from confluent_kafka import Consumer, TopicPartition

from bench.timing import gid_number, gids, iso_seconds
from connectors.serde import AvroSerde, RegistryClient

SHOP = "casebridge-demo.myshopify.com"
ORDER_REVIEW_MODEL = "casebridge.order_review"


def partition_ends(bootstrap: str, topic: str) -> dict[int, int]:
    """``topic``'s end offset per partition."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-{uuid.uuid4()}"})
    try:
        meta = consumer.list_topics(topic, timeout=10).topics[topic]
        return {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
            for p in meta.partitions
        }
    finally:
        consumer.close()


def read_models(bootstrap: str, topic: str, start: dict[int, int], registry: str) -> list[Any]:
    """The records of ``topic`` from ``start`` to the current end, decoded to their models."""
    serde = AvroSerde.for_topic(topic, RegistryClient(registry))
    ends = partition_ends(bootstrap, topic)
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"bench-read-{uuid.uuid4()}",
            "enable.auto.commit": False,
        }
    )
    consumer.assign([TopicPartition(topic, p, start.get(p, 0)) for p in ends])
    remaining = sum(ends[p] - start.get(p, 0) for p in ends)
    out: list[Any] = []
    deadline = time.monotonic() + 120
    try:
        while remaining > 0 and time.monotonic() < deadline:
            for message in consumer.consume(500, 1.0):
                if message.error() is not None:
                    continue
                remaining -= 1
                value = message.value()
                if value is not None:
                    out.append(serde.decode_model(value))
    finally:
        consumer.close()
    return out


def fulfillment_order_owners(
    shopify_url: str, entries: list[dict[str, Any]], known: dict[str, str] | None = None
) -> dict[str, str]:
    """Fulfillment order -> order, for every fulfillment order the journal wrote to.

    ``known`` (updated in place) saves asking again for those already looked up.
    """
    owners = known if known is not None else {}
    wanted = {
        fo
        for entry in entries
        for fo in gids(entry.get("variables") or {}, "FulfillmentOrder")
        if fo not in owners
    }
    with httpx.Client(base_url=shopify_url, timeout=10) as client:
        for fo in sorted(wanted):
            response = client.get(f"/_emulator/fulfillment_orders/{fo}")
            if response.status_code == 200:
                order = gid_number(response.json().get("order_id"))
                if order is not None:
                    owners[fo] = order
    return owners


@dataclass
class OpenTextView:
    """Per order: instance start, and for decided reviews the decision time and outcome."""

    started: dict[str, float] = field(default_factory=dict)
    decided: dict[str, float] = field(default_factory=dict)
    outcome: dict[str, str] = field(default_factory=dict)
    cases: Counter[str] = field(default_factory=Counter)


def opentext_view(opentext_url: str) -> OpenTextView:
    """Read the OpenText emulator's instances and tasks."""
    state = httpx.get(f"{opentext_url}/_emulator/state", timeout=60).json()
    view = OpenTextView()
    by_instance: dict[str, str] = {}
    for instance in state["instances"]:
        view.cases[instance.get("processDefinitionKey") or "?"] += 1
        variables = {v["name"]: v.get("value") for v in instance.get("variables") or []}
        order = gid_number(variables.get("orderId"))
        if order is None or instance.get("processDefinitionKey") != ORDER_REVIEW_MODEL:
            continue
        started = iso_seconds(instance.get("startTime"))
        if started is not None:
            view.started.setdefault(order, started)
        by_instance[instance["id"]] = order
        if instance.get("ended") and variables.get("approvalStatus"):
            view.outcome[order] = str(variables["approvalStatus"])
    for task in state["tasks"]:
        order = by_instance.get(task.get("processInstanceId") or "")
        ended = iso_seconds(task.get("endTime"))
        if order is not None and ended is not None:
            view.decided[order] = max(ended, view.decided.get(order, 0.0))
    return view


def journal(shopify_url: str) -> tuple[list[dict[str, Any]], int]:
    """The emulator's mutation journal and its THROTTLED count for the shop."""
    body = httpx.get(f"{shopify_url}/_emulator/mutations", timeout=60).json()
    return body["mutations"], int(body["throttled"].get(SHOP, 0))
