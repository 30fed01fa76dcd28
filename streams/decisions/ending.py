"""Decisions Shopify makes: a dispute's final status, recorded on its order.

A dispute ends outside any team's hands — the card network rules (``won``,
``lost``) or the merchant accepts it in the Shopify admin — and Shopify says so
on ``disputes/update``. The classify agent turns that into a
:class:`~schemas.records.CaseDecision` of the dispute's case with outcome
``final_<status>`` (see :data:`~streams.policy.outcomes.FINAL_PREFIX`), source
``SHOPIFY`` and team ``shopify``, mapped like any decision (default: note, tag
``chargeback:final_<status>``, metafield ``casebridge.dispute_<id>_final``),
and the writer applies it. Its id is ``<case id>:final_<status>``, so the same
ending delivered twice is the same decision with the same idempotency keys:
never applied twice.
"""

from __future__ import annotations

from datetime import UTC, datetime

from schemas.records import CaseDecision, CaseRequest, DecisionSource
from streams.decisions.errors import DecisionDataError, DecisionError
from streams.decisions.mapping import OutcomeMapper
from streams.policy.outcomes import FINAL_PREFIX, OutcomeMappingPolicy
from streams.runtime.endings import EndingUnrecordable

__all__ = ["SHOPIFY_TEAM", "FinalDecisionBuilder", "final_decision"]

#: The "team" of a decision Shopify made (audit tag ``casebridge:shopify:<case id>``).
SHOPIFY_TEAM = "shopify"


def final_decision(request: CaseRequest, case_id: str, mapper: OutcomeMapper) -> CaseDecision:
    """The decision recording how ``request``'s dispute ended, for the case ``case_id``.

    Raises:
        DecisionDataError: the request carries no ``disputeFinalStatus``, or a
            variable the mapped effects need is missing.
        UnmappedOutcomeError: the policy maps no ``final_<status>`` outcome.
    """
    values = {item.name: item.value for item in request.variables}
    status = values.get("disputeFinalStatus")
    if not status:
        raise DecisionDataError("variable 'disputeFinalStatus': missing", case_id=case_id)
    outcome = f"{FINAL_PREFIX}{status}"
    decision_id = f"{case_id}:{outcome}"
    variables = list(request.variables)
    actions = mapper.actions(
        decision_id=decision_id,
        case_id=case_id,
        case_type=request.case_type,
        outcome=outcome,
        team=SHOPIFY_TEAM,
        variables=variables,
    )
    return CaseDecision(
        decision_id=decision_id,
        case_id=case_id,
        case_type=request.case_type,
        shop=request.shop,
        process_instance_id="",
        outcome=outcome,
        decided_by=SHOPIFY_TEAM,
        team=SHOPIFY_TEAM,
        # When Shopify says the dispute ended (else when the event was classified).
        decided_at=_finalized(values.get("disputeFinalizedOn")) or request.requested_at,
        variables=variables,
        actions=actions,
        source=DecisionSource.SHOPIFY,
    )


def _finalized(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class FinalDecisionBuilder:
    """:class:`~streams.runtime.endings.FinalDecisions` for classify, by the decisions' mapping."""

    def final_decision(
        self, request: CaseRequest, case_id: str, policy: OutcomeMappingPolicy
    ) -> CaseDecision:
        """The ``final_<status>`` decision; a decision error becomes :class:`EndingUnrecordable`."""
        try:
            return final_decision(request, case_id, OutcomeMapper(policy))
        except DecisionError as exc:
            raise EndingUnrecordable(str(exc)) from exc
