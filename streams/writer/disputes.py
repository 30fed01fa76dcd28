"""UPDATE_DISPUTE_EVIDENCE: ``disputeEvidenceUpdate`` of a chargeback's evidence.

Optional (it needs a Shopify Payments scope). The dispute's current evidence
is read first; every given field already equal -> ``ALREADY_APPLIED``. Only
the fields that differ are sent. A dispute that already ended (won, lost,
accepted, ...: a team's decision can arrive after the card network ruled) takes
no evidence any more: nothing is sent, ``ALREADY_APPLIED`` with a note saying
so (how it ended is recorded on the order by the ending's own decision,
:mod:`streams.decisions.ending`), rather than a refusal for the DLQ that no one
could act on.

Shopify's mutation takes the *evidence* id (``ShopifyPaymentsDisputeEvidence``):
``disputeEvidenceId`` from the params, else the one read from the dispute.
"""

from __future__ import annotations

from connectors.shopify import operations as ops
from connectors.shopify.documents import writer as queries
from streams.writer.context import ActionContext, JsonObject, Outcome
from streams.writer.errors import ActionRejected

__all__ = ["ENDED_STATUSES", "EVIDENCE_FIELDS", "update_dispute_evidence"]

#: ``ShopifyPaymentsDisputeStatus`` values of a dispute that ended.
ENDED_STATUSES = frozenset({"WON", "LOST", "ACCEPTED", "CHARGE_REFUNDED", "PREVENTED"})

EVIDENCE_FIELDS = frozenset(
    {
        "accessActivityLog",
        "cancellationPolicyDisclosure",
        "cancellationRebuttal",
        "customerEmailAddress",
        "customerFirstName",
        "customerLastName",
        "refundPolicyDisclosure",
        "refundRefusalExplanation",
        "uncategorizedText",
    }
)
"""Text fields of ``ShopifyPaymentsDisputeEvidenceUpdateInput`` the writer sends."""


async def update_dispute_evidence(ctx: ActionContext) -> Outcome:
    """UPDATE_DISPUTE_EVIDENCE: send the evidence fields that differ from the dispute's."""
    dispute_id = ctx.text("disputeId", required=False) or ctx.action.target_id
    evidence = ctx.params.get("evidence")
    if not isinstance(evidence, dict) or not evidence:
        raise ActionRejected("INVALID_PARAMS", "UPDATE_DISPUTE_EVIDENCE needs an evidence object")
    unknown = sorted(set(evidence) - EVIDENCE_FIELDS - {"submitEvidence"})
    if unknown:
        raise ActionRejected("INVALID_PARAMS", f"unknown evidence fields: {', '.join(unknown)}")
    data = await ctx.client.execute(queries.DISPUTE_EVIDENCE, {"id": dispute_id})
    dispute = data.get("dispute")
    if not isinstance(dispute, dict):
        raise ActionRejected("NOT_FOUND", f"dispute {dispute_id} does not exist")
    status = str(dispute.get("status") or "").upper()
    if status in ENDED_STATUSES:
        note = f"the dispute already ended ({status.lower()}): it takes no evidence"
        return Outcome.already("disputeEvidenceUpdate", dispute_id, note=note)
    current: JsonObject = dispute.get("disputeEvidence") or {}
    changes: JsonObject = {
        name: value
        for name, value in evidence.items()
        if name in EVIDENCE_FIELDS and current.get(name) != value
    }
    submit = bool(evidence.get("submitEvidence"))
    if submit and not current.get("submitted"):
        changes["submitEvidence"] = True
    if not changes:
        return Outcome.already("disputeEvidenceUpdate", dispute_id)
    evidence_id = ctx.text("disputeEvidenceId", required=False) or current.get("id")
    if not evidence_id:
        raise ActionRejected("NOT_FOUND", f"dispute {dispute_id} has no evidence record")
    await ops.dispute_evidence_update(ctx.client, str(evidence_id), changes)
    return Outcome.applied("disputeEvidenceUpdate", str(evidence_id))
