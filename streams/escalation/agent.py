"""The escalation stage: ``cases.state`` -> open-case table -> timer -> OpenText + ``ESCALATED``.

* The agent reads every ``CaseState`` (undecodable -> ``cases.state.dlq``)
  and keeps the open cases of the escalated case types in the Faust table
  ``escalation-open-cases`` (see :func:`streams.escalation.track`), plus the
  last offset it applied per partition in ``escalation-watermarks``.
* A timer, on every worker, walks the cases of the partitions that worker
  owns actively (never standby copies) and asks
  :func:`streams.escalation.next_escalation` which are due.
* For each due case it sets ``priority``, ``escalationLevel``,
  ``escalatedAt`` and ``escalationReason`` on the OpenText instance found by
  ``businessKey`` = case id, and only then publishes the ``ESCALATED``
  ``CaseState`` (key = case id). OpenText unavailable: nothing is published
  and the next pass tries again, so the two never disagree; a crash between
  the two re-does the (idempotent) variable update.

Why the timer never writes the table: Faust writes a table change to the
changelog partition of the event being processed, and a timer has no event.
So the timer only publishes, and the agent records the escalation when it
reads the ``ESCALATED`` record back; that record, with its level, is the
durable "already escalated" fact. Until it is read back the timer must not
decide on that case again: within a process a pending map says so, and
across restarts and rebalances a partition is only acted on once the agent
has applied everything up to its end offset (watermark + 1 >= high water).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from datetime import UTC, datetime
from typing import Any, Protocol

import faust
from faust.types import TP
from prometheus_client import Counter

from connectors.opentext import OpenTextError, OpenTextUnavailableError, Variable
from connectors.opentext.models import ProcessInstance
from schemas.records import CaseState
from streams.escalation import (
    Escalation,
    EscalationRules,
    EscalationSettings,
    OpenCase,
    escalated_state,
    next_escalation,
    opentext_variables,
    track,
)
from streams.ops.metrics import CALL_SHOP, REGISTRY
from streams.runtime.records import decode_or_dead_letter
from streams.services import Services
from streams.topics import CASES_STATE

log = logging.getLogger(__name__)

AGENT = "escalation"
OPEN_CASES_TABLE = "escalation-open-cases"
WATERMARKS_TABLE = "escalation-watermarks"

ESCALATIONS = Counter(
    "casebridge_escalations",
    "Cases escalated (OpenText updated and ESCALATED published), by case type and reason.",
    ["case_type", "reason"],
    registry=REGISTRY,
)


class InstanceClient(Protocol):
    """The two OpenText calls an escalation makes (:class:`~connectors.opentext.OpenTextClient`)."""

    async def find_process_instances(
        self, business_key: str | None = None, process_definition_key: str | None = None
    ) -> list[ProcessInstance]:
        """Running instances with ``business_key``."""

    async def set_variables(self, instance_id: str, variables: list[Variable]) -> list[Variable]:
        """Create or overwrite variables on an instance."""


Publish = Callable[[CaseState], Awaitable[None]]


class Escalator:
    """The escalation logic of one worker, free of Faust so it is testable with plain dicts.

    ``cases`` and ``watermarks`` are the Faust tables in a worker (and dicts
    in tests); only :meth:`on_record` writes them, and the agent is its only
    caller.
    """

    def __init__(
        self,
        rules: EscalationRules,
        opentext: InstanceClient,
        publish: Publish,
        *,
        cases: MutableMapping[str, Any],
        watermarks: MutableMapping[str, Any],
        concurrency: int = 8,
    ) -> None:
        self.rules = rules
        self.opentext = opentext
        self.publish = publish
        self.cases = cases
        self.watermarks = watermarks
        self.concurrency = concurrency
        #: case id -> level published but not read back yet.
        self.pending: dict[str, int] = {}
        self.stats: dict[str, int] = {
            "records": 0,
            "tracked": 0,
            "forgotten": 0,
            "escalated": 0,
            "opentext_waits": 0,
            "opentext_refused": 0,
            "no_instance": 0,
            "publish_failed": 0,
            "not_caught_up": 0,
        }

    # --- the agent's side: the only table writer ---------------------------------------------

    def on_record(self, state: CaseState | None, partition: int, offset: int) -> None:
        """Apply one ``cases.state`` record (None: undecodable, already dead-lettered)."""
        self.stats["records"] += 1
        if state is not None:
            self._apply(state, partition, offset)
        # Even an undecodable record moves the watermark: the timer waits for the
        # watermark to reach the end of the partition, and must not wait forever.
        self.watermarks[str(partition)] = offset

    def _apply(self, state: CaseState, partition: int, offset: int) -> None:
        key = state.case_id
        existing = OpenCase.from_table(self.cases.get(key))
        updated = track(
            existing,
            state,
            partition=partition,
            offset=offset,
            case_types=self.rules.case_types,
            repeated_reason=self.rules.repeated_reason,
        )
        if updated is None:
            if key in self.cases:
                del self.cases[key]
                self.stats["forgotten"] += 1
            self.pending.pop(key, None)
            return
        if updated != existing:
            self.cases[key] = updated.to_table()
            self.stats["tracked"] += existing is None
        if self.pending.get(key, 0) <= updated.escalation_level:
            self.pending.pop(key, None)

    # --- the timer's side: decide, update OpenText, publish ----------------------------------

    def due(self, now: datetime, partitions: Iterable[int]) -> list[Escalation]:
        """The escalations due at ``now`` among the cases of ``partitions``.

        A case whose escalation was published but not yet read back is skipped.
        """
        owned = set(partitions)
        found: list[Escalation] = []
        for value in list(self.cases.values()):
            case = OpenCase.from_table(value)
            if case is None or case.partition not in owned:
                continue
            if case.case_id in self.pending:
                continue
            escalation = next_escalation(case, self.rules, now)
            if escalation is not None:
                found.append(escalation)
        return found

    def caught_up(self, highwaters: Mapping[int, int | None]) -> set[int]:
        """The partitions whose records up to their high water the agent has applied."""
        ready: set[int] = set()
        for partition, highwater in highwaters.items():
            if highwater is None:
                continue
            mark = self.watermarks.get(str(partition))
            if highwater == 0 or (isinstance(mark, int) and mark + 1 >= highwater):
                ready.add(partition)
        return ready

    async def run_pass(
        self,
        now: datetime,
        partitions: Iterable[int],
        highwaters: Callable[[set[int]], Awaitable[Mapping[int, int | None]]],
    ) -> int:
        """One timer pass over ``partitions``; returns how many cases were escalated."""
        due = self.due(now, partitions)
        if not due:
            return 0
        ready = self.caught_up(await highwaters({e.case.partition for e in due}))
        runnable = [e for e in due if e.case.partition in ready]
        self.stats["not_caught_up"] += len(due) - len(runnable)
        limit = asyncio.Semaphore(self.concurrency)

        async def bounded(escalation: Escalation) -> bool:
            async with limit:
                return await self.escalate(escalation)

        results = await asyncio.gather(*(bounded(e) for e in runnable))
        return sum(results)

    async def escalate(self, escalation: Escalation) -> bool:
        """Update OpenText, then publish the ``ESCALATED`` state; False to retry next pass."""
        case_id = escalation.case_id
        CALL_SHOP.set(escalation.case.shop)  # runs in its own task (gather): labels its calls
        try:
            instances = await self.opentext.find_process_instances(business_key=case_id)
            if not instances:
                # Not opened yet (REQUESTED) or already ended: nothing to escalate now.
                self.stats["no_instance"] += 1
                log.debug("escalation of %s waits: no running OpenText instance", case_id)
                return False
            instance = instances[0]
            await self.opentext.set_variables(instance.id, opentext_variables(escalation))
        except OpenTextUnavailableError as exc:
            self.stats["opentext_waits"] += 1
            log.warning("OpenText unavailable escalating %s (%s); next pass retries", case_id, exc)
            return False
        except OpenTextError as exc:
            # A refusal is retried too: the case must not silently stay unescalated.
            self.stats["opentext_refused"] += 1
            log.error("OpenText refused escalating %s: %s", case_id, exc)
            return False
        state = escalated_state(escalation, instance.id, repeated_reason=self.rules.repeated_reason)
        try:
            await self.publish(state)
        except Exception as exc:  # the producer's error types vary; the next pass redoes it
            self.stats["publish_failed"] += 1
            log.error("could not publish the escalation of %s: %s", case_id, exc)
            return False
        self.pending[case_id] = escalation.level
        self.stats["escalated"] += 1
        ESCALATIONS.labels(escalation.case.case_type.value, escalation.reason).inc()
        log.info(
            "escalated %s to level %d (%s, priority %s)",
            case_id,
            escalation.level,
            escalation.reason,
            escalation.priority.value,
        )
        return True


class EscalationStage:
    """The Faust wiring of :class:`Escalator`: the tables, the agent and the timer."""

    def __init__(
        self,
        app: faust.App,
        services: Services,
        settings: EscalationSettings,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.app = app
        self.services = services
        self.settings = settings
        self.clock = clock
        self.source = app.topic(
            CASES_STATE, key_type=bytes, value_type=bytes, value_serializer="raw"
        )
        self.escalator = Escalator(
            EscalationRules.from_settings(settings, services.policy),
            services.opentext,
            self._publish,
            cases=app.Table(OPEN_CASES_TABLE, default=None),
            watermarks=app.Table(WATERMARKS_TABLE, default=None),
            concurrency=settings.concurrency,
        )
        app.agent(self.source, name="casebridge.escalation-cases")(self._agent)
        if settings.enabled:
            app.timer(settings.interval_s, name="casebridge.escalation-timer")(self._tick)

    @property
    def stats(self) -> dict[str, int]:
        """The escalator's counters."""
        return self.escalator.stats

    async def _agent(self, stream: Any) -> None:
        serde = self.services.serde(CASES_STATE)
        async for event in stream.events():
            state = await decode_or_dead_letter(
                serde, CaseState, self.services.producer, event, agent=AGENT
            )
            self.escalator.on_record(state, event.message.partition, event.message.offset)

    async def _tick(self) -> None:
        if getattr(self.app, "rebalancing", False):
            return  # assignments are moving; the next pass sees the new ones
        # Active assignments only: a standby copy of a partition's table is
        # another worker's to act on, and acting on it too would escalate twice.
        partitions = {
            tp.partition for tp in self.app.assignor.assigned_actives() if tp.topic == CASES_STATE
        }
        if not partitions:
            return
        try:
            await self.escalator.run_pass(self.clock(), partitions, self._highwaters)
        except Exception:
            # A timer that raises stops for good; one bad pass must not end escalation.
            log.exception("escalation pass failed; the next pass retries")

    async def _highwaters(self, partitions: set[int]) -> Mapping[int, int | None]:
        tps = [TP(CASES_STATE, p) for p in sorted(partitions)]
        found = await self.app.consumer.highwaters(*tps)
        return {tp.partition: found.get(tp) for tp in tps}

    async def _publish(self, state: CaseState) -> None:
        await self.services.emit(AGENT, CASES_STATE, state, state.case_id)


def escalation_settings(services: Services) -> EscalationSettings:
    """``settings.escalation`` when the settings have it, else the defaults."""
    found = getattr(services.settings, "escalation", None)
    return found if isinstance(found, EscalationSettings) else EscalationSettings()


def register(app: faust.App, services: Services) -> EscalationStage:
    """Declare the escalation stage (agent, tables, timer) on ``app``."""
    return EscalationStage(app, services, escalation_settings(services))
