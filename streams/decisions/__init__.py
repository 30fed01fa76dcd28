"""The decision source: OpenText outcomes -> ``cases.decisions`` with concrete Shopify actions.

Two ways in, one builder:

* :class:`~streams.decisions.source.HistoryPoller` reads finished cases from
  OpenText history on a timer (watermark with overlap);
* :class:`~streams.decisions.callback.CallbackHandler` (mounted by
  :func:`~streams.decisions.web.install_callback_route`) accepts HttpTask-style
  pushes authenticated by HMAC signature or bearer token.

Both reduce what they saw to a :class:`CompletedTask` and build the
:class:`~schemas.records.CaseDecision` with the same :class:`DecisionBuilder`
and :class:`OutcomeMapper`, so both give the same decision id
(``<case id>:<task id>``), actions and idempotency keys. The outcome ->
effects table is the ``decisions`` policy section, :class:`OutcomeMappingPolicy`.
Errors are documented in :mod:`streams.decisions.errors`.

This package re-exports only the pure decision building (no HTTP, no Faust):
import the poller, the callback and the agent from their modules.
"""

from streams.decisions.build import BuiltDecision, CompletedTask, DecisionBuilder, DecisionFailure
from streams.decisions.errors import (
    DecisionDataError,
    DecisionError,
    OfflineIntakeError,
    UnmappedOutcomeError,
)
from streams.decisions.mapping import OutcomeMapper
from streams.decisions.offline import offline_order
from streams.policy.outcomes import Effect, OutcomeMappingPolicy

__all__ = [
    "BuiltDecision",
    "CompletedTask",
    "DecisionBuilder",
    "DecisionDataError",
    "DecisionError",
    "DecisionFailure",
    "Effect",
    "OfflineIntakeError",
    "OutcomeMapper",
    "OutcomeMappingPolicy",
    "UnmappedOutcomeError",
    "offline_order",
]
