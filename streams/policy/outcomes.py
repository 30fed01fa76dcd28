"""The ``decisions`` section of the policy file: which outcome does what in Shopify.

The defaults encode the use-case table of ``docs/architecture.md``; a merchant
overrides single outcomes without restating the rest::

    decisions:
      outcomes:
        ORDER_REVIEW:
          escalated_ok: [release_hold]     # a new outcome of a customised model
          rejected: [cancel_order]         # replaces the default for "reject"
      aliases:
        escalated_ok: escalated_ok
      tag_content_products: true

An outcome is looked up lower-cased: first as written, then through
``aliases`` (the emulator's and most models' past-tense words such as
``approved`` map to the verbs used here), then the wildcard ``"*"``. A list of
effects may be empty: the decision is recorded but changes nothing in Shopify.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from schemas.records import CaseType

__all__ = [
    "DEFAULT_ALIASES",
    "DEFAULT_OUTCOMES",
    "FINAL_PREFIX",
    "FINAL_STATUSES",
    "WILDCARD",
    "CustomerNotificationPolicy",
    "Effect",
    "OutcomeMappingPolicy",
    "ReplacementPolicy",
]

Effect = Literal[
    "release_hold",
    "cancel_order",
    "update_order",
    "approve_return",
    "refund",
    "decline_return",
    "split_fulfillment",
    "substitute_line",
    "cancel_lines",
    "reschedule_fulfillment",
    "note_resolution",
    "record_dispute_outcome",
    "record_dispute_final",
    "update_dispute_evidence",
    "tag_product",
    "apply_content",
    "restore_content",
    "note_revision",
    "create_order",
    "request_clarification",
    "notify_customer",
]
"""A named Shopify effect; :mod:`streams.decisions.effects` turns each into actions."""

FINAL_PREFIX = "final_"
"""Outcome prefix of a dispute's final status (``final_won``): set by Shopify, not a team."""
FINAL_STATUSES = ("won", "lost", "accepted", "charge_refunded", "prevented")
"""Dispute statuses that end a dispute (``ShopifyPaymentsDisputeStatus``, lower-cased)."""

WILDCARD = "*"
"""Outcome key matching any outcome not mapped otherwise."""


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


Outcome = Annotated[str, BeforeValidator(_lower), Field(min_length=1)]
"""An outcome as OpenText reports it, compared lower-cased."""

OutcomeTable = dict[Outcome, list[Effect]]

DEFAULT_OUTCOMES: dict[CaseType, OutcomeTable] = {
    CaseType.ORDER_REVIEW: {
        "approve": ["release_hold"],
        "reject": ["cancel_order"],
        "correct": ["update_order", "release_hold"],
    },
    CaseType.HIGH_VALUE_REVIEW: {
        "approve": ["release_hold"],
        # The customer gets the reason (an e-mail, policy customer_notifications).
        "reject": ["cancel_order", "notify_customer"],
        # The order stays held; the request is recorded on it and sent to the customer.
        "request_clarification": ["request_clarification", "notify_customer"],
    },
    CaseType.RETURN_REVIEW: {
        "approve": ["approve_return", "refund"],
        "decline": ["decline_return"],
    },
    CaseType.FULFILLMENT_EXCEPTION: {
        "split": ["split_fulfillment"],
        "substitute": ["substitute_line"],
        "cancel_lines": ["cancel_lines"],
        "reschedule": ["reschedule_fulfillment"],
        "cancel": ["cancel_order"],
        # Handled outside Shopify (carrier or customer contacted): noted on the order.
        "resolve": ["note_resolution"],
    },
    # Any chargeback outcome is recorded on the order; evidence only when given.
    # The final_* outcomes are Shopify's (disputes/update with a final status), not a team's.
    CaseType.CHARGEBACK: {
        WILDCARD: ["record_dispute_outcome", "update_dispute_evidence"],
        **{f"{FINAL_PREFIX}{status}": ["record_dispute_final"] for status in FINAL_STATUSES},
    },
    # One-way: tracked in cases.state, nothing written back.
    CaseType.COMPLAINT: {WILDCARD: []},
    # A held product change: applied, kept back with the reviewers' notes, or
    # replaced by the approved content (tag_product only acts when
    # tag_content_products is on; unheld cases, e.g. themes, change nothing).
    CaseType.CONTENT_REVIEW: {
        "approve": ["apply_content", "tag_product"],
        "request_revision": ["note_revision", "tag_product"],
        "reject": ["restore_content", "tag_product"],
        WILDCARD: ["tag_product"],
    },
    CaseType.OFFLINE_ORDER: {"approve": ["create_order"], "reject": []},
}
"""The use-case table of the architecture, outcome verbs after alias resolution."""

DEFAULT_ALIASES: dict[str, str] = {
    "approved": "approve",
    "rejected": "reject",
    "corrected": "correct",
    "declined": "decline",
    "cancelled": "cancel",
    "canceled": "cancel",
    "rescheduled": "reschedule",
    "substituted": "substitute",
    "cancelled_lines": "cancel_lines",
    "canceled_lines": "cancel_lines",
    "resolved": "resolve",
    "revision_requested": "request_revision",
    "revise": "request_revision",
    "revision": "request_revision",
    "clarification_requested": "request_clarification",
}
"""Past-tense outcome words (the emulator's models use them) -> the verbs above."""


class ReplacementPolicy(BaseModel):
    """How an approved return's replacement is created: a draft order of the items."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["complete", "invoice", "draft"] = "complete"
    """``complete``: the draft becomes an order at once (``draftOrderComplete``);
    ``invoice``: the customer is e-mailed the draft's invoice with a checkout link
    (``draftOrderInvoiceSend``); ``draft``: left open for staff to finish."""
    free_of_charge: bool = True
    """Replacement items at no charge (a 100 % ``appliedDiscount`` on the draft order)."""
    tag: Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[^,]+$")] = (
        "return-replacement"
    )
    """Tag of the replacement order, also added to the original order (no commas)."""


def _subject(value: str) -> str:
    try:
        value.format(order="#1001", shop="shop")
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(
            f"{value!r}: unknown or malformed placeholder ({exc}); use {{order}} or {{shop}}"
        ) from None
    return value


Subject = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_subject)]


class CustomerNotificationPolicy(BaseModel):
    """How the customer hears of a decision about their order (``notify_customer``).

    ``email`` sends through the SMTP server of the settings (``CASEBRIDGE_SMTP__*``),
    which must then be configured: the writer refuses to start otherwise. ``none``
    leaves the customer to Shopify's own notices (a cancellation e-mail without
    the reason) and the effect maps to no action.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: Literal["email", "none"] = "email"
    reject_subject: Subject = "Your order {order} could not be accepted"
    clarification_subject: Subject = "Your order {order}: we need a few details"
    clarification_tag: str = Field(default="clarification-requested", min_length=1, max_length=255)
    """Tag on an order held for the customer's answer (with the request in a metafield)."""


class OutcomeMappingPolicy(BaseModel):
    """How decision outcomes become Shopify actions (policy section ``decisions``).

    Every field has a default, so an empty section keeps the architecture's
    behaviour; unknown keys are errors (``extra="forbid"``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    outcomes: dict[CaseType, OutcomeTable] = Field(default_factory=dict)
    """Per case type, outcome -> effects; merged over the defaults outcome by outcome."""
    aliases: dict[Outcome, Outcome] = Field(default_factory=dict)
    """Extra outcome aliases, merged over :data:`DEFAULT_ALIASES`."""
    audit_tags: bool = True
    """Add an audit tag to the order (or product) of every decision that changes Shopify."""
    audit_tag_format: str = "casebridge:{team}:{case_id}"
    """Audit tag; placeholders ``{team}``, ``{case_id}``, ``{case_type}``, ``{outcome}``."""
    notify_customer: bool = True
    """``notifyCustomer`` on cancellations, returns and refunds."""
    restock_on_cancel: bool = True
    refund_on_cancel: bool = True
    fraud_risk_levels: list[Annotated[str, BeforeValidator(lambda v: str(v).upper())]] = Field(
        default_factory=lambda: ["HIGH", "MEDIUM"]
    )
    """A rejected order with one of these ``riskLevel`` values is cancelled as FRAUD."""
    chargeback_tag_format: str = "chargeback:{outcome}"
    """Tag on the order of a decided chargeback; placeholders as for the audit tag."""
    metafield_namespace: str = Field(default="casebridge", min_length=3, max_length=255)
    """Namespace of the ``dispute_<id>`` metafield."""
    update_dispute_evidence: bool = True
    """Send dispute evidence when the decision carries evidence variables."""
    tag_content_products: bool = False
    """CONTENT_REVIEW: tag the product with :attr:`content_tag_format` (off: one-way)."""
    content_tag_format: str = "content:{outcome}"
    review_notes_key: str = Field(default="review_notes", min_length=2, max_length=64)
    """CONTENT_REVIEW "request revision": the product metafield ``<metafield_namespace>.<key>``
    (multi-line text) the reviewers' notes are written to."""
    revision_tag: str = Field(default="casebridge:revision-requested", min_length=1, max_length=255)
    """Tag on a product whose change the reviewers sent back; removed when it is approved."""
    approval_tag_prefix: str = Field(default="casebridge:approved:", min_length=1, max_length=200)
    """Prefix of the tag (``<prefix><case id>``) written with an approved change, by which
    the classifier knows the ``products/update`` that follows as casebridge's own write."""
    reactivate_on_reject: bool = True
    """CONTENT_REVIEW reject of a product drafted for review: restore the approved content and
    set it ACTIVE again (false: it stays DRAFT). A new product without approved content
    always stays DRAFT."""
    replacement: ReplacementPolicy = Field(default_factory=lambda: ReplacementPolicy())
    """RETURN_REVIEW approved with ``resolution: replacement``: how the replacement is made."""
    customer_notifications: CustomerNotificationPolicy = CustomerNotificationPolicy()
    """The channel and wording of customer notices (``notify_customer``)."""

    @model_validator(mode="after")
    def _check_formats(self) -> Self:
        sample = {"team": "t", "case_id": "c", "case_type": "T", "outcome": "o"}
        for name in ("audit_tag_format", "chargeback_tag_format", "content_tag_format"):
            template = getattr(self, name)
            try:
                template.format(**sample)
            except (KeyError, IndexError, ValueError) as exc:
                raise ValueError(
                    f"{name} {template!r}: unknown or malformed placeholder ({exc});"
                    " use {team}, {case_id}, {case_type} or {outcome}"
                ) from None
        return self

    def table_for(self, case_type: CaseType) -> OutcomeTable:
        """The outcome table of ``case_type``: defaults with this policy's overrides on top."""
        table = dict(DEFAULT_OUTCOMES.get(case_type, {}))
        table.update(self.outcomes.get(case_type, {}))
        return table

    def all_aliases(self) -> dict[str, str]:
        """:data:`DEFAULT_ALIASES` with this policy's aliases on top."""
        return {**DEFAULT_ALIASES, **self.aliases}
