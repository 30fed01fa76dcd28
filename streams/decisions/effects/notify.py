"""Telling the customer: a clarification request recorded on the held order, and the notice.

``request_clarification`` keeps the order held (it releases nothing) and records
the request where staff and Shopify Flow see it: the policy's clarification
tag and a ``<namespace>.clarification_request`` JSON metafield (case, team,
question). ``notify_customer`` is one NOTIFY_CUSTOMER action: the writer sends
it through the policy's channel (e-mail) to the order's customer, with the
reviewer's words. What the reviewer writes:

==========================  ===============================================
outcome                     variable (first present)
==========================  ===============================================
reject                      ``customerMessage``, ``reason``
request_clarification       ``clarificationRequest``, ``question``, ``reason``
==========================  ===============================================

A decision without that text is a :class:`DecisionDataError`: the customer is
never sent an empty notice.
"""

from __future__ import annotations

from schemas.records import ActionKind
from streams.decisions.effects.base import ActionDraft, EffectContext, order_gid
from streams.decisions.errors import DecisionDataError
from streams.decisions.variables import compact_json

__all__ = ["MESSAGE_VARIABLES", "notify_customer", "request_clarification"]

#: The variables holding the customer's message, per canonical outcome.
MESSAGE_VARIABLES: dict[str, tuple[str, ...]] = {
    "reject": ("customerMessage", "reason"),
    "request_clarification": ("clarificationRequest", "question", "reason"),
}


def _canonical(ctx: EffectContext) -> str:
    return ctx.policy.all_aliases().get(ctx.outcome, ctx.outcome)


def _message(ctx: EffectContext, outcome: str) -> str:
    names = MESSAGE_VARIABLES.get(outcome, ("customerMessage", "reason"))
    text = ctx.variables.first_text(*names)
    if text is None:
        raise DecisionDataError(
            f"outcome {ctx.outcome!r} tells the customer why: set one of {', '.join(names)}",
            case_id=ctx.case_id,
        )
    return text


def request_clarification(ctx: EffectContext) -> list[ActionDraft]:
    """Tag the held order and record the question in a metafield; the hold stays."""
    order = order_gid(ctx, "to record a clarification request on the order")
    question = _message(ctx, "request_clarification")
    policy = ctx.policy
    record = {"caseId": ctx.case_id, "team": ctx.team, "question": question}
    return [
        ActionDraft(
            ActionKind.ADD_TAGS,
            order,
            {"tags": [policy.customer_notifications.clarification_tag]},
        ),
        ActionDraft(
            ActionKind.SET_METAFIELD,
            order,
            {
                "ownerId": order,
                "namespace": policy.metafield_namespace,
                "key": "clarification_request",
                "type": "json",
                "value": compact_json(record),
            },
        ),
    ]


def notify_customer(ctx: EffectContext) -> list[ActionDraft]:
    """One NOTIFY_CUSTOMER action with the subject and the reviewer's message."""
    notices = ctx.policy.customer_notifications
    if notices.channel == "none":
        return []
    outcome = _canonical(ctx)
    order = order_gid(ctx, "to find the customer to tell")
    subject = (
        notices.clarification_subject
        if outcome == "request_clarification"
        else notices.reject_subject
    )
    params = {
        "channel": notices.channel,
        "notice": outcome,
        "caseId": ctx.case_id,
        "subject": subject,
        "message": _message(ctx, outcome),
    }
    return [ActionDraft(ActionKind.NOTIFY_CUSTOMER, order, params)]
