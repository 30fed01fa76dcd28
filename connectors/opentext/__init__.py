"""OpenText Workflow Service client: start cases, act on tasks, read decisions from history.

Typical use::

    config = OpenTextConfig(base_url="https://na-1-dev.api.opentext.com", tenant_id=...,
                            client_id=..., client_secret=...)
    async with OpenTextClient(config) as client:
        instance, created = await client.ensure_process_instance(
            "orderReview", business_key=case_id, variables={"orderId": order_id})
        async for done in client.historic_process_instances(finished_after=watermark):
            ...

Errors are documented in :mod:`connectors.opentext.errors`. The models, config and
errors are re-exported here; the HTTP side is imported from its modules
(:mod:`connectors.opentext.client`, :mod:`connectors.opentext.auth`), so the
stages' pure rules can read the models without loading httpx.
"""

from connectors.opentext.config import OpenTextConfig, ResponseHook
from connectors.opentext.errors import (
    OpenTextAuthError,
    OpenTextError,
    OpenTextNotFoundError,
    OpenTextProtocolError,
    OpenTextRequestError,
    OpenTextUnavailableError,
    error_message,
    is_retryable_status,
)
from connectors.opentext.hal import iter_hal_items
from connectors.opentext.models import (
    HistoricProcessInstance,
    HistoricTask,
    ProcessInstance,
    Task,
    Variable,
    VariablesInput,
    VariableType,
    WorkflowModel,
)

__all__ = [
    "HistoricProcessInstance",
    "HistoricTask",
    "OpenTextAuthError",
    "OpenTextConfig",
    "OpenTextError",
    "OpenTextNotFoundError",
    "OpenTextProtocolError",
    "OpenTextRequestError",
    "OpenTextUnavailableError",
    "ProcessInstance",
    "ResponseHook",
    "Task",
    "Variable",
    "VariableType",
    "VariablesInput",
    "WorkflowModel",
    "error_message",
    "is_retryable_status",
    "iter_hal_items",
]
