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
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from confluent_kafka import OFFSET_END, Consumer, KafkaError, KafkaException, TopicPartition

DEDUP_HEADER = "casebridge.dedup_key"

log = logging.getLogger(__name__)


class SeenWindow:
    """Keys seen within the last ``window_s`` seconds (thread-safe)."""

    def __init__(self, window_s: float, clock: Callable[[], float] = time.time) -> None:
        self._window_s = window_s
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, key: object) -> bool:
        with self._lock:
            at = self._seen.get(key) if isinstance(key, str) else None
            return at is not None and at >= self._clock() - self._window_s

    def __len__(self) -> int:
        with self._lock:
            return len(self._seen)

    def add(self, key: str, at: float | None = None) -> None:
        """Remember ``key`` as seen at ``at`` (default now), expiring old keys."""
        stamp = self._clock() if at is None else at
        with self._lock:
            previous = self._seen.pop(key, None)
            self._seen[key] = max(stamp, previous or stamp)
            horizon = self._clock() - self._window_s
            # Insertion order approximates time order; stop at the first fresh key.
            while self._seen:
                oldest_key, oldest_at = next(iter(self._seen.items()))
                if oldest_at >= horizon:
                    break
                del self._seen[oldest_key]


class WindowLoader:
    """Rebuilds a :class:`SeenWindow` from the topic, then tails it for other replicas' keys."""

    def __init__(
        self,
        client_config: Mapping[str, Any],
        topic: str,
        window: SeenWindow,
        window_s: float,
    ) -> None:
        config = dict(client_config)
        config.update(
            {
                "group.id": "casebridge-ingress-dedup",  # never commits: assign() only
                "enable.auto.commit": False,
                "enable.partition.eof": True,
            }
        )
        self._consumer = Consumer(config)
        self._topic = topic
        self._window = window
        self._window_s = window_s
        self._stop = threading.Event()
        self.ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ingress-dedup", daemon=True)

    def start(self) -> None:
        """Start loading in the background; ``ready`` is set once the backlog is read."""
        self._thread.start()

    def stop(self) -> None:
        """Stop tailing and close the consumer."""
        self._stop.set()
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
            msg = self._consumer.poll(0.2)
            if msg is None:
                if not self.ready.is_set() and pending == 0:
                    self.ready.set()
                continue
            error = msg.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    at_end.add(msg.partition() or 0)
                    if len(at_end) >= pending and not self.ready.is_set():
                        log.info("dedup window rebuilt: %d keys", len(self._window))
                        self.ready.set()
                continue
            headers: Any = msg.headers() or []
            for name, value in headers:
                if name == DEDUP_HEADER and isinstance(value, bytes):
                    self._window.add(value.decode(), msg.timestamp()[1] / 1000)
        self._consumer.close()
