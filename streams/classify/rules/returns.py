"""UC2 RETURN_REVIEW: every ``returns/request`` opens a review.

Read from the return payload: ``id`` (or ``admin_graphql_api_id``), ``name``,
``order.id`` (required: a return without its order is dead-lettered), and per
``return_line_items[]`` entry ``quantity``, ``return_reason``,
``return_reason_note``, ``customer_note`` and
``fulfillment_line_item.line_item.id``. Photos and warranty details are not
in the webhook; enrichment adds order history and what else it can fetch.

Teams are the case type's teams plus ``returns.reason_teams`` for each reason
given; the priority is the highest ``returns.reason_priority`` of the reasons,
else the case type's default.
"""

from __future__ import annotations

from typing import Any

from schemas.records import CaseType, Priority, Reason, SubjectType
from streams.classify.rules.build import CaseDraft, Variables, merge_teams
from streams.classify.rules.errors import ClassificationError
from streams.classify.rules.payload import Fields
from streams.policy.model import Policy
from streams.policy.priority import highest


def return_drafts(payload: Fields, policy: Policy) -> list[CaseDraft]:
    """The RETURN_REVIEW case for a ``returns/request`` payload."""
    return_id = payload.require_ident("id", "admin_graphql_api_id")
    order = payload.obj("order")
    order_id = (order.ident("id") or order.ident("admin_graphql_api_id")) if order else None
    order_id = order_id or payload.ident("order_id")
    if order_id is None:
        # Approving refunds and declining tells the order's customer: no order, no case.
        raise ClassificationError("order.id: missing id (a return belongs to an order)")
    rules = policy.returns
    lines: list[dict[str, Any]] = []
    reasons: dict[str, list[str]] = {}
    notes: list[str] = []
    quantity = 0
    for line in payload.objects("return_line_items"):
        reason = (line.text("return_reason") or "unknown").strip().lower()
        reason_note = line.text("return_reason_note")
        customer_note = line.text("customer_note")
        fulfillment_line = line.obj("fulfillment_line_item")
        order_line = fulfillment_line.obj("line_item") if fulfillment_line else None
        count = line.integer("quantity") or 0
        quantity += count
        reasons.setdefault(reason, [])
        if reason_note:
            reasons[reason].append(reason_note)
        if customer_note:
            notes.append(customer_note)
        lines.append(
            {
                "id": line.ident("id"),
                "lineItemId": order_line.ident("id") if order_line else None,
                "quantity": count,
                "returnReason": reason,
                "returnReasonNote": reason_note,
                "customerNote": customer_note,
            }
        )
    case_policy = policy.cases.RETURN_REVIEW
    teams = merge_teams(case_policy.teams, *(rules.reason_teams.get(r, []) for r in reasons))
    priority: Priority = highest(
        (rules.reason_priority[r] for r in reasons if r in rules.reason_priority),
        case_policy.priority,
    )
    reason_list = [
        Reason(
            code=f"RETURN_{reason.upper()}",
            detail=f"return reason {reason}" + (f": {'; '.join(text)}" if text else ""),
        )
        for reason, text in reasons.items()
    ] or [Reason(code="RETURN_REQUESTED", detail="return requested without line items")]
    variables = (
        Variables()
        .string("returnId", return_id)
        .string("returnName", payload.text("name"))
        .string("orderId", order_id)
        .string("returnReasons", ", ".join(reasons) or None)
        .string("customerNote", "\n".join(notes) or None)
        .integer("returnQuantity", quantity)
        .json("returnLineItems", lines)
    )
    return [
        CaseDraft(
            case_type=CaseType.RETURN_REVIEW,
            subject_type=SubjectType.RETURN,
            subject_id=return_id,
            trigger="return",
            teams=teams,
            priority=priority,
            reasons=reason_list,
            variables=variables,
            order_id=order_id,
        )
    ]
