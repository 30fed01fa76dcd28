"""What a reviewer's form supplies with each outcome, for the sandbox's automatic decider.

A real reviewer picking "correct" in OpenText types the corrected address, one
picking "decline" chooses a reason, one splitting a fulfillment order picks the
lines to split off. The automatic decider does the same from what the case
offers (its process variables), so every outcome's write-back path runs in the
sandbox. An outcome the case cannot support (no fulfillment order to split, no
substitute variant offered, a fulfillment order that is not scheduled) is not
offered: :func:`fill_form` answers None and the decider does not draw it.

What each form reads from the case, and what it supplies (the variable names
are those ``streams/decisions`` reads when it maps the outcome to actions):

=====================  ====================  ==========================================
case type              outcome               needs from the case -> supplies
=====================  ====================  ==========================================
ORDER_REVIEW           approved              nothing
                       rejected              nothing -> ``reason``
                       corrected             ``orderId`` -> ``note``, ``addTags``, and
                                             ``shippingAddress`` (the case's address
                                             with the reviewer's correction) if the
                                             case carries one
HIGH_VALUE_REVIEW      approved              nothing
                       rejected              nothing -> ``reason`` (what the
                                             customer is told)
                       clarification_        ``orderId`` -> ``clarificationRequest``
                       requested             (the question for the customer)
RETURN_REVIEW          approved              ``returnId`` and ``replacementLineItems``
                                             (the returned variants) for a wrong item,
                                             size or defect: half the time
                                             ``resolution`` replacement; else returned
                                             lines with ``lineItemId`` (refund)
                       declined              ``returnId`` -> ``declineReason``
                                             (RETURN_PERIOD_ENDED when the case says it
                                             came outside the window), ``declineNote``
FULFILLMENT_EXCEPTION  split                 a fulfillment order and its lines ->
                                             ``fulfillmentOrderId``, ``splitLineItems``
                                             (the case's, else one unit of its first
                                             line with more than one, else its first
                                             line whole when it has several)
                       substitute            ``orderId``, an order line and an
                                             offered ``substituteVariantId(s)``
                       cancel_lines          ``orderId`` and order lines ->
                                             ``cancelLineItemIds`` (the case's, else
                                             its ``unavailableLineItems``, else its
                                             first line)
                       reschedule            a *scheduled* fulfillment order ->
                                             ``fulfillAt`` 1-14 days ahead
                       cancel                ``orderId``
                       resolved              nothing -> ``notes``
CHARGEBACK             accepted              ``disputeId`` -> ``notes``
                       contested             ``disputeId`` -> ``notes``, ``evidenceText``
CONTENT_REVIEW         revision_requested    nothing -> ``reviewNotes``
                       rejected              nothing -> ``reason``
COMPLAINT              any                   nothing -> ``resolutionNote``
OFFLINE_ORDER          approved              the intake (customer, lines) ->
                                             ``taxLines`` (8 % sales tax) or, for a
                                             customer with ``taxExemptNote``,
                                             ``taxExempt`` + ``taxNote``;
                                             ``shippingLines`` when it ships;
                                             ``paymentStatus`` (PAID, PENDING or
                                             PAYMENT_TERMS with ``paymentTerms``
                                             Net 30); not offered for an intake
                                             casebridge returned (``returnReason``):
                                             its reviewer rejects it
                       rejected              nothing -> ``reason``
=====================  ====================  ==========================================

A case may carry ``allowedOutcomes`` (a JSON list, as fulfillment exceptions do):
then only those are offered, each with the defaults the case carries, and the
form adds only what the case lacks. A listed outcome that needs a value only
a person can choose (:data:`CHOSEN`: the substitute variant of a case that
offers none) is not drawn when neither the case nor the form supplies it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from emulators.opentext.variables import Variable, VariableType

ALLOWED_OUTCOMES = "allowedOutcomes"
"""Case variable listing the outcomes the case supports (optional; a JSON list)."""
CORRECTIONS = frozenset({"shippingAddress"})
#: Per (case type, outcome), a variable a reviewer chooses that the decider cannot make up.
CHOSEN = {
    ("FULFILLMENT_EXCEPTION", "substitute"): "substituteVariantId",
    ("FULFILLMENT_EXCEPTION", "split"): "splitLineItems",
    # Offered without defaults (the case does not know the lines): a reviewer who cannot
    # pick lines cannot choose it either.
    ("FULFILLMENT_EXCEPTION", "cancel_lines"): "cancelLineItemIds",
    ("FULFILLMENT_EXCEPTION", "reschedule"): "fulfillAt",
}
"""Variables a form replaces although the case carries them: the reviewer corrected them."""

#: Shopify's ReturnDeclineReason values a reviewer can choose from.
DECLINE_REASONS = ("FINAL_SALE", "RETURN_PERIOD_ENDED", "OTHER")
#: Corrections a reviewer makes to an address (what "correct" looks like in the sandbox).
ADDRESS_CORRECTIONS = ("Entrance B", "Apt 4", "c/o reception", "Unit 12")

Variables = Mapping[str, Variable]
Form = list[Variable]
#: Fills one outcome's form from the case; None when the case cannot support the outcome.
Filler = Callable[[Variables, random.Random, datetime], Form | None]


def fill_form(
    case_type: str, outcome: str, variables: Variables, rng: random.Random, now: datetime
) -> Form | None:
    """The variables a reviewer's form supplies with ``outcome``, or None if it is not offered.

    A case that lists ``allowedOutcomes`` decides what is offered, and carries
    the defaults of those outcomes itself (``streams/classify/enrich/fulfillment.py``):
    the reviewer keeps what the case proposes and the form adds only what is
    missing. Only a correction (:data:`CORRECTIONS`) replaces a case's value.
    """
    allowed = _value(variables, ALLOWED_OUTCOMES)
    listed = isinstance(allowed, list)
    if listed and outcome not in {str(item) for item in allowed}:
        return None
    filler = _FORMS.get((case_type, outcome)) or _FORMS.get((case_type, "*"))
    form = [] if filler is None else filler(variables, rng, now)
    if form is None:
        chosen = CHOSEN.get((case_type, outcome))
        if not listed or (chosen is not None and _text(variables, chosen) is None):
            return None
        # Listed by the case, which carries the outcome's variables itself.
        return []
    return [v for v in form if v.name in CORRECTIONS or v.name not in variables]


# --- reading the case ----------------------------------------------------------------------


def _value(variables: Variables, name: str) -> Any:
    """A variable's value; JSON sent as text is parsed (the sink types most as json)."""
    variable = variables.get(name)
    if variable is None or variable.value is None:
        return None
    value = variable.value
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _text(variables: Variables, name: str) -> str | None:
    value = _value(variables, name)
    if value is None or isinstance(value, dict | list) or str(value).strip() == "":
        return None
    return str(value).strip()


def _objects(variables: Variables, *names: str) -> list[dict[str, Any]]:
    """The first of ``names`` that holds a list of objects (empty when none does)."""
    for name in names:
        value = _value(variables, name)
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            return value
    return []


def _texts(variables: Variables, *names: str) -> list[str]:
    """The first of ``names`` that holds ids: a JSON list, or comma-separated text."""
    for name in names:
        value = _value(variables, name)
        if isinstance(value, list):
            items = [str(item).strip() for item in value if isinstance(item, str | int)]
        elif isinstance(value, str | int):
            items = [part.strip() for part in str(value).split(",")]
        else:
            continue
        if found := [item for item in items if item]:
            return found
    return []


def _tail(ident: str) -> str:
    """``gid://shopify/X/123`` -> ``123``; the form supplies the ids Shopify's REST uses."""
    return ident.rsplit("/", 1)[-1] if ident.startswith("gid://") else ident


def _var(name: str, value: Any) -> Variable:
    kind: VariableType = "json" if isinstance(value, dict | list) else "string"
    return Variable(name, kind, value)


# --- the forms -----------------------------------------------------------------------------


def _nothing(variables: Variables, rng: random.Random, now: datetime) -> Form | None:
    return []


def _reason(text: str) -> Filler:
    def fill(variables: Variables, rng: random.Random, now: datetime) -> Form | None:
        return [_var("reason", text)]

    return fill


def _correct_order(variables: Variables, rng: random.Random, now: datetime) -> Form | None:
    if _text(variables, "orderId") is None:
        return None
    form = [
        _var("note", "Address confirmed with the customer by the reviewer"),
        _var("addTags", "address-checked"),
    ]
    address = _value(variables, "shippingAddress")
    if isinstance(address, dict) and address:
        corrected = {k: v.strip() if isinstance(v, str) else v for k, v in address.items()}
        corrected["address2"] = rng.choice(ADDRESS_CORRECTIONS)
        form.append(_var("shippingAddress", corrected))
    return form


#: Return reasons a customer is usually sent the item again for (an exchange).
REPLACEABLE_REASONS = frozenset({"wrong_item", "size_too_small", "size_too_large", "defective"})


def _approve_return(variables: Variables, rng: random.Random, now: datetime) -> Form | None:
    if _text(variables, "returnId") is None:
        return None
    lines = _objects(variables, "refundLineItems", "returnLineItems")
    refundable = bool(lines) and all(line.get("lineItemId") for line in lines)
    replaceable = bool(_objects(variables, "replacementLineItems"))
    reasons = {r.strip() for r in (_text(variables, "returnReasons") or "").split(",")}
    # The wrong item, size or a defect: the customer often wants the item again.
    wanted = bool(reasons & REPLACEABLE_REASONS) and rng.random() < 0.5
    if replaceable and (wanted or not refundable):
        note = "customer asked for the item again"
        return [_var("resolution", "replacement"), _var("reason", note)]
    if refundable:
        return [_var("resolution", "refund")]
    return None


def _decline_return(variables: Variables, rng: random.Random, now: datetime) -> Form | None:
    if _text(variables, "returnId") is None:
        return None
    late = _text(variables, "withinReturnWindow") == "false" or (
        _value(variables, "withinReturnWindow") is False
    )
    reason = "RETURN_PERIOD_ENDED" if late else rng.choice(DECLINE_REASONS)
    note = {
        "FINAL_SALE": "The item was sold as final sale.",
        "RETURN_PERIOD_ENDED": "The return window for this order has closed.",
        "OTHER": "The returned item does not match the order.",
    }[reason]
    return [_var("declineReason", reason), _var("declineNote", note)]


def _fulfillment_order(variables: Variables) -> str | None:
    single = _text(variables, "fulfillmentOrderId")
    if single is not None:
        return _tail(single)
    ids = _texts(variables, "fulfillmentOrderIds")
    return _tail(ids[0]) if len(ids) == 1 else None


def _split(variables: Variables, rng: random.Random, now: datetime) -> Form | None:
    fo = _fulfillment_order(variables)
    if fo is None:
        return None
    given = _objects(variables, "splitLineItems")
    if given:
        return [_var("fulfillmentOrderId", fo), _var("splitLineItems", given)]
    lines = []
    for line in _objects(variables, "fulfillmentOrderLineItems", "fulfillmentOrderLines"):
        line_id = line.get("id") or line.get("fulfillmentOrderLineItemId")
        quantity = line.get("remainingQuantity") or line.get("quantity")
        if line_id and isinstance(quantity, int) and quantity > 0:
            lines.append((_tail(str(line_id)), quantity))
    # Keep one unit of the first line that has more than one: both parts stay non-empty.
    for line_id, quantity in lines:
        if quantity > 1:
            return [
                _var("fulfillmentOrderId", fo),
                _var("splitLineItems", [{"id": line_id, "quantity": 1}]),
            ]
    if len(lines) > 1:
        # Single units only: the first line stays, the others move to a new fulfillment order.
        keep = [{"id": lines[0][0], "quantity": lines[0][1]}]
        return [_var("fulfillmentOrderId", fo), _var("splitLineItems", keep)]
    return None


def _order_lines(variables: Variables) -> list[str]:
    return [
        _tail(str(line["id"]))
        for line in _objects(variables, "lineItems", "orderLineItems")
        if line.get("id")
    ]


def _substitute(variables: Variables, rng: random.Random, now: datetime) -> Form | None:
    substitutes = _texts(variables, "substituteVariantId", "substituteVariantIds")
    removed = (
        _texts(variables, "removeLineItemId")
        or _unavailable_lines(variables)
        or _order_lines(variables)
    )
    if _text(variables, "orderId") is None or not substitutes or not removed:
        return None
    return [
        _var("removeLineItemId", removed[0]),
        _var("substituteVariantId", _tail(rng.choice(substitutes))),
        _var("reason", "substituted an available variant"),
    ]


def _unavailable_lines(variables: Variables) -> list[str]:
    """The order lines the case names as unavailable (``unavailableLineItems``), or as
    still to ship on a partly shipped order (``unshippedLineItems``)."""
    return [
        _tail(str(line["lineItemId"]))
        for line in _objects(variables, "unavailableLineItems", "unshippedLineItems")
        if line.get("lineItemId")
    ]


def _cancel_lines(variables: Variables, rng: random.Random, now: datetime) -> Form | None:
    lines = (
        _texts(variables, "cancelLineItemIds")
        or _unavailable_lines(variables)
        or _order_lines(variables)[:1]
    )
    if _text(variables, "orderId") is None or not lines:
        return None
    return [
        _var("cancelLineItemIds", json.dumps(lines)),
        _var("reason", "lines cannot be fulfilled"),
    ]


def _reschedule(variables: Variables, rng: random.Random, now: datetime) -> Form | None:
    fo = _fulfillment_order(variables)
    # Shopify reschedules only a scheduled fulfillment order.
    status = (_text(variables, "fulfillmentOrderStatus") or "").lower()
    statuses = _value(variables, "fulfillmentOrderStatuses")
    if isinstance(statuses, dict):
        status = status or str(next(iter(statuses.values()), "")).lower()
    elif isinstance(statuses, list) and len(statuses) == 1:
        status = status or str(statuses[0]).lower()
    if fo is None or status != "scheduled":
        return None
    when = (now + timedelta(days=rng.randint(1, 14))).replace(microsecond=0)
    return [_var("fulfillmentOrderId", fo), _var("fulfillAt", when.isoformat())]


#: What the sandbox's sales desk charges: one state sales tax, flat-rate shipping.
SALES_TAX = {"title": "Sales tax", "rate": "0.08"}
SHIPPING = {"title": "Standard shipping", "price": "7.50", "code": "STANDARD"}
PAYMENT_STATUSES = ("PAID", "PENDING", "PAYMENT_TERMS")


def _approve_intake(variables: Variables, rng: random.Random, now: datetime) -> Form | None:
    if _text(variables, "returnReason") is not None:
        # casebridge sent it back: the reviewer reads the reason and cancels the intake
        # (a correction would be a new intake), so the sandbox never loops on it.
        return None
    form: Form = []
    exempt = _text(variables, "taxExemptNote")
    if exempt is not None:
        form += [_var("taxExempt", "true"), _var("taxNote", exempt)]
    else:
        form.append(_var("taxLines", [SALES_TAX]))
    customer = _value(variables, "customer")
    if isinstance(customer, dict) and customer.get("shippingAddress"):
        form.append(_var("shippingLines", [SHIPPING]))
    if _text(variables, "paymentStatus") is None:
        # The reviewer settles the payment only when the intake did not: the form adds
        # only what is missing, and terms without their status would be refused.
        status = rng.choice(PAYMENT_STATUSES)
        form.append(_var("paymentStatus", status))
        if status == "PAYMENT_TERMS":
            form.append(_var("paymentTerms", "Net 30"))
    return form


def _clarification(variables: Variables, rng: random.Random, now: datetime) -> Form | None:
    if _text(variables, "orderId") is None:
        return None
    question = rng.choice(CLARIFICATION_QUESTIONS)
    return [_var("clarificationRequest", question)]


#: What a sales or finance reviewer asks a customer before approving a large order.
CLARIFICATION_QUESTIONS = (
    "Please confirm the billing address of the card used for this order.",
    "Please confirm the delivery address and a phone number we can reach you on.",
    "Please tell us the company name and VAT number for this wholesale order.",
)


def _needs_order(text: str) -> Filler:
    def fill(variables: Variables, rng: random.Random, now: datetime) -> Form | None:
        return None if _text(variables, "orderId") is None else [_var("reason", text)]

    return fill


def _dispute(contested: bool) -> Filler:
    def fill(variables: Variables, rng: random.Random, now: datetime) -> Form | None:
        if _text(variables, "disputeId") is None:
            return None
        if not contested:
            return [_var("notes", "Chargeback accepted: the customer keeps the refund")]
        return [
            _var("notes", "Contested with proof of delivery"),
            _var("evidenceText", "The carrier confirmed delivery to the shipping address."),
        ]

    return fill


_FORMS: dict[tuple[str, str], Filler] = {
    ("ORDER_REVIEW", "approved"): _nothing,
    ("ORDER_REVIEW", "rejected"): _reason("order rejected after review"),
    ("ORDER_REVIEW", "corrected"): _correct_order,
    ("HIGH_VALUE_REVIEW", "approved"): _nothing,
    ("HIGH_VALUE_REVIEW", "rejected"): _reason(
        "We could not confirm the payment details for this order, so it was cancelled"
        " and any payment refunded."
    ),
    ("HIGH_VALUE_REVIEW", "clarification_requested"): _clarification,
    ("RETURN_REVIEW", "approved"): _approve_return,
    ("RETURN_REVIEW", "declined"): _decline_return,
    ("FULFILLMENT_EXCEPTION", "split"): _split,
    ("FULFILLMENT_EXCEPTION", "substitute"): _substitute,
    ("FULFILLMENT_EXCEPTION", "cancel_lines"): _cancel_lines,
    ("FULFILLMENT_EXCEPTION", "reschedule"): _reschedule,
    ("FULFILLMENT_EXCEPTION", "cancel"): _needs_order("order cannot be fulfilled"),
    ("FULFILLMENT_EXCEPTION", "resolved"): lambda v, r, n: [
        _var("notes", "Resolved with the carrier and the customer")
    ],
    ("CHARGEBACK", "accepted"): _dispute(contested=False),
    ("CHARGEBACK", "contested"): _dispute(contested=True),
    ("CONTENT_REVIEW", "revision_requested"): lambda v, r, n: [
        _var("reviewNotes", "Remove the health claim from the description")
    ],
    ("CONTENT_REVIEW", "rejected"): lambda v, r, n: [
        _var("reason", "The claim cannot be substantiated: keep the approved content")
    ],
    ("COMPLAINT", "*"): lambda v, r, n: [_var("resolutionNote", "Handled by the reviewer")],
    ("OFFLINE_ORDER", "approved"): _approve_intake,
    ("OFFLINE_ORDER", "rejected"): _reason("intake cancelled by the sales desk"),
}
