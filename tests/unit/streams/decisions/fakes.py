"""A fake OpenText history (the poller's one seam) and builders of its records."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

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
    """Instances and tasks, filtered like the history API filters them."""

    instances: list[HistoricProcessInstance] = field(default_factory=list)
    tasks: list[HistoricTask] = field(default_factory=list)
    instance_queries: list[dict[str, Any]] = field(default_factory=list)
    task_queries: list[dict[str, Any]] = field(default_factory=list)

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
    ) -> HistoricTask:
        """A historic task of ``instance``."""
        task = HistoricTask.model_validate(
            {
                "id": f"task-{len(self.tasks) + 1}",
                "taskDefinitionKey": task_key,
                "processInstanceId": instance.id,
                "processBusinessKey": instance.business_key,
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
    ) -> AsyncIterator[HistoricProcessInstance]:
        """Instances filtered like ``GET /historic-process-instances`` (bounds inclusive)."""
        self.instance_queries.append(
            {"finished_after": finished_after, "key": process_definition_key}
        )
        assert not isinstance(finished_after, str)
        for instance in self.instances:
            if finished and instance.end_time is None:
                continue
            if finished_after is not None and (
                instance.end_time is None or instance.end_time < finished_after
            ):
                continue
            if process_definition_key and instance.process_definition_key != process_definition_key:
                continue
            yield instance

    async def historic_task_instances(
        self,
        *,
        finished: bool | None = True,
        process_instance_id: str | None = None,
        include_task_local_variables: bool = True,
    ) -> AsyncIterator[HistoricTask]:
        """Tasks filtered like ``GET /historic-task-instances``."""
        self.task_queries.append({"process_instance_id": process_instance_id})
        for task in self.tasks:
            if finished and task.end_time is None:
                continue
            if process_instance_id and task.process_instance_id != process_instance_id:
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
        "paymentStatus": "PENDING",
        "note": "phone order",
        "tags": "phone, wholesale",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def as_json(value: Any) -> str:
    """Compact JSON text."""
    return json.dumps(value, separators=(",", ":"))
