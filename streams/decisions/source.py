"""Decisions from OpenText history: a watermark poller.

OpenText has no subscription API, so decisions are read back from history
(``docs/opentext-workflow-api.md``, "Getting decisions back"). Each poll:

1. lists, per model, ``historic-process-instances?finished=true&finishedAfter=
   <watermark - overlap>&processDefinitionKey=<key>&includeProcessVariables=true``;
2. for each ended instance, lists its completed tasks
   (``historic-task-instances?processInstanceId=...&finished=true``) and takes
   the one that completed last: that task's outcome is the case's decision;
3. builds the :class:`~schemas.records.CaseDecision` keyed
   ``<business key>:<task id>`` with the mapped actions (and, for an approved
   OFFLINE_ORDER intake, the :class:`~schemas.records.OfflineOrder`).

Why the instance end, not each task completion, triggers a decision: in a
multi-step approval (HIGH_VALUE_REVIEW: sales, then finance) only the outcome
that *ends* the instance may change Shopify, and a rejection at any step ends
it. Reading task completions alone cannot tell an intermediate approval from
a final one without the instance; and emitting an intermediate approval as a
decision without actions would, when that same task later proves final (an
engine that ends the instance a moment after the task), reuse its decision
id and be dropped downstream as a duplicate. Intermediate approvals are
therefore skipped; the callback endpoint skips them the same way.

The watermark is the latest end time seen. The next poll reads from
``overlap`` (5 s) before it, because clocks differ and history indexing lags:
duplicates are harmless (same decision id, same idempotency keys), gaps are
not. An instance whose task history is not visible yet holds the watermark
back until it is (or, after ``pending_grace``, is reported as a failure).

``sort``, ``order``, ``offset`` and ``count`` are not documented for history,
so the poller does not rely on them. It asks for ``endTime`` ascending and
walks every page the service gives; an instance handled in an earlier poll
is not handled again (by instance id, within the re-read window). Then:

* the walk saw the whole list (a total, a last link, a short page): the
  watermark may move to the latest end seen, whatever the order was;
* the service repeated its first page (it ignores ``offset``): the walk is
  tried once more with :data:`WIDE_PAGE` items per page, usually the whole
  list; if not, and that wide page came in ``endTime`` order, it holds the
  oldest instances, so the watermark moves to its last end and the next poll
  reads on from there;
* otherwise the watermark does not move (what was read is handled, what was
  not is read again) and the poll says so (``PollBatch.unpaged``, an error log).

Models built like OpenText's samples are recognised: an instance ended by a
terminate end event carries a ``deleteReason`` (``terminate end event (...)``)
but is decided like any other, while one deleted for another reason (a
withdrawn case) has no decision; tasks of call activities live in child
processes, found with ``processInstanceIdWithChildren`` when the instance
itself has none; a task interrupted by a (timer) boundary event is not a
decision, and when no task completed at all but one was interrupted, the
outcome the model stored on the instance is.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from connectors.opentext.hal import PagingReport
from connectors.opentext.models import HistoricProcessInstance, HistoricTask
from schemas.records import CaseDecision, CaseType, DecisionSource, OfflineOrder
from streams.decisions.build import BuiltDecision, CompletedTask, DecisionBuilder, DecisionFailure
from streams.decisions.errors import DecisionDataError
from streams.decisions.variables import case_variables

__all__ = ["DECISION_END_REASONS", "WIDE_PAGE", "HistoryClient", "HistoryPoller", "PollBatch"]

log = logging.getLogger(__name__)

#: Page size of the second walk when the service neither pages nor sorts history.
WIDE_PAGE = 1000

#: ``deleteReason`` prefixes of instances that still ended with a decision: the
#: engine records a terminate end event as a delete reason.
DECISION_END_REASONS = ("terminate end event",)


class HistoryClient(Protocol):
    """The part of :class:`~connectors.opentext.OpenTextClient` the poller uses (the test seam)."""

    def historic_process_instances(
        self,
        *,
        finished: bool | None = True,
        finished_after: datetime | str | None = None,
        process_definition_key: str | None = None,
        include_process_variables: bool = True,
        sort: str | None = None,
        order: Literal["asc", "desc"] | None = None,
        page_size: int | None = None,
        report: PagingReport | None = None,
    ) -> AsyncIterator[HistoricProcessInstance]:
        """Historic instances matching the filters, all pages; ``report`` says how it ended."""
        ...

    def historic_task_instances(
        self,
        *,
        finished: bool | None = True,
        process_instance_id: str | None = None,
        process_instance_id_with_children: str | None = None,
        include_task_local_variables: bool = True,
    ) -> AsyncIterator[HistoricTask]:
        """Historic tasks matching the filters, all pages."""
        ...


@dataclass
class PollBatch:
    """Everything one poll found.

    Attributes:
        decisions: for ``cases.decisions`` (key: case id).
        offline_orders: for ``orders.offline`` (key: intake case id).
        failures: for the DLQ (and, for offline intakes, ``cases.state``).
        watermark: store it durably once the records above are produced.
        pending: ids of ended instances whose task history is not visible yet.
        skipped: ids of instances ended without a decision (terminated).
        repeats: instances seen again in the re-read window, already handled.
        unpaged: model keys whose history could not be read whole this poll (the
            service neither pages nor sorts it); the watermark did not move for them.
    """

    decisions: list[CaseDecision] = field(default_factory=list)
    offline_orders: list[OfflineOrder] = field(default_factory=list)
    failures: list[DecisionFailure] = field(default_factory=list)
    watermark: datetime | None = None
    pending: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    repeats: int = 0
    unpaged: list[str] = field(default_factory=list)

    def add(self, built: BuiltDecision) -> None:
        """Collect one built decision."""
        if built.decision is not None:
            self.decisions.append(built.decision)
        if built.offline_order is not None:
            self.offline_orders.append(built.offline_order)
        if built.failure is not None:
            self.failures.append(built.failure)


def _completed(task: HistoricTask) -> bool:
    """Completed by a person, not interrupted (boundary event) or deleted with its instance."""
    return task.end_time is not None and not task.delete_reason


def _ascending(instances: Sequence[HistoricProcessInstance]) -> bool:
    ends = [_utc(i.end_time) for i in instances if i.end_time is not None]
    return all(a <= b for a, b in itertools.pairwise(ends))


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _completion_order(task: HistoricTask) -> tuple[datetime, datetime, str]:
    # Two steps can complete within one millisecond; the later-created task is
    # the later step, and the id makes the choice deterministic after that.
    end = _utc(task.end_time) if task.end_time else datetime.min.replace(tzinfo=UTC)
    start = task.start_time or task.create_time
    return (end, _utc(start) if start else end, task.id)


class HistoryPoller:
    """Reads finished cases from OpenText history and turns them into decisions.

    Args:
        client: an :class:`~connectors.opentext.OpenTextClient` (or a fake).
        model_keys: the process definition key of each case type, as the sink
            starts them (e.g. ``{CaseType.ORDER_REVIEW: "casebridge.order_review"}``),
            or a function returning the (case type, key) pairs now (several keys of a
            type when shops route to their own models; read at every poll, so a shop
            added to the registry is polled from its next tick).
        builder: maps outcomes to actions; a default one when omitted.
        outcome_variable: where models store an outcome, for engines whose task
            history has no ``outcome`` field.
        overlap: how far before the watermark each poll re-reads.
        pending_grace: how long an ended instance may lack task history before
            it is reported as a failure instead of holding the watermark.
        decision_end_reasons: ``deleteReason`` prefixes that still end with a
            decision (see :data:`DECISION_END_REASONS`).
        clock: now, for ``pending_grace`` (tests pass a fixed clock).

    Keep one poller for the life of the stage: it remembers which instances it
    has handled, so the re-read window costs no task-history calls.
    """

    #: Recorded on every decision this poller builds.
    source = DecisionSource.HISTORY_POLL

    def __init__(
        self,
        client: HistoryClient,
        model_keys: Mapping[CaseType, str] | Callable[[], Iterable[tuple[CaseType, str]]],
        *,
        builder: DecisionBuilder | None = None,
        outcome_variable: str = "approvalStatus",
        overlap: timedelta = timedelta(seconds=5),
        pending_grace: timedelta = timedelta(minutes=10),
        decision_end_reasons: Sequence[str] = DECISION_END_REASONS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if overlap < timedelta(0):
            raise ValueError("overlap must not be negative")
        self._client = client
        self._model_keys = model_keys
        self.builder = builder or DecisionBuilder()
        self._outcome_variable = outcome_variable
        self._overlap = overlap
        self._pending_grace = pending_grace
        self._decision_end_reasons = tuple(r.lower() for r in decision_end_reasons)
        self._clock = clock
        # instance id -> end time, for instances handled (decided, skipped, failed).
        self._handled: dict[str, datetime] = {}

    def since(self, watermark: datetime | None) -> datetime | None:
        """The ``finishedAfter`` bound a poll from ``watermark`` uses (``None``: all history)."""
        return None if watermark is None else _utc(watermark) - self._overlap

    async def poll(self, watermark: datetime | None) -> tuple[list[CaseDecision], datetime | None]:
        """Decisions finished since ``watermark`` (minus the overlap) and the next watermark.

        A convenience over :meth:`poll_batch` that only logs failures and
        drops offline orders; the Faust timer should use :meth:`poll_batch`.
        """
        batch = await self.poll_batch(watermark)
        for failure in batch.failures:
            log.error("decision for case %s not built: %s", failure.case_id, failure.reason)
        return batch.decisions, batch.watermark

    async def poll_batch(self, watermark: datetime | None) -> PollBatch:
        """Everything finished since ``watermark`` (minus the overlap), and the next watermark.

        Transport errors (:class:`~connectors.opentext.OpenTextError`) propagate
        after the client's own retries: the caller keeps its old watermark and
        tries again at the next tick, so nothing is skipped.
        """
        since = self.since(watermark)
        previous = _utc(watermark) if watermark is not None else None
        batch = PollBatch()
        latest = previous
        held_at: datetime | None = None
        # A model read only in part may not move the watermark past what it read.
        bounds: list[datetime | None] = []
        keys = self._model_keys
        for case_type, key in keys() if callable(keys) else keys.items():
            instances, whole, bound = await self._read_model(key, since, previous)
            if not whole:
                bounds.append(bound)
                if bound == previous:
                    batch.unpaged.append(key)
            for instance in instances:
                assert instance.end_time is not None  # _read_model keeps ended ones
                ended = _utc(instance.end_time)
                latest = ended if latest is None else max(latest, ended)
                if instance.id in self._handled:
                    batch.repeats += 1
                    continue
                if await self._instance(instance, case_type, ended, batch):
                    self._handled[instance.id] = ended
                else:
                    held_at = ended if held_at is None else min(held_at, ended)
        candidates = [t for t in (latest, held_at, *bounds) if t is not None]
        batch.watermark = min(candidates) if candidates else None
        if None in bounds:
            batch.watermark = previous  # a model read in part, and nothing to bound it by
        self._forget_before(since)
        return batch

    async def _read_model(
        self, key: str, since: datetime | None, previous: datetime | None
    ) -> tuple[list[HistoricProcessInstance], bool, datetime | None]:
        """The ended instances of ``key`` since ``since``, and how far they reach.

        Returns ``(instances, whole, bound)``: ``whole`` when every instance was
        read; otherwise ``bound`` is the latest end the watermark may move to (the
        previous watermark when the service neither paged nor sorted, even with
        :data:`WIDE_PAGE` items per page).
        """
        instances, report = await self._walk(key, since, None)
        if report.complete:
            return instances, True, None
        # The service repeats its first page (it ignores offset): one wide page may
        # hold everything. A short page looking sorted proves nothing, so no shortcut.
        wide, report = await self._walk(key, since, WIDE_PAGE)
        read = list({i.id: i for i in [*instances, *wide]}.values())
        if report.complete:
            return read, True, None
        if wide and _ascending(wide):
            # Over a thousand in endTime order: the oldest ones. Read on from their end.
            return read, False, max(_utc(i.end_time) for i in wide if i.end_time)
        log.error(
            "OpenText history of %s is neither paged (offset ignored) nor sorted by endTime,"
            " and has more than %d instances since %s: the watermark stays at %s until fewer"
            " remain; decisions read are published",
            key,
            WIDE_PAGE,
            since,
            previous,
        )
        return read, False, previous

    async def _walk(
        self, key: str, since: datetime | None, page_size: int | None
    ) -> tuple[list[HistoricProcessInstance], PagingReport]:
        report = PagingReport()
        instances = [
            instance
            async for instance in self._client.historic_process_instances(
                finished=True,
                finished_after=since,
                process_definition_key=key,
                include_process_variables=True,
                sort="endTime",
                order="asc",
                page_size=page_size,
                report=report,
            )
            if instance.end_time is not None
        ]
        return instances, report

    def _forget_before(self, since: datetime | None) -> None:
        """Drop handled instances the next poll cannot return again."""
        if since is None:
            return
        for instance_id in [i for i, ended in self._handled.items() if ended < since]:
            del self._handled[instance_id]

    async def _instance(
        self,
        instance: HistoricProcessInstance,
        case_type: CaseType,
        ended: datetime,
        batch: PollBatch,
    ) -> bool:
        """Handle one ended instance; ``False`` if it must be read again later."""
        if not instance.business_key or self._withdrawn(instance):
            # Deleted (e.g. the case was withdrawn) or not one of ours: no decision.
            log.info(
                "instance %s ended without a decision (%s)", instance.id, instance.delete_reason
            )
            batch.skipped.append(instance.id)
            return True
        task = await self._final_task(instance)
        if task is None:
            if self._clock() - ended < self._pending_grace:
                batch.pending.append(instance.id)
                return False
            error = DecisionDataError(
                f"instance {instance.id} ended {ended.isoformat()} but history shows no"
                f" completed task after {self._pending_grace}",
                case_id=instance.business_key,
            )
            payload = instance.model_dump_json(by_alias=True).encode()
            batch.failures.append(
                DecisionFailure(instance.business_key, None, error, payload, case_type=case_type)
            )
            return True
        batch.add(self.builder.build(self.completed_task(instance, task, case_type), self.source))
        return True

    def _withdrawn(self, instance: HistoricProcessInstance) -> bool:
        """Deleted without a decision: a ``deleteReason`` other than a terminate end."""
        reason = (instance.delete_reason or "").strip().lower()
        return bool(reason) and not reason.startswith(self._decision_end_reasons)

    async def _final_task(self, instance: HistoricProcessInstance) -> HistoricTask | None:
        """The completed task that ended ``instance``: the one that completed last.

        Its own tasks first; if it has none, those of the child processes its call
        activities started. When no task completed but one was interrupted (a
        timer boundary) and the model stored an outcome on the instance, that
        interrupted task stands for the decision.
        """
        tasks = await self._tasks(process_instance_id=instance.id)
        if not any(_completed(t) for t in tasks):
            tasks += await self._tasks(process_instance_id_with_children=instance.id)
        completed = [t for t in tasks if _completed(t)]
        if completed:
            return max(completed, key=_completion_order)
        interrupted = [t for t in tasks if t.end_time is not None and t.delete_reason]
        if interrupted and instance.variable(self._outcome_variable):
            last = max(interrupted, key=_completion_order)
            return last.model_copy(update={"delete_reason": None})
        return None

    async def _tasks(self, **query: str) -> list[HistoricTask]:
        return [
            task
            async for task in self._client.historic_task_instances(
                finished=True, include_task_local_variables=True, **query
            )
        ]

    def completed_task(
        self, instance: HistoricProcessInstance, task: HistoricTask, case_type: CaseType
    ) -> CompletedTask:
        """The :class:`CompletedTask` of ``task``, the final task of ``instance``."""
        # Task-local variables win over process variables of the same name.
        variables = case_variables([*instance.variables, *task.variables])
        outcome = (
            task.outcome
            or task.variable(self._outcome_variable)
            or instance.variable(self._outcome_variable)
        )
        assert task.end_time is not None  # filtered in _final_task
        return CompletedTask(
            case_id=str(instance.business_key),
            case_type=case_type,
            process_instance_id=instance.id,
            task_id=task.id,
            task_definition_key=task.task_definition_key,
            outcome=str(outcome or ""),
            assignee=task.assignee,
            completed_at=_utc(task.end_time),
            variables=variables,
        )
