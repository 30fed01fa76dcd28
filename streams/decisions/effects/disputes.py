"""CHARGEBACK effects: the outcome on the order (note, tag, metafield), evidence."""

from __future__ import annotations

from typing import Any

from schemas.records import ActionKind
from streams.decisions.effects.base import (
    ActionDraft,
    EffectContext,
    format_tag,
    order_gid,
    staff_note,
)
from streams.decisions.variables import compact_json
from streams.runtime.keys import gid

__all__ = ["EVIDENCE_TEXT", "record_dispute_outcome", "update_dispute_evidence"]

EVIDENCE_TEXT: dict[str, str] = {
    "evidenceText": "uncategorizedText",
    "cancellationRebuttal": "cancellationRebuttal",
    "refundRefusalExplanation": "refundRefusalExplanation",
    "accessActivityLog": "accessActivityLog",
    "cancellationPolicyDisclosure": "cancellationPolicyDisclosure",
    "refundPolicyDisclosure": "refundPolicyDisclosure",
}
"""Decision variables copied into ``disputeEvidenceUpdate`` input fields (plus the
``disputeEvidence`` JSON object, passed through as written)."""


def record_dispute_outcome(ctx: EffectContext) -> list[ActionDraft]:
    """Note, tag and ``casebridge.dispute_<id>`` metafield on the disputed order."""
    order = order_gid(ctx, "to record the chargeback outcome")
    dispute = ctx.variables.require("disputeId", "to record the chargeback outcome")
    notes = ctx.variables.first_text("notes", "reason")
    note = staff_note(ctx, f"dispute {dispute}" + (f": {notes}" if notes else ""))
    value = {
        "caseId": ctx.case_id,
        "decisionId": ctx.decision_id,
        "disputeId": dispute,
        "notes": notes,
        "outcome": ctx.outcome,
        "team": ctx.team,
    }
    key = "dispute_" + dispute.rsplit("/", 1)[-1]
    return [
        ActionDraft(ActionKind.ADD_NOTE, order, {"note": note}),
        ActionDraft(
            ActionKind.ADD_TAGS,
            order,
            {"tags": [format_tag(ctx.policy.chargeback_tag_format, ctx)]},
        ),
        ActionDraft(
            ActionKind.SET_METAFIELD,
            order,
            {
                "ownerId": order,
                "namespace": ctx.policy.metafield_namespace,
                "key": key,
                "type": "json",
                "value": compact_json(value),
            },
        ),
    ]


def update_dispute_evidence(ctx: EffectContext) -> list[ActionDraft]:
    """``disputeEvidenceUpdate`` when the decision carries evidence (and the policy allows)."""
    if not ctx.policy.update_dispute_evidence:
        return []
    evidence: dict[str, Any] = dict(ctx.variables.json_object("disputeEvidence") or {})
    for variable, field_name in EVIDENCE_TEXT.items():
        text = ctx.variables.text(variable)
        if text is not None:
            evidence[field_name] = text
    if not evidence:
        return []
    dispute = gid(
        "ShopifyPaymentsDispute",
        ctx.variables.require("disputeId", "to update dispute evidence"),
    )
    params: dict[str, Any] = {"disputeId": dispute, "evidence": evidence}
    evidence_id = ctx.variables.text("disputeEvidenceId")
    if evidence_id is not None:
        # Otherwise the writer looks the evidence id up from the dispute.
        params["disputeEvidenceId"] = gid("ShopifyPaymentsDisputeEvidence", evidence_id)
    return [ActionDraft(ActionKind.UPDATE_DISPUTE_EVIDENCE, dispute, params)]
