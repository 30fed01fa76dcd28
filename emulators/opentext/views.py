"""JSON representations of engine objects, as the runtime and history APIs answer them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yarl import URL

from emulators.opentext.clock import format_time
from emulators.opentext.config import EmulatorConfig
from emulators.opentext.state import ModelDefinition, ProcessInstance, Task

RUNTIME_PREFIX = "/workflow/v1"
HISTORY_PREFIX = "/workflow-history/v1"


def _time(moment: datetime | None) -> str | None:
    return format_time(moment) if moment is not None else None


class Views:
    """Renders engine objects with the tenant's ids and absolute links."""

    def __init__(self, config: EmulatorConfig) -> None:
        self._config = config

    def _tenancy(self) -> dict[str, str]:
        return {"tenantId": self._config.tenant_id, "subscriptionId": self._config.subscription_id}

    def model(self, model: ModelDefinition, base: URL) -> dict[str, Any]:
        """A deployed model."""
        return {
            "id": model.id,
            "key": model.key,
            "name": model.name,
            "version": model.version,
            "category": model.config.case_type,
            "deploymentId": model.deployment_id,
            "startFormDefined": False,
            "suspended": False,
            **self._tenancy(),
            "url": str(base.with_path(f"{RUNTIME_PREFIX}/runtime/models/{model.id}")),
        }

    def instance(
        self, instance: ProcessInstance, base: URL, *, include_variables: bool
    ) -> dict[str, Any]:
        """A process instance as the runtime API answers it."""
        href = str(base.with_path(f"{RUNTIME_PREFIX}/process-instances/{instance.id}"))
        body: dict[str, Any] = {
            "id": instance.id,
            "url": href,
            "name": instance.name,
            "businessKey": instance.business_key,
            "processDefinitionId": instance.model.id,
            "processDefinitionKey": instance.model.key,
            "processDefinitionName": instance.model.name,
            "processDefinitionVersion": instance.model.version,
            "startTime": _time(instance.start_time),
            "startUserId": instance.start_user_id,
            "ended": instance.ended,
            "completed": instance.completed,
            "suspended": instance.suspended,
            "activityId": instance.activity_id,
            **self._tenancy(),
            "variables": (
                [v.to_json() for v in instance.variables.values()] if include_variables else []
            ),
            "links": [
                {"rel": "self", "href": href, "method": "GET"},
                {"rel": "variables", "href": f"{href}/variables", "method": "GET"},
                {
                    "rel": "tasks",
                    "href": str(
                        base.with_path(f"{RUNTIME_PREFIX}/tasks").with_query(
                            {"processInstanceId": instance.id}
                        )
                    ),
                    "method": "GET",
                },
            ],
        }
        return body

    def historic_instance(
        self, instance: ProcessInstance, base: URL, *, include_variables: bool
    ) -> dict[str, Any]:
        """A process instance as the history API answers it."""
        href = str(base.with_path(f"{HISTORY_PREFIX}/historic-process-instances/{instance.id}"))
        return {
            "id": instance.id,
            "url": href,
            "name": instance.name,
            "businessKey": instance.business_key,
            "processDefinitionId": instance.model.id,
            "processDefinitionKey": instance.model.key,
            "processDefinitionName": instance.model.name,
            "processDefinitionVersion": instance.model.version,
            "startTime": _time(instance.start_time),
            "endTime": _time(instance.end_time),
            "durationInMillis": instance.duration_ms(),
            "startUserId": instance.start_user_id,
            "startActivityId": "startEvent",
            "endActivityId": instance.end_activity_id,
            "deleteReason": instance.delete_reason,
            "superProcessInstanceId": (
                instance.super_instance.id if instance.super_instance is not None else None
            ),
            "ended": instance.ended,
            "completed": instance.completed,
            **self._tenancy(),
            "variables": (
                [v.to_json() for v in instance.variables.values()] if include_variables else []
            ),
        }

    def task(self, task: Task, base: URL, *, include_process_variables: bool) -> dict[str, Any]:
        """An open task as the runtime API answers it."""
        instance = task.instance
        home = task.home
        variables = [v.to_json() for v in task.local_variables.values()]
        if include_process_variables:
            variables += [v.to_json(scope="global") for v in instance.variables.values()]
        return {
            "id": task.id,
            "url": str(base.with_path(f"{RUNTIME_PREFIX}/tasks/{task.id}")),
            "name": task.step.name,
            "taskDefinitionKey": task.step.key,
            "assignee": task.assignee,
            "owner": None,
            "candidateGroups": list(task.step.candidate_groups),
            "createTime": _time(task.create_time),
            "claimTime": _time(task.claim_time),
            "dueDate": None,
            "priority": 50,
            "suspended": instance.suspended,
            "processInstanceId": home.id,
            "processInstanceBusinessKey": home.business_key,
            "processDefinitionId": home.model.id,
            "processDefinitionKey": home.model.key,
            "outcomes": list(instance.model.config.outcomes),
            "outcomeVariable": instance.model.config.outcome_variable,
            **self._tenancy(),
            "variables": variables,
        }

    def historic_task(
        self, task: Task, base: URL, *, include_local_variables: bool
    ) -> dict[str, Any]:
        """A task (open or finished) as the history API answers it."""
        home = task.home
        body: dict[str, Any] = {
            "id": task.id,
            "url": str(base.with_path(f"{HISTORY_PREFIX}/historic-task-instances/{task.id}")),
            "name": task.step.name,
            "taskDefinitionKey": task.step.key,
            "assignee": task.assignee,
            "candidateGroups": list(task.step.candidate_groups),
            "startTime": _time(task.create_time),
            "createTime": _time(task.create_time),
            "claimTime": _time(task.claim_time),
            "endTime": _time(task.end_time),
            "durationInMillis": task.duration_ms(),
            "deleteReason": task.delete_reason,
            "outcome": task.outcome,
            "processInstanceId": home.id,
            "processBusinessKey": home.business_key,
            "processDefinitionId": home.model.id,
            "processDefinitionKey": home.model.key,
            **self._tenancy(),
            "variables": (
                [v.to_json() for v in task.local_variables.values()]
                if include_local_variables
                else []
            ),
        }
        if self._config.strict.omit_task_outcome:
            # The engine's history has no outcome column: it is a process variable.
            del body["outcome"]
        return body
