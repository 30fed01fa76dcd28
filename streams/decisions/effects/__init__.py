"""The effect builders: one named effect of a decision -> concrete Shopify action drafts.

Each builder reads the case variables (set when the case was opened) and the
decision variables (set by the team completing the task) and returns
:class:`ActionDraft` s whose ``params`` use the GraphQL input names of the
mutation the writer will call. Missing or malformed input is a
:class:`~streams.decisions.errors.DecisionDataError` rather than a guess.

Variables read (case variables come from the classifier and the sink,
decision variables from the deciding team):

=========================  =========  ==============================================
variable                   set by     used for
=========================  =========  ==============================================
``orderId``                case       every order effect (numeric id or GID)
``holdsPlaced``            case       holds to release, with hold ids (enricher:
                                      ``[{"fulfillmentOrderId", "holdId"}]``); else
``fulfillmentOrderIds``    case       every fulfillment order (JSON list); else
                                      ``fulfillmentOrderId``; else the writer
                                      releases our handle on all of the order's
``riskLevel``, ``reasons`` case       reject -> ``FRAUD`` for the policy's risk
                                      levels or a ``RISK_*`` reason code
``returnId``               case       approve / decline a return
``returnLineItems``        case       the lines refunded for an approved return
``disputeId``              case       chargeback note, tag, metafield, evidence
``productId``              case       CONTENT_REVIEW product (tag, content
                                      effects: :mod:`.content`)
``contentHold``,           case       CONTENT_REVIEW: how the change was held
``proposedContent``,                  and what to apply or put back
``approvedContent``,
``restoreStatus``
``reviewNotes``            decision   CONTENT_REVIEW revision notes (metafield)
``reason``                 decision   staff note of a cancellation, notes
``cancelReason``           decision   overrides the derived cancel reason
``shippingAddress``        decision   correct: new address (JSON object)
``note``                   decision   correct: new order note (``orderUpdate``)
``addTags``                decision   correct: tags to add (list or comma text);
                                      not ``tags``, which holds the order's
                                      current tags as a case variable
``resolution``             decision   return: ``refund`` (default) or
                                      ``replacement``
``replacementLineItems``   both       replacement: ``[{"variantId", "quantity"}]``
                                      (enrichment: the returned variants)
``refundLineItems``        decision   return: overrides the refunded lines
``declineReason``          decision   ``FINAL_SALE`` / ``RETURN_PERIOD_ENDED`` /
                                      ``OTHER`` (default)
``declineNote``            decision   return decline note (else ``reason``)
``splitLineItems``         decision   split: ``[{"id", "quantity"}]``
``removeLineItemId``       decision   substitute: the line replaced
``substituteVariantId``    decision   substitute: the variant added
``substituteQuantity``     decision   substitute: quantity (absent: ``null``,
                                      the writer keeps the removed line's)
``cancelLineItemIds``      decision   cancel_lines: lines set to quantity 0
``fulfillAt``              decision   reschedule: new ISO-8601 date
``allowedOutcomes``        case       outcomes the case supports (JSON list); any
                                      other is refused (fulfillment exceptions:
                                      :mod:`streams.classify.enrich.fulfillment`, which
                                      also sets the defaults of the variables
                                      split, substitute, cancel_lines and
                                      reschedule read)
``notes``                  decision   chargeback notes (else ``reason``)
``disputeFinalStatus``     case       how the dispute ended (``final_*`` outcomes)
``disputeEvidence`` ...    decision   chargeback evidence (see ``EVIDENCE_TEXT``)
``customerMessage``        decision   reject: what the customer is told (else
                                      ``reason``; :mod:`.notify`)
``clarificationRequest``   decision   request_clarification: the question (else
                                      ``question``, ``reason``)
=========================  =========  ==============================================
"""

from __future__ import annotations

from collections.abc import Callable

from schemas.records import ActionKind
from streams.decisions.effects.base import ActionDraft, EffectContext, format_tag
from streams.decisions.effects.content import apply_content, note_revision, restore_content
from streams.decisions.effects.disputes import (
    EVIDENCE_TEXT,
    record_dispute_final,
    record_dispute_outcome,
    update_dispute_evidence,
)
from streams.decisions.effects.fulfillment import (
    cancel_lines,
    note_resolution,
    reschedule_fulfillment,
    split_fulfillment,
    substitute_line,
)
from streams.decisions.effects.notify import notify_customer, request_clarification
from streams.decisions.effects.orders import cancel_order, release_hold, update_order
from streams.decisions.effects.returns import approve_return, decline_return, refund
from streams.policy.outcomes import Effect
from streams.runtime.keys import gid

__all__ = ["EFFECTS", "EVIDENCE_TEXT", "ActionDraft", "EffectContext", "format_tag"]


def tag_product(ctx: EffectContext) -> list[ActionDraft]:
    """CONTENT_REVIEW: tag the product with the outcome, only if the policy says so."""
    if not ctx.policy.tag_content_products:
        return []
    product = ctx.variables.text("productId")
    if product is None:
        return []  # a theme review has no product: nothing to tag
    tag = format_tag(ctx.policy.content_tag_format, ctx)
    return [ActionDraft(ActionKind.ADD_TAGS, gid("Product", product), {"tags": [tag]})]


def create_order(ctx: EffectContext) -> list[ActionDraft]:
    """OFFLINE_ORDER: create the order from the ``orders.offline`` record of this case.

    The order itself is described by the :class:`~schemas.records.OfflineOrder`
    record the source publishes under the intake case id; this action records
    the effect in the decision (audit, case state) and points at that record.
    """
    params = {"intakeCaseId": ctx.case_id, "recordTopic": "orders.offline"}
    return [ActionDraft(ActionKind.CREATE_ORDER, ctx.case_id, params)]


EFFECTS: dict[Effect, Callable[[EffectContext], list[ActionDraft]]] = {
    "release_hold": release_hold,
    "cancel_order": cancel_order,
    "update_order": update_order,
    "approve_return": approve_return,
    "refund": refund,
    "decline_return": decline_return,
    "split_fulfillment": split_fulfillment,
    "substitute_line": substitute_line,
    "cancel_lines": cancel_lines,
    "reschedule_fulfillment": reschedule_fulfillment,
    "note_resolution": note_resolution,
    "record_dispute_outcome": record_dispute_outcome,
    "record_dispute_final": record_dispute_final,
    "update_dispute_evidence": update_dispute_evidence,
    "tag_product": tag_product,
    "apply_content": apply_content,
    "restore_content": restore_content,
    "note_revision": note_revision,
    "create_order": create_order,
    "request_clarification": request_clarification,
    "notify_customer": notify_customer,
}
"""Every :data:`~streams.policy.outcomes.Effect` and its builder."""
