"""An asyncio-friendly confluent-kafka producer.

Faust's own producer works, but the ingress path must answer Shopify only
after the broker acknowledged the record (``acks=all``), thousands of times
a second. librdkafka batches in its own threads; each delivery report
resolves a future on the event loop that sent the record.

Delivery reports are served by ``poll(0)`` on that event loop itself, from a
timer that runs only while records are in flight (``poll(0)`` never blocks).
They used to be served by a dedicated thread (``poll(0.05)``): librdkafka runs
each record's delivery callback with the GIL taken, so every acknowledgement
was a GIL hand-over between that thread and the loop (the loop waits up to
the 5 ms switch interval to get it back, longer when the thread is
descheduled on a busy machine) plus a cross-thread wake-up of the loop.
Served on the loop there is neither (docs/benchmarks.md, ingress fixes).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Mapping, Sequence
from typing import Any, Final

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from connectors.errors import CasebridgeError

Headers = Sequence[tuple[str, bytes]]

#: How often the event loop serves delivery reports while records are in flight.
#: It bounds the delay added to an acknowledgement (the broker's round trip plus
#: ``linger.ms`` is several ms); a tick with nothing to serve costs microseconds.
POLL_INTERVAL_S: Final = 0.001


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
        self._producer: Producer | _Released = Producer(config)
        # Per event loop: records sent and not yet settled, and the pending poll
        # timer. Only ever touched on that loop's own thread.
        self._in_flight: dict[asyncio.AbstractEventLoop, int] = {}
        self._poll_timers: dict[asyncio.AbstractEventLoop, asyncio.TimerHandle] = {}

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
        loop_thread = threading.get_ident()

        def delivered(err: KafkaError | None, msg: Message) -> None:
            outcome: Message | ProduceError = (
                msg if err is None else ProduceError(f"{topic}: {err.str()}")
            )
            if threading.get_ident() == loop_thread:
                # The usual case: served by _poll (or a flush) on the loop's thread.
                self._settle(loop, future, outcome)
                return
            # Served on another thread (a flush() there): hand it to the loop. A
            # closed loop raises RuntimeError: nobody waits for this report any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._settle, loop, future, outcome)

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
                # Local queue full: serve the reports that freed room, let librdkafka
                # drain, then try again.
                self._producer.poll(0)
                await asyncio.sleep(0.01)
            except KafkaException as exc:
                raise ProduceError(f"{topic}: {exc.args[0]}") from None
        self._in_flight[loop] = self._in_flight.get(loop, 0) + 1
        if loop not in self._poll_timers:
            self._poll_timers[loop] = loop.call_later(POLL_INTERVAL_S, self._poll, loop)
        return await future

    def _poll(self, loop: asyncio.AbstractEventLoop) -> None:
        """Serve the delivery reports that arrived; poll again while records are in flight."""
        del self._poll_timers[loop]
        self._producer.poll(0)
        if self._in_flight.get(loop):
            self._poll_timers[loop] = loop.call_later(POLL_INTERVAL_S, self._poll, loop)

    def _settle(
        self,
        loop: asyncio.AbstractEventLoop,
        future: asyncio.Future[Message],
        outcome: Message | ProduceError,
    ) -> None:
        """Count one record of ``loop`` as settled and resolve its sender's future."""
        left = self._in_flight.get(loop, 1) - 1
        if left > 0:
            self._in_flight[loop] = left
        else:
            self._in_flight.pop(loop, None)
        if future.done():
            return  # the sender was cancelled
        if isinstance(outcome, ProduceError):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)

    def flush(self, timeout_s: float = 10.0) -> int:
        """Wait for outstanding records (serving their reports); return how many are left."""
        return int(self._producer.flush(timeout_s))

    def close(self, timeout_s: float = 10.0) -> None:
        """Flush (wait for outstanding records, serve their reports), then let go of librdkafka.

        The handle is released here, not when this object is collected: something
        may keep the producer reachable after its stage stopped (a health tracker
        holds its note publisher), and a live handle keeps its threads connecting to
        the broker, logging each refusal once the broker is gone.
        """
        self.flush(timeout_s)
        self._producer = _Released()


class _Released:
    """Stands in for the librdkafka handle of a closed :class:`AsyncProducer`."""

    def produce(self, topic: str, **_: Any) -> None:
        raise ProduceError(f"{topic}: the producer is closed")

    def poll(self, timeout: float = 0.0) -> int:
        return 0

    def flush(self, timeout: float = 0.0) -> int:
        return 0
