"""Alerting on consumer-group status: when to alert, and the HTTP hook that says so.

An *episode* starts when a group has been not-OK for ``after`` consecutive
evaluations (one flapping sample is not worth waking someone) and ends at the
first OK evaluation. Each episode produces exactly one ``firing`` message and
one ``resolved`` message, however long it lasts and however its status moves
between WARN, STALL, STOP... in the meantime.

:class:`AlertTracker` is the pure state machine; :class:`HttpAlertNotifier`
POSTs the JSON body. A message counts as sent only when the hook answered
2xx: after a failed POST the tracker still owes it, so the next evaluation
tries again instead of losing the alert.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

import httpx

from streams.ops.burrow import Status

__all__ = ["AlertKind", "AlertNotifier", "AlertTracker", "HttpAlertNotifier", "alert_payload"]

log = logging.getLogger(__name__)

AlertKind = Literal["firing", "resolved"]


class AlertTracker:
    """Counts consecutive not-OK evaluations per group and decides what to send."""

    def __init__(self, after: int) -> None:
        if after < 1:
            raise ValueError("after must be at least 1")
        self.after = after
        self._bad: dict[str, int] = {}
        self._open: set[str] = set()

    def observe(self, group: str, status: Status) -> AlertKind | None:
        """Record one evaluation of ``group``; return the message now owed, if any."""
        if status is Status.OK:
            self._bad.pop(group, None)
            return "resolved" if group in self._open else None
        count = self._bad[group] = self._bad.get(group, 0) + 1
        if count >= self.after and group not in self._open:
            return "firing"
        return None

    def delivered(self, group: str, kind: AlertKind) -> None:
        """Mark a message as sent: ``firing`` opens the episode, ``resolved`` closes it."""
        if kind == "firing":
            self._open.add(group)
        else:
            self._open.discard(group)

    def consecutive(self, group: str) -> int:
        """How many evaluations in a row ``group`` has been not-OK."""
        return self._bad.get(group, 0)

    def is_open(self, group: str) -> bool:
        """Whether a ``firing`` message was sent and not yet resolved."""
        return group in self._open


def alert_payload(
    kind: AlertKind,
    *,
    group: str,
    status: Status,
    evaluations: int,
    total_lag: int,
    partitions: Sequence[Mapping[str, Any]],
    at: float,
    app: str = "casebridge",
) -> dict[str, Any]:
    """The JSON body of an alert; ``text`` makes it readable by Slack-style hooks as is."""
    if kind == "firing":
        text = (
            f"{app}: consumer group {group} is {status.value} for {evaluations} "
            f"evaluations (lag {total_lag})"
        )
    else:
        text = f"{app}: consumer group {group} recovered ({status.value}, lag {total_lag})"
    return {
        "kind": "casebridge.consumer_lag",
        "state": kind,
        "app": app,
        "group": group,
        "status": status.value,
        "evaluations": evaluations,
        "total_lag": total_lag,
        "at": datetime.fromtimestamp(at, UTC).isoformat(),
        "partitions": list(partitions),
        "text": text,
    }


class AlertNotifier(Protocol):
    """Delivers an alert body; raises on failure so the message is retried."""

    async def send(self, payload: Mapping[str, Any]) -> None:
        """Deliver one alert."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


class HttpAlertNotifier:
    """POST the alert as JSON to a webhook URL; non-2xx answers are failures."""

    def __init__(
        self, url: str, *, timeout_s: float = 5.0, client: httpx.AsyncClient | None = None
    ) -> None:
        self.url = url
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=timeout_s)

    async def send(self, payload: Mapping[str, Any]) -> None:
        """POST ``payload``; raise :class:`httpx.HTTPError` unless the hook answered 2xx."""
        response = await self._client.post(self.url, json=dict(payload))
        response.raise_for_status()

    async def aclose(self) -> None:
        """Close the HTTP client if this notifier created it."""
        if self._owns_client:
            await self._client.aclose()
