"""UC8 CHARGEBACK: ``disputes/create`` and ``disputes/update``.

Read from the dispute payload: ``id``, ``order_id`` (required once the dispute
would open a case: its outcome is recorded on the order), ``type`` (``chargeback``
or ``inquiry``), ``amount`` (decimal string), ``currency``, ``reason``,
``network_reason_code``, ``status``, ``evidence_due_by``, ``initiated_at``.

Only statuses in ``disputes.open_statuses`` (default ``needs_response``,
``under_review``) open a case; ``won``/``lost`` updates do not. One case per
dispute (trigger ``dispute``): the update of an open dispute maps to the case
already open. Teams come from ``disputes.reason_teams`` for the reason, else
``cases.CHARGEBACK.teams``. The SLA never ends later than ``evidence_due_by``
minus ``disputes.evidence_margin``, because a missed evidence deadline loses
the dispute.
"""

from __future__ import annotations

from schemas.records import CaseType, Reason, SubjectType
from streams.classify.rules.build import CaseDraft, Variables
from streams.classify.rules.errors import ClassificationError
from streams.classify.rules.payload import Fields
from streams.policy.model import Policy


def dispute_drafts(payload: Fields, policy: Policy) -> list[CaseDraft]:
    """The CHARGEBACK case (zero or one) for a dispute event."""
    rules = policy.disputes
    dispute_id = payload.require_ident("id", "admin_graphql_api_id")
    status = (payload.text("status") or "").strip().lower()
    if not status:
        raise ClassificationError("status: missing dispute status")
    if status not in rules.open_statuses:
        return []
    order_id = payload.ident("order_id") or payload.ident("admin_graphql_api_order_id")
    if order_id is None:
        # The outcome is recorded on the order (note, tags, metafield): without one the
        # case could never be applied.
        raise ClassificationError("order_id: missing id (a dispute is recorded on its order)")
    kind = (payload.text("type") or "chargeback").strip().lower()
    reason = (payload.text("reason") or "unknown").strip().lower()
    amount = payload.decimal("amount")
    currency = payload.text("currency")
    due = payload.timestamp("evidence_due_by")
    variables = (
        Variables()
        .string("disputeId", dispute_id)
        .string("disputeType", kind)
        .string("orderId", order_id)
        .decimal("disputeAmount", amount)
        .string("currency", currency)
        .string("disputeReason", reason)
        .string("networkReasonCode", payload.text("network_reason_code"))
        .string("disputeStatus", status)
        .date("evidenceDueBy", due)
        .date("initiatedAt", payload.timestamp("initiated_at"))
    )
    money = f"{amount} {currency or ''}".strip() if amount is not None else "an unknown amount"
    return [
        CaseDraft(
            case_type=CaseType.CHARGEBACK,
            subject_type=SubjectType.DISPUTE,
            subject_id=dispute_id,
            trigger="dispute",
            teams=list(rules.reason_teams.get(reason) or policy.cases.CHARGEBACK.teams),
            priority=rules.inquiry_priority if kind == "inquiry" else rules.chargeback_priority,
            reasons=[
                Reason(
                    code=f"{kind.upper()}_{reason.upper()}",
                    detail=f"{kind} over {money}, reason {reason}, status {status}",
                )
            ],
            variables=variables,
            order_id=order_id,
            sla_cap=due - rules.evidence_margin if due is not None else None,
        )
    ]
