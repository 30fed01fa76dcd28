"""A fake OpenText history (the poller's one seam) and builders of its records."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from connectors.opentext.hal import PagingReport
from connectors.opentext.models import HistoricProcessInstance, HistoricTask, Variable
from schemas.records import CaseType

MODEL_KEYS = {
    CaseType.ORDER_REVIEW: "casebridge.order_review",
    CaseType.HIGH_VALUE_REVIEW: "casebridge.high_value_review",
    CaseType.OFFLINE_ORDER: "casebridge.offline_order",
}
T0 = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)


def variables(values: dict[str, Any]) -> list[Variable]:
    """OpenText variables with the types the engine would report."""
    return [Variable.of(name, value) for name, value in values.items()]


def at(seconds: float) -> datetime:
    """``T0`` plus ``seconds``."""
    return T0 + timedelta(seconds=seconds)


@dataclass
class FakeHistory:
    """Instances and tasks, filtered like the history API filters them.

    ``ignore_offset``: the service answers every page request with its first
    page (``page_size`` items, or ``default_page``), as one that ignores
    ``offset`` would; ``ignore_sort``: in latest-end-first order instead of the
    ``endTime`` ascending asked for (the worst order for a watermark);
    ``max_page``: the most items the service puts on one page, whatever was asked.
    """

    instances: list[HistoricProcessInstance] = field(default_factory=list)
    tasks: list[HistoricTask] = field(default_factory=list)
    instance_queries: list[dict[str, Any]] = field(default_factory=list)
    task_queries: list[dict[str, Any]] = field(default_factory=list)
    children: dict[str, str] = field(default_factory=dict)
    ignore_offset: bool = False
    ignore_sort: bool = False
    default_page: int = 100
    max_page: int | None = None

    def add_instance(
        self,
        key: str,
        business_key: str,
        values: dict[str, Any],
        *,
        ended: datetime | None,
        instance_id: str | None = None,
        delete_reason: str | None = None,
    ) -> HistoricProcessInstance:
        """A historic instance (running when ``ended`` is None)."""
        instance = HistoricProcessInstance.model_validate(
            {
                "id": instance_id or f"pi-{len(self.instances) + 1}",
                "businessKey": business_key,
                "processDefinitionKey": key,
                "startTime": T0.isoformat(),
                "endTime": ended.isoformat() if ended else None,
                "deleteReason": delete_reason,
                "variables": [v.to_wire() for v in variables(values)],
            }
        )
        self.instances.append(instance)
        return instance

    def add_task(
        self,
        instance: HistoricProcessInstance,
        task_key: str,
        outcome: str | None,
        *,
        ended: datetime | None,
        started: datetime = T0,
        assignee: str = "alice@example.com",
        local: dict[str, Any] | None = None,
        in_child: bool = False,
        delete_reason: str | None = None,
    ) -> HistoricTask:
        """A historic task of ``instance`` (or of a call activity's child process of it)."""
        home = f"{instance.id}-child" if in_child else instance.id
        if in_child:
            self.children[home] = instance.id
        task = HistoricTask.model_validate(
            {
                "id": f"task-{len(self.tasks) + 1}",
                "taskDefinitionKey": task_key,
                "processInstanceId": home,
                "processBusinessKey": None if in_child else instance.business_key,
                "deleteReason": delete_reason,
                "startTime": started.isoformat(),
                "endTime": ended.isoformat() if ended else None,
                "outcome": outcome,
                "assignee": assignee,
                "variables": [v.to_wire() for v in variables(local or {})],
            }
        )
        self.tasks.append(task)
        return task

    async def historic_process_instances(
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
        """Instances filtered like ``GET /historic-process-instances`` (bounds inclusive)."""
        self.instance_queries.append(
            {"finished_after": finished_after, "key": process_definition_key, "page": page_size}
        )
        assert not isinstance(finished_after, str)
        found = []
        for instance in self.instances:
            if finished and instance.end_time is None:
                continue
            if finished_after is not None and (
                instance.end_time is None or instance.end_time < finished_after
            ):
                continue
            if process_definition_key and instance.process_definition_key != process_definition_key:
                continue
            found.append(instance)
        if self.ignore_sort:
            found.sort(key=lambda i: (i.end_time or T0, i.id), reverse=True)
        elif sort == "endTime":
            found.sort(key=lambda i: (i.end_time or T0, i.id), reverse=order == "desc")
        report = report if report is not None else PagingReport()
        page = min(page_size or self.default_page, self.max_page or 10**9)
        if self.ignore_offset and len(found) > page:
            found = found[:page]
            report.end("stale")
        else:
            report.end("total")
        for instance in found:
            yield instance

    async def historic_task_instances(
        self,
        *,
        finished: bool | None = True,
        process_instance_id: str | None = None,
        process_instance_id_with_children: str | None = None,
        include_task_local_variables: bool = True,
    ) -> AsyncIterator[HistoricTask]:
        """Tasks filtered like ``GET /historic-task-instances``."""
        query = {"process_instance_id": process_instance_id}
        if process_instance_id_with_children:
            query = {"with_children": process_instance_id_with_children}
        self.task_queries.append(query)
        parent = process_instance_id_with_children
        for task in self.tasks:
            if finished and task.end_time is None:
                continue
            if process_instance_id and task.process_instance_id != process_instance_id:
                continue
            if parent and parent not in (
                task.process_instance_id,
                self.children.get(task.process_instance_id or ""),
            ):
                continue
            yield task


def offline_values(**overrides: Any) -> dict[str, Any]:
    """A valid offline-order intake's process variables."""
    values: dict[str, Any] = {
        "shop": "demo.myshopify.com",
        "customer": {
            "email": "buyer@example.com",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "shippingAddress": {"address1": "1 Main St", "city": "London", "countryCode": "GB"},
        },
        "lineItems": [
            {"variantId": "111", "quantity": 2},
            {"variantId": 222, "quantity": 1, "priceOverride": 9.5, "overrideReason": "bulk"},
        ],
        "currency": "eur",
        "taxExempt": False,
        "taxLines": [{"title": "VAT", "rate": 0.2}],
        "shippingLines": [{"title": "Courier", "price": 4.95, "code": "DPD"}],
        "paymentStatus": "PENDING",
        "note": "phone order",
        "tags": "phone, wholesale",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def as_json(value: Any) -> str:
    """Compact JSON text."""
    return json.dumps(value, separators=(",", ":"))
