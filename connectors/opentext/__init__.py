"""OpenText Workflow Service client: start cases, act on tasks, read decisions from history.

Typical use::

    config = OpenTextConfig(base_url="https://na-1-dev.api.opentext.com", tenant_id=...,
                            client_id=..., client_secret=...)
    async with OpenTextClient(config) as client:
        instance, created = await client.ensure_process_instance(
            "orderReview", business_key=case_id, variables={"orderId": order_id})
        async for done in client.historic_process_instances(finished_after=watermark):
            ...

Errors are documented in :mod:`connectors.opentext.errors`.
"""

from connectors.opentext.auth import TokenProvider
from connectors.opentext.client import OpenTextClient
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
    "OpenTextClient",
    "OpenTextConfig",
    "OpenTextError",
    "OpenTextNotFoundError",
    "OpenTextProtocolError",
    "OpenTextRequestError",
    "OpenTextUnavailableError",
    "ProcessInstance",
    "ResponseHook",
    "Task",
    "TokenProvider",
    "Variable",
    "VariableType",
    "VariablesInput",
    "WorkflowModel",
    "error_message",
    "is_retryable_status",
    "iter_hal_items",
]
