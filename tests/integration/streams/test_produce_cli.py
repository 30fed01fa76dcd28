"""``casebridge produce complaint`` to a unique topic on the real broker, read back with Avro."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from confluent_kafka import Consumer

from connectors.serde import AvroSerde, RegistryClient, value_subject
from schemas.records import ComplaintChannel, ComplaintSubmitted, IssueType, Severity
from streams.cli import cli
from streams.produce_cli import produce
from streams.topics import TopicSpec, ensure_topics

pytestmark = pytest.mark.integration


def test_produce_complaint_decodes_back(
    bootstrap_servers: str, registry_url: str, unique: str
) -> None:
    topic = f"test.support.complaints.{unique}"
    ensure_topics({"bootstrap.servers": bootstrap_servers}, [TopicSpec(topic, 1)])

    result = CliRunner().invoke(
        produce,
        [
            "complaint",
            "--shop", "casebridge-demo.myshopify.com",
            "--customer-id", "77",
            "--email", "ada@example.com",
            "--order-id", "1001",
            "--channel", "help_desk",
            "--issue-type", "DAMAGED_GOODS",
            "--severity", "high",
            "--segment", "vip",
            "--subject", "Broken mug",
            "--message", "It arrived in pieces.",
            "--topic", topic,
            "--bootstrap-servers", bootstrap_servers,
            "--registry-url", registry_url,
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    complaint_id = result.output.strip()

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap_servers,
            "group.id": f"{topic}-reader",
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([topic])
    registry = RegistryClient(registry_url)
    try:
        message = None
        for _ in range(40):
            message = consumer.poll(0.5)
            if message is not None and message.error() is None:
                break
        assert message is not None and message.error() is None
        serde = AvroSerde("ComplaintSubmitted", registry, subject=value_subject(topic))
        record = ComplaintSubmitted.from_avro(serde.decode(message.value() or b""))
    finally:
        consumer.close()
        registry.close()

    assert message.key() == b"casebridge-demo.myshopify.com/77"
    assert record.complaint_id == complaint_id
    assert record.customer_id == "77" and record.customer_email == "ada@example.com"
    assert record.order_id == "1001"
    assert record.channel is ComplaintChannel.HELP_DESK
    assert record.issue_type is IssueType.DAMAGED_GOODS
    assert record.severity is Severity.HIGH
    assert (record.customer_segment, record.subject) == ("vip", "Broken mug")


def test_unreachable_registry_is_a_clear_error(unique: str) -> None:
    result = CliRunner().invoke(
        produce,
        [
            "complaint", "--email", "ada@example.com", "--subject", "s", "--message", "m",
            "--topic", f"test.unused.{unique}", "--registry-url", "http://127.0.0.1:9/apis",
            "--timeout", "2",
        ],
    )  # fmt: skip

    assert result.exit_code == 1
    assert "could not encode the complaint" in result.output


def test_the_main_cli_knows_produce_once_wired() -> None:
    if "produce" not in cli.list_commands(None):  # type: ignore[arg-type]
        pytest.skip("the lead has not added 'produce' to streams.cli.SUBCOMMANDS yet")
    assert CliRunner().invoke(cli, ["produce", "complaint", "--help"]).exit_code == 0
