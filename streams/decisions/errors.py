"""Errors of the decision source: turning OpenText outcomes into Shopify actions.

The hierarchy::

    CasebridgeError
    └── DecisionError                 a decision could not become a CaseDecision with actions
        ├── UnmappedOutcomeError      no mapping for this case type + outcome (fix the policy)
        ├── DecisionDataError         a variable the mapping needs is missing or malformed
        ├── OutcomeNotOfferedError    the case's ``allowedOutcomes`` does not list the outcome
        └── OfflineIntakeError        an approved offline-order intake has invalid variables

Every one of them is *permanent* for the record at hand: retrying the same
decision gives the same error. Callers (the history timer, the callback
route) therefore do not retry; they send the raw decision to the DLQ with
``str(error)`` as the reason, and mark the case FAILED with the reason in
``cases.state`` (when the case type is known). Transport failures while polling are
:class:`~connectors.opentext.errors.OpenTextError` and are retried by the
client instead.
"""

from __future__ import annotations

from connectors.errors import CasebridgeError

__all__ = [
    "DecisionDataError",
    "DecisionError",
    "OfflineIntakeError",
    "OutcomeNotOfferedError",
    "UnmappedOutcomeError",
]


class DecisionError(CasebridgeError):
    """Base of every decision-source error.

    Attributes:
        case_id: the case the decision belongs to, when known.
    """

    def __init__(self, message: str, *, case_id: str | None = None) -> None:
        super().__init__(message)
        self.case_id = case_id


class UnmappedOutcomeError(DecisionError):
    """The outcome has no mapping for the case type (neither default nor policy)."""

    def __init__(
        self, case_type: str, outcome: str, known: list[str], *, case_id: str | None = None
    ) -> None:
        shown = ", ".join(repr(k) for k in known) or "none"
        super().__init__(
            f"outcome {outcome!r} is not mapped for case type {case_type}"
            f" (mapped outcomes: {shown}); add it under decisions.outcomes.{case_type}"
            " in the policy file",
            case_id=case_id,
        )
        self.case_type = case_type
        self.outcome = outcome


class DecisionDataError(DecisionError):
    """A case or decision variable needed to build an action is missing or malformed."""


class OfflineIntakeError(DecisionError):
    """An approved OFFLINE_ORDER intake cannot become an :class:`~schemas.records.OfflineOrder`.

    Attributes:
        problems: every problem found, one line each (all are reported at once
            so the sales team fixes the intake in one go).
    """

    def __init__(self, problems: list[str], *, case_id: str | None = None) -> None:
        super().__init__("offline order intake is invalid: " + "; ".join(problems), case_id=case_id)
        self.problems = problems


class OutcomeNotOfferedError(DecisionError):
    """The case was opened without what the outcome needs, so it was not offered.

    The case's ``allowedOutcomes`` variable lists what it can support (e.g. no
    ``split`` for a fulfillment order with one unit left); a decision taken
    anyway must not be guessed into Shopify.
    """

    def __init__(
        self, case_type: str, outcome: str, allowed: list[str], *, case_id: str | None = None
    ) -> None:
        shown = ", ".join(repr(a) for a in allowed) or "none"
        super().__init__(
            f"outcome {outcome!r} was not offered for this {case_type} case"
            f" (allowedOutcomes: {shown})",
            case_id=case_id,
        )
        self.case_type = case_type
        self.outcome = outcome
