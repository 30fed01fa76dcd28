"""DLQ list and replay against the real broker."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from confluent_kafka import Consumer, Message, TopicPartition
from confluent_kafka.admin import AdminClient

from streams.kafka.dlq import DeadLetter
from streams.ops.dlq import list_records, parse_filters, replay, replay_group
from streams.ops.dlq_cli import dlq
from streams.ops.errors import UnknownTopicError
from tests.integration.streams.ops.conftest import produce

pytestmark = pytest.mark.integration

ORIGINAL = b"\x00\x00\x00\x00\x07avro-bytes\xff"


@pytest.fixture
def topics(unique: str, make_topic: Callable[[str, int], str], bootstrap_servers: str) -> str:
    source = make_topic(f"it-ops-dlq-{unique}", 2)
    make_topic(f"{source}.dlq", 1)
    failed = DeadLetter(
        source_topic=source,
        reason="payload failed validation",
        error_class="ValidationError",
        source_partition=1,
        source_offset=41,
    )
    other = DeadLetter(source_topic=source, reason="remote said 404", error_class="NotFound")
    produce(
        bootstrap_servers,
        f"{source}.dlq",
        [
            (b"shop-1/42", ORIGINAL, [("x-shopify-topic", b"orders/create"), *failed.headers()]),
            (b"shop-2/7", b"other", other.headers()),
        ],
    )
    return source


def end_offsets(bootstrap_servers: str, topic: str, partitions: int) -> list[int]:
    consumer = Consumer({"bootstrap.servers": bootstrap_servers, "group.id": "it-ops-peek"})
    try:
        return [
            consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
            for p in range(partitions)
        ]
    finally:
        consumer.close()


def read_one(bootstrap_servers: str, topic: str, partition: int) -> Message:
    consumer = Consumer({"bootstrap.servers": bootstrap_servers, "group.id": "it-ops-peek"})
    consumer.assign([TopicPartition(topic, partition, 0)])
    try:
        for _ in range(20):
            msg = consumer.poll(0.5)
            if msg is not None and msg.error() is None:
                return msg
        raise AssertionError(f"nothing in {topic}[{partition}]")
    finally:
        consumer.close()


def test_list_shows_records_with_headers(bootstrap_servers: str, topics: str) -> None:
    args = ["list", topics, "--json", "--bootstrap-servers", bootstrap_servers]
    result = CliRunner().invoke(dlq, args)
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [r["key"] for r in listed] == ["shop-1/42", "shop-2/7"]
    first = listed[0]
    assert (first["partition"], first["offset"], first["size"]) == (0, 0, 9 + len(ORIGINAL))
    assert first["dlq"]["reason"] == "payload failed validation"
    assert first["dlq"]["error_class"] == "ValidationError"
    assert first["dlq"]["source_topic"] == topics and first["dlq"]["attempts"] == "1"
    assert first["timestamp"] and "failed_at" in first["dlq"]

    table = CliRunner().invoke(dlq, ["list", f"{topics}.dlq", "--bootstrap-servers",
                                     bootstrap_servers])  # fmt: skip
    assert table.exit_code == 0, table.output
    assert "ValidationError" in table.output and "2 record(s)" in table.output


def test_replay_publishes_original_bytes_once_and_keeps_the_dlq(
    bootstrap_servers: str, topics: str, admin: AdminClient
) -> None:
    config = {"bootstrap.servers": bootstrap_servers}
    dry = CliRunner().invoke(dlq, ["replay", topics, "--dry-run", "--filter",
                                   "error_class=ValidationError",
                                   "--bootstrap-servers", bootstrap_servers])  # fmt: skip
    assert dry.exit_code == 0, dry.output
    assert f"{topics}.dlq/0/0 -> {topics} attempt 2" in dry.output
    assert "would replay 1 record(s); 1 matched, 2 examined" in dry.output
    assert end_offsets(bootstrap_servers, topics, 2) == [0, 0]

    result = replay(config, topics, filters=parse_filters(["error_class=ValidationError"]))
    assert not result.dry_run and result.matched == 1 and result.examined == 2
    (done,) = result.replayed
    assert (done.topic, done.partition, done.offset) == (topics, 1, 0)

    msg = read_one(bootstrap_servers, topics, 1)
    assert msg.value() == ORIGINAL and msg.key() == b"shop-1/42"
    headers = dict(msg.headers() or [])
    assert headers["casebridge.replay.of"] == f"{topics}.dlq/0/0".encode()
    assert headers["casebridge.replay.attempt"] == b"2"
    assert headers["x-shopify-topic"] == b"orders/create"
    assert "casebridge.replay.at" in headers
    assert not any(name.startswith("casebridge.dlq.") for name in headers)

    # The DLQ still holds both records; the replay cursor was committed.
    assert len(list_records(config, topics)) == 2
    again = replay(config, topics, filters=parse_filters(["error_class=ValidationError"]))
    assert again.replayed == [] and again.examined == 0
    assert end_offsets(bootstrap_servers, topics, 2) == [0, 1]

    # The cursor passed the NotFound record too; --from-beginning revisits it.
    assert replay(config, topics, filters={"error_class": ["NotFound"]}).replayed == []
    revisit = replay(config, topics, filters={"error_class": ["NotFound"]}, from_beginning=True)
    assert [r.key for r in revisit.replayed] == ["shop-2/7"]
    admin.delete_consumer_groups([replay_group(f"{topics}.dlq")])


def test_missing_dlq_is_a_clear_error(bootstrap_servers: str, unique: str) -> None:
    with pytest.raises(UnknownTopicError, match="does not exist"):
        list_records({"bootstrap.servers": bootstrap_servers}, f"it-ops-missing-{unique}")
