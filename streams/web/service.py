"""What the operations API answers, independent of the web framework.

:class:`OpsService` gathers the pieces the page shows: stage rates
(:mod:`streams.web.rates`), the last hour of figures for the charts
(:mod:`streams.web.history`), consumer lag (the worker's
:class:`~streams.ops.monitor.LagMonitor`), cases by type and state
(:mod:`streams.web.tally`), DLQ counts (:mod:`streams.web.dlqstats`), case
audit trails (:mod:`streams.web.audit`) and DLQ listing and replay
(:mod:`streams.ops.dlq`). Every method returns a JSON-ready dict; blocking
Kafka calls run in a thread so the worker's event loop keeps serving.
The Faust views in :mod:`streams.web.api` only translate HTTP to these calls.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connectors.errors import CasebridgeError
from connectors.serde.registry import SchemaRegistry
from streams.ops import dlq
from streams.ops.dlq_records import Filters, parse_filters
from streams.ops.errors import FilterError, OpsError
from streams.ops.monitor import LagMonitor, LagReport
from streams.web.audit import case_history
from streams.web.dlqstats import DlqCounter
from streams.web.history import History
from streams.web.rates import RateTracker, totals
from streams.web.tally import CaseStateReader, CaseTally

__all__ = ["OpsService", "RequestError", "replay_options"]


class RequestError(ValueError):
    """A request the API refuses (the views answer 400 with the message)."""


def replay_options(body: Any) -> dict[str, Any]:
    """Validate a replay request body into keyword arguments of :func:`streams.ops.dlq.replay`.

    Accepted fields (all optional): ``filters`` as ``["field=pattern", ...]``
    or ``{"field": "pattern" | ["pattern", ...]}``, ``dry_run`` (bool),
    ``limit`` (positive int) and ``from_beginning`` (bool).
    """
    if body is None:
        body = {}
    if not isinstance(body, Mapping):
        raise RequestError("the replay body must be a JSON object")
    unknown = set(body) - {"filters", "dry_run", "limit", "from_beginning"}
    if unknown:
        raise RequestError(f"unknown replay option(s): {', '.join(sorted(unknown))}")
    raw = body.get("filters") or []
    filters: Filters
    if isinstance(raw, list) and all(isinstance(f, str) for f in raw):
        try:
            filters = parse_filters(raw)
        except FilterError as exc:
            raise RequestError(str(exc)) from None
    elif isinstance(raw, Mapping):
        filters = {}
        for name, patterns in raw.items():
            values = [patterns] if isinstance(patterns, str) else patterns
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise RequestError(f"filter {name!r}: expected a pattern or a list of patterns")
            filters[str(name)] = list(values)
    else:
        raise RequestError("filters: expected a list of 'field=pattern' or an object")
    options: dict[str, Any] = {"filters": filters or None}
    for flag in ("dry_run", "from_beginning"):
        value = body.get(flag, False)
        if not isinstance(value, bool):
            raise RequestError(f"{flag}: expected true or false")
        options[flag] = value
    limit = body.get("limit")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise RequestError("limit: expected a positive integer")
    options["limit"] = limit
    return options


@dataclass
class OpsService:
    """The operations API of one worker.

    Args:
        client_config: librdkafka settings.
        registry: The worker's registry client (shared schema cache).
        tally: Cases by type and state.
        rates: Stage rates.
        dlq_counter: DLQ record counts.
        monitor: Returns the worker's lag monitor, or None when it runs none.
        reader: The thread feeding ``tally`` (for its readiness and errors).
        dlq_ttl_s: DLQ counts are reused this long, so a page per second
            per viewer does not become a broker request per second.
        timeout_s: Per broker request in audit and DLQ calls.
    """

    client_config: Mapping[str, Any]
    registry: SchemaRegistry
    tally: CaseTally
    rates: RateTracker
    dlq_counter: DlqCounter
    monitor: Callable[[], LagMonitor | None] = lambda: None
    reader: CaseStateReader | None = None
    history: History = field(default_factory=History)
    dlq_ttl_s: float = 2.0
    timeout_s: float = 10.0
    clock: Callable[[], float] = time.monotonic
    #: Health notes of every stage (blocking, read in a thread; cached like DLQ counts).
    remote_notes: Callable[[], list[dict[str, Any]]] = list
    _dlq_cache: tuple[float, dict[str, Any]] | None = field(default=None, init=False)
    _remote_cache: tuple[float, list[dict[str, Any]]] | None = field(default=None, init=False)
    _dlq_lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    # --- overview ----------------------------------------------------------------------------

    def lag(self) -> dict[str, Any]:
        """The latest lag report, or why there is none on this worker."""
        monitor = self.monitor()
        if monitor is None:
            return {"available": False, "reason": "this worker does not run the monitor role"}
        report: LagReport | None = monitor.latest
        if report is None:
            return {
                "available": False,
                "reason": "no evaluation yet (the lag monitor runs on the group leader, "
                f"every {monitor.settings.interval_s:g}s)",
            }
        return {"available": True, **report.to_dict()}

    def lag_summary(self) -> dict[str, Any]:
        """Per group: status, state, members and lag (total and per topic)."""
        full = self.lag()
        if not full["available"]:
            return full
        monitor = self.monitor()
        assert monitor is not None and monitor.latest is not None
        groups = [
            {
                "group": g.group,
                "status": g.status.value,
                "state": g.state,
                "members": g.members,
                "total_lag": g.total_lag,
                "topics": g.topic_lag(),
                "error": g.error,
            }
            for g in monitor.latest.groups
        ]
        return {
            "available": True,
            "at": full["at"],
            "status": full["status"],
            "error": full["error"],
            "groups": groups,
        }

    def cases_summary(self) -> dict[str, Any]:
        """Cases by type and state, with the reader's readiness."""
        reader = self.reader
        return {
            "ready": reader.ready.is_set() if reader else True,
            "error": reader.error if reader else None,
            "undecodable": self.tally.undecodable,
            **self.tally.counts(),
        }

    async def dlq_counts(self) -> dict[str, Any]:
        """Records per DLQ topic (cached for ``dlq_ttl_s``)."""
        async with self._dlq_lock:
            cached = self._dlq_cache
            if cached is not None and self.clock() - cached[0] < self.dlq_ttl_s:
                return cached[1]
            try:
                rows = await asyncio.to_thread(self.dlq_counter.counts)
                result: dict[str, Any] = {"topics": rows, "error": None}
            except OpsError as exc:
                stale = cached[1]["topics"] if cached else []
                result = {"topics": stale, "error": str(exc)}
            self._dlq_cache = (self.clock(), result)
            return result

    async def aclose(self) -> None:
        """Destroy the DLQ counter's broker client, once no count is in flight."""
        async with self._dlq_lock:
            self.dlq_counter.close()

    async def overview(self) -> dict[str, Any]:
        """Everything the page's summary shows, in one answer."""
        stages = self.rates.stages()
        return {
            "at": datetime.now(UTC).isoformat(),
            "stages": stages,
            "totals": totals(stages),
            "rate_window_s": self.rates.window_s,
            "rate_covered_s": round(self.rates.window_covered_s, 1),
            "lag": self.lag_summary(),
            "cases": self.cases_summary(),
            "dlq": await self.dlq_counts(),
            "remote": await self.remote(),
        }

    async def remote(self) -> list[dict[str, Any]]:
        """Stages a remote service refuses (``streams.kafka.health``), cached for 5 s."""
        cached = self._remote_cache
        if cached is None or self.clock() - cached[0] >= 5.0:
            try:
                notes = await asyncio.to_thread(self.remote_notes)
            except CasebridgeError:
                notes = cached[1] if cached else []  # advice only: keep the last known
            cached = self._remote_cache = (self.clock(), notes)
        return cached[1]

    # --- cases -------------------------------------------------------------------------------

    def cases(
        self,
        case_type: str | None,
        status: str | None,
        limit: int = 100,
        *,
        shop: str | None = None,
    ) -> dict[str, Any]:
        """The cases of a type, state and/or shop, most recently updated first."""
        found = self.tally.cases(case_type=case_type, status=status, shop=shop, limit=limit)
        return {
            "type": case_type,
            "state": status,
            "shop": shop,
            "count": len(found),
            "cases": [c.to_dict() for c in found],
        }

    async def case(self, case_id: str) -> dict[str, Any]:
        """The audit trail of one case.

        Raises:
            CaseNotFoundError: No record about ``case_id``.
        """
        entries = await asyncio.to_thread(
            case_history, self.client_config, self.registry, case_id, timeout_s=self.timeout_s
        )
        return {"case_id": case_id, "entries": [e.to_dict() for e in entries]}

    # --- DLQ ---------------------------------------------------------------------------------

    async def dlq_records(self, topic: str, limit: int = 100) -> dict[str, Any]:
        """The oldest ``limit`` records of a DLQ (metadata and headers, no values)."""
        records = await asyncio.to_thread(
            dlq.list_records, self.client_config, topic, limit=limit, timeout_s=self.timeout_s
        )
        return {
            "topic": dlq.dlq_topic_of(topic),
            "count": len(records),
            "records": [r.to_dict() for r in records],
        }

    async def replay(self, topic: str, options: Mapping[str, Any]) -> dict[str, Any]:
        """Replay a DLQ (see :func:`streams.ops.dlq.replay`); forget the cached counts."""
        result = await asyncio.to_thread(
            dlq.replay, self.client_config, topic, timeout_s=self.timeout_s, **options
        )
        self._dlq_cache = None
        return result.to_dict()

    def sample_rates(self) -> None:
        """Take one counter sample for the rates and the charts (the Faust timer's job)."""
        self.rates.sample()
        self.history.sample()

    def charts(self, since: float | None = None) -> dict[str, Any]:
        """The charts' points of the last hour (after ``since``, a Unix time, if given)."""
        return self.history.to_dict(since)
