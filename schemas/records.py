"""Pydantic models of the records in ``schemas/*.avsc``.

Each top-level model (:class:`ShopifyEvent`, :class:`CaseRequest`...) mirrors
one schema field for field; a unit test compares the two so they cannot drift.
``to_avro()`` gives the dict fastavro writes, ``from_avro()`` validates the dict
fastavro reads::

    event = ShopifyEvent(event_id="e1", ..., received_at=datetime.now(UTC))
    data = event.to_avro()                      # -> dict for fastavro / AvroSerde
    assert ShopifyEvent.from_avro(data) == event

Conventions, the same as the schemas:

* ids are ``str`` (Shopify's 64-bit ids do not fit a JSON/JS double);
* money is a decimal string (:data:`DecimalStr`), never a float;
* timestamps are timezone-aware UTC datetimes truncated to milliseconds,
  because Avro ``timestamp-millis`` keeps no more (a model therefore equals
  its own round trip); naive datetimes are rejected rather than guessed;
* enums are :class:`~enum.StrEnum` whose members equal their Avro symbols;
  lower-case input (``"order"``) is accepted for convenience.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from schemas import load_schema, record_for_topic

__all__ = [
    "CLOSED_BY",
    "RECORD_MODELS",
    "Action",
    "ActionKind",
    "Address",
    "AvroRecord",
    "CaseDecision",
    "CaseOpened",
    "CaseRequest",
    "CaseState",
    "CaseStatus",
    "CaseType",
    "CaseVariable",
    "ComplaintChannel",
    "ComplaintSubmitted",
    "DecimalStr",
    "DecisionSource",
    "EventSource",
    "IssueType",
    "OfflineCustomer",
    "OfflineLineItem",
    "OfflineOrder",
    "OfflinePaymentTerms",
    "OfflineShippingLine",
    "OfflineTaxLine",
    "PaymentStatus",
    "Priority",
    "Reason",
    "Severity",
    "ShopifyEvent",
    "SubjectType",
    "UtcDatetime",
    "VariableType",
    "WritebackResult",
    "WritebackStatus",
    "model_for_topic",
]


# --- value types ----------------------------------------------------------------------------


def _utc_millis(value: datetime) -> datetime:
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


#: A timezone-aware datetime normalised to UTC and truncated to milliseconds.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_utc_millis)]

_DECIMAL = re.compile(r"-?\d+(\.\d+)?")


def _decimal_text(value: str) -> str:
    if not _DECIMAL.fullmatch(value):
        raise ValueError(f"expected a decimal string such as '19.90', got {value!r}")
    return value


#: A money amount as a plain decimal string ("19.90"): exact, unlike a float.
DecimalStr = Annotated[str, AfterValidator(_decimal_text)]


def _json_object_text(value: str) -> str:
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        raise ValueError(f"expected JSON object text: {exc}") from None
    if not isinstance(parsed, dict):
        raise ValueError("expected JSON object text, got another JSON value")
    return value


#: JSON object text, e.g. ``'{"reason": "FRAUD"}'``.
JsonObjectText = Annotated[str, AfterValidator(_json_object_text)]

#: Avro ``int`` range, checked here so a bad value fails at construction, not at encode.
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]


class _Symbol(StrEnum):
    """An Avro enum: members equal their symbols; lower-case input is accepted."""

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if isinstance(value, str):
            for member in cls:
                if member.value == value.upper():
                    return member
        return None


class EventSource(_Symbol):
    """How an event reached casebridge."""

    WEBHOOK = "WEBHOOK"
    RECONCILIATION = "RECONCILIATION"
    REPLAY = "REPLAY"


class ComplaintChannel(_Symbol):
    """Where a complaint came from."""

    CONTACT_FORM = "CONTACT_FORM"
    EMAIL = "EMAIL"
    CHAT = "CHAT"
    PHONE = "PHONE"
    ORDER_NOTE = "ORDER_NOTE"
    HELP_DESK = "HELP_DESK"
    OTHER = "OTHER"


class IssueType(_Symbol):
    """What a complaint is about."""

    DELAYED_SHIPMENT = "DELAYED_SHIPMENT"
    DAMAGED_GOODS = "DAMAGED_GOODS"
    WRONG_ITEM = "WRONG_ITEM"
    BILLING = "BILLING"
    PRODUCT_QUALITY = "PRODUCT_QUALITY"
    SERVICE = "SERVICE"
    OTHER = "OTHER"


class Severity(_Symbol):
    """How serious a complaint is."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


class CaseType(_Symbol):
    """The kind of workflow case."""

    ORDER_REVIEW = "ORDER_REVIEW"
    HIGH_VALUE_REVIEW = "HIGH_VALUE_REVIEW"
    RETURN_REVIEW = "RETURN_REVIEW"
    COMPLAINT = "COMPLAINT"
    FULFILLMENT_EXCEPTION = "FULFILLMENT_EXCEPTION"
    CONTENT_REVIEW = "CONTENT_REVIEW"
    OFFLINE_ORDER = "OFFLINE_ORDER"
    CHARGEBACK = "CHARGEBACK"
    UNKNOWN = "UNKNOWN"


class SubjectType(_Symbol):
    """The kind of object a case is about."""

    ORDER = "ORDER"
    RETURN = "RETURN"
    DISPUTE = "DISPUTE"
    PRODUCT = "PRODUCT"
    CUSTOMER = "CUSTOMER"
    FULFILLMENT_ORDER = "FULFILLMENT_ORDER"
    COMPLAINT = "COMPLAINT"
    UNKNOWN = "UNKNOWN"


class Priority(_Symbol):
    """How urgently a case must be decided."""

    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"


class VariableType(_Symbol):
    """The OpenText variable type a :class:`CaseVariable` value is converted to."""

    STRING = "STRING"
    INTEGER = "INTEGER"
    LONG = "LONG"
    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    JSON = "JSON"
    DECIMAL = "DECIMAL"


class ActionKind(_Symbol):
    """A Shopify effect the writer knows how to apply."""

    RELEASE_HOLD = "RELEASE_HOLD"
    CANCEL_ORDER = "CANCEL_ORDER"
    UPDATE_ORDER = "UPDATE_ORDER"
    APPROVE_RETURN = "APPROVE_RETURN"
    DECLINE_RETURN = "DECLINE_RETURN"
    REFUND = "REFUND"
    SPLIT_FULFILLMENT = "SPLIT_FULFILLMENT"
    RESCHEDULE_FULFILLMENT = "RESCHEDULE_FULFILLMENT"
    EDIT_ORDER = "EDIT_ORDER"
    ADD_TAGS = "ADD_TAGS"
    ADD_NOTE = "ADD_NOTE"
    SET_METAFIELD = "SET_METAFIELD"
    UPDATE_DISPUTE_EVIDENCE = "UPDATE_DISPUTE_EVIDENCE"
    CREATE_ORDER = "CREATE_ORDER"
    UPDATE_PRODUCT = "UPDATE_PRODUCT"
    NONE = "NONE"
    CREATE_REPLACEMENT = "CREATE_REPLACEMENT"
    #: Not a Shopify write: an e-mail to the order's customer (appended last: Avro symbol order).
    NOTIFY_CUSTOMER = "NOTIFY_CUSTOMER"


class DecisionSource(_Symbol):
    """How casebridge learned of a decision."""

    HISTORY_POLL = "HISTORY_POLL"
    CALLBACK = "CALLBACK"
    MANUAL = "MANUAL"
    #: Shopify itself decided (a dispute's final status on ``disputes/update``).
    SHOPIFY = "SHOPIFY"


class PaymentStatus(_Symbol):
    """Payment state approved for an offline order."""

    PAID = "PAID"
    PENDING = "PENDING"
    PAYMENT_TERMS = "PAYMENT_TERMS"
    UNKNOWN = "UNKNOWN"


class WritebackStatus(_Symbol):
    """Outcome of a write-back."""

    APPLIED = "APPLIED"
    ALREADY_APPLIED = "ALREADY_APPLIED"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"


class CaseStatus(_Symbol):
    """Lifecycle state of a case."""

    REQUESTED = "REQUESTED"
    OPEN = "OPEN"
    DECIDED = "DECIDED"
    APPLYING = "APPLYING"
    APPLIED = "APPLIED"
    FAILED = "FAILED"
    ESCALATED = "ESCALATED"
    CLOSED = "CLOSED"
    UNKNOWN = "UNKNOWN"


# --- nested records -------------------------------------------------------------------------


class _Model(BaseModel):
    # Frozen: records are facts on a log; extra="forbid" catches misspelt fields early.
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reason(_Model):
    """Why a case was opened: a machine code and a human detail."""

    code: str
    detail: str


class CaseVariable(_Model):
    """A typed OpenText process variable; the value is always text."""

    name: str
    type: VariableType = VariableType.STRING
    value: str


class Action(_Model):
    """One concrete Shopify effect of a decision."""

    kind: ActionKind = ActionKind.NONE
    target_id: str
    params: JsonObjectText
    idempotency_key: str

    def params_dict(self) -> dict[str, Any]:
        """``params`` parsed into a dict."""
        parsed: dict[str, Any] = json.loads(self.params)
        return parsed


class Address(_Model):
    """A postal address."""

    address1: str
    address2: str | None = None
    city: str
    province_code: str | None = None
    country_code: str
    zip: str | None = None


class OfflineCustomer(_Model):
    """The customer of an offline order: an existing id or contact details."""

    customer_id: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    shipping_address: Address | None = None


class OfflineLineItem(_Model):
    """One ordered variant of an offline order."""

    variant_id: str
    quantity: Annotated[int, Field(ge=1, le=2**31 - 1)]
    price_override: DecimalStr | None = None
    override_reason: str | None = None


class OfflineTaxLine(_Model):
    """A tax the intake approved: applied to every line and to taxable shipping."""

    title: Annotated[str, Field(min_length=1)]
    rate: DecimalStr


class OfflineShippingLine(_Model):
    """A shipping charge the intake approved."""

    title: Annotated[str, Field(min_length=1)]
    price: DecimalStr
    code: str | None = None
    taxable: bool = True


class OfflinePaymentTerms(_Model):
    """Payment terms approved for a ``PAYMENT_TERMS`` order."""

    template: Annotated[str, Field(min_length=1)]
    due_at: UtcDatetime | None = None


# --- topic records --------------------------------------------------------------------------


class AvroRecord(_Model):
    """Base of the top-level records: one per topic, each backed by an ``.avsc`` file."""

    #: The record's Avro name, which is also its schema file's stem.
    avro_name: ClassVar[str]

    def to_avro(self) -> dict[str, Any]:
        """The record as the dict fastavro writes (enums as symbols, datetimes as UTC)."""
        return self.model_dump(mode="python")

    @classmethod
    def from_avro(cls, data: Any) -> Self:
        """Validate a dict read by fastavro (or :class:`~connectors.serde.AvroSerde`)."""
        return cls.model_validate(data)

    @classmethod
    def avro_schema(cls) -> dict[str, Any]:
        """This record's schema as loaded from its ``.avsc`` file."""
        return load_schema(cls.avro_name)


class ShopifyEvent(AvroRecord):
    """A Shopify webhook delivery (topic ``shopify.webhooks``)."""

    avro_name: ClassVar[str] = "ShopifyEvent"

    event_id: str
    webhook_id: str
    shop: str
    topic: str
    sub_topic: str | None = None
    api_version: str
    triggered_at: UtcDatetime | None = None
    received_at: UtcDatetime
    resource_id: str
    order_id: str | None = None
    source: EventSource = EventSource.WEBHOOK
    # Not parsed here: the body is passed through unchanged and may be large.
    payload: str


class ComplaintSubmitted(AvroRecord):
    """A customer complaint from an external producer (topic ``support.complaints``)."""

    avro_name: ClassVar[str] = "ComplaintSubmitted"

    complaint_id: str
    shop: str
    customer_id: str | None = None
    customer_email: str | None = None
    order_id: str | None = None
    channel: ComplaintChannel = ComplaintChannel.OTHER
    issue_type: IssueType = IssueType.OTHER
    severity: Severity = Severity.MEDIUM
    customer_segment: str | None = None
    subject: str
    message: str
    submitted_at: UtcDatetime


#: The variable that marks a closing :class:`CaseRequest` and says why the case closes.
CLOSED_BY = "caseClosedBy"


class CaseRequest(AvroRecord):
    """A request to open a workflow case (topic ``cases.requests``)."""

    avro_name: ClassVar[str] = "CaseRequest"

    case_id: str
    case_type: CaseType = CaseType.UNKNOWN
    shop: str
    subject_type: SubjectType = SubjectType.UNKNOWN
    subject_id: str
    order_id: str | None = None
    customer_id: str | None = None
    teams: list[str] = Field(default_factory=list)
    priority: Priority = Priority.NORMAL
    sla_due_at: UtcDatetime
    reasons: list[Reason] = Field(default_factory=list)
    variables: list[CaseVariable] = Field(default_factory=list)
    enrichment_complete: bool = True
    source_event_ids: list[str] = Field(default_factory=list)
    requested_at: UtcDatetime

    def closing_reason(self) -> str | None:
        """Why this request closes its case (a dispute that ended), or None for any other.

        A closing request carries the variable :data:`CLOSED_BY`; classify writes it,
        the sink ends the case's instance with it instead of opening or updating one.
        """
        return next((v.value for v in self.variables if v.name == CLOSED_BY), None)


class CaseOpened(AvroRecord):
    """A case has a running OpenText process instance (topic ``cases.opened``)."""

    avro_name: ClassVar[str] = "CaseOpened"

    case_id: str
    case_type: CaseType = CaseType.UNKNOWN
    shop: str
    process_instance_id: str
    process_definition_key: str
    business_key: str
    opened_at: UtcDatetime
    already_existed: bool = False


class CaseDecision(AvroRecord):
    """A decision on a case with the actions to apply (topic ``cases.decisions``)."""

    avro_name: ClassVar[str] = "CaseDecision"

    decision_id: str
    case_id: str
    case_type: CaseType = CaseType.UNKNOWN
    shop: str
    process_instance_id: str
    task_id: str | None = None
    outcome: str
    decided_by: str | None = None
    team: str | None = None
    decided_at: UtcDatetime
    variables: list[CaseVariable] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    source: DecisionSource = DecisionSource.HISTORY_POLL


class OfflineOrder(AvroRecord):
    """An OpenText-approved order to create in Shopify (topic ``orders.offline``)."""

    avro_name: ClassVar[str] = "OfflineOrder"

    intake_case_id: str
    shop: str
    process_instance_id: str | None = None
    customer: OfflineCustomer
    line_items: list[OfflineLineItem] = Field(default_factory=list)
    currency: str
    tax_exempt: bool = False
    tax_note: str | None = None
    tax_lines: list[OfflineTaxLine] = Field(default_factory=list)
    shipping_lines: list[OfflineShippingLine] = Field(default_factory=list)
    payment_status: PaymentStatus = PaymentStatus.UNKNOWN
    payment_terms: OfflinePaymentTerms | None = None
    note: str | None = None
    tags: list[str] = Field(default_factory=list)
    approved_at: UtcDatetime


class WritebackResult(AvroRecord):
    """One attempted Shopify mutation and its result (topic ``shopify.writebacks``)."""

    avro_name: ClassVar[str] = "WritebackResult"

    writeback_id: str
    case_id: str
    decision_id: str | None = None
    shop: str
    action: ActionKind = ActionKind.NONE
    target_id: str
    mutation: str
    status: WritebackStatus = WritebackStatus.UNKNOWN
    attempts: Annotated[int, Field(ge=1, le=2**31 - 1)]
    error_code: str | None = None
    error_message: str | None = None
    result_id: str | None = None
    query_cost: Int32 | None = None
    query_cost_requested: Int32 | None = None
    finished_at: UtcDatetime


class CaseState(AvroRecord):
    """The current state of a case (topic ``cases.state``, compacted)."""

    avro_name: ClassVar[str] = "CaseState"

    case_id: str
    case_type: CaseType = CaseType.UNKNOWN
    shop: str
    subject_id: str
    status: CaseStatus = CaseStatus.UNKNOWN
    process_instance_id: str | None = None
    outcome: str | None = None
    escalation_level: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    priority: Priority = Priority.NORMAL
    sla_due_at: UtcDatetime | None = None
    shopify_order_id: str | None = None
    detail: str | None = None
    updated_at: UtcDatetime


#: Record name -> model class, for every topic record.
RECORD_MODELS: dict[str, type[AvroRecord]] = {
    model.avro_name: model
    for model in (
        ShopifyEvent,
        ComplaintSubmitted,
        CaseRequest,
        CaseOpened,
        CaseDecision,
        OfflineOrder,
        WritebackResult,
        CaseState,
    )
}


def model_for_topic(topic: str) -> type[AvroRecord]:
    """The model class of ``topic``'s value."""
    return RECORD_MODELS[record_for_topic(topic)]
