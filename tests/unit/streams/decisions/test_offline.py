"""Approved offline intakes -> OfflineOrder: taxes, shipping and payment, validated."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from schemas.records import OfflineOrder, PaymentStatus
from streams.decisions import OfflineIntakeError, offline_order
from streams.decisions.variables import case_variables
from tests.unit.streams.decisions.fakes import T0, offline_values, variables


def build(**overrides: Any) -> OfflineOrder:
    return offline_order(
        case_id="OFFLINE_ORDER-1",
        shop="demo.myshopify.com",
        process_instance_id="pi-1",
        variables=case_variables(variables(offline_values(**overrides))),
        approved_at=T0,
    )


def problems(**overrides: Any) -> str:
    with pytest.raises(OfflineIntakeError) as caught:
        build(**overrides)
    return str(caught.value)


def test_taxes_shipping_and_payment_reach_the_record() -> None:
    order = build()
    [tax] = order.tax_lines
    assert (tax.title, tax.rate) == ("VAT", "0.2")
    [shipping] = order.shipping_lines
    assert (shipping.title, shipping.price, shipping.code, shipping.taxable) == (
        "Courier",
        "4.95",
        "DPD",
        True,
    )
    assert order.payment_status is PaymentStatus.PENDING and order.payment_terms is None


def test_payment_terms_with_their_template_and_due_date() -> None:
    order = build(
        paymentStatus="payment_terms", paymentTerms="Fixed", paymentDueAt="2026-12-31T00:00:00Z"
    )
    assert order.payment_status is PaymentStatus.PAYMENT_TERMS
    assert order.payment_terms is not None
    assert order.payment_terms.template == "Fixed"
    assert order.payment_terms.due_at == datetime(2026, 12, 31, tzinfo=UTC)


def test_tax_exempt_with_its_reason_needs_no_tax_lines() -> None:
    order = build(taxExempt=True, taxNote="reseller certificate 7", taxLines=None)
    assert order.tax_exempt and order.tax_lines == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"taxLines": None}, "taxLines: required"),
        ({"taxExempt": True, "taxNote": "resale"}, "a tax-exempt order cannot carry taxLines"),
        ({"taxLines": [{"title": "VAT", "rate": 20}]}, "is not a fraction in [0, 1)"),
        ({"taxLines": [{"title": "VAT", "rate": -0.1}]}, "is not a fraction in [0, 1)"),
        ({"taxLines": [{"rate": 0.2}]}, "taxLines[0].title"),
        ({"taxLines": {"title": "VAT"}}, "taxLines: expected a JSON list"),
        ({"shippingLines": [{"title": "Courier", "price": -1}]}, "price -1 is negative"),
        ({"shippingLines": [{"price": 4}]}, "shippingLines[0].title"),
        ({"shippingLines": [{"title": "x", "price": "free"}]}, "shippingLines[0].price"),
        ({"paymentStatus": None}, "paymentStatus: expected one of PAID, PENDING, PAYMENT_TERMS"),
        ({"paymentStatus": "LATER"}, "got 'LATER'"),
        ({"paymentStatus": "PAYMENT_TERMS"}, "PAYMENT_TERMS needs the terms template"),
        ({"paymentTerms": "Net 30"}, "only for paymentStatus PAYMENT_TERMS"),
        (
            {"paymentStatus": "PAYMENT_TERMS", "paymentTerms": "Fixed", "paymentDueAt": "soon"},
            "paymentDueAt",
        ),
    ],
)
def test_invalid_tax_shipping_or_payment_is_refused_with_the_reason(
    overrides: dict[str, Any], expected: str
) -> None:
    assert expected in problems(**overrides)


def test_every_problem_is_reported_at_once() -> None:
    text = problems(taxLines=None, paymentStatus=None, shippingLines=[{"title": "x", "price": -2}])
    assert "taxLines" in text and "paymentStatus" in text and "shippingLines[0]" in text
