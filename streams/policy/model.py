"""The policy: every threshold, list, routing rule and SLA the classifier uses.

A merchant changes casebridge's behaviour by editing one policy file (see
``deploy/policy/default.yaml`` for a complete, commented example); nothing in
the rules in :mod:`streams.classify` is hard-coded beyond the defaults here.

Every model forbids unknown keys, so a typo such as ``min_sampels`` is an
error naming the key path instead of a silently ignored setting. Durations are
written as text (``"30m"``, ``"4h"``, ``"2d"``, ``"1d12h"``); money amounts as
decimal strings (``"5000.00"``) and are held as :class:`~decimal.Decimal`.

What is *not* here: the rolling average order value of a shop and the
per-customer complaint counts are state, kept by the agent and passed to the
rules (see :mod:`streams.classify.rules.state`); the OpenText process model key per
case type is a setting of the sink.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from schemas.records import CaseType, IssueType, Priority, Severity
from streams.policy.outcomes import OutcomeMappingPolicy

_DURATION_PART = re.compile(r"(\d+)([wdhms])")
_DURATION_WHOLE = re.compile(r"(?:\d+[wdhms])+")
_UNIT_SECONDS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> timedelta:
    """Parse ``"90s"``, ``"30m"``, ``"4h"``, ``"2d"``, ``"1w"`` or a sum like ``"1d12h"``.

    Raises:
        ValueError: the text is not such a duration or is zero.
    """
    compact = text.strip().lower().replace(" ", "")
    if not _DURATION_WHOLE.fullmatch(compact):
        raise ValueError(
            f"invalid duration {text!r}: expected a number with a unit s, m, h, d or w,"
            " e.g. '30m', '4h', '2d' or '1d12h'"
        )
    seconds = sum(
        int(amount) * _UNIT_SECONDS[unit] for amount, unit in _DURATION_PART.findall(compact)
    )
    if seconds <= 0:
        raise ValueError(f"invalid duration {text!r}: must be longer than zero")
    return timedelta(seconds=seconds)


def _to_duration(value: object) -> timedelta:
    # Only text (or an already parsed timedelta) is accepted: a bare number in
    # a policy file is ambiguous (seconds? hours?), so it is refused.
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        return parse_duration(value)
    raise ValueError(f"invalid duration {value!r}: write it as text such as '4h' or '2d'")


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _country(value: object) -> object:
    # YAML 1.1 reads an unquoted NO (Norway) as false; no other value is
    # plausible for a country list, so take it back.
    if value is False:
        return "NO"
    return _upper(value)


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


Duration = Annotated[timedelta, BeforeValidator(_to_duration)]
"""A positive duration written as text in the file, e.g. ``"4h"``."""

Team = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A team (OpenText candidate group) name."""

Keyword = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A word or phrase matched case-insensitively on word boundaries."""

Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A Shopify tag, matched case-insensitively."""

CountryCode = Annotated[str, BeforeValidator(_country), StringConstraints(pattern=r"^[A-Z]{2}$")]
"""ISO 3166-1 alpha-2 country code, e.g. ``"US"``."""

RegionCode = Annotated[
    str, BeforeValidator(_upper), StringConstraints(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
]
"""Country plus province code as in ISO 3166-2, e.g. ``"US-HI"`` or ``"CA-QC"``."""

LowerStr = Annotated[str, BeforeValidator(_lower), StringConstraints(min_length=1)]
UpperStr = Annotated[str, BeforeValidator(_upper), StringConstraints(min_length=1)]

RiskLevelName = Literal["HIGH", "MEDIUM", "LOW", "NONE"]
RiskLevel = Annotated[RiskLevelName, BeforeValidator(_upper)]
"""A Shopify risk assessment result (``RiskAssessmentResult``), any letter case."""

Money = Annotated[Decimal, Field(gt=0)]
FinalDisputeStatus = Annotated[
    Literal["won", "lost", "accepted", "charge_refunded", "prevented"], BeforeValidator(_lower)
]
"""A Shopify dispute status that ends the dispute (``ShopifyPaymentsDispute.status``)."""
WatchedField = Literal["title", "body_html", "variant_prices", "tags", "product_type", "vendor"]


def _default_risk_levels() -> dict[RiskLevelName, Priority]:
    return {"HIGH": Priority.HIGH, "MEDIUM": Priority.NORMAL}


def _default_final_statuses() -> list[FinalDisputeStatus]:
    return ["won", "lost", "accepted"]


def _default_watched() -> list[WatchedField]:
    return ["title", "body_html", "variant_prices"]


class _Section(BaseModel):
    """Base of every policy model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- cases


class CasePolicy(_Section):
    """Teams, default priority and SLA of one case type."""

    teams: list[Team] = Field(min_length=1)
    """Teams (candidate groups) that decide, in routing order; rules may narrow them."""
    priority: Priority = Priority.NORMAL
    """Priority when no rule says otherwise."""
    sla: Duration
    """Time from the request until a decision is due."""
    priority_sla: dict[Priority, Duration] = Field(default_factory=dict)
    """Shorter SLAs for raised priorities, e.g. ``{URGENT: "1h"}``."""

    def sla_for(self, priority: Priority) -> timedelta:
        """The SLA that applies to a case of this type at ``priority``."""
        return self.priority_sla.get(priority, self.sla)


def _case(teams: list[str], sla: str, priority: Priority = Priority.NORMAL) -> CasePolicy:
    return CasePolicy(teams=teams, sla=parse_duration(sla), priority=priority)


class CasesPolicy(_Section):
    """One :class:`CasePolicy` per case type (OFFLINE_ORDER teams are used by the intake side)."""

    ORDER_REVIEW: CasePolicy = _case(["fraud", "finance", "operations"], "4h")
    HIGH_VALUE_REVIEW: CasePolicy = _case(["sales", "finance", "operations"], "8h")
    RETURN_REVIEW: CasePolicy = _case(["customer_service", "warehouse"], "2d")
    COMPLAINT: CasePolicy = _case(["customer_service"], "1d")
    FULFILLMENT_EXCEPTION: CasePolicy = _case(["warehouse", "logistics", "customer_service"], "8h")
    CONTENT_REVIEW: CasePolicy = _case(["legal", "merchandising", "marketing"], "3d", Priority.LOW)
    OFFLINE_ORDER: CasePolicy = _case(["sales", "finance"], "1d")
    CHARGEBACK: CasePolicy = _case(["customer_service", "fulfillment", "finance"], "3d")

    def for_type(self, case_type: CaseType) -> CasePolicy:
        """The policy of ``case_type``; UNKNOWN has none and raises :class:`KeyError`."""
        if case_type.value not in type(self).model_fields:
            raise KeyError(case_type.value)
        policy: CasePolicy = getattr(self, case_type.value)
        return policy


# --------------------------------------------------------------------- orders (UC1, UC5)


class RiskRule(_Section):
    """Which Shopify risk levels open an ORDER_REVIEW, and at what priority."""

    levels: dict[RiskLevel, Priority] = Field(default_factory=_default_risk_levels)


class ValueRule(_Section):
    """Unusual order value: above an absolute amount or a multiple of the shop's average.

    Both compare the order's total in shop currency. The relative rule only
    applies once the shop's running statistics hold ``min_samples`` orders, so
    a new shop's first orders are not all "unusual".
    """

    absolute_threshold: Money | None = Decimal("5000")
    relative_multiplier: Annotated[Decimal, Field(gt=1)] | None = Decimal("4")
    min_samples: int = Field(default=20, ge=1)
    average_window: int = Field(default=100, ge=2)
    """Window of the running average (see :func:`streams.classify.rules.state.update_stats`)."""
    priority: Priority = Priority.NORMAL


class DestinationRule(_Section):
    """Shipping destinations that need an operations review."""

    countries: list[CountryCode] = Field(default_factory=list)
    regions: list[RegionCode] = Field(default_factory=list)
    priority: Priority = Priority.HIGH


class InventoryRule(_Section):
    """Line quantity above the inventory available when the order was placed.

    Shopify's order payload carries no inventory. The classify stage keeps the
    available quantity of every inventory item and location from
    ``inventory_levels/update`` webhooks, and which inventory item each variant
    is (with its total ``inventory_quantity``) from ``products/create`` and
    ``products/update``, in tables fed by webhooks only: no API call. An order
    line is compared with the latest level stamped *before* the order was
    created (see :mod:`streams.classify.rules.inventory`).

    ``mode``: ``total`` compares with the sum over every location; ``location``
    with the best single location (the line must ship from one place). A line
    mismatches when its quantity exceeds what is available minus ``threshold``
    (units kept back, e.g. display stock). A variant the tables have never seen
    has *unknown* availability: ``on_unknown: note`` says so on any case the
    order opens (``inventoryUnknownLines``) and opens nothing by itself;
    ``review`` opens the inventory review for it as well.
    """

    enabled: bool = True
    mode: Literal["total", "location"] = "total"
    threshold: int = Field(default=0, ge=0)
    on_unknown: Literal["note", "review"] = "note"
    priority: Priority = Priority.NORMAL


class ReviewTeams(_Section):
    """Which teams an ORDER_REVIEW goes to, by the family of the reason that fired."""

    risk: list[Team] = Field(default_factory=lambda: ["fraud"], min_length=1)
    value: list[Team] = Field(default_factory=lambda: ["finance"], min_length=1)
    destination: list[Team] = Field(default_factory=lambda: ["operations"], min_length=1)
    inventory: list[Team] = Field(default_factory=lambda: ["operations"], min_length=1)


class OrderReviewPolicy(_Section):
    """UC1: when an order is flagged for review."""

    risk: RiskRule = RiskRule()
    value: ValueRule = ValueRule()
    destination: DestinationRule = DestinationRule()
    inventory: InventoryRule = InventoryRule()
    teams: ReviewTeams = ReviewTeams()


class LargeBasketRule(_Section):
    """A basket is large at ``min_items`` units or ``min_lines`` lines (either; null = off)."""

    min_items: int | None = Field(default=25, ge=1)
    min_lines: int | None = Field(default=15, ge=1)


class HighValueTeams(_Section):
    """Which teams a HIGH_VALUE_REVIEW goes to, by reason."""

    vip: list[Team] = Field(default_factory=lambda: ["sales"], min_length=1)
    wholesale: list[Team] = Field(default_factory=lambda: ["sales", "finance"], min_length=1)
    large_basket: list[Team] = Field(default_factory=lambda: ["operations"], min_length=1)


class HighValuePolicy(_Section):
    """UC5: VIP customers, wholesale/B2B buyers and large baskets on new orders."""

    vip_tags: list[Tag] = Field(default_factory=lambda: ["VIP"])
    wholesale_tags: list[Tag] = Field(default_factory=lambda: ["wholesale", "B2B"])
    company_is_wholesale: bool = True
    """Treat an order placed for a B2B company (payload ``company``) as wholesale."""
    large_basket: LargeBasketRule = LargeBasketRule()
    teams: HighValueTeams = HighValueTeams()


class OrdersPolicy(_Section):
    """Rules on order webhooks."""

    review: OrderReviewPolicy = OrderReviewPolicy()
    high_value: HighValuePolicy = HighValuePolicy()


# ---------------------------------------------------------------------- complaints (UC3)


class RoutingRule(_Section):
    """One complaint routing rule; the first rule whose set criteria all match wins."""

    issue_type: IssueType | None = None
    segment: UpperStr | None = None
    severity: Severity | None = None
    teams: list[Team] = Field(min_length=1)
    priority: Priority | None = None
    """Priority of matching complaints; null falls back to ``severity_priority``."""


class SeverityPriority(_Section):
    """Default complaint priority per severity."""

    LOW: Priority = Priority.LOW
    MEDIUM: Priority = Priority.NORMAL
    HIGH: Priority = Priority.HIGH
    CRITICAL: Priority = Priority.URGENT

    def of(self, severity: Severity) -> Priority:
        """The priority for ``severity``."""
        value: Priority = getattr(self, severity.value)
        return value


class EscalationWindows(_Section):
    """Time until an undecided complaint escalates, per severity."""

    LOW: Duration = timedelta(hours=72)
    MEDIUM: Duration = timedelta(hours=24)
    HIGH: Duration = timedelta(hours=8)
    CRITICAL: Duration = timedelta(hours=2)

    def of(self, severity: Severity) -> timedelta:
        """The escalation window for ``severity``."""
        value: timedelta = getattr(self, severity.value)
        return value


class RepeatRule(_Section):
    """Repeated complaints: ``threshold`` complaints by one customer within ``window``."""

    threshold: int = Field(default=3, ge=2)
    window: Duration = timedelta(days=30)
    priority_steps: int = Field(default=1, ge=0, le=3)
    """How many steps the priority rises (LOW → NORMAL → HIGH → URGENT)."""


def _default_note_keywords() -> dict[IssueType, list[str]]:
    return {
        IssueType.DAMAGED_GOODS: ["damaged", "broken", "arrived broken", "cracked"],
        IssueType.DELAYED_SHIPMENT: ["still waiting", "not arrived", "hasn't arrived", "late"],
        IssueType.WRONG_ITEM: ["wrong item", "wrong size", "not what I ordered"],
        IssueType.BILLING: ["charged twice", "double charged", "overcharged"],
        IssueType.SERVICE: ["complaint", "unacceptable", "disappointed"],
    }


class OrderNotesRule(_Section):
    """Complaints detected in the customer's order note (keyword match)."""

    enabled: bool = True
    keywords: dict[IssueType, list[Keyword]] = Field(default_factory=_default_note_keywords)
    """Issue type → keywords; the first issue type (in file order) with a match wins."""
    severity: Severity = Severity.MEDIUM
    severity_keywords: dict[Severity, list[Keyword]] = Field(
        default_factory=lambda: {
            Severity.HIGH: ["lawyer", "chargeback", "refund immediately"],
            Severity.CRITICAL: ["injury", "injured", "unsafe"],
        }
    )
    """Keywords that raise the severity; the highest matching severity wins."""


class ComplaintPolicy(_Section):
    """UC3: complaint routing, escalation and repeats."""

    routing: list[RoutingRule] = Field(default_factory=list)
    default_teams: list[Team] | None = None
    """Teams when no routing rule matches; null uses ``cases.COMPLAINT.teams``."""
    severity_priority: SeverityPriority = SeverityPriority()
    escalation_windows: EscalationWindows = EscalationWindows()
    escalate_issue_types: list[IssueType] = Field(
        default_factory=lambda: [IssueType.DELAYED_SHIPMENT, IssueType.DAMAGED_GOODS]
    )
    """Issue types whose priority rises one step."""
    repeat: RepeatRule = RepeatRule()
    segment_tags: dict[UpperStr, list[Tag]] = Field(
        default_factory=lambda: {"VIP": ["VIP"], "WHOLESALE": ["wholesale", "B2B"]}
    )
    """Segment → customer tags (first match wins): the segment of an order-note complaint,
    and of a submitted one when ``segment_from_tags`` is on."""
    segment_from_tags: bool = True
    """A submitted complaint takes its customer's segment from the customer's tags in
    Shopify (read during enrichment) when they match ``segment_tags``; the help desk's
    ``customer_segment`` is used only when they do not. Off: the help desk's field alone."""
    order_notes: OrderNotesRule = OrderNotesRule()


# ------------------------------------------------------------------------- returns (UC2)


MetafieldName = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{2,255}$")
]
"""A metafield namespace or key as Shopify allows them (letters, digits, ``_`` and ``-``)."""

Months = Annotated[int, Field(ge=0, le=1200)]
"""A warranty length in months (0: no warranty)."""


class WarrantyRule(_Section):
    """Where a returned product's warranty comes from, in this order of preference."""

    metafield_namespace: MetafieldName = "casebridge"
    metafield_key: MetafieldName = "warranty_months"
    """The product metafield (an integer of months) read for each returned line."""
    product_type_months: dict[Keyword, Months] = Field(default_factory=dict)
    """Product type (any letter case) → warranty months, for products without the metafield."""
    default_months: Months | None = None
    """Warranty of any other product; null: none known."""


class ReturnPolicy(_Section):
    """UC2: return requests."""

    reason_teams: dict[LowerStr, list[Team]] = Field(
        default_factory=lambda: {
            "defective": ["warehouse", "customer_service"],
            "wrong_item": ["warehouse", "customer_service"],
        }
    )
    """Shopify return reason (e.g. ``defective``) → teams, added to the case type's teams."""
    reason_priority: dict[LowerStr, Priority] = Field(
        default_factory=lambda: {"defective": Priority.HIGH}
    )
    window_days: int | None = Field(default=30, ge=1, le=3650)
    """The return window counted from the order date (``processedAt``): the case says
    whether the request came within it (``withinReturnWindow``); null: no window."""
    warranty: WarrantyRule = WarrantyRule()


# --------------------------------------------------------------------- fulfillment (UC4)


class FulfillmentTeams(_Section):
    """Teams of a FULFILLMENT_EXCEPTION, by kind of exception."""

    carrier: list[Team] = Field(
        default_factory=lambda: ["logistics", "customer_service"], min_length=1
    )
    hold: list[Team] = Field(default_factory=lambda: ["warehouse"], min_length=1)
    cancelled: list[Team] = Field(
        default_factory=lambda: ["warehouse", "customer_service"], min_length=1
    )
    out_of_stock: list[Team] = Field(default_factory=lambda: ["warehouse"], min_length=1)
    partial: list[Team] = Field(
        default_factory=lambda: ["warehouse", "customer_service"], min_length=1
    )
    """Partial shipments and split fulfillment orders."""
    request_rejected: list[Team] = Field(
        default_factory=lambda: ["warehouse", "logistics"], min_length=1
    )
    """A fulfillment service (3PL) rejected the merchant's fulfillment request."""
    service_failed: list[Team] = Field(
        default_factory=lambda: ["warehouse", "customer_service"], min_length=1
    )
    """A fulfillment service closed a fulfillment order it could not complete."""


class FulfillmentPolicy(_Section):
    """UC4: carrier exceptions, holds placed by others, cancellations and stock-outs."""

    event_statuses: list[LowerStr] = Field(
        default_factory=lambda: ["failure", "delayed", "attempted_delivery"]
    )
    """``fulfillment_events/create`` statuses that are exceptions (any letter case)."""
    status_priority: dict[LowerStr, Priority] = Field(
        default_factory=lambda: {"failure": Priority.HIGH}
    )
    hold_reasons: list[UpperStr] = Field(
        default_factory=lambda: [
            "INVENTORY_OUT_OF_STOCK",
            "INCORRECT_ADDRESS",
            "UNKNOWN_DELIVERY_DATE",
            "OTHER",
        ]
    )
    """Hold reasons of ``fulfillment_orders/placed_on_hold`` that open a case."""
    own_hold_handle_prefix: str = "casebridge"
    """Holds whose handle starts with this are casebridge's own and never open a case."""
    open_on_cancelled: bool = False
    """Off by default: casebridge cancels orders itself (a rejected review), which
    cancels their fulfillment orders too, and that is no exception."""
    open_on_out_of_stock: bool = True
    open_on_oversold: bool = True
    """``inventory_levels/update`` with ``available`` below zero (sold more than stocked)."""
    open_on_partial: bool = True
    """``orders/partially_fulfilled``: part of the order shipped, the rest is still to ship."""
    open_on_split: bool = True
    """``fulfillment_orders/split``: units moved to a new fulfillment order (by anyone,
    casebridge's own ``split`` outcome included: the moved units still need a decision)."""
    open_on_request_rejected: bool = True
    """``fulfillment_orders/fulfillment_request_rejected``: a fulfillment service (3PL)
    refused the work; the fulfillment order is open again and waits for a decision."""
    open_on_service_failed: bool = True
    """``fulfillment_orders/fulfillment_service_failed_to_complete``: the service closed
    an accepted fulfillment order it could not complete (status INCOMPLETE)."""
    teams: FulfillmentTeams = FulfillmentTeams()


# ------------------------------------------------------------------------- content (UC6)


class ContentTeams(_Section):
    """Teams of a CONTENT_REVIEW, by reason."""

    regulated: list[Team] = Field(default_factory=lambda: ["legal", "merchandising"], min_length=1)
    claims: list[Team] = Field(default_factory=lambda: ["legal", "marketing"], min_length=1)
    change: list[Team] = Field(default_factory=lambda: ["merchandising"], min_length=1)
    price: list[Team] = Field(default_factory=lambda: ["merchandising"], min_length=1)
    text: list[Team] = Field(default_factory=lambda: ["merchandising", "marketing"], min_length=1)
    theme: list[Team] = Field(default_factory=lambda: ["marketing", "legal"], min_length=1)
    legal_text: list[Team] = Field(default_factory=lambda: ["legal"], min_length=1)


HoldMode = Literal["restore", "draft"]
"""How a product change under review is kept off the storefront while its case is open:
``restore`` puts the last approved content back, ``draft`` sets the product to DRAFT."""


class ContentHolds(_Section):
    """The hold mode of each content rule (the strictest of the rules that fired wins)."""

    regulated: HoldMode = "draft"
    claims: HoldMode = "restore"
    price: HoldMode = "restore"
    text: HoldMode = "restore"
    change: HoldMode = "restore"


class PriceChangeRule(_Section):
    """PRICE_CHANGED: a variant's price moved at least ``min_percent`` from its approved price."""

    min_percent: Annotated[Decimal, Field(gt=0)] | None = None
    """Relative change, e.g. ``"20"`` for 20 %; null switches the rule off."""


class TextChangeRule(_Section):
    """TEXT_CHANGED: title and description together differ from the approved text by at least
    ``min_changed_chars`` characters (HTML tags ignored)."""

    min_changed_chars: int | None = Field(default=None, ge=1)
    """Null switches the rule off."""


class ContentPolicy(_Section):
    """UC6: regulated products, claims, price and text changes; themes and legal text."""

    regulated_product_types: list[Keyword] = Field(default_factory=list)
    regulated_tags: list[Tag] = Field(default_factory=list)
    claim_keywords: dict[UpperStr, list[Keyword]] = Field(default_factory=dict)
    """Region → claim phrases not allowed there, e.g. ``{"US": ["cures"]}``."""
    watched_fields: list[WatchedField] = Field(default_factory=_default_watched)
    review_all_watched_changes: bool = False
    """Also review unregulated products when a watched field changed."""
    price_change: PriceChangeRule = PriceChangeRule()
    text_change: TextChangeRule = TextChangeRule()
    hold_changes: bool = False
    """Keep a change under review off the storefront while its case is open (``hold``)."""
    hold: ContentHolds = ContentHolds()
    hold_new_products: bool = True
    """With ``hold_changes``: a new ACTIVE product that needs review is DRAFT until approved."""
    theme_topics: list[LowerStr] = Field(default_factory=lambda: ["themes/publish"])
    """``themes/publish`` always opens a review; ``themes/update`` of the live theme only
    when its ``theme_files`` hold a claim phrase."""
    theme_files: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]] = (
        Field(default_factory=lambda: ["sections/*.json", "templates/index.json"])
    )
    """Theme files read for claims (Shopify's ``filenames`` argument; ``*`` is a wildcard)."""
    shop_policies: bool = False
    """``shop/update``: review a changed shop policy (refund, terms...) and claims in it."""
    teams: ContentTeams = ContentTeams()


# ------------------------------------------------------------------------ disputes (UC8)


class DisputePolicy(_Section):
    """UC8: chargebacks and inquiries."""

    open_statuses: list[LowerStr] = Field(
        default_factory=lambda: ["needs_response", "under_review"]
    )
    reason_teams: dict[LowerStr, list[Team]] = Field(
        default_factory=lambda: {
            "fraudulent": ["finance", "customer_service"],
            "product_not_received": ["fulfillment", "customer_service"],
            "credit_not_processed": ["finance"],
        }
    )
    """Dispute reason → teams; other reasons use ``cases.CHARGEBACK.teams``."""
    chargeback_priority: Priority = Priority.HIGH
    inquiry_priority: Priority = Priority.NORMAL
    evidence_margin: Duration = timedelta(days=1)
    """The SLA never ends later than ``evidence_due_by`` minus this margin."""
    final_statuses: list[FinalDisputeStatus] = Field(default_factory=_default_final_statuses)
    """``disputes/update`` statuses that end a dispute: the outcome is recorded on the
    order (note, ``chargeback:final-<status>`` tag, ``dispute_<id>_final`` metafield)
    and the dispute's case, if still open, is closed with it. Empty: not recorded."""

    @model_validator(mode="after")
    def _final_not_open(self) -> Self:
        both = sorted(set(self.final_statuses) & set(self.open_statuses))
        if both:
            raise ValueError(f"statuses both open and final: {both}")
        return self


# -------------------------------------------------------------------------------- root


class Policy(_Section):
    """The whole policy file."""

    version: Literal[1] = 1
    cases: CasesPolicy = CasesPolicy()
    orders: OrdersPolicy = OrdersPolicy()
    complaints: ComplaintPolicy = ComplaintPolicy()
    returns: ReturnPolicy = ReturnPolicy()
    fulfillment: FulfillmentPolicy = FulfillmentPolicy()
    content: ContentPolicy = ContentPolicy()
    disputes: DisputePolicy = DisputePolicy()
    decisions: OutcomeMappingPolicy = OutcomeMappingPolicy()
    """Decision outcome -> Shopify actions (see :mod:`streams.decisions.mapping`)."""
