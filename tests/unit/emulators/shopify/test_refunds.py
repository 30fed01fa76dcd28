"""Unit tests of order transactions, suggested refunds and refund transactions (no sockets)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from emulators.shopify import EmulatorConfig, FakeClock
from emulators.shopify import ops_orders as ops
from emulators.shopify import ops_refunds as refunds
from emulators.shopify.errors import ResourceNotFound, UserErrorRaised
from emulators.shopify.models import Order
from emulators.shopify.store import Store


@pytest.fixture
def store() -> Store:
    return Store(EmulatorConfig(), FakeClock())


def _ctx(store: Store) -> ops.Ctx:
    return ops.Ctx(store.shop(), store.now(), store.clock.monotonic(), 0.0)


def _order(store: Store, *, source_name: str = "web", financial_status: str = "PAID") -> Order:
    """2 x 15.00 + 1 x 10.00, tax 4.00, shipping 6.00: total 50.00."""
    with store.transaction(store.shop()):
        return ops.create_order(
            _ctx(store),
            ops.OrderSpec(
                lines=[
                    ops.LineSpec("Hat", 2, Decimal("15.00")),
                    ops.LineSpec("Cap", 1, Decimal("10.00")),
                ],
                tax=Decimal("4.00"),
                shipping_price=Decimal("6.00"),
                source_name=source_name,
                financial_status=financial_status,
            ),
        )


def _line(store: Store, order: Order, index: int = 0) -> str:
    return store.shop().lines_of(order)[index].gid


def test_paid_order_records_one_sale_by_source(store: Store) -> None:
    web = _order(store)
    api = _order(store, source_name="api")
    pending = _order(store, financial_status="PENDING")
    shop = store.shop()
    [sale] = shop.transactions_of(web)
    assert (sale.kind, sale.gateway, sale.amount) == ("SALE", "shopify_payments", Decimal("50.00"))
    assert [t.gateway for t in shop.transactions_of(api)] == ["manual"]
    assert shop.transactions_of(pending) == []


def test_suggestion_lines_tax_shipping_and_clamp(store: Store) -> None:
    order = _order(store)
    shop = store.shop()
    hat = _line(store, order)
    got = refunds.suggest_refund(
        shop,
        order,
        [{"lineItemId": hat, "quantity": 1}, {"lineItemId": hat, "quantity": 5}],
        refund_shipping=True,
    )
    # Two hats at most; their 30.00 of the 40.00 subtotal carries 3.00 of tax.
    assert [(x.quantity, x.restock_type) for x in got.lines] == [(2, "NO_RESTOCK")]
    assert (got.subtotal, got.tax, got.shipping) == (
        Decimal("30.00"),
        Decimal("3.00"),
        Decimal("6.00"),
    )
    assert got.amount == Decimal("39.00") and got.maximum == Decimal("50.00")
    [txn] = got.transactions
    assert txn.parent is shop.transactions_of(order)[0] and txn.amount == Decimal("39.00")
    with pytest.raises(ResourceNotFound):
        refunds.suggest_refund(shop, order, [{"lineItemId": "gid://shopify/LineItem/1"}])


def test_suggestion_spreads_over_two_payments(store: Store) -> None:
    order = _order(store, financial_status="PENDING")
    shop = store.shop()
    order.paid = Decimal("50.00")
    first = refunds.record_payment(shop, order, Decimal("20.00"), "gift_card", store.now())
    second = refunds.record_payment(shop, order, Decimal("30.00"), "shopify_payments", store.now())
    got = refunds.suggest_refund(
        shop, order, [{"lineItemId": _line(store, order), "quantity": 2}], refund_shipping=True
    )
    assert [(t.parent, t.amount) for t in got.transactions] == [
        (first, Decimal("20.00")),
        (second, Decimal("19.00")),
    ]


def test_refund_with_transactions_records_refunds_against_the_parent(store: Store) -> None:
    order = _order(store)
    shop = store.shop()
    [sale] = shop.transactions_of(order)
    ctx = _ctx(store)
    with store.transaction(shop):
        refund = ops.create_refund(
            ctx,
            order,
            note="",
            lines=[{"lineItemId": _line(store, order), "quantity": 1}],
            shipping=None,
            transactions=[{"amount": "16.50", "gateway": "shopify_payments", "parentId": sale.gid}],
        )
    [txn] = shop.refund_transactions_of(refund)
    assert (txn.kind, txn.parent_id, txn.amount) == ("REFUND", sale.id, Decimal("16.50"))
    assert refunds.parent_remaining(shop, sale) == Decimal("33.50")
    assert order.refunded == Decimal("16.50") and order.financial_status == "PARTIALLY_REFUNDED"


def test_explicit_empty_transactions_move_no_money(store: Store) -> None:
    order = _order(store)
    shop = store.shop()
    with store.transaction(shop):
        refund = ops.create_refund(
            _ctx(store),
            order,
            note="",
            lines=[{"lineItemId": _line(store, order), "quantity": 1}],
            shipping=None,
            transactions=[],
        )
    assert refund.amount == Decimal("0.00") and shop.refund_transactions_of(refund) == []
    assert order.financial_status == "PAID"
    assert shop.lines_of(order)[0].refunded_quantity == 1


def test_shipping_refund_is_limited_to_what_is_left(store: Store) -> None:
    order = _order(store)
    shop = store.shop()
    with store.transaction(shop):
        ops.create_refund(
            _ctx(store), order, note="", lines=[], shipping={"fullRefund": True}, transactions=None
        )
    assert shop.refunded_shipping(order) == Decimal("6.00")
    with pytest.raises(UserErrorRaised, match="refundable shipping"):
        ops.create_refund(
            _ctx(store), order, note="", lines=[], shipping={"amount": "0.01"}, transactions=None
        )


def test_cancel_refund_goes_back_through_the_sale(store: Store) -> None:
    order = _order(store)
    shop = store.shop()
    [sale] = shop.transactions_of(order)
    with store.transaction(shop):
        ops.cancel_order(
            _ctx(store), order, reason="FRAUD", restock=False, refund=True, staff_note=""
        )
    [refund] = shop.refunds_of(order)
    [txn] = shop.refund_transactions_of(refund)
    assert txn.parent_id == sale.id and txn.amount == Decimal("50.00")
    assert refunds.parent_remaining(shop, sale) == Decimal("0.00")
