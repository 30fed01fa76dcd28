"""The in-memory resources of one emulated shop.

Plain dataclasses with snake_case fields; the GraphQL layer maps camelCase
field names onto them and the webhook layer renders them REST-shaped. Ids are
64-bit integers; :func:`gid` / :func:`parse_gid` convert to Shopify's global ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from emulators.shopify.errors import ResourceNotFound

CENT = Decimal("0.01")


def money(value: Decimal | str | float | int) -> Decimal:
    """A Decimal rounded to cents."""
    return Decimal(str(value)).quantize(CENT)


def gid(kind: str, ident: int) -> str:
    """``gid://shopify/{kind}/{ident}``."""
    return f"gid://shopify/{kind}/{ident}"


def parse_gid(value: str, kind: str | None = None) -> tuple[str, int]:
    """Split a global id into (kind, numeric id); bare digits are accepted.

    Raises:
        ResourceNotFound: not a gid, or of another kind than ``kind``.
    """
    text = str(value)
    if text.isdigit() and kind is not None:
        return kind, int(text)
    prefix = "gid://shopify/"
    if not text.startswith(prefix):
        raise ResourceNotFound(f"invalid global id '{text}'")
    rest = text[len(prefix) :].split("?", 1)[0]
    parts = rest.split("/")
    if len(parts) != 2 or not parts[1].isdigit():
        raise ResourceNotFound(f"invalid global id '{text}'")
    if kind is not None and parts[0] != kind:
        raise ResourceNotFound(f"expected a {kind} id, got '{text}'")
    return parts[0], int(parts[1])


class Resource:
    """Mixin giving a resource its Shopify global id."""

    GID_KIND: ClassVar[str] = ""
    id: int

    @property
    def gid(self) -> str:
        """The ``gid://shopify/...`` form of ``id``."""
        return gid(self.GID_KIND, self.id)


#: The one stock location of every emulated shop (Shopify's ``location_id`` in
#: ``inventory_levels/update``; each variant's stock is all kept there).
MAIN_LOCATION_ID = 70000001
MAIN_LOCATION_NAME = "Main warehouse"
#: The location of the fulfillment service (a 3PL app) installed on every emulated shop:
#: its fulfillment orders ship only after the service accepts a fulfillment request.
FULFILLMENT_SERVICE_LOCATION_NAME = "Emulated 3PL"


@dataclass
class Address:
    """A mailing address (shipping, billing, customer default)."""

    first_name: str = ""
    last_name: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    province: str = ""
    province_code: str = ""
    country: str = ""
    country_code: str = "US"
    zip: str = ""
    phone: str = ""
    company: str = ""

    @property
    def name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class Metafield(Resource):
    """A typed value attached to an owner (order, customer, product...)."""

    GID_KIND: ClassVar[str] = "Metafield"
    id: int
    owner_gid: str
    namespace: str
    key: str
    type: str
    value: str
    digest: str
    created_at: datetime
    updated_at: datetime


@dataclass
class Variant(Resource):
    """A product variant with its price and stock."""

    GID_KIND: ClassVar[str] = "ProductVariant"
    id: int
    product_id: int
    title: str
    sku: str
    price: Decimal
    inventory_quantity: int
    compare_at_price: Decimal | None = None
    inventory_item_id: int = 0


@dataclass
class Product(Resource):
    """A product and its variants (ids; variants live in the shop's table)."""

    GID_KIND: ClassVar[str] = "Product"
    id: int
    title: str
    handle: str
    description_html: str
    vendor: str
    product_type: str
    status: str
    tags: list[str]
    variant_ids: list[int]
    created_at: datetime
    updated_at: datetime


@dataclass
class Customer(Resource):
    """A customer; order count and amount spent are derived from orders."""

    GID_KIND: ClassVar[str] = "Customer"
    id: int
    email: str
    first_name: str
    last_name: str
    phone: str
    tags: list[str]
    note: str
    default_address: Address | None
    created_at: datetime
    updated_at: datetime


@dataclass
class LineItem(Resource):
    """An order line; ``quantity`` is as ordered, ``current_quantity`` after edits."""

    GID_KIND: ClassVar[str] = "LineItem"
    id: int
    order_id: int
    title: str
    sku: str
    variant_id: int | None
    product_id: int | None
    quantity: int
    current_quantity: int
    price: Decimal
    fulfilled_quantity: int = 0
    refunded_quantity: int = 0
    requires_shipping: bool = True
    vendor: str = ""

    @property
    def fulfillable_quantity(self) -> int:
        """What is still to ship."""
        return max(0, self.current_quantity - self.fulfilled_quantity - self.refunded_quantity)


@dataclass
class RiskAssessment:
    """One risk assessment of an order (HIGH/MEDIUM/LOW/NONE)."""

    risk_level: str
    facts: list[tuple[str, str]]  # (description, sentiment)


@dataclass
class Order(Resource):
    """An order with its lines and money totals."""

    GID_KIND: ClassVar[str] = "Order"
    id: int
    number: int
    email: str
    phone: str
    currency: str
    line_item_ids: list[int]
    shipping_price: Decimal
    tax: Decimal
    discount: Decimal
    financial_status: str  # PAID, PENDING, AUTHORIZED, PARTIALLY_REFUNDED, REFUNDED, ...
    paid: Decimal
    customer_id: int | None
    shipping_address: Address | None
    billing_address: Address | None
    tags: list[str]
    note: str
    note_attributes: list[tuple[str, str]]
    source_name: str
    created_at: datetime
    updated_at: datetime
    processed_at: datetime
    risks: list[RiskAssessment] = field(default_factory=list)
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    closed_at: datetime | None = None
    refunded: Decimal = Decimal("0.00")
    edited: bool = False
    taxes_included: bool = False
    #: The order's taxes by (title, rate): the ``taxLines`` of its lines and shipping, summed.
    tax_lines: list[TaxLine] = field(default_factory=list)
    #: ``PaymentTerms`` as GraphQL answers them (``paymentTermsCreate``), or None.
    payment_terms: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        """The display name ``#1001``."""
        return f"#{self.number}"


@dataclass
class TaxLine:
    """A tax charged on an order (``Order.taxLines``)."""

    title: str
    rate: Decimal
    amount: Decimal


@dataclass
class FulfillmentHold(Resource):
    """A hold placed on a fulfillment order."""

    GID_KIND: ClassVar[str] = "FulfillmentHold"
    id: int
    fulfillment_order_id: int
    handle: str
    reason: str
    reason_notes: str
    external_id: str


@dataclass
class FulfillmentOrderLine(Resource):
    """A fulfillment order line: part of an order line to ship from one place."""

    GID_KIND: ClassVar[str] = "FulfillmentOrderLineItem"
    id: int
    line_item_id: int
    total_quantity: int
    remaining_quantity: int


@dataclass
class FulfillmentOrder(Resource):
    """A group of lines shipped together; holds stop it from shipping."""

    GID_KIND: ClassVar[str] = "FulfillmentOrder"
    id: int
    order_id: int
    status: str  # OPEN, ON_HOLD, SCHEDULED, IN_PROGRESS, CLOSED, CANCELLED
    lines: list[FulfillmentOrderLine]
    holds: list[FulfillmentHold]
    fulfill_at: datetime | None
    created_at: datetime
    updated_at: datetime
    status_before_hold: str = "OPEN"
    location_name: str = MAIN_LOCATION_NAME
    #: Assigned to the fulfillment service's location (else a merchant-managed one).
    fulfillment_service: bool = False
    #: UNSUBMITTED, SUBMITTED, ACCEPTED, REJECTED or CLOSED (FulfillmentOrderRequestStatus).
    request_status: str = "UNSUBMITTED"


@dataclass
class FulfillmentEvent(Resource):
    """A carrier tracking event (IN_TRANSIT, DELAYED, FAILURE, ...)."""

    GID_KIND: ClassVar[str] = "FulfillmentEvent"
    id: int
    fulfillment_id: int
    status: str
    message: str
    happened_at: datetime


@dataclass
class Fulfillment(Resource):
    """A shipment with tracking info and carrier events."""

    GID_KIND: ClassVar[str] = "Fulfillment"
    id: int
    order_id: int
    name: str
    status: str
    display_status: str
    tracking_company: str
    tracking_number: str
    tracking_url: str
    line_quantities: dict[int, int]  # line item id -> quantity shipped
    events: list[FulfillmentEvent]
    created_at: datetime
    updated_at: datetime


@dataclass
class OrderTransaction(Resource):
    """Money moved on an order: a SALE/CAPTURE when paid, a REFUND pointing at its parent."""

    GID_KIND: ClassVar[str] = "OrderTransaction"
    id: int
    order_id: int
    kind: str  # SALE, CAPTURE, AUTHORIZATION, REFUND, VOID (GraphQL enum form)
    gateway: str
    amount: Decimal
    created_at: datetime
    status: str = "SUCCESS"
    parent_id: int | None = None
    refund_id: int | None = None


@dataclass
class RefundLine:
    """A refunded order line."""

    line_item_id: int
    quantity: int
    restock_type: str
    subtotal: Decimal


@dataclass
class Refund(Resource):
    """Money given back, optionally with refunded lines."""

    GID_KIND: ClassVar[str] = "Refund"
    id: int
    order_id: int
    note: str
    amount: Decimal
    lines: list[RefundLine]
    created_at: datetime
    shipping: Decimal = Decimal("0.00")


@dataclass
class ReturnLine(Resource):
    """A returned quantity of one fulfilled line, with the reason."""

    GID_KIND: ClassVar[str] = "ReturnLineItem"
    id: int
    line_item_id: int
    quantity: int
    return_reason: str  # enum form, e.g. WRONG_ITEM
    return_reason_note: str
    customer_note: str


@dataclass
class Return(Resource):
    """A return request and its status."""

    GID_KIND: ClassVar[str] = "Return"
    id: int
    order_id: int
    name: str
    status: str  # REQUESTED, OPEN, DECLINED, CLOSED, CANCELED
    lines: list[ReturnLine]
    created_at: datetime
    updated_at: datetime
    decline_reason: str | None = None
    decline_note: str = ""


@dataclass
class Dispute(Resource):
    """A Shopify Payments chargeback or inquiry."""

    GID_KIND: ClassVar[str] = "ShopifyPaymentsDispute"
    id: int
    order_id: int | None
    type: str  # chargeback | inquiry
    amount: Decimal
    currency: str
    reason: str  # fraudulent, product_not_received, ...
    network_reason_code: str
    status: str  # needs_response, under_review, won, lost, ...
    initiated_at: datetime
    evidence_due_by: datetime | None
    evidence_sent_on: datetime | None = None
    finalized_on: datetime | None = None
    evidence: dict[str, str] = field(default_factory=dict)
    evidence_submitted: bool = False
    #: The ``ShopifyPaymentsDisputeEvidence`` id (its own id in Shopify); 0 = the dispute's.
    evidence_id: int = 0

    @property
    def evidence_gid(self) -> str:
        """``gid://shopify/ShopifyPaymentsDisputeEvidence/...``."""
        return gid("ShopifyPaymentsDisputeEvidence", self.evidence_id or self.id)


@dataclass
class DraftLine:
    """A draft order line."""

    id: int
    title: str
    sku: str
    variant_id: int | None
    quantity: int
    price: Decimal


@dataclass
class OrderEvent(Resource):
    """One entry of an order's timeline: Shopify's own event or a staff comment."""

    GID_KIND: ClassVar[str] = "BasicEvent"
    id: int
    order_id: int
    action: str  # "placed", "fulfillment_success", "comment", ...
    message: str
    created_at: datetime
    #: A staff member's name for comments (``CommentEvent.author``), else None.
    author: str | None = None
    app_title: str | None = None

    @property
    def comment(self) -> bool:
        """Whether this is a staff comment (``CommentEvent``) rather than a ``BasicEvent``."""
        return self.author is not None

    @property
    def gid(self) -> str:
        """Comments are ``CommentEvent`` s, the rest ``BasicEvent`` s."""
        return gid("CommentEvent" if self.comment else "BasicEvent", self.id)


@dataclass
class DraftOrder(Resource):
    """An order being prepared by staff (offline intake)."""

    GID_KIND: ClassVar[str] = "DraftOrder"
    id: int
    number: int
    email: str
    note: str
    tags: list[str]
    currency: str
    lines: list[DraftLine]
    customer_id: int | None
    shipping_address: Address | None
    status: str  # OPEN, COMPLETED
    created_at: datetime
    updated_at: datetime
    order_id: int | None = None
    completed_at: datetime | None = None
    #: The ``appliedDiscount`` of the whole draft, as an amount (0: none).
    discount: Decimal = Decimal("0.00")
    invoice_sent_at: datetime | None = None

    @property
    def name(self) -> str:
        """The display name ``#D1``."""
        return f"#D{self.number}"


@dataclass
class Job(Resource):
    """An asynchronous job; ``done`` once the clock passes ``done_at``."""

    GID_KIND: ClassVar[str] = "Job"
    id: int
    done_at: float


@dataclass
class EditLine:
    """A staged line in an order edit (existing or added)."""

    id: int
    line_item_id: int | None
    variant_id: int | None
    title: str
    sku: str
    price: Decimal
    quantity: int
    original_quantity: int


@dataclass
class OrderEdit(Resource):
    """An open order-edit session (the CalculatedOrder)."""

    GID_KIND: ClassVar[str] = "CalculatedOrder"
    id: int
    order_id: int
    lines: list[EditLine]
    committed: bool = False


@dataclass
class WebhookSubscription(Resource):
    """A webhook subscription (topic in REST form, e.g. ``orders/create``)."""

    GID_KIND: ClassVar[str] = "WebhookSubscription"
    id: int
    topic: str
    uri: str
    created_at: datetime


T = TypeVar("T")


def require(value: T | None, what: str) -> T:
    """Return ``value`` or raise :class:`ResourceNotFound`."""
    if value is None:
        raise ResourceNotFound(f"{what} not found")
    return value


@dataclass
class ThemeFile:
    """One text file of a theme (``sections/header.json``, ``templates/index.json``...)."""

    filename: str
    content: str
    created_at: datetime
    updated_at: datetime


@dataclass
class Theme(Resource):
    """An online store theme with its text files (by filename)."""

    GID_KIND: ClassVar[str] = "OnlineStoreTheme"
    id: int
    name: str
    role: str
    files: dict[str, ThemeFile]
    created_at: datetime
    updated_at: datetime


@dataclass
class ShopPolicy(Resource):
    """A legal policy of the shop (refund policy, terms of service...)."""

    GID_KIND: ClassVar[str] = "ShopPolicy"
    id: int
    type: str
    title: str
    body: str
    created_at: datetime
    updated_at: datetime
