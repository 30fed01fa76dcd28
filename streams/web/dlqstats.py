"""How many records each dead-letter topic holds: end offset minus start offset.

The DLQs of the pipeline's input topics (``streams.topics.DLQ_SOURCES``) are
always listed, as missing if they were not created; any other topic whose
name ends in ``.dlq`` is discovered from the cluster metadata, so a DLQ added
later shows up without a code change. Counts come from one batched
``list_offsets`` request per offset kind (earliest, latest), not from reading
records. Blocking (librdkafka): call :meth:`DlqCounter.counts` via a thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from confluent_kafka import KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec  # type: ignore[attr-defined]

from streams.ops.errors import BrokerUnavailableError
from streams.ops.lag import ops_client_config
from streams.topics import DLQ_SOURCES, DLQ_SUFFIX, dlq_name

__all__ = ["PIPELINE_DLQS", "DlqCounter"]

_EARLIEST: Any = OffsetSpec.earliest()  # type: ignore[no-untyped-call]
_LATEST: Any = OffsetSpec.latest()  # type: ignore[no-untyped-call]

#: The DLQs of the pipeline's input topics.
PIPELINE_DLQS: tuple[str, ...] = tuple(dlq_name(topic) for topic in DLQ_SOURCES)


class DlqCounter:
    """Counts the records of every dead-letter topic.

    Args:
        client_config: librdkafka settings.
        known: DLQs listed even when they do not exist.
        timeout_s: Per AdminClient request.
    """

    def __init__(
        self,
        client_config: Mapping[str, Any],
        *,
        known: tuple[str, ...] = PIPELINE_DLQS,
        timeout_s: float = 10.0,
    ) -> None:
        self._servers = client_config.get("bootstrap.servers", "?")
        self._timeout = timeout_s
        self.known = known
        self._admin = AdminClient(ops_client_config(client_config, timeout_s))
        self._closed = False

    def close(self) -> None:
        """Destroy the AdminClient now (idempotent), not whenever it is collected.

        Not while :meth:`counts` runs in another thread; :meth:`counts` fails after it.
        """
        self._closed = True
        self._admin.__exit__(None, None, None)

    def _offsets(self, partitions: list[TopicPartition], spec: Any) -> dict[tuple[str, int], int]:
        if not partitions:
            return {}
        futures = self._admin.list_offsets(
            {tp: spec for tp in partitions}, request_timeout=self._timeout
        )
        found: dict[tuple[str, int], int] = {}
        for tp, future in futures.items():
            try:
                found[(tp.topic, tp.partition)] = int(future.result().offset)
            except KafkaException:
                continue
        return found

    def counts(self) -> list[dict[str, Any]]:
        """Per DLQ: ``topic``, ``source_topic``, ``exists``, ``partitions`` and ``records``.

        ``records`` is None for a partition whose offsets could not be read.

        Raises:
            BrokerUnavailableError: Kafka did not answer, or the counter is closed.
        """
        if self._closed:
            raise BrokerUnavailableError("the DLQ counter is closed (the worker is stopping)")
        try:
            metadata = self._admin.list_topics(timeout=self._timeout)
        except KafkaException as exc:
            raise BrokerUnavailableError(
                f"Kafka at {self._servers} did not answer: {exc.args[0]}"
            ) from None
        names = set(self.known) | {t for t in metadata.topics if t.endswith(DLQ_SUFFIX)}
        partitions: dict[str, list[int]] = {}
        for name in names:
            meta = metadata.topics.get(name)
            if meta is not None and meta.error is None and meta.partitions:
                partitions[name] = sorted(meta.partitions)
        tps = [TopicPartition(t, p) for t, ps in partitions.items() for p in ps]
        starts = self._offsets(tps, _EARLIEST)
        ends = self._offsets(tps, _LATEST)
        rows: list[dict[str, Any]] = []
        for name in sorted(names):
            parts = partitions.get(name)
            records: int | None = None
            if parts is not None:
                diffs = [
                    ends[(name, p)] - starts[(name, p)]
                    for p in parts
                    if (name, p) in ends and (name, p) in starts
                ]
                records = sum(diffs) if len(diffs) == len(parts) else None
            rows.append(
                {
                    "topic": name,
                    "source_topic": name[: -len(DLQ_SUFFIX)],
                    "exists": parts is not None,
                    "partitions": len(parts or []),
                    "records": records,
                }
            )
        return rows
