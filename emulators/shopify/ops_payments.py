"""Taxes, shipping charges and payment terms of orders created through the API.

``orderCreate`` charges exactly the ``taxLines`` it is given (per line and per
shipping line; Shopify computes nothing from the shop's tax settings there),
so the order's total tax is their sum and its total is subtotal + shipping +
tax (tax inside the prices with ``taxesIncluded``). A tax line without a
``priceSet`` is priced at its rate, to the cent. Refused like Shopify: a
negative shipping price ("can't be negative"), a negative tax rate or amount.

``paymentTermsCreate`` puts terms from one of the shop's templates on an
order; an order has at most one set, net terms need the issue date, fixed
terms the due date, and the app needs ``write_payment_terms``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from graphql import GraphQLError

from emulators.shopify.errors import UserErrorRaised
from emulators.shopify.models import CENT, Order, TaxLine, gid, money

__all__ = [
    "PAYMENT_TERMS_TEMPLATES",
    "Charges",
    "create_payment_terms",
    "line_taxes",
    "shipping_charges",
]

#: The templates every shop has (Shopify's own set), as ``paymentTermsTemplates`` answers.
PAYMENT_TERMS_TEMPLATES: tuple[dict[str, Any], ...] = tuple(
    {
        "id": gid("PaymentTermsTemplate", number),
        "name": name,
        "translatedName": name,
        "description": description,
        "paymentTermsType": kind,
        "dueInDays": days,
    }
    for number, name, description, kind, days in (
        (1, "Due on receipt", "Due on receipt", "RECEIPT", None),
        (9, "Due on fulfillment", "Due on fulfillment", "FULFILLMENT", None),
        (2, "Net 7", "Within 7 days", "NET", 7),
        (3, "Net 15", "Within 15 days", "NET", 15),
        (4, "Net 30", "Within 30 days", "NET", 30),
        (8, "Net 45", "Within 45 days", "NET", 45),
        (5, "Net 60", "Within 60 days", "NET", 60),
        (6, "Net 90", "Within 90 days", "NET", 90),
        (7, "Fixed", "Fixed date", "FIXED", None),
    )
)


@dataclass
class Charges:
    """What the tax and shipping inputs of one order add up to."""

    shipping: Decimal
    tax_lines: list[TaxLine]

    @property
    def tax(self) -> Decimal:
        """The order's total tax."""
        return money(sum((t.amount for t in self.tax_lines), Decimal(0)))


def _amount(value: dict[str, Any] | None) -> Decimal | None:
    if not value:
        return None
    return Decimal(str(value["shopMoney"]["amount"]))


def line_taxes(
    inputs: list[dict[str, Any]] | None, base: Decimal, where: list[str]
) -> list[TaxLine]:
    """The tax lines of one order or shipping line whose taxable amount is ``base``."""
    found: list[TaxLine] = []
    for index, tax in enumerate(inputs or []):
        path = [*where, "taxLines", str(index)]
        rate = Decimal(str(tax["rate"]))
        if rate < 0:
            raise UserErrorRaised("Tax line rate must be positive", [*path, "rate"], "INVALID")
        amount = _amount(tax.get("priceSet"))
        if amount is None:
            amount = (base * rate).quantize(CENT, rounding=ROUND_HALF_UP)
        if amount < 0:
            raise UserErrorRaised("Tax line price must be positive", [*path, "priceSet"], "INVALID")
        found.append(TaxLine(title=str(tax["title"]), rate=rate, amount=money(amount)))
    return found


def shipping_charges(order: dict[str, Any]) -> tuple[Decimal, list[TaxLine]]:
    """Total shipping and its tax lines from ``shippingLines``."""
    total = Decimal("0.00")
    taxes: list[TaxLine] = []
    for index, line in enumerate(order.get("shippingLines") or []):
        where = ["order", "shippingLines", str(index)]
        price = _amount(line["priceSet"]) or Decimal(0)
        if price < 0:
            raise UserErrorRaised(
                "Shipping line price can't be negative", [*where, "priceSet"], "INVALID"
            )
        total += price
        taxes.extend(line_taxes(line.get("taxLines"), price, where))
    return money(total), taxes


def summed(taxes: list[TaxLine]) -> list[TaxLine]:
    """Tax lines of the same title and rate as one (``Order.taxLines``)."""
    by_key: dict[tuple[str, Decimal], TaxLine] = {}
    for tax in taxes:
        key = (tax.title, tax.rate)
        if key in by_key:
            by_key[key].amount = money(by_key[key].amount + tax.amount)
        else:
            by_key[key] = TaxLine(tax.title, tax.rate, tax.amount)
    return list(by_key.values())


def create_payment_terms(
    order: Order, attributes: dict[str, Any], scopes: list[str], now: datetime
) -> dict[str, Any]:
    """Put terms on ``order`` from a template; the ``PaymentTerms`` object."""
    if "write_payment_terms" not in scopes:
        raise GraphQLError(
            "Access denied for paymentTermsCreate field. Required access: `write_payment_terms`.",
            extensions={"code": "ACCESS_DENIED"},
        )
    template_id = str(attributes["paymentTermsTemplateId"])
    template = next((t for t in PAYMENT_TERMS_TEMPLATES if t["id"] == template_id), None)
    code = "PAYMENT_TERMS_CREATION_UNSUCCESSFUL"
    if template is None:
        raise UserErrorRaised(
            "Payment terms template does not exist", ["paymentTermsTemplateId"], code
        )
    if order.payment_terms is not None:
        raise UserErrorRaised("Cannot create payment terms on an order that has them", None, code)
    if order.financial_status == "PAID" or order.cancelled_at is not None:
        raise UserErrorRaised(
            "Cannot create payment terms on a paid or cancelled order", None, code
        )
    schedules = attributes.get("paymentSchedules") or []
    schedule = schedules[0] if schedules else {}
    kind = template["paymentTermsType"]
    due_at: datetime | None = None
    if kind == "NET":
        issued = schedule.get("issuedAt")
        if issued is None:
            raise UserErrorRaised("Net payment terms need issuedAt", ["paymentSchedules"], code)
        due_at = issued + timedelta(days=int(template["dueInDays"]))
    elif kind == "FIXED":
        due_at = schedule.get("dueAt")
        if due_at is None:
            raise UserErrorRaised("Fixed payment terms need dueAt", ["paymentSchedules"], code)
    terms = {
        "id": gid("PaymentTerms", order.id),
        "paymentTermsName": template["name"],
        "translatedName": template["name"],
        "paymentTermsType": kind,
        "dueInDays": template["dueInDays"],
        "dueAt": due_at,
        "due": kind == "RECEIPT",
        "overdue": bool(due_at and due_at < now),
        "order": order,
    }
    order.payment_terms = terms
    return terms
