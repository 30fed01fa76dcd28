"""The de-duplication window of the ingress (at least 24 h, surviving restarts).

Shopify retries a delivery up to 8 times over 4 hours and duplicates happen.
The record we published is itself the proof that a key was seen: every record
on ``shopify.webhooks`` carries its de-duplication key in a header, so on
start the window is rebuilt by reading the topic from ``now - window`` on,
and a tail keeps learning keys published by other ingress replicas. No
extra store to operate, and it survives a restart by construction.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

from confluent_kafka import OFFSET_END, Consumer, KafkaError, KafkaException, TopicPartition

from streams.kafka.headers import DEDUP_HEADER
from streams.runtime.seen import SeenWindow

#: Records the tail takes from the consumer per call.
LOAD_BATCH: Final = 1000
#: The longest a consume() call waits to fill its batch, in seconds.
LOAD_WAIT_S: Final = 0.2
#: The tail's fetch settings: the broker answers a fetch once it has this many
#: bytes or after this many ms, instead of as soon as one record is there.
#: While the backlog is read the bytes are there at once; at the tail a key
#: published by another replica is learned within ~LOAD_WAIT_S + the wait.
FETCH_MIN_BYTES: Final = 256 * 1024
FETCH_WAIT_MAX_MS: Final = 200

log = logging.getLogger(__name__)


class WindowLoader:
    """Rebuilds a :class:`SeenWindow` from the topic, then tails it for other replicas' keys."""

    def __init__(
        self,
        client_config: Mapping[str, Any],
        topic: str,
        window: SeenWindow,
        window_s: float,
        consumer_factory: Callable[[dict[str, Any]], Consumer] = Consumer,
    ) -> None:
        config = dict(client_config)
        config.update(
            {
                "group.id": "casebridge-ingress-dedup",  # never commits: assign() only
                "enable.auto.commit": False,
                "enable.partition.eof": True,
                # The tail re-reads every record the ingress publishes. With the
                # defaults (answer a fetch as soon as 1 byte is there) it fetched
                # a few records at a time, hundreds of times a second at
                # 1,000 webhooks/s, for keys nobody needs within milliseconds.
                "fetch.min.bytes": FETCH_MIN_BYTES,
                "fetch.wait.max.ms": FETCH_WAIT_MAX_MS,
            }
        )
        self._consumer = consumer_factory(config)
        self._topic = topic
        self._window = window
        self._window_s = window_s
        self._stop = threading.Event()
        self.ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ingress-dedup", daemon=True)

    def start(self) -> None:
        """Start loading in the background; ``ready`` is set once the backlog is read.

        Nothing once stopped (the startup task can run after a stop began).
        """
        if self._stop.is_set():
            return
        self._thread.start()

    def stop(self) -> None:
        """Stop tailing and close the consumer (also when it was never started).

        A worker stopped within its first seconds (the reliability suite's
        rebalance scenario SIGTERMs one right after it joined) gets here before
        the startup task started the thread: joining it raised, and the
        consumer was never closed.
        """
        self._stop.set()
        if self._thread.ident is None:
            self._consumer.close()
            self.ready.set()  # nothing will load: whoever waits for the backlog stops waiting
            return
        self._thread.join(timeout=5)

    def _assign(self) -> int:
        metadata = self._consumer.list_topics(self._topic, timeout=10)
        partitions = list(metadata.topics[self._topic].partitions)
        since_ms = int((time.time() - self._window_s) * 1000)
        wanted = [TopicPartition(self._topic, p, since_ms) for p in partitions]
        offsets = self._consumer.offsets_for_times(wanted, timeout=10)
        for tp in offsets:
            if tp.offset < 0:
                tp.offset = OFFSET_END
        self._consumer.assign(offsets)
        return len(partitions)

    def _run(self) -> None:
        try:
            pending = self._assign()
        except KafkaException as exc:
            log.error("dedup window not rebuilt from %s: %s", self._topic, exc)
            self.ready.set()
            self._consumer.close()
            return
        at_end: set[int] = set()
        while not self._stop.is_set():
            # Batches, not poll(): this thread takes the GIL once per batch instead
            # of once per record, so the event loop serving webhooks is not made
            # to hand the GIL over (up to the 5 ms switch interval each time)
            # for every record the ingress itself published.
            messages = self._consumer.consume(LOAD_BATCH, LOAD_WAIT_S)
            stamped: list[tuple[str, float]] = []
            for msg in messages:
                error = msg.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        at_end.add(msg.partition() or 0)
                    continue
                headers: Any = msg.headers() or []
                for name, value in headers:
                    if name == DEDUP_HEADER and isinstance(value, bytes):
                        stamped.append((value.decode(), msg.timestamp()[1] / 1000))
            if stamped:
                self._window.add_many(stamped)
            if not self.ready.is_set() and len(at_end) >= pending:
                # Set only after the keys before each partition's end were added.
                log.info("dedup window rebuilt: %d keys", len(self._window))
                self.ready.set()
        self._consumer.close()
