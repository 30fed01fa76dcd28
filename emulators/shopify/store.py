"""The in-memory store: one :class:`ShopState` per shop, ids, transactions.

A mutation runs inside :meth:`Store.transaction`. Operations validate their
whole input before writing (so a refused mutation changes nothing), and the
webhook events they queue are handed to the listeners only when the
transaction commits: a failed mutation emits no webhook. Multi-step mutations
ask for a full snapshot that is restored on failure.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from emulators.shopify.clock import Clock
from emulators.shopify.config import EmulatorConfig, ShopConfig
from emulators.shopify.errors import ResourceNotFound
from emulators.shopify.indexed import Indexed
from emulators.shopify.models import (
    Customer,
    Dispute,
    DraftOrder,
    Fulfillment,
    FulfillmentHold,
    FulfillmentOrder,
    Job,
    LineItem,
    Metafield,
    Order,
    OrderEdit,
    OrderEvent,
    OrderTransaction,
    Product,
    Refund,
    Return,
    ShopPolicy,
    Theme,
    Variant,
    WebhookSubscription,
    money,
    parse_gid,
)

#: (shop domain, REST topic, REST payload) for every committed change.
EventListener = Callable[[str, str, dict[str, Any]], None]

# Ids in the range real shops use today (13 digits), so clients that squeeze
# ids into 32 bits fail here too.
FIRST_ID = 5_600_000_000_000


@dataclass
class ShopState:
    """Every resource of one shop, keyed by numeric id."""

    config: ShopConfig
    orders: Indexed[Order] = field(default_factory=lambda: Indexed("customer_id"))
    line_items: dict[int, LineItem] = field(default_factory=dict)
    customers: dict[int, Customer] = field(default_factory=dict)
    products: dict[int, Product] = field(default_factory=dict)
    variants: dict[int, Variant] = field(default_factory=dict)
    # Grouped by the ids the store looks them up by (see emulators/shopify/indexed.py).
    fulfillment_orders: Indexed[FulfillmentOrder] = field(
        default_factory=lambda: Indexed("order_id")
    )
    fulfillments: Indexed[Fulfillment] = field(default_factory=lambda: Indexed("order_id"))
    refunds: Indexed[Refund] = field(default_factory=lambda: Indexed("order_id"))
    transactions: Indexed[OrderTransaction] = field(
        default_factory=lambda: Indexed("order_id", "refund_id")
    )
    returns: Indexed[Return] = field(default_factory=lambda: Indexed("order_id"))
    disputes: dict[int, Dispute] = field(default_factory=dict)
    draft_orders: dict[int, DraftOrder] = field(default_factory=dict)
    jobs: dict[int, Job] = field(default_factory=dict)
    edits: dict[int, OrderEdit] = field(default_factory=dict)
    metafields: Indexed[Metafield] = field(default_factory=lambda: Indexed("owner_gid"))
    order_events: Indexed[OrderEvent] = field(default_factory=lambda: Indexed("order_id"))
    subscriptions: dict[int, WebhookSubscription] = field(default_factory=dict)
    themes: dict[int, Theme] = field(default_factory=dict)
    #: ShopPolicyType -> the shop's policy of that type
    shop_policies: dict[str, ShopPolicy] = field(default_factory=dict)
    #: @idempotent key -> (input fingerprint, refund id)
    idempotency: dict[str, tuple[str, int]] = field(default_factory=dict)
    next_id: int = FIRST_ID
    next_order_number: int = 1001
    next_draft_number: int = 1
    pending_events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def domain(self) -> str:
        """The shop's myshopify domain."""
        return self.config.domain

    def new_id(self) -> int:
        """A fresh 64-bit id, unique across every resource kind of the shop."""
        self.next_id += 1
        return self.next_id

    def emit(self, topic: str, payload: dict[str, Any]) -> None:
        """Queue a webhook event; delivered when the transaction commits."""
        self.pending_events.append((topic, payload))

    # --- lookups: accept a gid or a numeric id ---------------------------------

    def _get(self, table: Mapping[int, Any], kind: str, ref: str | int) -> Any:
        ident = ref if isinstance(ref, int) else parse_gid(ref, kind)[1]
        try:
            return table[ident]
        except KeyError:
            raise ResourceNotFound(f"{kind} {ref} not found") from None

    def order(self, ref: str | int) -> Order:
        """The order with this id."""
        result: Order = self._get(self.orders, "Order", ref)
        return result

    def customer(self, ref: str | int) -> Customer:
        """The customer with this id."""
        result: Customer = self._get(self.customers, "Customer", ref)
        return result

    def fulfillment_order(self, ref: str | int) -> FulfillmentOrder:
        """The fulfillment order with this id."""
        result: FulfillmentOrder = self._get(self.fulfillment_orders, "FulfillmentOrder", ref)
        return result

    def return_(self, ref: str | int) -> Return:
        """The return with this id."""
        result: Return = self._get(self.returns, "Return", ref)
        return result

    def dispute(self, ref: str | int) -> Dispute:
        """The dispute with this id."""
        result: Dispute = self._get(self.disputes, "ShopifyPaymentsDispute", ref)
        return result

    def dispute_by_evidence(self, ref: str | int) -> Dispute:
        """The dispute owning this ``ShopifyPaymentsDisputeEvidence`` id."""
        ident = ref if isinstance(ref, int) else parse_gid(ref, "ShopifyPaymentsDisputeEvidence")[1]
        for dispute in self.disputes.values():
            if (dispute.evidence_id or dispute.id) == ident:
                return dispute
        raise ResourceNotFound(f"ShopifyPaymentsDisputeEvidence {ref} not found")

    def transaction(self, ref: str | int) -> OrderTransaction:
        """The order transaction with this id."""
        result: OrderTransaction = self._get(self.transactions, "OrderTransaction", ref)
        return result

    def product(self, ref: str | int) -> Product:
        """The product with this id."""
        result: Product = self._get(self.products, "Product", ref)
        return result

    def variant(self, ref: str | int) -> Variant:
        """The product variant with this id."""
        result: Variant = self._get(self.variants, "ProductVariant", ref)
        return result

    def theme(self, ref: str | int) -> Theme:
        """The theme with this id."""
        result: Theme = self._get(self.themes, "OnlineStoreTheme", ref)
        return result

    def draft_order(self, ref: str | int) -> DraftOrder:
        """The draft order with this id."""
        result: DraftOrder = self._get(self.draft_orders, "DraftOrder", ref)
        return result

    def edit(self, ref: str | int) -> OrderEdit:
        """The order-edit session with this id."""
        result: OrderEdit = self._get(self.edits, "CalculatedOrder", ref)
        return result

    def node(self, ref: str) -> Any:
        """Any resource by global id (``node(id:)``)."""
        kind, ident = parse_gid(ref)
        tables: dict[str, Mapping[int, Any]] = {
            "Order": self.orders,
            "LineItem": self.line_items,
            "Customer": self.customers,
            "Product": self.products,
            "ProductVariant": self.variants,
            "FulfillmentOrder": self.fulfillment_orders,
            "Fulfillment": self.fulfillments,
            "Refund": self.refunds,
            "OrderTransaction": self.transactions,
            "Return": self.returns,
            "ShopifyPaymentsDispute": self.disputes,
            "DraftOrder": self.draft_orders,
            "Job": self.jobs,
            "Metafield": self.metafields,
            "WebhookSubscription": self.subscriptions,
            "OnlineStoreTheme": self.themes,
            "ShopPolicy": {p.id: p for p in self.shop_policies.values()},
            "BasicEvent": {i: e for i, e in self.order_events.items() if not e.comment},
            "CommentEvent": {i: e for i, e in self.order_events.items() if e.comment},
        }
        table = tables.get(kind)
        if table is None or ident not in table:
            raise ResourceNotFound(f"{ref} not found")
        return table[ident]

    # --- derived values ---------------------------------------------------------

    def lines_of(self, order: Order) -> list[LineItem]:
        """The order's lines in order, including lines edited down to zero."""
        return [self.line_items[i] for i in order.line_item_ids]

    def subtotal(self, order: Order) -> Decimal:
        """Sum of current line quantities times unit price."""
        return money(sum((li.price * li.current_quantity for li in self.lines_of(order)), 0))

    def total(self, order: Order) -> Decimal:
        """Subtotal + shipping + tax - discount (no tax added when prices include it)."""
        tax = Decimal(0) if order.taxes_included else order.tax
        return money(self.subtotal(order) + order.shipping_price + tax - order.discount)

    def fulfillment_status(self, order: Order) -> str:
        """GraphQL ``displayFulfillmentStatus``."""
        lines = [li for li in self.lines_of(order) if li.current_quantity > 0]
        shipped = sum(li.fulfilled_quantity for li in lines)
        wanted = sum(li.current_quantity - li.refunded_quantity for li in lines)
        if wanted > 0 and shipped >= wanted:
            return "FULFILLED"
        if shipped > 0:
            return "PARTIALLY_FULFILLED"
        fos = self.fulfillment_orders.group("order_id", order.id)
        if any(fo.status == "ON_HOLD" for fo in fos):
            return "ON_HOLD"
        if fos and all(fo.status == "SCHEDULED" for fo in fos):
            return "SCHEDULED"
        return "UNFULFILLED"

    def fulfillment_orders_of(self, order: Order) -> list[FulfillmentOrder]:
        """The order's fulfillment orders, oldest first."""
        return sorted(self.fulfillment_orders.group("order_id", order.id), key=lambda fo: fo.id)

    def orders_of(self, customer: Customer) -> list[Order]:
        """The customer's orders, oldest first."""
        return sorted(self.orders.group("customer_id", customer.id), key=lambda o: o.id)

    def amount_spent(self, customer: Customer) -> Decimal:
        """Paid minus refunded over the customer's orders."""
        return money(sum((o.paid - o.refunded for o in self.orders_of(customer)), 0))

    def holds_of(self, fo: FulfillmentOrder) -> list[FulfillmentHold]:
        """Active holds of a fulfillment order."""
        return list(fo.holds)

    def events_of(self, order: Order) -> list[OrderEvent]:
        """The order's timeline, oldest first."""
        return sorted(self.order_events.group("order_id", order.id), key=lambda e: e.id)

    def metafields_of(self, owner_gid: str) -> list[Metafield]:
        """Metafields attached to an owner, oldest first."""
        return sorted(self.metafields.group("owner_gid", owner_gid), key=lambda m: m.id)

    def fulfillments_of(self, order: Order) -> list[Fulfillment]:
        """The order's fulfillments, oldest first."""
        return sorted(self.fulfillments.group("order_id", order.id), key=lambda f: f.id)

    def refunds_of(self, order: Order) -> list[Refund]:
        """The order's refunds, oldest first."""
        return sorted(self.refunds.group("order_id", order.id), key=lambda r: r.id)

    def transactions_of(self, order: Order) -> list[OrderTransaction]:
        """The order's transactions, oldest first."""
        return sorted(self.transactions.group("order_id", order.id), key=lambda t: t.id)

    def refund_transactions_of(self, refund: Refund) -> list[OrderTransaction]:
        """The REFUND transactions that moved a refund's money, oldest first."""
        return sorted(self.transactions.group("refund_id", refund.id), key=lambda t: t.id)

    def refunded_shipping(self, order: Order) -> Decimal:
        """Shipping already refunded on the order."""
        return money(sum((r.shipping for r in self.refunds_of(order)), Decimal(0)))

    def returns_of(self, order: Order) -> list[Return]:
        """The order's returns, oldest first."""
        return sorted(self.returns.group("order_id", order.id), key=lambda r: r.id)


class Store:
    """All shops of the emulator plus the clock and the webhook listeners.

    Args:
        config: the emulator config (one :class:`ShopState` per configured shop).
        clock: the time source for timestamps.
    """

    def __init__(self, config: EmulatorConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.shops: dict[str, ShopState] = {}
        self.listeners: list[EventListener] = []
        self.reset()

    def reset(self) -> None:
        """Forget every resource; keep the configured shops."""
        self.shops = {s.domain: ShopState(config=s) for s in self.config.shops}

    def now(self) -> datetime:
        """Current time for ``created_at`` / ``updated_at``."""
        return self.clock.now()

    def shop(self, domain: str | None = None) -> ShopState:
        """A shop by domain; the first configured shop when ``domain`` is None."""
        if domain is None:
            return next(iter(self.shops.values()))
        try:
            return self.shops[domain]
        except KeyError:
            raise ResourceNotFound(f"shop {domain} not found") from None

    def shop_for_token(self, token: str) -> ShopState | None:
        """The shop whose app uses this access token."""
        for shop in self.shops.values():
            if shop.config.access_token == token:
                return shop
        return None

    def fulfillment_service_shop(self, token: str) -> ShopState | None:
        """The shop whose fulfillment service app uses this access token."""
        for shop in self.shops.values():
            if shop.config.service_token == token:
                return shop
        return None

    @contextmanager
    def transaction(self, shop: ShopState, *, snapshot: bool = False) -> Iterator[ShopState]:
        """Run a change atomically and publish its events only if it succeeds.

        Operations validate all input before changing anything, so a refusal
        normally leaves nothing to undo. ``snapshot=True`` additionally deep-copies
        the shop first and restores it on failure; it costs O(store size), so it
        is kept for the multi-step mutations (e.g. several splits in one call).
        """
        saved = (
            copy.deepcopy({k: v for k, v in vars(shop).items() if k != "config"})
            if snapshot
            else None
        )
        shop.pending_events = []
        try:
            yield shop
        except BaseException:
            if saved is not None:
                vars(shop).update(saved)
            shop.pending_events = []
            raise
        events, shop.pending_events = shop.pending_events, []
        for topic, payload in events:
            for listener in self.listeners:
                listener(shop.domain, topic, payload)
