"""Acknowledging a partition's records in offset order, whatever order they finish in.

Agents that run records concurrently (classify, sink, writer lanes) finish
them out of order. Faust commits the first run of consecutive acknowledged
offsets, but it checks the run against the committed offset only when that
is non-zero and only for a gap of more than one: acknowledging offsets
``c+1, c+2`` while ``c`` is still in flight commits ``c+3``, and a crash then
loses ``c`` (found by the reliability suite: cases lost after a SIGKILL).
So agents acknowledge through :class:`InOrderAcks`, which hands Faust the
acknowledgements of each partition strictly in offset order: a record's ack
waits until every earlier record of its partition is done.

Faust also acknowledges records itself: a record its stream takes while the
flow is suspended (a rebalance, a stop) or from an older consumer generation
is *skipped* and acknowledged without ever reaching the agent. Faust's commit
at that revocation or stop then passes it, and its new owner starts behind it:
the reliability suite lost the first decisions of three partitions when a
worker was stopped right after it got them, and webhooks that never became
cases. :class:`AckGate` refuses every acknowledgement of a gated topic's record
that does not come from :class:`InOrderAcks`, so a skipped record stays
uncommitted and is read again by whoever owns its partition next.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

__all__ = ["AckGate", "InOrderAcks"]

log = logging.getLogger(__name__)

#: True while :class:`InOrderAcks` hands a finished record to Faust (synchronously).
_RELEASING: ContextVar[bool] = ContextVar("casebridge_releasing_ack", default=False)


class AckGate:
    """Let Faust's consumer acknowledge a gated topic's records only through InOrderAcks."""

    def __init__(self) -> None:
        self.topics: set[str] = set()

    def gate(self, topics: Iterable[str]) -> None:
        """Acknowledge the records of ``topics`` only when their agent is done with them."""
        self.topics.update(topics)

    def allows(self, message: Any) -> bool:
        """Whether acknowledging ``message`` now may move its partition's commit past it."""
        return message.topic not in self.topics or _RELEASING.get()

    def install(self, consumer: Any) -> None:
        """Wrap ``consumer.ack`` (Faust's ``Consumer.ack``, where every final ack ends)."""
        ack = consumer.ack

        def gated(message: Any) -> bool:
            if not self.allows(message):
                # Left unacknowledged: committed only once an agent finished it.
                log.info(
                    "%s[%s]@%s skipped by Faust: not acknowledged (read again by its owner)",
                    message.topic,
                    message.partition,
                    message.offset,
                )
                return False
            return bool(ack(message))

        consumer.ack = gated


class InOrderAcks:
    """Per-partition queues of records in flight; acks leave each queue from its head."""

    def __init__(self) -> None:
        self._queues: dict[tuple[str, int], deque[list[Any]]] = {}

    def track(self, event: Any) -> Callable[[], None]:
        """Register ``event`` (in the order it was consumed); returns its "done" callback.

        Calling the callback marks the record done and acknowledges every done
        record at the head of its partition's queue. A record never marked
        done holds back the acknowledgements behind it, so the committed
        offset stops before it and a restart processes it again.
        """
        message = event.message
        queue = self._queues.setdefault((message.topic, message.partition), deque())
        entry: list[Any] = [event, False]
        queue.append(entry)

        def done() -> None:
            entry[1] = True
            token = _RELEASING.set(True)
            try:
                while queue and queue[0][1]:
                    queue.popleft()[0].ack()
            finally:
                _RELEASING.reset(token)

        return done

    def in_flight(self) -> int:
        """Records tracked and not yet acknowledged, over all partitions."""
        return sum(len(queue) for queue in self._queues.values())
