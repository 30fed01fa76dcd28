"""Errors of the Shopify writer, and what the writer agent does with each.

The hierarchy::

    CasebridgeError
    └── WriterError                   anything the writer raises on purpose
        ├── WriterUnavailableError    Shopify stayed unreachable (5xx, timeouts, THROTTLED
        │                             beyond the client's budget) or an async job did not
        │                             finish in time. Transient: the agent waits and
        │                             applies the same action again; never DLQ, because
        │                             Shopify being down must not lose decisions.
        ├── WriterAuthError           the token was refused or a scope is missing.
        │                             Permanent for every action alike: stop and alert
        │                             rather than DLQ the whole stream.
        └── OfflineOrderInvalid       an ``orders.offline`` record cannot become an order
                                      (unknown variant, negative price, no customer
                                      contact...). Permanent: DLQ the record; ``problems``
                                      lists every reason.

A permanent refusal of one action (non-empty ``userErrors`` that are not
transient, a GraphQL error, a target in a conflicting state, malformed
params) is not raised: :meth:`~streams.writer.executor.ActionExecutor.apply`
returns a ``FAILED`` :class:`~schemas.records.WritebackResult` instead, so the
audit trail records it and the agent DLQs the decision.

:class:`ActionRejected` is internal: a handler raises it to end an action as
``FAILED``; the executor turns it into the result. Its subclass
:class:`ActionSuperseded` says the decision no longer applies because its target
changed meanwhile (the order was cancelled by another case): the agent then
closes the case saying so instead of failing it (codes in :data:`SUPERSEDED`).
"""

from __future__ import annotations

from collections.abc import Sequence

from connectors.errors import CasebridgeError

__all__ = [
    "SUPERSEDED",
    "ActionRejected",
    "ActionSuperseded",
    "OfflineOrderInvalid",
    "WriterAuthError",
    "WriterError",
    "WriterUnavailableError",
]


class WriterError(CasebridgeError):
    """Base class of every error the writer raises deliberately."""

    transient: bool = False
    """Whether applying the same action later may succeed without a human."""


class WriterUnavailableError(WriterError):
    """Shopify could not be reached in time; retry the same action later.

    Attributes:
        attempts: HTTP attempts made by the client before it gave up (if known).
    """

    transient = True

    def __init__(self, message: str, *, attempts: int | None = None) -> None:
        super().__init__(message)
        self.attempts = attempts


class WriterAuthError(WriterError):
    """Shopify refused the access token or a scope is missing: fix the configuration."""


class OfflineOrderInvalid(WriterError):
    """An offline order record cannot be created as it is.

    Attributes:
        intake_case_id: the record's intake case.
        problems: one readable sentence per problem found (all of them, not the first).
    """

    def __init__(self, intake_case_id: str, problems: Sequence[str]) -> None:
        if not problems:
            raise ValueError("OfflineOrderInvalid needs at least one problem")
        self.intake_case_id = intake_case_id
        self.problems = tuple(problems)
        listed = "; ".join(self.problems)
        super().__init__(f"offline order {intake_case_id} is invalid: {listed}")


class ActionRejected(WriterError):
    """A handler's permanent refusal of one action; becomes a ``FAILED`` result.

    Attributes:
        code: a short machine code for the DLQ header (``NOT_FOUND``, ``INVALID_PARAMS``...).
        mutation: the mutation that was refused, or ``"none"`` if none was sent.
    """

    def __init__(self, code: str, message: str, *, mutation: str = "none") -> None:
        super().__init__(message)
        self.code = code
        self.mutation = mutation


#: Error codes of :class:`ActionSuperseded` results: the agent closes such a case.
SUPERSEDED = frozenset({"ORDER_CANCELLED", "FULFILLMENT_ORDER_DONE"})


class ActionSuperseded(ActionRejected):
    """The decision no longer applies: its order was cancelled or its fulfillment order
    is done since the case opened (often by another case's decision on the same order).

    Nothing was written and no replay could write it, so this is not a failure for
    an operator: the case closes with the reason (``CLOSED``), nothing is dead-lettered.
    """

    def __init__(self, code: str, message: str) -> None:
        if code not in SUPERSEDED:
            raise ValueError(f"{code!r} is not a superseded code ({sorted(SUPERSEDED)})")
        super().__init__(code, message)
