"""An asyncio-friendly confluent-kafka producer.

Faust's own producer works, but the ingress path must answer Shopify only
after the broker acknowledged the record (``acks=all``), thousands of times
a second. librdkafka batches in its own thread; we bridge each delivery
report back to the event loop as a future.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from connectors.errors import CasebridgeError

Headers = Sequence[tuple[str, bytes]]


class ProduceError(CasebridgeError):
    """The broker did not acknowledge a record."""


class AsyncProducer:
    """Produce with ``acks=all`` + idempotence and await the broker's acknowledgement."""

    def __init__(self, client_config: Mapping[str, Any], **overrides: Any) -> None:
        config: dict[str, Any] = {
            "acks": "all",
            "enable.idempotence": True,
            "linger.ms": 2,
            "compression.type": "lz4",
            # Same key -> same partition as Java clients and Faust (murmur2), not CRC32.
            "partitioner": "murmur2_random",
            "message.timeout.ms": 30000,
        }
        config.update(client_config)
        config.update(overrides)
        self._producer = Producer(config)
        self._closed = threading.Event()
        # Delivery reports collected during a poll(), handed to their loops after it.
        self._reports: list[_Report] = []
        self._reports_lock = threading.Lock()
        self._poller = threading.Thread(
            target=self._poll_loop, name="kafka-producer-poll", daemon=True
        )
        self._poller.start()

    def _poll_loop(self) -> None:
        # Delivery callbacks run inside poll(); a dedicated thread keeps the
        # event loop free of librdkafka calls that may block.
        while not self._closed.is_set():
            self._producer.poll(0.05)
            self._hand_over()

    def _hand_over(self) -> None:
        """Resolve the reports collected by the last poll: one loop wake-up per batch.

        One ``call_soon_threadsafe`` per record wrote to the loop's self-pipe
        thousands of times a second (~4 % of a busy worker's CPU).
        """
        with self._reports_lock:
            reports, self._reports = self._reports, []
        by_loop: dict[asyncio.AbstractEventLoop, list[_Report]] = {}
        for report in reports:
            by_loop.setdefault(report[0], []).append(report)
        for loop, batch in by_loop.items():
            # A closed loop raises RuntimeError: nobody waits for those reports any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_resolve, batch)

    async def send(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None = None,
        headers: Headers | None = None,
        partition: int | None = None,
    ) -> Message:
        """Produce one record and wait until the broker acknowledged it."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Message] = loop.create_future()

        def delivered(err: KafkaError | None, msg: Message) -> None:
            error = ProduceError(f"{topic}: {err.str()}") if err is not None else None
            with self._reports_lock:
                self._reports.append((loop, future, error, msg))

        kwargs: dict[str, Any] = {"value": value, "key": key, "on_delivery": delivered}
        if headers:
            kwargs["headers"] = list(headers)
        if partition is not None:
            kwargs["partition"] = partition
        while True:
            try:
                self._producer.produce(topic, **kwargs)
                break
            except BufferError:
                # Local queue full: let librdkafka drain, then try again.
                await asyncio.sleep(0.01)
            except KafkaException as exc:
                raise ProduceError(f"{topic}: {exc.args[0]}") from None
        return await future

    def flush(self, timeout_s: float = 10.0) -> int:
        """Wait for outstanding records; return how many are still queued."""
        remaining = int(self._producer.flush(timeout_s))
        self._hand_over()  # reports that flush() itself served
        return remaining

    def close(self, timeout_s: float = 10.0) -> None:
        """Flush and stop the poll thread."""
        self.flush(timeout_s)
        self._closed.set()
        self._poller.join(timeout=2)


_Report = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Message]", BaseException | None, Message]


def _resolve(batch: list[_Report]) -> None:
    for _loop, future, error, msg in batch:
        if future.done():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(msg)
