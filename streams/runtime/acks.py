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
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any


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
            while queue and queue[0][1]:
                queue.popleft()[0].ack()

        return done

    def in_flight(self) -> int:
        """Records tracked and not yet acknowledged, over all partitions."""
        return sum(len(queue) for queue in self._queues.values())
