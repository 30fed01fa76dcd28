"""What Shopify can send, through the real ingress, broker and classify agent (issue 13).

* Shopify's published sample payload of every subscribed topic (the body of
  "Send test notification") is accepted and opens the right case, opens
  nothing, or is dead-lettered with the reason when it lacks the ids its case
  needs: the risk-assessment sample (``order_id: null``) once opened an
  ORDER_REVIEW keyed by the webhook id.
* Signed bodies nested 200,000 deep or holding a 5,000-digit number answer 400
  with the reason (they were a 500 with a traceback), and the same payload on
  the topic, produced past ingress, is dead-lettered while the records after it
  are processed.

"Opened nothing" is proven by offsets, not by waiting: the worker's group has
committed past the event on ``shopify.webhooks`` and then past everything
``cases.requests`` held at that moment, so a case request for it would have
reached the OpenText emulator already.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

from connectors.serde import AvroSerde, RegistryClient
from schemas.records import EventSource, ShopifyEvent
from streams.kafka.dlq import HEADER_PREFIX
from streams.kafka.headers import DEDUP_HEADER
from tests.fixtures.shopify_samples import Sample, load_samples
from tests.integration.pipeline.conftest import Pipeline, running_pipeline
from tests.integration.pipeline.harness import variables_of, wait_until, webhook_headers

pytestmark = [pytest.mark.integration, pytest.mark.slow]

#: A shop of this module's own: its cases are told apart from other runs' by the shop.
SHOP = f"samples-{uuid.uuid4().hex[:8]}.myshopify.com"
WEBHOOKS = "shopify.webhooks"
WEBHOOKS_DLQ = "shopify.webhooks.dlq"
REQUESTS = "cases.requests"
TIMEOUT_S = 90.0


@pytest.fixture(scope="module")
def pipeline(
    bootstrap_servers: str, registry_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    """Both emulators and a worker serving this module's shop."""
    with running_pipeline(
        bootstrap_servers,
        registry_url,
        tmp_path_factory,
        worker_extra={"CASEBRIDGE_SHOPIFY__SHOP_DOMAIN": SHOP},
        shopify_extra={"shops": [{"domain": SHOP}]},
    ) as running:
        yield running


# --- reading the broker --------------------------------------------------------------------


def _consumer(bootstrap: str, group: str | None = None) -> Consumer:
    return Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group or f"cbtest-read-{uuid.uuid4()}",
            "enable.auto.commit": False,
        }
    )


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    """The current end offset of each partition of ``topic``."""
    consumer = _consumer(bootstrap)
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        return {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
            for p in partitions
        }
    finally:
        consumer.close()


def records_since(bootstrap: str, topic: str, start: dict[int, int]) -> list[Any]:
    """Every record of ``topic`` from ``start`` to the current end."""
    ends = end_offsets(bootstrap, topic)
    wanted = {p: end for p, end in ends.items() if end > start.get(p, 0)}
    if not wanted:
        return []
    consumer = _consumer(bootstrap)
    try:
        consumer.assign([TopicPartition(topic, p, start.get(p, 0)) for p in wanted])
        found = []
        while wanted:
            message = consumer.poll(5)
            if message is None:
                break
            if message.error():
                continue
            found.append(message)
            partition, offset = message.partition() or 0, message.offset() or 0
            if offset + 1 >= wanted.get(partition, 0):
                wanted.pop(partition, None)
        return found
    finally:
        consumer.close()


def header(message: Any, name: str) -> str | None:
    """A header of a raw record, as text."""
    for key, value in message.headers() or []:
        if key == name and value is not None:
            return bytes(value).decode(errors="replace")
    return None


def committed_past(pipeline: Pipeline, topic: str, offsets: dict[int, int]) -> bool:
    """Whether the worker's group committed at least ``offsets`` (partition -> offset)."""
    consumer = _consumer(pipeline.bootstrap_servers, pipeline.worker.app_id)
    try:
        wanted = [TopicPartition(topic, p) for p in offsets]
        committed = consumer.committed(wanted, timeout=10)
        return all(tp.offset >= offsets[tp.partition] for tp in committed)
    finally:
        consumer.close()


def settled(pipeline: Pipeline, record: Any) -> None:
    """Wait until the worker finished ``record`` and every case request that may have followed."""
    where = {record.partition(): record.offset() + 1}
    wait_until(
        lambda: committed_past(pipeline, record.topic(), where),
        TIMEOUT_S,
        f"the worker to commit past {record.topic()}@{where}",
        0.5,
    )
    requests_end = end_offsets(pipeline.bootstrap_servers, REQUESTS)
    wait_until(
        lambda: committed_past(pipeline, REQUESTS, requests_end),
        TIMEOUT_S,
        "the sink to commit past every case request",
        0.5,
    )


# --- delivering ----------------------------------------------------------------------------


def deliver(pipeline: Pipeline, topic: str, body: bytes, event_id: str) -> httpx.Response:
    """POST ``body`` to the worker's ingress, signed like Shopify does."""
    headers = webhook_headers(topic, body, shop=SHOP, event_id=event_id)
    return httpx.post(pipeline.worker.webhook_url, content=body, headers=headers, timeout=60)


def our_instances(pipeline: Pipeline) -> list[dict[str, Any]]:
    """This shop's OpenText instances, as variables."""
    found = [variables_of(i) for i in pipeline.emulators.instances()]
    return [v for v in found if v.get("shop") == SHOP]


def dead_letters_of(pipeline: Pipeline, start: dict[int, int], event_id: str) -> list[Any]:
    """DLQ records of the event (the DLQ keeps the original record's headers)."""
    return [
        m
        for m in records_since(pipeline.bootstrap_servers, WEBHOOKS_DLQ, start)
        if header(m, DEDUP_HEADER) == event_id
    ]


# --- Shopify's samples ---------------------------------------------------------------------


def test_shopifys_sample_of_every_topic_opens_the_right_case_or_none_or_is_dead_lettered(
    pipeline: Pipeline,
) -> None:
    samples = load_samples()
    webhooks_start = end_offsets(pipeline.bootstrap_servers, WEBHOOKS)
    dlq_start = end_offsets(pipeline.bootstrap_servers, WEBHOOKS_DLQ)
    sent: dict[str, Sample] = {}
    for sample in samples:
        event_id = str(uuid.uuid4())
        response = deliver(pipeline, sample.topic, sample.body, event_id)
        assert response.status_code == 200, (sample.topic, response.text)
        sent[event_id] = sample

    def recorded() -> dict[str, Any] | None:
        found = {
            header(m, DEDUP_HEADER): m
            for m in records_since(pipeline.bootstrap_servers, WEBHOOKS, webhooks_start)
        }
        mine = {event_id: found[event_id] for event_id in sent if event_id in found}
        return mine if len(mine) == len(sent) else None

    records = wait_until(recorded, TIMEOUT_S, "every sample on shopify.webhooks")
    for record in records.values():
        settled(pipeline, record)

    instances = our_instances(pipeline)
    for event_id, sample in sent.items():
        dead = dead_letters_of(pipeline, dlq_start, event_id)
        outcome = _outcome(sample, event_id, instances, dead)
        assert outcome in [_key(option) for option in sample.options()], (
            sample.topic,
            outcome,
            pipeline.worker.process.log_tail(3000),
        )
    # One case per subject however many samples concern it (disputes/create + update).
    cases = sorted((v["caseType"], v["subjectId"]) for v in instances)
    assert len(cases) == len(set(cases)), cases


def _key(option: dict[str, Any]) -> tuple[str, ...]:
    if option["result"] == "case":
        return ("case", option["case_type"], option["subject_id"])
    if option["result"] == "dead_letter":
        return ("dead_letter", option["reason"])
    return ("not_actionable",)


def _outcome(
    sample: Sample, event_id: str, instances: list[dict[str, Any]], dead: list[Any]
) -> tuple[str, ...]:
    """What happened to one sample, in the form of :func:`_key`."""
    if dead:
        reason = header(dead[0], HEADER_PREFIX + "reason") or ""
        wanted = [o["reason"] for o in sample.options() if o["result"] == "dead_letter"]
        return ("dead_letter", next((w for w in wanted if w in reason), reason))
    for variables in instances:
        if event_id in (variables.get("sourceEventIds") or []):
            return ("case", str(variables["caseType"]), str(variables["subjectId"]))
    # A later event of the same subject attaches to the open case (disputes/update).
    for option in sample.options():
        if option["result"] == "case" and any(
            (v["caseType"], v["subjectId"]) == (option["case_type"], option["subject_id"])
            for v in instances
        ):
            return _key(option)
    return ("not_actionable",)


# --- hostile bodies ------------------------------------------------------------------------

NESTED = b'{"id": 1, "note": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
HUGE_NUMBER = b'{"id": ' + b"7" * 5000 + b"}"


@pytest.mark.parametrize(
    ("body", "reason"),
    [(NESTED, "nested too deeply"), (HUGE_NUMBER, "a number has over 4300 digits")],
    ids=["nested-200000-deep", "5000-digit-number"],
)
def test_hostile_signed_bodies_are_400_with_the_reason_and_never_recorded(
    pipeline: Pipeline, body: bytes, reason: str
) -> None:
    start = end_offsets(pipeline.bootstrap_servers, WEBHOOKS)
    event_id = str(uuid.uuid4())
    response = deliver(pipeline, "orders/create", body, event_id)
    assert response.status_code == 400, response.text
    assert reason in response.json()["detail"]
    # The worker serves the next delivery; the refused one never reached the topic.
    marker = str(uuid.uuid4())
    ordinary = json.dumps({"id": 1, "name": "#1"}).encode()
    assert deliver(pipeline, "orders/create", ordinary, marker).status_code == 200
    ids = {
        header(m, DEDUP_HEADER) for m in records_since(pipeline.bootstrap_servers, WEBHOOKS, start)
    }
    assert marker in ids and event_id not in ids


def test_a_hostile_payload_on_the_topic_is_dead_lettered_and_the_next_record_processed(
    pipeline: Pipeline,
) -> None:
    # Past ingress (a replay, another producer): classify must not crash on it.
    serde = AvroSerde.for_topic(WEBHOOKS, RegistryClient(pipeline.registry_url))
    dlq_start = end_offsets(pipeline.bootstrap_servers, WEBHOOKS_DLQ)
    producer = Producer({"bootstrap.servers": pipeline.bootstrap_servers})
    event_ids = {}
    for name, payload in (("nested", NESTED), ("number", HUGE_NUMBER)):
        event_id = str(uuid.uuid4())
        event = ShopifyEvent(
            event_id=event_id,
            webhook_id=event_id,
            shop=SHOP,
            topic="orders/create",
            api_version="2026-07",
            received_at=datetime.now(UTC),
            resource_id=f"hostile-{name}",
            source=EventSource.WEBHOOK,
            payload=payload.decode(),
        )
        producer.produce(
            WEBHOOKS,
            key=f"{SHOP}/hostile-{name}".encode(),
            value=serde.encode(event),
            headers=[(DEDUP_HEADER, event_id.encode())],
        )
        event_ids[name] = event_id
    assert producer.flush(10) == 0
    # A restricted-destination order after them opens its case: the agent went on.
    order_id = str(uuid.uuid4().int % 10**12)
    risky = {
        "id": int(order_id),
        "total_price": "10.00",
        "currency": "USD",
        "shipping_address": {"country_code": "KP", "zip": "1"},
        "line_items": [{"id": 1, "quantity": 1, "price": "10.00"}],
    }
    marker = deliver(pipeline, "orders/create", json.dumps(risky).encode(), str(uuid.uuid4()))
    assert marker.status_code == 200, marker.text
    wait_until(
        lambda: [v for v in our_instances(pipeline) if v.get("orderId") == order_id],
        TIMEOUT_S,
        f"the review of order {order_id}\n{pipeline.worker.process.log_tail(3000)}",
    )
    for name, reason in (("nested", "nested too deeply"), ("number", "a number has over")):
        dead = wait_until(
            _dead_letter_probe(pipeline, dlq_start, event_ids[name]),
            TIMEOUT_S,
            f"the {name} payload in {WEBHOOKS_DLQ}",
        )
        assert reason in (header(dead[0], HEADER_PREFIX + "reason") or ""), dead[0].headers()
    assert pipeline.worker.process.alive()


def _dead_letter_probe(
    pipeline: Pipeline, start: dict[int, int], event_id: str
) -> Callable[[], list[Any]]:
    return lambda: dead_letters_of(pipeline, start, event_id)
