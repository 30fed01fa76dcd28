"""Approved OFFLINE_ORDER intakes -> :class:`~schemas.records.OfflineOrder` records.

Phone, email and offline orders start in OpenText: a sales or finance user
fills the intake form (process variables) and approves it. The variables
read, all validated here so the writer only ever sees a complete order:

==================  ======  =====================================================
variable            type    content
==================  ======  =====================================================
``customer``        json    ``{"customerId"}`` or ``{"email"|"phone", "firstName",
                            "lastName", "shippingAddress": {"address1", "city",
                            "countryCode", ...}}`` (snake_case keys accepted)
``lineItems``       json    ``[{"variantId", "quantity", "priceOverride",
                            "overrideReason"}]``; an override needs a reason
``currency``        string  ISO 4217, e.g. ``EUR``
``taxExempt``       bool    default false; ``taxNote`` then explains why
``taxNote``         string
``taxLines``        json    ``[{"title", "rate"}]``, rate a fraction (``0.08`` =
                            8 %); required unless ``taxExempt`` (and refused
                            with it): every order states its tax
``shippingLines``   json    ``[{"title", "price", "code", "taxable"}]``; none for
                            pickup; price >= 0, ``taxable`` default true
``paymentStatus``   string  ``PAID`` / ``PENDING`` / ``PAYMENT_TERMS`` (required)
``paymentTerms``    string  with ``PAYMENT_TERMS`` (required then): the Shopify
                            payment terms template, by name (``Net 30``) or id
``paymentDueAt``    string  ISO-8601 due date, for fixed terms
``note``            string  order note
``tags``            json    list of tags, or comma-separated text
``shop``            string  the shop (else the configured default)
==================  ======  =====================================================

All problems are collected and reported together in one
:class:`~streams.decisions.errors.OfflineIntakeError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import ValidationError

from schemas.records import (
    CaseVariable,
    OfflineCustomer,
    OfflineLineItem,
    OfflineOrder,
    OfflinePaymentTerms,
    OfflineShippingLine,
    OfflineTaxLine,
    PaymentStatus,
)
from streams.decisions.errors import DecisionDataError, OfflineIntakeError
from streams.decisions.variables import DecisionVariables

__all__ = ["offline_order"]

_CURRENCY = re.compile(r"[A-Z]{3}")
_Record = TypeVar("_Record", OfflineTaxLine, OfflineShippingLine)
_CUSTOMER_KEYS = {
    "customerId": "customer_id",
    "id": "customer_id",
    "firstName": "first_name",
    "lastName": "last_name",
    "shippingAddress": "shipping_address",
}
_ADDRESS_KEYS = {"provinceCode": "province_code", "countryCode": "country_code"}
_LINE_KEYS = {
    "variantId": "variant_id",
    "priceOverride": "price_override",
    "overrideReason": "override_reason",
}


def _snake(data: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    return {names.get(key, key): value for key, value in data.items()}


def _errors(exc: ValidationError, where: str) -> list[str]:
    found = []
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"])
        found.append(f"{where}{'.' + path if path else ''}: {error['msg']}")
    return found


def _customer(raw: Any, problems: list[str]) -> OfflineCustomer | None:
    if raw is None:
        problems.append("customer: missing")
        return None
    if not isinstance(raw, dict):
        problems.append("customer: expected a JSON object")
        return None
    data = _snake(raw, _CUSTOMER_KEYS)
    if isinstance(data.get("customer_id"), int):
        data["customer_id"] = str(data["customer_id"])
    address = data.get("shipping_address")
    if isinstance(address, dict):
        data["shipping_address"] = _snake(address, _ADDRESS_KEYS)
    try:
        customer = OfflineCustomer.model_validate(data)
    except ValidationError as exc:
        problems.extend(_errors(exc, "customer"))
        return None
    if not (customer.customer_id or customer.email or customer.phone):
        problems.append("customer: needs customerId, email or phone")
    if customer.shipping_address is None and customer.customer_id is None:
        problems.append("customer: a new customer needs a shippingAddress")
    return customer


def _line_items(raw: Any, problems: list[str]) -> list[OfflineLineItem]:
    if raw is None or raw == []:
        problems.append("lineItems: at least one line is required")
        return []
    if not isinstance(raw, list):
        problems.append("lineItems: expected a JSON list")
        return []
    lines = []
    for position, item in enumerate(raw):
        where = f"lineItems[{position}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: expected a JSON object")
            continue
        data = _snake(item, _LINE_KEYS)
        # Forms send numbers; ids and money are text in the record (money exact).
        variant, price = data.get("variant_id"), data.get("price_override")
        if isinstance(variant, int) and not isinstance(variant, bool):
            data["variant_id"] = str(variant)
        if isinstance(price, Decimal | int) and not isinstance(price, bool):
            data["price_override"] = format(Decimal(price), "f")
        try:
            line = OfflineLineItem.model_validate(data)
        except ValidationError as exc:
            problems.extend(_errors(exc, where))
            continue
        if line.price_override is not None and not line.override_reason:
            # Pricing exceptions must be justified: finance approves them by reason.
            problems.append(f"{where}: priceOverride needs an overrideReason")
        lines.append(line)
    return lines


def _money_text(data: dict[str, Any], key: str) -> None:
    """Forms send numbers; money and rates are exact text in the record."""
    value = data.get(key)
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        data[key] = format(Decimal(value), "f")


def _records(
    raw: list[Any],
    name: str,
    model: type[_Record],
    money: str,
    problem_of: Callable[[_Record], str | None],
    problems: list[str],
) -> list[_Record]:
    """Each JSON object of ``raw`` as a ``model``; the bad ones are problems, by position."""
    found: list[_Record] = []
    for position, item in enumerate(raw):
        where = f"{name}[{position}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: expected a JSON object")
            continue
        data = dict(item)
        _money_text(data, money)
        try:
            record = model.model_validate(data)
        except ValidationError as exc:
            problems.extend(_errors(exc, where))
            continue
        problem = problem_of(record)
        if problem is not None:
            problems.append(f"{where}: {problem}")
            continue
        found.append(record)
    return found


def _rate_problem(tax: OfflineTaxLine) -> str | None:
    # A percentage typed as a fraction's field (8 instead of 0.08) would charge 800 %.
    if Decimal(0) <= Decimal(tax.rate) < Decimal(1):
        return None
    return f"rate {tax.rate} is not a fraction in [0, 1) (8 % = 0.08)"


def _price_problem(line: OfflineShippingLine) -> str | None:
    return f"price {line.price} is negative" if Decimal(line.price) < 0 else None


def _tax_lines(raw: Any, exempt: bool, problems: list[str]) -> list[OfflineTaxLine]:
    if exempt:
        if raw:
            problems.append("taxLines: a tax-exempt order cannot carry taxLines")
        return []
    if raw is None or raw == []:
        problems.append(
            'taxLines: required (e.g. [{"title": "Sales tax", "rate": 0.08}])'
            " unless taxExempt is true with a taxNote"
        )
        return []
    if not isinstance(raw, list):
        problems.append("taxLines: expected a JSON list")
        return []
    return _records(raw, "taxLines", OfflineTaxLine, "rate", _rate_problem, problems)


def _shipping_lines(raw: Any, problems: list[str]) -> list[OfflineShippingLine]:
    if raw is None or raw == []:
        return []  # pickup or delivery at no charge
    if not isinstance(raw, list):
        problems.append("shippingLines: expected a JSON list")
        return []
    return _records(raw, "shippingLines", OfflineShippingLine, "price", _price_problem, problems)


def _payment(
    values: DecisionVariables, problems: list[str]
) -> tuple[PaymentStatus, OfflinePaymentTerms | None]:
    status_text = (values.text("paymentStatus") or "").upper()
    allowed = ", ".join(s.value for s in PaymentStatus if s is not PaymentStatus.UNKNOWN)
    try:
        status = PaymentStatus(status_text)
    except ValueError:
        status = PaymentStatus.UNKNOWN
    if status is PaymentStatus.UNKNOWN:
        shown = values.text("paymentStatus")
        problems.append(f"paymentStatus: expected one of {allowed}, got {shown!r}")
        return status, None
    template = values.text("paymentTerms")
    try:
        due_at = values.timestamp("paymentDueAt")
    except DecisionDataError as exc:
        problems.append(str(exc))
        due_at = None
    if status is not PaymentStatus.PAYMENT_TERMS:
        if template is not None:
            problems.append(f"paymentTerms: only for paymentStatus PAYMENT_TERMS, not {status}")
        return status, None
    if template is None:
        problems.append("paymentTerms: PAYMENT_TERMS needs the terms template, e.g. 'Net 30'")
        return status, None
    return status, OfflinePaymentTerms(template=template, due_at=due_at)


def offline_order(
    *,
    case_id: str,
    shop: str,
    process_instance_id: str | None,
    variables: Iterable[CaseVariable],
    approved_at: datetime,
    extra_tags: Iterable[str] = (),
) -> OfflineOrder:
    """The order an approved intake describes.

    ``extra_tags`` (the audit tag) are appended to the intake's own tags.

    Raises:
        OfflineIntakeError: any variable is missing or invalid (all are listed).
    """
    problems: list[str] = []
    values = DecisionVariables(variables, case_id=case_id)

    def read(getter: Any, name: str) -> Any:
        try:
            return getter(name)
        except DecisionDataError as exc:
            problems.append(str(exc))
            return None

    customer = _customer(read(values.json, "customer"), problems)
    lines = _line_items(read(values.json, "lineItems"), problems)
    currency = (values.text("currency") or "").upper()
    if not _CURRENCY.fullmatch(currency):
        problems.append(f"currency: expected an ISO 4217 code such as 'EUR', got {currency!r}")
    tax_exempt = read(values.boolean, "taxExempt") or False
    tax_note = values.text("taxNote")
    if tax_exempt and not tax_note:
        problems.append("taxNote: a tax-exempt order needs a taxNote saying why")
    tax_lines = _tax_lines(read(values.json, "taxLines"), tax_exempt, problems)
    shipping_lines = _shipping_lines(read(values.json, "shippingLines"), problems)
    payment_status, payment_terms = _payment(values, problems)
    tags = read(values.text_list, "tags") or []
    if problems or customer is None:
        raise OfflineIntakeError(problems, case_id=case_id)
    return OfflineOrder(
        intake_case_id=case_id,
        shop=shop,
        process_instance_id=process_instance_id,
        customer=customer,
        line_items=lines,
        currency=currency,
        tax_exempt=tax_exempt,
        tax_note=tax_note,
        tax_lines=tax_lines,
        shipping_lines=shipping_lines,
        payment_status=payment_status,
        payment_terms=payment_terms,
        note=values.text("note"),
        tags=[*tags, *(t for t in extra_tags if t not in tags)],
        approved_at=approved_at,
    )
