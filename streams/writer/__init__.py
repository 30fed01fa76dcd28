"""The Shopify writer: decided actions and offline orders applied to Shopify exactly once.

Two entry points, one per input topic:

* :class:`ActionExecutor` (``cases.decisions``): ``apply(decision, index, action)``
  reads the current state, skips what is already there (``ALREADY_APPLIED``),
  otherwise runs the mutation (``APPLIED``); refunds are exactly-once through
  Shopify's ``@idempotent`` key. Permanent refusals come back as ``FAILED``
  results; an unreachable Shopify raises :class:`WriterUnavailableError`.
* :class:`OfflineOrderCreator` (``orders.offline``): ``create(order)`` validates,
  finds an earlier order by its ``casebridge-intake:<case id>`` tag, or creates it.

Modules, one concern each: ``executor`` (dispatch, retries, classification),
``orders`` / ``edits`` / ``fulfillment`` / ``returns`` / ``replacements`` / ``disputes`` (the
handlers per resource), ``offline``, ``results`` (audit records), ``context``
(config and handler toolkit), ``queries`` (read documents), ``errors``.
"""

from streams.writer.context import ActionContext, Outcome
from streams.writer.errors import (
    SUPERSEDED,
    OfflineOrderInvalid,
    WriterAuthError,
    WriterError,
    WriterUnavailableError,
)
from streams.writer.executor import HANDLERS, ActionExecutor
from streams.writer.offline import INTAKE_TAG_PREFIX, OfflineOrderCreator, intake_tag
from streams.writer.results import writeback_id
from streams.writer.returns import refund_marker

__all__ = [
    "HANDLERS",
    "INTAKE_TAG_PREFIX",
    "SUPERSEDED",
    "ActionContext",
    "ActionExecutor",
    "OfflineOrderCreator",
    "OfflineOrderInvalid",
    "Outcome",
    "WriterAuthError",
    "WriterError",
    "WriterUnavailableError",
    "intake_tag",
    "refund_marker",
    "writeback_id",
]
