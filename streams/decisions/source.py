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
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from connectors.opentext.models import HistoricProcessInstance, HistoricTask
from schemas.records import CaseDecision, CaseType, DecisionSource, OfflineOrder
from streams.decisions.build import BuiltDecision, CompletedTask, DecisionBuilder, DecisionFailure
from streams.decisions.errors import DecisionDataError
from streams.decisions.variables import case_variables

__all__ = ["HistoryClient", "HistoryPoller", "PollBatch"]

log = logging.getLogger(__name__)


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
    ) -> AsyncIterator[HistoricProcessInstance]:
        """Historic instances matching the filters, all pages."""
        ...

    def historic_task_instances(
        self,
        *,
        finished: bool | None = True,
        process_instance_id: str | None = None,
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
    """

    decisions: list[CaseDecision] = field(default_factory=list)
    offline_orders: list[OfflineOrder] = field(default_factory=list)
    failures: list[DecisionFailure] = field(default_factory=list)
    watermark: datetime | None = None
    pending: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def add(self, built: BuiltDecision) -> None:
        """Collect one built decision."""
        if built.decision is not None:
            self.decisions.append(built.decision)
        if built.offline_order is not None:
            self.offline_orders.append(built.offline_order)
        if built.failure is not None:
            self.failures.append(built.failure)


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
            starts them (e.g. ``{CaseType.ORDER_REVIEW: "casebridge.order_review"}``).
        builder: maps outcomes to actions; a default one when omitted.
        outcome_variable: where models store an outcome, for engines whose task
            history has no ``outcome`` field.
        overlap: how far before the watermark each poll re-reads.
        pending_grace: how long an ended instance may lack task history before
            it is reported as a failure instead of holding the watermark.
        clock: now, for ``pending_grace`` (tests pass a fixed clock).
    """

    #: Recorded on every decision this poller builds.
    source = DecisionSource.HISTORY_POLL

    def __init__(
        self,
        client: HistoryClient,
        model_keys: Mapping[CaseType, str],
        *,
        builder: DecisionBuilder | None = None,
        outcome_variable: str = "approvalStatus",
        overlap: timedelta = timedelta(seconds=5),
        pending_grace: timedelta = timedelta(minutes=10),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if overlap < timedelta(0):
            raise ValueError("overlap must not be negative")
        self._client = client
        self._model_keys = dict(model_keys)
        self.builder = builder or DecisionBuilder()
        self._outcome_variable = outcome_variable
        self._overlap = overlap
        self._pending_grace = pending_grace
        self._clock = clock

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
        batch = PollBatch()
        latest = _utc(watermark) if watermark is not None else None
        held_at: datetime | None = None
        for case_type, key in self._model_keys.items():
            async for instance in self._client.historic_process_instances(
                finished=True,
                finished_after=since,
                process_definition_key=key,
                include_process_variables=True,
                sort="endTime",
                order="asc",
            ):
                if instance.end_time is None:
                    continue
                ended = _utc(instance.end_time)
                latest = ended if latest is None else max(latest, ended)
                if not await self._instance(instance, case_type, ended, batch):
                    held_at = ended if held_at is None else min(held_at, ended)
        batch.watermark = latest if held_at is None or latest is None else min(latest, held_at)
        return batch

    async def _instance(
        self,
        instance: HistoricProcessInstance,
        case_type: CaseType,
        ended: datetime,
        batch: PollBatch,
    ) -> bool:
        """Handle one ended instance; ``False`` if it must be read again later."""
        if instance.delete_reason or not instance.business_key:
            # Terminated (e.g. the case was withdrawn) or not one of ours: no decision.
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

    async def _final_task(self, instance: HistoricProcessInstance) -> HistoricTask | None:
        """The completed task that ended ``instance``: the one that completed last."""
        completed = [
            task
            async for task in self._client.historic_task_instances(
                finished=True, process_instance_id=instance.id, include_task_local_variables=True
            )
            if task.end_time is not None and not task.delete_reason
        ]
        return max(completed, key=_completion_order) if completed else None

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
