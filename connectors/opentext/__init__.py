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

import importlib
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from connectors.opentext.auth import TokenProvider
    from connectors.opentext.client import OpenTextClient

#: The HTTP side, imported on first use: the models and errors are read by code
#: (the stages' pure rules) that must not load httpx.
_LAZY = {
    "TokenProvider": "connectors.opentext.auth",
    "OpenTextClient": "connectors.opentext.client",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        return getattr(importlib.import_module(module), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
