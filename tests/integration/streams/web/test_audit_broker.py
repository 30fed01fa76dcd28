"""The audit trail read from the real broker, decoded with the real registry.

The records go to test-unique copies of the casebridge topics (``topics=``
of :func:`case_history`), so no live agent of a concurrently running test
consumes them; they are produced with librdkafka's murmur2 partitioner like
casebridge's own producers, which also checks our murmur2 against it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from confluent_kafka import Producer

from connectors.serde import AvroSerde, RegistryClient
from schemas.records import (
    Action,
    ActionKind,
    AvroRecord,
    CaseDecision,
    CaseOpened,
    CaseRequest,
    CaseState,
    CaseStatus,
    CaseType,
    ShopifyEvent,
    SubjectType,
    WritebackResult,
    WritebackStatus,
)
from streams.web.audit import CaseNotFoundError, case_history
from streams.web.partitioning import partition_for

pytestmark = pytest.mark.integration

LOGICAL = (
    "shopify.webhooks",
    "support.complaints",
    "cases.requests",
    "cases.opened",
    "cases.decisions",
    "shopify.writebacks",
    "cases.state",
)
PARTITIONS = 4


def records(case_id: str, event_id: str, shop: str) -> list[tuple[str, str, AvroRecord]]:
    now = datetime.now(UTC).replace(microsecond=0)
    at = [now + timedelta(seconds=i) for i in range(8)]
    base: dict[str, Any] = {"case_id": case_id, "case_type": CaseType.ORDER_REVIEW, "shop": shop}
    actions = [
        Action(
            kind=ActionKind.RELEASE_HOLD,
            target_id="gid://shopify/Order/7",
            params="{}",
            idempotency_key="k1",
        ),
        Action(
            kind=ActionKind.ADD_TAGS,
            target_id="gid://shopify/Order/7",
            params="{}",
            idempotency_key="k2",
        ),
    ]
    event: dict[str, Any] = dict(
        webhook_id="wh",
        shop=shop,
        topic="audit/test",
        api_version="2025-07",
        received_at=at[0],
        resource_id="7",
        payload="{}",
    )
    return [
        ("shopify.webhooks", f"{shop}/7", ShopifyEvent(event_id=event_id, **event)),
        ("shopify.webhooks", f"{shop}/7", ShopifyEvent(event_id=f"{event_id}-other", **event)),
        (
            "cases.requests",
            case_id,
            CaseRequest(
                **base,
                subject_type=SubjectType.ORDER,
                subject_id="7",
                teams=["fraud"],
                sla_due_at=at[7],
                source_event_ids=[event_id],
                requested_at=at[1],
            ),
        ),
        (
            "cases.state",
            case_id,
            CaseState(**base, subject_id="7", status=CaseStatus.REQUESTED, updated_at=at[1]),
        ),
        (
            "cases.opened",
            case_id,
            CaseOpened(
                **base,
                process_instance_id="pi-1",
                process_definition_key="orderReview",
                business_key=case_id,
                opened_at=at[2],
            ),
        ),
        (
            "cases.decisions",
            case_id,
            CaseDecision(
                **base,
                decision_id=f"{case_id}:t1",
                process_instance_id="pi-1",
                outcome="approved",
                team="fraud",
                decided_at=at[3],
                actions=actions,
            ),
        ),
        (
            "shopify.writebacks",
            case_id,
            WritebackResult(
                writeback_id="w1",
                case_id=case_id,
                shop=shop,
                action=ActionKind.RELEASE_HOLD,
                target_id="gid://shopify/Order/7",
                mutation="fulfillmentOrderReleaseHold",
                status=WritebackStatus.APPLIED,
                attempts=1,
                finished_at=at[4],
            ),
        ),
        (
            "cases.state",
            "another-case",
            CaseState(
                **{**base, "case_id": "another-case"},
                subject_id="8",
                status=CaseStatus.OPEN,
                updated_at=at[4],
            ),
        ),
    ]


def test_case_history_reads_every_stage_and_the_trigger(
    bootstrap_servers: str, registry_url: str, make_topics: Callable[[list[str], int], None]
) -> None:
    unique = uuid.uuid4().hex[:10]
    names = {t: f"audit-{unique}.{t}" for t in LOGICAL}
    make_topics(list(names.values()), PARTITIONS)
    case_id = f"ORDER_REVIEW-{unique}"
    registry = RegistryClient(registry_url)
    producer = Producer({"bootstrap.servers": bootstrap_servers, "partitioner": "murmur2_random"})
    placed: list[tuple[bytes, int]] = []

    def delivered(err: object, msg: object) -> None:
        assert err is None, err
        placed.append((msg.key(), msg.partition()))  # type: ignore[attr-defined]

    for topic, key, record in records(case_id, f"evt-{unique}", f"audit-{unique}.myshopify.com"):
        value = AvroSerde.for_topic(topic, registry).encode(record)
        producer.produce(names[topic], key=key.encode(), value=value, on_delivery=delivered)
    assert producer.flush(30) == 0

    # librdkafka's murmur2 placed every key where ours says it lives.
    assert all(p == partition_for(k, PARTITIONS) for k, p in placed)

    entries = case_history(
        {"bootstrap.servers": bootstrap_servers}, registry, case_id, topics=names
    )
    summaries = [(e.stage, e.summary) for e in entries]
    assert [s for s, _ in summaries] == [
        "webhook",
        "requested",
        "state",
        "opened",
        "decision",
        "writeback",
    ]
    assert summaries[0][1].startswith(f"webhook audit/test evt-{unique} (webhook)")
    assert summaries[4][1] == "decision approved by fraud: 2 actions"
    assert summaries[5][1] == "writeback RELEASE_HOLD APPLIED"
    assert entries[2].topic == names["cases.state"]
    assert entries == sorted(entries, key=lambda e: e.at)

    with pytest.raises(CaseNotFoundError):
        case_history({"bootstrap.servers": bootstrap_servers}, registry, "nope", topics=names)
    registry.close()
