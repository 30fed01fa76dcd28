"""Refund money: order transactions, ``Order.suggestedRefund`` and refund transactions.

Shopify moves money for a refund only through transactions. A paid order has
a ``SALE`` (or ``CAPTURE``) transaction; each ``REFUND`` transaction points at
one of those as its ``parentTransaction`` and cannot take back more than is
left of it. ``suggestedRefund`` computes what refunding some lines (and
shipping) would cost, and which transactions would pay it back, from the
order's payments minus its earlier refunds.

Pure functions of the shop: they read and (``record_*``) write the store and
raise :class:`UserErrorRaised` / :class:`ResourceNotFound`; callers run them
inside :meth:`Store.transaction`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from emulators.shopify.errors import ResourceNotFound, UserErrorRaised
from emulators.shopify.models import (
    LineItem,
    Order,
    OrderTransaction,
    Refund,
    RefundLine,
    money,
    parse_gid,
)
from emulators.shopify.store import ShopState

#: Transactions that took money a refund can give back.
PAYMENT_KINDS = frozenset({"SALE", "CAPTURE"})
ZERO = Decimal("0.00")


def record_payment(
    shop: ShopState, order: Order, amount: Decimal, gateway: str, now: datetime
) -> OrderTransaction:
    """Record a successful SALE of ``amount`` on the order."""
    sale = OrderTransaction(
        id=shop.new_id(),
        order_id=order.id,
        kind="SALE",
        gateway=gateway,
        amount=money(amount),
        created_at=now,
    )
    shop.transactions[sale.id] = sale
    return sale


def refundable_amount(shop: ShopState, order: Order) -> Decimal:
    """What can still be refunded: paid minus refunded."""
    return money(order.paid - order.refunded)


def parent_remaining(shop: ShopState, parent: OrderTransaction) -> Decimal:
    """What is left to refund of a SALE/CAPTURE: its amount minus its REFUND children."""
    taken = sum(
        (
            t.amount
            for t in shop.transactions.values()
            if t.parent_id == parent.id and t.kind == "REFUND" and t.status == "SUCCESS"
        ),
        Decimal(0),
    )
    return money(max(Decimal(0), parent.amount - taken))


def payments_of(shop: ShopState, order: Order) -> list[OrderTransaction]:
    """The order's successful SALE/CAPTURE transactions, oldest first."""
    return [
        t for t in shop.transactions_of(order) if t.kind in PAYMENT_KINDS and t.status == "SUCCESS"
    ]


@dataclass
class PlannedTransaction:
    """A REFUND transaction about to be recorded."""

    amount: Decimal
    gateway: str
    parent: OrderTransaction | None


def allocate(
    shop: ShopState,
    order: Order,
    amount: Decimal,
    *,
    gateway: str = "",
    used: dict[int, Decimal] | None = None,
) -> list[PlannedTransaction]:
    """Spread ``amount`` over the order's payments with money left (``gateway``'s first).

    ``used`` is what earlier planned transactions of the same refund already
    take from each parent. What no parent covers stays one parentless
    transaction (the emulator then still refunds it, like a manual refund).
    """
    used = used if used is not None else {}
    payments = payments_of(shop, order)
    payments.sort(key=lambda t: (t.gateway != gateway, t.id))
    planned: list[PlannedTransaction] = []
    left = money(amount)
    for parent in payments:
        if left <= 0:
            break
        room = parent_remaining(shop, parent) - used.get(parent.id, ZERO)
        take = min(left, room)
        if take > 0:
            planned.append(PlannedTransaction(money(take), parent.gateway, parent))
            used[parent.id] = used.get(parent.id, ZERO) + take
            left -= take
    if left > 0:
        planned.append(PlannedTransaction(money(left), gateway or "manual", None))
    return planned


def _decimal(value: Any, path: list[str]) -> Decimal:
    try:
        return money(Decimal(str(value)))
    except ArithmeticError:
        raise UserErrorRaised("Amount is not a valid number", [*path, "amount"]) from None


def check_transactions(
    shop: ShopState, order: Order, transactions: list[dict[str, Any]]
) -> list[PlannedTransaction]:
    """Validate refundCreate's ``transactions``; the REFUND transactions to record.

    Refused (``userErrors``): a kind other than REFUND, another order's id, a
    non-positive amount, a ``parentId`` that is not a successful SALE/CAPTURE
    of this order, a gateway other than the parent's, more than is left of a
    parent, or more than the order's refundable amount in total. A
    transaction without ``parentId`` is spread over the order's payments.
    """
    used: dict[int, Decimal] = {}
    explicit: list[PlannedTransaction] = []
    loose: list[tuple[Decimal, str]] = []
    total = ZERO
    for index, item in enumerate(transactions):
        path = ["transactions", str(index)]
        if (item.get("kind") or "REFUND") != "REFUND":
            raise UserErrorRaised("Transaction kind must be REFUND", [*path, "kind"])
        if item.get("orderId"):
            try:
                owner = parse_gid(item["orderId"], "Order")[1]
            except ResourceNotFound:
                owner = None
            if owner != order.id:
                raise UserErrorRaised(
                    "Transaction order does not match the refunded order", [*path, "orderId"]
                )
        amount = _decimal(item.get("amount"), path)
        if amount <= 0:
            raise UserErrorRaised("Amount must be greater than zero", [*path, "amount"])
        total += amount
        gateway = str(item.get("gateway") or "")
        if not item.get("parentId"):
            loose.append((amount, gateway))
            continue
        parent = _parent(shop, order, item["parentId"], path)
        if gateway and gateway != parent.gateway:
            raise UserErrorRaised(
                f"Gateway {gateway} does not match the parent transaction's gateway "
                f"{parent.gateway}",
                [*path, "gateway"],
            )
        used[parent.id] = used.get(parent.id, ZERO) + amount
        remaining = parent_remaining(shop, parent)
        if used[parent.id] > remaining:
            raise UserErrorRaised(
                f"Refund amount {used[parent.id]} is greater than the refundable amount "
                f"{remaining} of the parent transaction",
                [*path, "amount"],
            )
        explicit.append(PlannedTransaction(amount, parent.gateway, parent))
    if total > refundable_amount(shop, order):
        raise UserErrorRaised(
            f"Refund amount {money(total)} is greater than the refundable amount "
            f"{refundable_amount(shop, order)}",
            ["transactions", "0", "amount"],
        )
    planned = list(explicit)
    for amount, gateway in loose:
        planned.extend(allocate(shop, order, amount, gateway=gateway, used=used))
    return planned


def _parent(shop: ShopState, order: Order, ref: str, path: list[str]) -> OrderTransaction:
    try:
        parent = shop.transaction(ref)
    except ResourceNotFound:
        raise UserErrorRaised("Parent transaction does not exist", [*path, "parentId"]) from None
    if parent.order_id != order.id:
        raise UserErrorRaised(
            "Parent transaction does not belong to the order", [*path, "parentId"]
        )
    if parent.kind not in PAYMENT_KINDS or parent.status != "SUCCESS":
        raise UserErrorRaised(
            f"Parent transaction is a {parent.kind} ({parent.status}); only a successful "
            "SALE or CAPTURE can be refunded",
            [*path, "parentId"],
        )
    return parent


def record_refund_transactions(
    shop: ShopState, refund: Refund, planned: list[PlannedTransaction], now: datetime
) -> list[OrderTransaction]:
    """Record the REFUND transactions of a refund."""
    out: list[OrderTransaction] = []
    for item in planned:
        txn = OrderTransaction(
            id=shop.new_id(),
            order_id=refund.order_id,
            kind="REFUND",
            gateway=item.gateway,
            amount=item.amount,
            created_at=now,
            parent_id=item.parent.id if item.parent else None,
            refund_id=refund.id,
        )
        shop.transactions[txn.id] = txn
        out.append(txn)
    return out


# --- Order.suggestedRefund ----------------------------------------------------------


@dataclass
class SuggestedTransaction:
    """One suggested REFUND: how much back through which payment."""

    parent: OrderTransaction | None
    gateway: str
    amount: Decimal
    maximum: Decimal


@dataclass
class Suggestion:
    """What Shopify suggests for refunding some lines and shipping of an order."""

    lines: list[RefundLine]
    subtotal: Decimal
    tax: Decimal
    shipping: Decimal
    shipping_maximum: Decimal
    amount: Decimal
    maximum: Decimal
    transactions: list[SuggestedTransaction] = field(default_factory=list)


def line_tax(shop: ShopState, order: Order, line: LineItem, quantity: int) -> Decimal:
    """The order tax's share of ``quantity`` units of ``line`` (by value)."""
    subtotal = shop.subtotal(order)
    if subtotal <= 0 or order.tax <= 0:
        return ZERO
    return money(order.tax * line.price * quantity / subtotal)


def suggest_refund(
    shop: ShopState,
    order: Order,
    lines: list[dict[str, Any]],
    *,
    refund_shipping: bool = False,
    shipping_amount: Decimal | None = None,
) -> Suggestion:
    """``Order.suggestedRefund``: lines + their tax + shipping, capped at what is refundable.

    Quantities are clamped to what is still refundable of each line (repeats
    of one line add up). The suggested transactions go back through the
    order's payments, oldest first, each at most what is left of it.

    Raises:
        ResourceNotFound: a line item that is not on this order.
    """
    asked: dict[int, int] = {}
    restock: dict[int, str] = {}
    for item in lines:
        try:
            li = shop.line_items[parse_gid(item["lineItemId"], "LineItem")[1]]
        except KeyError:
            raise ResourceNotFound(f"line item {item['lineItemId']} not found") from None
        if li.order_id != order.id:
            raise ResourceNotFound(f"line item {item['lineItemId']} is not on order {order.gid}")
        asked[li.id] = asked.get(li.id, 0) + max(0, int(item.get("quantity") or 0))
        restock[li.id] = str(item.get("restockType") or restock.get(li.id) or "NO_RESTOCK")
    refund_lines: list[RefundLine] = []
    tax = ZERO
    for li_id, quantity in asked.items():
        li = shop.line_items[li_id]
        quantity = min(quantity, li.current_quantity - li.refunded_quantity)
        if quantity <= 0:
            continue
        refund_lines.append(RefundLine(li.id, quantity, restock[li_id], money(li.price * quantity)))
        tax += line_tax(shop, order, li, quantity)
    subtotal = money(sum((line.subtotal for line in refund_lines), Decimal(0)))
    shipping_maximum = money(max(ZERO, order.shipping_price - shop.refunded_shipping(order)))
    shipping = ZERO
    if shipping_amount is not None:
        shipping = money(min(max(ZERO, shipping_amount), shipping_maximum))
    elif refund_shipping:
        shipping = shipping_maximum
    maximum = refundable_amount(shop, order)
    amount = money(min(subtotal + tax + shipping, maximum))
    suggestion = Suggestion(
        lines=refund_lines,
        subtotal=subtotal,
        tax=money(tax),
        shipping=shipping,
        shipping_maximum=shipping_maximum,
        amount=amount,
        maximum=maximum,
    )
    if amount > 0:
        for planned in allocate(shop, order, amount):
            room = parent_remaining(shop, planned.parent) if planned.parent else planned.amount
            suggestion.transactions.append(
                SuggestedTransaction(planned.parent, planned.gateway, planned.amount, room)
            )
    return suggestion
