"""The decision source: OpenText outcomes -> ``cases.decisions`` with concrete Shopify actions.

Two ways in, one builder:

* :class:`HistoryPoller` reads finished cases from OpenText history on a
  timer (watermark with overlap);
* :class:`CallbackHandler` (mounted by :func:`install_callback_route`) accepts
  HttpTask-style pushes authenticated by HMAC signature or bearer token.

Both reduce what they saw to a :class:`CompletedTask` and build the
:class:`~schemas.records.CaseDecision` with the same :class:`DecisionBuilder`
and :class:`OutcomeMapper`, so both give the same decision id
(``<case id>:<task id>``), actions and idempotency keys. The outcome ->
effects table is the ``decisions`` policy section, :class:`OutcomeMappingPolicy`.
Errors are documented in :mod:`streams.decisions.errors`.
"""

from streams.decisions.build import BuiltDecision, CompletedTask, DecisionBuilder, DecisionFailure
from streams.decisions.callback import CallbackHandler, CallbackResult
from streams.decisions.errors import (
    DecisionDataError,
    DecisionError,
    OfflineIntakeError,
    UnmappedOutcomeError,
)
from streams.decisions.mapping import OutcomeMapper
from streams.decisions.offline import offline_order
from streams.decisions.source import HistoryClient, HistoryPoller, PollBatch
from streams.decisions.web import install_callback_route
from streams.policy.outcomes import Effect, OutcomeMappingPolicy

__all__ = [
    "BuiltDecision",
    "CallbackHandler",
    "CallbackResult",
    "CompletedTask",
    "DecisionBuilder",
    "DecisionDataError",
    "DecisionError",
    "DecisionFailure",
    "Effect",
    "HistoryClient",
    "HistoryPoller",
    "OfflineIntakeError",
    "OutcomeMapper",
    "OutcomeMappingPolicy",
    "PollBatch",
    "UnmappedOutcomeError",
    "install_callback_route",
    "offline_order",
]
