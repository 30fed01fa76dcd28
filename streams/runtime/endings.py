"""The contract between classify and the decisions stage for disputes that ended.

A ``disputes/update`` with a final status is recorded on the order as a
decision Shopify made (``final_<status>``). Classify sees the event, but
turning an outcome into Shopify actions is the decisions stage's logic, and
stages do not import each other: classify depends on this
:class:`FinalDecisions` contract, which the decisions stage implements
(:class:`streams.decisions.ending.FinalDecisionBuilder`) and the worker's
composition (:mod:`streams.pipeline`) hands to classify.
"""

from __future__ import annotations

from typing import Protocol

from connectors.errors import CasebridgeError
from schemas.records import CaseDecision, CaseRequest
from streams.policy.outcomes import OutcomeMappingPolicy

__all__ = ["EndingUnrecordable", "FinalDecisions"]


class EndingUnrecordable(CasebridgeError):
    """A dispute's ending cannot become a decision (a variable missing, no mapping)."""


class FinalDecisions(Protocol):
    """Builds the decision that records how a dispute ended."""

    def final_decision(
        self, request: CaseRequest, case_id: str, policy: OutcomeMappingPolicy
    ) -> CaseDecision:
        """The ``final_<status>`` decision of ``request`` for the case ``case_id``.

        Raises:
            EndingUnrecordable: with the reason, for the dead letter.
        """
