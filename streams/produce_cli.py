"""``casebridge produce``: publish records the way an external producer does.

``casebridge produce complaint`` publishes one
:class:`~schemas.records.ComplaintSubmitted` to ``support.complaints``, the
topic contact forms and help desks write to (use case 3), so a complaint can
be injected by hand or from a script. It uses only what any external
producer would: confluent-kafka plus the Avro serializer of
:func:`connectors.serde.make_value_serializer`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum

import click
from pydantic import ValidationError

from connectors.serde.registry import SchemaRegistry
from schemas.records import ComplaintChannel, ComplaintSubmitted, IssueType, Severity
from streams.topics import SUPPORT_COMPLAINTS

EXTERNAL_PRODUCERS = """\
How an external help desk publishes the same record:

\b
  topic    support.complaints
  key      "<shop>/<customer id>" (or "<shop>/<e-mail>" when the id is
           unknown), UTF-8: one customer's complaints stay in order
  value    Avro, Confluent wire format (magic byte 0 + 4-byte schema id),
           schema schemas/ComplaintSubmitted.avsc, registered under the
           subject "support.complaints-value" of the schema registry
  id       complaint_id: unique per complaint, reused on retries so a
           redelivery opens no second case

\b
In Python:
  from confluent_kafka import SerializingProducer
  from connectors.serde import make_value_serializer
  producer = SerializingProducer({
      "bootstrap.servers": "...",
      "value.serializer": make_value_serializer("support.complaints", REGISTRY_URL)})
  producer.produce("support.complaints", key="shop/123", value=complaint_dict)

Any Confluent-compatible Avro serializer (Java, Go, .NET, Kafka Connect)
given the .avsc works the same way.
"""


def _choice(enum: type[StrEnum]) -> click.Choice[str]:
    return click.Choice([member.value for member in enum], case_sensitive=False)


@click.group("produce")
def produce() -> None:
    """Publish records to casebridge's input topics, as an external producer would."""


@produce.command("complaint", epilog=EXTERNAL_PRODUCERS)
@click.option("--shop", default=None, help="Shop domain (default: the configured shop).")
@click.option("--customer-id", default=None, help="Shopify customer id (numeric or GID).")
@click.option("--email", default=None, help="Customer e-mail (when the id is unknown).")
@click.option("--order-id", default=None, help="Order the complaint is about, if any.")
@click.option("--channel", type=_choice(ComplaintChannel), default="OTHER", show_default=True)
@click.option("--issue-type", type=_choice(IssueType), default="OTHER", show_default=True)
@click.option("--severity", type=_choice(Severity), default="MEDIUM", show_default=True)
@click.option("--segment", default=None, help="Customer segment, e.g. vip or wholesale.")
@click.option("--subject", required=True, help="One-line summary.")
@click.option("--message", required=True, help="The customer's words.")
@click.option(
    "--complaint-id",
    default=None,
    help="Unique id; reuse it to retry the same complaint (default: a new UUID).",
)
@click.option("--topic", default=SUPPORT_COMPLAINTS, show_default=True, help="Target topic.")
@click.option("--bootstrap-servers", default=None, help="Override the configured Kafka servers.")
@click.option("--registry-url", default=None, help="Override the configured schema registry.")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=1), default=30.0)
def complaint(
    shop: str | None,
    customer_id: str | None,
    email: str | None,
    order_id: str | None,
    channel: str,
    issue_type: str,
    severity: str,
    segment: str | None,
    subject: str,
    message: str,
    complaint_id: str | None,
    topic: str,
    bootstrap_servers: str | None,
    registry_url: str | None,
    timeout_s: float,
) -> None:
    """Publish one ComplaintSubmitted to support.complaints and print its complaint id.

    The record is keyed by shop and customer (id, else e-mail), so a customer's
    complaints keep their order, and it is acknowledged by every in-sync
    replica before the command returns.
    """
    from streams.settings import load_settings

    settings = load_settings()
    if not (customer_id or email):
        raise click.UsageError("give --customer-id or --email (the complaint needs a customer)")
    if email is not None and "@" not in email:
        raise click.BadParameter(f"{email!r} is not an e-mail address", param_hint="--email")
    if not subject.strip() or not message.strip():
        raise click.UsageError("--subject and --message must not be empty")
    shop = shop or settings.shopify.shop_domain
    try:
        record = ComplaintSubmitted(
            complaint_id=complaint_id or str(uuid.uuid4()),
            shop=shop,
            customer_id=customer_id,
            customer_email=email,
            order_id=order_id,
            channel=ComplaintChannel(channel.upper()),
            issue_type=IssueType(issue_type.upper()),
            severity=Severity(severity.upper()),
            customer_segment=segment,
            subject=subject,
            message=message,
            submitted_at=datetime.now(UTC),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise click.UsageError(f"invalid complaint field {where}: {first['msg']}") from None
    kafka = settings.kafka.confluent_config()
    if bootstrap_servers:
        kafka["bootstrap.servers"] = bootstrap_servers
    from connectors.serde import RegistryClient

    # The configured client carries the registry's credentials; an override URL has none.
    registry = registry_url or RegistryClient.from_settings(settings.registry)
    publish(record, topic=topic, kafka=kafka, registry=registry, timeout_s=timeout_s)
    click.echo(record.complaint_id)


def complaint_key(record: ComplaintSubmitted) -> str:
    """``<shop>/<customer id or e-mail>``: one customer's complaints share a partition."""
    who = record.customer_id or (record.customer_email or "").strip().lower()
    return f"{record.shop}/{who}"


def publish(
    record: ComplaintSubmitted,
    *,
    topic: str,
    kafka: dict[str, object],
    registry: str | SchemaRegistry,
    timeout_s: float = 30.0,
) -> None:
    """Produce ``record`` with confluent-kafka and wait for the acknowledgement.

    Raises:
        click.ClickException: the broker or the registry refused or did not answer.
    """
    from confluent_kafka import KafkaError, KafkaException, Message, Producer

    from connectors.errors import CasebridgeError
    from connectors.serde import make_value_serializer

    serialize = make_value_serializer(topic, registry, record="ComplaintSubmitted")
    try:
        value = serialize(record, None)
    except CasebridgeError as exc:
        raise click.ClickException(f"could not encode the complaint: {exc}") from None
    producer = Producer(
        {
            **kafka,
            "acks": "all",
            "enable.idempotence": True,
            "message.timeout.ms": int(timeout_s * 1000),
        }
    )
    failures: list[str] = []

    def delivered(err: KafkaError | None, _msg: Message) -> None:
        if err is not None:
            failures.append(err.str())

    try:
        producer.produce(
            topic, key=complaint_key(record).encode(), value=value, on_delivery=delivered
        )
    except (KafkaException, BufferError) as exc:
        raise click.ClickException(f"could not publish to {topic}: {exc}") from None
    remaining = producer.flush(timeout_s)
    if remaining or failures:
        reason = failures[0] if failures else f"not acknowledged within {timeout_s:.0f} s"
        raise click.ClickException(f"could not publish to {topic}: {reason}")


__all__ = ["complaint", "complaint_key", "produce", "publish"]
