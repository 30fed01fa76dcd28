"""topic_specs: every topic of the public interface, with its DLQs and configs."""

from __future__ import annotations

import pytest

from streams import topics
from streams.topics import (
    CASES_STATE,
    DLQ_SOURCES,
    KafkaUnavailableError,
    TopicSpec,
    dlq_name,
    ensure_topics,
    topic_specs,
)
from tests.unit.streams.ops.fakes import FakeAdminClient

PUBLIC = {
    "shopify.webhooks",
    "support.complaints",
    "cases.requests",
    "cases.opened",
    "cases.decisions",
    "orders.offline",
    "shopify.writebacks",
    "cases.state",
}
DLQS = {
    "shopify.webhooks.dlq",
    "support.complaints.dlq",
    "cases.requests.dlq",
    "cases.decisions.dlq",
    "orders.offline.dlq",
    "cases.state.dlq",
}


def by_name(partitions: int = 6) -> dict[str, TopicSpec]:
    return {spec.name: spec for spec in topic_specs(partitions)}


def test_every_public_topic_and_dlq_is_specified_once() -> None:
    specs = topic_specs(6)
    names = [spec.name for spec in specs]
    assert len(names) == len(set(names))
    assert set(names) == PUBLIC | DLQS | {"casebridge.watermarks"}


def test_dlq_names() -> None:
    assert dlq_name("cases.requests") == "cases.requests.dlq"
    assert {dlq_name(t) for t in DLQ_SOURCES} == DLQS


@pytest.mark.parametrize("partitions", [1, 6, 12])
def test_partitions_apply_to_every_topic(partitions: int) -> None:
    specs = [s for s in topic_specs(partitions) if s.name != "casebridge.watermarks"]
    assert {spec.partitions for spec in specs} == {partitions}


def test_only_state_and_watermarks_are_compacted() -> None:
    specs = by_name()
    compacted = {CASES_STATE, "casebridge.watermarks"}
    for name in compacted:
        assert specs[name].topic_config()["cleanup.policy"] == "compact"
    for name, spec in specs.items():
        if name not in compacted:
            assert spec.topic_config()["cleanup.policy"] == "delete", name


def test_dlqs_keep_records_forever() -> None:
    specs = by_name()
    for name in DLQS:
        assert specs[name].topic_config()["retention.ms"] == "-1"


def test_audit_topics_keep_a_year() -> None:
    year_ms = str(365 * 24 * 3600 * 1000)
    specs = by_name()
    assert specs["cases.opened"].topic_config()["retention.ms"] == year_ms
    assert specs["shopify.writebacks"].topic_config()["retention.ms"] == year_ms


def test_topic_config_overrides_the_cleanup_policy() -> None:
    spec = TopicSpec("t", 1, config={"cleanup.policy": "compact,delete"})
    assert spec.topic_config() == {"cleanup.policy": "compact,delete"}


def test_ensure_topics_destroys_its_client_when_kafka_does_not_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(topics, "AdminClient", FakeAdminClient)
    monkeypatch.setattr(FakeAdminClient, "made", [])
    with pytest.raises(KafkaUnavailableError, match="did not answer"):
        ensure_topics({"bootstrap.servers": "127.0.0.1:1"}, topic_specs(1))
    (admin,) = FakeAdminClient.made
    assert admin.exits == 1  # not left to the kept traceback, connecting on
