"""Same-broker baselines for the pipeline benchmark, each run as its own process.

* ``python -m bench.baselines faust SRC DST``: a bare Faust agent, consume ->
  ``await topic.send`` per record, configured by :func:`streams.app.create_app`
  exactly like a casebridge worker (same app settings, same logger levels);
  the app id and broker come from the ``CASEBRIDGE_*`` environment.
* ``python -m bench.baselines raw SRC DST``: a raw confluent-kafka consume ->
  produce loop (the producer configured like :class:`streams.kafka.producer.AsyncProducer`:
  idempotent, ``acks=all``, lz4, linger 2 ms); group id = ``CASEBRIDGE_APP_ID``.
* ``python -m bench.baselines classify-no-enrich``: a casebridge worker with the
  ``sink`` role and the classify stage registered with ``NoEnrichment`` (no
  Shopify calls): the pipeline without enrichment, since there is no setting
  that turns enrichment off.
"""

from __future__ import annotations

import signal
import sys
from typing import Any


def run_faust(source: str, target: str) -> None:
    """The bare Faust passthrough agent."""
    import faust

    from streams.app import create_app
    from streams.settings import load_settings

    settings = load_settings()
    app = create_app(settings)
    src = app.topic(source, key_type=bytes, value_type=bytes, value_serializer="raw")
    dst = app.topic(target, key_type=bytes, value_type=bytes, value_serializer="raw")

    async def passthrough(stream: Any) -> None:
        async for event in stream.events():
            await dst.send(key=event.key, value=event.value)

    app.agent(src, name="bench.passthrough")(passthrough)
    sys.argv = sys.argv[:1]
    faust.Worker(app, loglevel="info").execute_from_commandline()


def run_raw(source: str, target: str) -> None:
    """The raw confluent-kafka consume -> produce loop (until SIGTERM)."""
    from confluent_kafka import Consumer, Producer

    from streams.settings import load_settings

    settings = load_settings()
    client = settings.kafka.confluent_config()
    consumer = Consumer(
        {
            **client,
            "group.id": settings.app_id,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": True,
        }
    )
    producer = Producer(
        {
            **client,
            "acks": "all",
            "enable.idempotence": True,
            "linger.ms": 2,
            "compression.type": "lz4",
            "partitioner": "murmur2_random",
        }
    )
    running = True

    def stop(*_: object) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    consumer.subscribe([source])
    try:
        while running:
            for message in consumer.consume(500, 0.1):
                if message.error() is not None:
                    continue
                while True:
                    try:
                        producer.produce(target, message.value(), message.key())
                        break
                    except BufferError:
                        producer.poll(0.01)
            producer.poll(0)
    finally:
        producer.flush(10)
        consumer.close()


def run_classify_without_enrichment() -> None:
    """A classify + sink worker whose classify stage makes no Shopify calls."""
    import faust

    from streams.classify import agent as classify
    from streams.pipeline import build_app
    from streams.settings import load_settings
    from streams.topics import ensure_topics, topic_specs
    from streams.worker_cli import changelog_specs

    settings = load_settings()
    config = settings.kafka.confluent_config()
    ensure_topics(config, topic_specs(settings.kafka.default_partitions))
    app = build_app(settings, roles=["sink"])
    services = app.casebridge_services  # type: ignore[attr-defined]
    classify.register(app, services, classify.NoEnrichment())
    ensure_topics(config, changelog_specs(app, settings.kafka.default_partitions))
    sys.argv = sys.argv[:1]
    faust.Worker(app, loglevel=settings.log_level.lower()).execute_from_commandline()


def main() -> None:
    """Dispatch on the first argument."""
    mode, *rest = sys.argv[1:]
    if mode == "faust":
        run_faust(*rest)
    elif mode == "raw":
        run_raw(*rest)
    elif mode == "classify-no-enrich":
        run_classify_without_enrichment()
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
