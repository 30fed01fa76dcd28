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
``fulfillmentOrderIds``    case       holds to release (JSON list); else
                                      ``fulfillmentOrderId``; else the writer
                                      releases our handle on all of the order's
``riskLevel``              case       reject -> ``FRAUD`` for the policy's levels
``returnId``               case       approve / decline a return
``returnLineItems``        case       the lines refunded for an approved return
``disputeId``              case       chargeback note, tag, metafield, evidence
``productId``              case       CONTENT_REVIEW product tag
``reason``                 decision   staff note of a cancellation, notes
``cancelReason``           decision   overrides the derived cancel reason
``shippingAddress``        decision   correct: new address (JSON object)
``note``                   decision   correct: new order note (``orderUpdate``)
``addTags``                decision   correct: tags to add (list or comma text);
                                      not ``tags``, which holds the order's
                                      current tags as a case variable
``resolution``             decision   return: ``refund`` (default) or
                                      ``replacement``
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
``notes``                  decision   chargeback notes (else ``reason``)
``disputeEvidence`` ...    decision   chargeback evidence (see ``EVIDENCE_TEXT``)
=========================  =========  ==============================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from schemas.records import ActionKind, CaseType
from streams.decisions.errors import DecisionDataError
from streams.decisions.keys import gid, hold_handle
from streams.decisions.policy import Effect, OutcomeMappingPolicy
from streams.decisions.variables import DecisionVariables, compact_json

__all__ = ["EFFECTS", "EVIDENCE_TEXT", "ActionDraft", "EffectContext", "format_tag"]

CANCEL_REASONS = frozenset({"CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "OTHER", "STAFF"})
DECLINE_REASONS = frozenset({"FINAL_SALE", "RETURN_PERIOD_ENDED", "OTHER"})

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


@dataclass(frozen=True)
class EffectContext:
    """What an effect builder may read about the decision."""

    decision_id: str
    case_id: str
    case_type: CaseType
    outcome: str
    team: str
    variables: DecisionVariables
    policy: OutcomeMappingPolicy


@dataclass(frozen=True)
class ActionDraft:
    """An action before it gets its idempotency key (which depends on its position)."""

    kind: ActionKind
    target_id: str
    params: dict[str, Any] = field(default_factory=dict)

    def params_json(self) -> str:
        """``params`` as deterministic JSON text."""
        return compact_json(self.params)


def format_tag(template: str, ctx: EffectContext) -> str:
    """A tag from a policy template; commas are dropped because Shopify splits tags on them."""
    tag = template.format(
        team=ctx.team, case_id=ctx.case_id, case_type=ctx.case_type.value, outcome=ctx.outcome
    )
    return tag.replace(",", " ").strip()[:255]


# --------------------------------------------------------------------------- helpers


def _order(ctx: EffectContext, why: str) -> str:
    return gid("Order", ctx.variables.require("orderId", why))


def _staff_note(ctx: EffectContext, text: str | None) -> str:
    head = f"casebridge {ctx.case_type.value} case {ctx.case_id}: {ctx.outcome} by {ctx.team}"
    return f"{head}: {text}" if text else head


def _positive_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise DecisionDataError(f"{what}: expected a positive integer, got {value!r}")
    try:
        number = int(value)
    except ValueError:
        raise DecisionDataError(f"{what}: expected a positive integer, got {value!r}") from None
    if number < 1:
        raise DecisionDataError(f"{what}: expected a positive integer, got {value!r}")
    return number


def _objects(items: list[Any], name: str) -> list[dict[str, Any]]:
    if not all(isinstance(item, dict) for item in items):
        raise DecisionDataError(f"variable {name!r}: expected a list of JSON objects")
    return items


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.capitalize() for part in rest)


# --------------------------------------------------------------------------- order review


def release_hold(ctx: EffectContext) -> list[ActionDraft]:
    """Release our hold (handle from the case id) on each held fulfillment order."""
    order = _order(ctx, "to release the order's hold")
    handle = hold_handle(ctx.case_id)
    held = ctx.variables.text_list("fulfillmentOrderIds")
    if not held:
        single = ctx.variables.text("fulfillmentOrderId")
        held = [single] if single else []
    if not held:
        # The sink did not record where it placed holds: the writer releases the
        # hold with our handle on every fulfillment order of the order.
        return [
            ActionDraft(
                ActionKind.RELEASE_HOLD,
                order,
                {"orderId": order, "handle": handle, "allFulfillmentOrders": True},
            )
        ]
    return [
        ActionDraft(
            ActionKind.RELEASE_HOLD,
            gid("FulfillmentOrder", fo),
            {"orderId": order, "fulfillmentOrderId": gid("FulfillmentOrder", fo), "handle": handle},
        )
        for fo in held
    ]


def _cancel_reason(ctx: EffectContext) -> str:
    explicit = ctx.variables.text("cancelReason")
    if explicit is not None:
        reason = explicit.upper()
        if reason not in CANCEL_REASONS:
            raise DecisionDataError(
                f"variable 'cancelReason': expected one of {sorted(CANCEL_REASONS)}, got {explicit!r}"
            )
        return reason
    if ctx.case_type in (CaseType.ORDER_REVIEW, CaseType.HIGH_VALUE_REVIEW):
        risk = (ctx.variables.text("riskLevel") or "").upper()
        codes = ctx.variables.text_list("reasonCodes") or []
        risky = risk in ctx.policy.fraud_risk_levels or any(
            code.upper().startswith("RISK_") for code in codes
        )
        return "FRAUD" if risky else "DECLINED"
    if ctx.case_type is CaseType.FULFILLMENT_EXCEPTION and ctx.variables.has("variantId"):
        return "INVENTORY"  # an out-of-stock case
    return "OTHER"


def cancel_order(ctx: EffectContext) -> list[ActionDraft]:
    """Cancel the order: reason FRAUD/DECLINED/..., refund, restock, notify."""
    order = _order(ctx, "to cancel the order")
    policy = ctx.policy
    params = {
        "orderId": order,
        "reason": _cancel_reason(ctx),
        "refund": policy.refund_on_cancel,
        "restock": policy.restock_on_cancel,
        "notifyCustomer": policy.notify_customer,
        "staffNote": _staff_note(ctx, ctx.variables.text("reason")),
    }
    return [ActionDraft(ActionKind.CANCEL_ORDER, order, params)]


def update_order(ctx: EffectContext) -> list[ActionDraft]:
    """Correct the order: address and note by ``orderUpdate``, tags appended by ``tagsAdd``.

    Tags are not sent through ``orderUpdate`` because it replaces the whole
    tag list, which would drop tags others (and our audit tags) have set.
    """
    order = _order(ctx, "to correct the order")
    update: dict[str, Any] = {"id": order}
    address = ctx.variables.json_object("shippingAddress")
    if address:
        update["shippingAddress"] = {_camel(key): value for key, value in address.items()}
    note = ctx.variables.text("note")
    if note is not None:
        update["note"] = note
    tags = ctx.variables.text_list("addTags") or []
    if len(update) == 1 and not tags:
        raise DecisionDataError(
            f"outcome {ctx.outcome!r} corrects the order but the decision sets none of"
            " 'shippingAddress', 'note' or 'addTags'",
            case_id=ctx.case_id,
        )
    drafts = []
    if len(update) > 1:
        drafts.append(ActionDraft(ActionKind.UPDATE_ORDER, order, update))
    if tags:
        drafts.append(ActionDraft(ActionKind.ADD_TAGS, order, {"tags": tags}))
    return drafts


# --------------------------------------------------------------------------- returns


def _return(ctx: EffectContext, why: str) -> str:
    return gid("Return", ctx.variables.require("returnId", why))


def approve_return(ctx: EffectContext) -> list[ActionDraft]:
    """``returnApproveRequest``."""
    ret = _return(ctx, "to approve the return")
    params = {"id": ret, "notifyCustomer": ctx.policy.notify_customer}
    return [ActionDraft(ActionKind.APPROVE_RETURN, ret, params)]


def refund(ctx: EffectContext) -> list[ActionDraft]:
    """Refund the returned lines, or record that a replacement was chosen.

    Exchanges (a replacement) are out of casebridge's scope: the choice is
    recorded on the order as a note and a ``return-replacement`` tag for the
    team to fulfil by hand, and nothing is refunded.
    """
    order = _order(ctx, "to refund the return")
    ret = _return(ctx, "to refund the return")
    resolution = (ctx.variables.text("resolution") or "refund").lower()
    if resolution == "replacement":
        note = _staff_note(ctx, f"return {ret} approved for a replacement; create the exchange")
        return [
            ActionDraft(ActionKind.ADD_NOTE, order, {"note": note}),
            ActionDraft(ActionKind.ADD_TAGS, order, {"tags": ["return-replacement"]}),
        ]
    if resolution != "refund":
        raise DecisionDataError(
            f"variable 'resolution': expected 'refund' or 'replacement', got {resolution!r}",
            case_id=ctx.case_id,
        )
    name = "refundLineItems" if ctx.variables.has("refundLineItems") else "returnLineItems"
    lines = _objects(ctx.variables.json_list(name) or [], name)
    restock = (ctx.variables.text("refundRestockType") or "NO_RESTOCK").upper()
    refund_lines = []
    for position, line in enumerate(lines):
        line_id = line.get("lineItemId")
        if not line_id:
            raise DecisionDataError(f"variable {name!r}: line {position} has no 'lineItemId'")
        quantity = _positive_int(line.get("quantity"), f"{name}[{position}].quantity")
        refund_lines.append(
            {
                "lineItemId": gid("LineItem", str(line_id)),
                "quantity": quantity,
                "restockType": str(line.get("restockType") or restock).upper(),
            }
        )
    if not refund_lines:
        raise DecisionDataError(f"nothing to refund: {name!r} lists no lines", case_id=ctx.case_id)
    params = {
        "orderId": order,
        "returnId": ret,
        "notify": ctx.policy.notify_customer,
        "note": _staff_note(ctx, ctx.variables.text("reason")),
        "refundLineItems": refund_lines,
    }
    return [ActionDraft(ActionKind.REFUND, order, params)]


def decline_return(ctx: EffectContext) -> list[ActionDraft]:
    """``returnDeclineRequest`` with a reason and a note."""
    ret = _return(ctx, "to decline the return")
    raw = ctx.variables.text("declineReason") or "OTHER"
    reason = raw.upper()
    if reason not in DECLINE_REASONS:
        raise DecisionDataError(
            f"variable 'declineReason': expected one of {sorted(DECLINE_REASONS)}, got {raw!r}",
            case_id=ctx.case_id,
        )
    params: dict[str, Any] = {
        "id": ret,
        "declineReason": reason,
        "notifyCustomer": ctx.policy.notify_customer,
    }
    note = ctx.variables.first_text("declineNote", "reason")
    if note is not None:
        params["declineNote"] = note
    return [ActionDraft(ActionKind.DECLINE_RETURN, ret, params)]


# --------------------------------------------------------------------------- fulfillment


def split_fulfillment(ctx: EffectContext) -> list[ActionDraft]:
    """``fulfillmentOrderSplit`` of the listed fulfillment order lines."""
    fo_id = ctx.variables.require("fulfillmentOrderId", "to split a fulfillment order")
    fo = gid("FulfillmentOrder", fo_id)
    lines = _objects(ctx.variables.json_list("splitLineItems") or [], "splitLineItems")
    if not lines:
        raise DecisionDataError(
            "outcome 'split' needs 'splitLineItems': [{\"id\": ..., \"quantity\": ...}]",
            case_id=ctx.case_id,
        )
    split_lines = []
    for position, line in enumerate(lines):
        line_id = line.get("id") or line.get("fulfillmentOrderLineItemId")
        if not line_id:
            raise DecisionDataError(f"variable 'splitLineItems': line {position} has no 'id'")
        split_lines.append(
            {
                "id": gid("FulfillmentOrderLineItem", str(line_id)),
                "quantity": _positive_int(line.get("quantity"), f"splitLineItems[{position}]"),
            }
        )
    params = {"fulfillmentOrderId": fo, "fulfillmentOrderLineItems": split_lines}
    return [ActionDraft(ActionKind.SPLIT_FULFILLMENT, fo, params)]


def _edit(ctx: EffectContext, order: str, operations: list[dict[str, Any]]) -> ActionDraft:
    params = {
        "orderId": order,
        "operations": operations,
        "notifyCustomer": ctx.policy.notify_customer,
        "staffNote": _staff_note(ctx, ctx.variables.text("reason")),
    }
    return ActionDraft(ActionKind.EDIT_ORDER, order, params)


def substitute_line(ctx: EffectContext) -> list[ActionDraft]:
    """An order edit: the out-of-stock line to 0, the substitute variant added."""
    order = _order(ctx, "to substitute an item")
    removed = ctx.variables.require("removeLineItemId", "to substitute an item")
    variant = ctx.variables.require("substituteVariantId", "to substitute an item")
    quantity = ctx.variables.integer("substituteQuantity")
    if quantity is not None and quantity < 1:
        raise DecisionDataError("variable 'substituteQuantity': must be at least 1")
    operations = [
        {
            "op": "setQuantity",
            "lineItemId": gid("LineItem", removed),
            "quantity": 0,
            "restock": True,
        },
        {"op": "addVariant", "variantId": gid("ProductVariant", variant), "quantity": quantity},
    ]
    return [_edit(ctx, order, operations)]


def cancel_lines(ctx: EffectContext) -> list[ActionDraft]:
    """An order edit setting each listed line's quantity to 0."""
    order = _order(ctx, "to cancel order lines")
    lines = ctx.variables.text_list("cancelLineItemIds") or []
    if not lines:
        raise DecisionDataError(
            "outcome 'cancel_lines' needs 'cancelLineItemIds'", case_id=ctx.case_id
        )
    operations = [
        {"op": "setQuantity", "lineItemId": gid("LineItem", line), "quantity": 0, "restock": True}
        for line in lines
    ]
    return [_edit(ctx, order, operations)]


def reschedule_fulfillment(ctx: EffectContext) -> list[ActionDraft]:
    """``fulfillmentOrderReschedule`` to the decided date."""
    fo = gid(
        "FulfillmentOrder",
        ctx.variables.require("fulfillmentOrderId", "to reschedule a fulfillment order"),
    )
    when = ctx.variables.timestamp("fulfillAt")
    if when is None:
        raise DecisionDataError(
            "outcome 'reschedule' needs 'fulfillAt' (ISO-8601)", case_id=ctx.case_id
        )
    fulfill_at = when.isoformat().replace("+00:00", "Z")
    return [ActionDraft(ActionKind.RESCHEDULE_FULFILLMENT, fo, {"id": fo, "fulfillAt": fulfill_at})]


# --------------------------------------------------------------------------- chargebacks


def record_dispute_outcome(ctx: EffectContext) -> list[ActionDraft]:
    """Note, tag and ``casebridge.dispute_<id>`` metafield on the disputed order."""
    order = _order(ctx, "to record the chargeback outcome")
    dispute = ctx.variables.require("disputeId", "to record the chargeback outcome")
    notes = ctx.variables.first_text("notes", "reason")
    note = _staff_note(ctx, f"dispute {dispute}" + (f": {notes}" if notes else ""))
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


# --------------------------------------------------------------------------- one-way, offline


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
    "record_dispute_outcome": record_dispute_outcome,
    "update_dispute_evidence": update_dispute_evidence,
    "tag_product": tag_product,
    "create_order": create_order,
}
"""Every :data:`~streams.decisions.policy.Effect` and its builder."""
