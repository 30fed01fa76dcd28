"""The Faust application: one factory, configured from :class:`~streams.settings.Settings`.

Agents register themselves on the app returned by :func:`create_app`; the
worker command builds the app, creates the topics, then starts Faust.
"""

from __future__ import annotations

import logging
import ssl
from typing import Any

import faust

from streams.runtime.acks import AckGate
from streams.settings import KafkaSettings, Settings

# Building DEBUG records for these loggers cost ~9 % CPU in a profile of a
# bare agent (docs/local-stack.md), so they are held at WARNING. httpx logs
# every request at INFO ("HTTP Request: POST ..."): three lines per case in the
# sink, ~3 % of a worker's CPU in bench/pipeline.py (docs/benchmarks.md); our
# clients record their own metrics and log failures themselves.
_NOISY_LOGGERS = (
    "aiokafka",
    "aiokafka.conn",
    "faust.transport",
    "mode",
    "kafka",
    "httpx",
    "httpcore",
)


def broker_credentials(kafka: KafkaSettings) -> Any:
    """Faust/aiokafka credentials for the TLS/SASL settings, or None for PLAINTEXT."""
    context: ssl.SSLContext | None = None
    if kafka.security_protocol in ("SSL", "SASL_SSL"):
        context = ssl.create_default_context(
            cafile=str(kafka.ssl_cafile) if kafka.ssl_cafile else None
        )
        if kafka.ssl_certfile:
            context.load_cert_chain(
                str(kafka.ssl_certfile), str(kafka.ssl_keyfile) if kafka.ssl_keyfile else None
            )
    if kafka.security_protocol.startswith("SASL"):
        password = kafka.sasl_password.get_secret_value() if kafka.sasl_password else ""
        return faust.SASLCredentials(
            username=kafka.sasl_username,
            password=password,
            ssl_context=context,
            mechanism=kafka.sasl_mechanism or "PLAIN",
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None


def broker_url(kafka: KafkaSettings) -> str:
    """Faust's broker URL list for the bootstrap servers."""
    return ";".join(f"kafka://{server.strip()}" for server in kafka.bootstrap_servers.split(","))


class App(faust.App):
    """A Faust app whose consumer acknowledges keyed agents' records only through them.

    ``ack_gate`` (:class:`~streams.runtime.acks.AckGate`) is installed on the
    consumer when Faust creates it; each keyed agent gates its topics.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.ack_gate = AckGate()
        super().__init__(*args, **kwargs)

    def _new_consumer(self) -> Any:
        consumer = super()._new_consumer()
        self.ack_gate.install(consumer)
        return consumer


def create_app(settings: Settings, *, app_id: str | None = None, **overrides: Any) -> faust.App:
    """A Faust app for ``settings``; ``overrides`` go to Faust's own settings."""
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    options: dict[str, Any] = {
        "broker": broker_url(settings.kafka),
        "broker_credentials": broker_credentials(settings.kafka),
        "store": "memory://",
        "datadir": str(settings.data_dir),
        "topic_partitions": settings.kafka.default_partitions,
        "topic_replication_factor": settings.kafka.replication_factor,
        "topic_allow_declare": True,
        "web_host": settings.web_host,
        "web_port": settings.web_port,
        "web_in_thread": False,
        "producer_acks": -1,
        # Faust's producer carries only table changelogs here (agents produce through
        # confluent-kafka). With no linger each table write was its own produce
        # request: one socket write and one response per write, several per case.
        "producer_linger": 0.005,
        "processing_guarantee": "at_least_once",
        "consumer_auto_offset_reset": settings.auto_offset_reset,
        "autodiscover": False,
    }
    options.update(overrides)
    return App(app_id or settings.app_id, **options)
