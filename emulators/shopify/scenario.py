"""A seeded generator of realistic store traffic, including every use-case trigger.

``generate(store, n, seed=...)`` creates ``n`` scenario events in one shop;
the same seed and clock give the same resources and webhooks. Kinds:

======================== ===================================================== ==========
kind                     what happens                                          use case
======================== ===================================================== ==========
normal                   an ordinary paid order                                 -
risky_order              order + risk assessment HIGH or MEDIUM                 1
unusual_value            an order far above the shop's normal total            1
restricted_destination   shipping to KP / IR / SY / CU                          1
inventory_mismatch       quantity above stock (stock goes negative)             1, 4
vip_customer             order by a customer tagged VIP                         5
wholesale_customer       order by a customer tagged wholesale                   5
large_basket             many lines / units                                     5
return_request           shipped order, then returns/request with reasons       2
complaint_note           order whose note is a complaint                        3
fulfillment_failure      shipped, carrier FAILURE event                         4
fulfillment_delay        shipped, carrier DELAYED event                         4
attempted_delivery       shipped, carrier ATTEMPTED_DELIVERY event              4
partial_shipment         part of the order shipped                              4
out_of_stock             order that empties a variant (variants/out_of_stock)   4
scheduled_order          pre-order with a SCHEDULED fulfillment order           4
product_update           product description or price changed                   6
new_product              a new ACTIVE product with a claim or a regulated type  6
theme_banner             the live theme's announcement bar gets a claim         6
dispute_chargeback       chargeback on a paid order                             8
dispute_inquiry          inquiry on a paid order                                8
dispute_outcome          an open dispute ends: won, lost or accepted            8
                         (a chargeback is opened first when none is open)
fulfillment_rejected     an order shipped by the fulfillment service (3PL):     4
                         requested, then rejected with a reason and message
fulfillment_incomplete   as above, accepted, then closed incomplete by the      4
                         service (it could not complete the work)
======================== ===================================================== ==========

Products of the catalog carry what a return review reads: the headphones a
``casebridge.warranty_months`` metafield (36), the other types only their
product type (the default policy maps Electronics, Footwear and Kitchen to a
warranty). Disputes come with a staff comment on the order's timeline.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from emulators.shopify import ops_catalog as catalog
from emulators.shopify import ops_content as content
from emulators.shopify import ops_fulfillment as ful
from emulators.shopify import ops_fulfillment_service as service
from emulators.shopify import ops_orders as ops
from emulators.shopify.models import Address, Customer, Order, Product
from emulators.shopify.store import ShopState, Store

KINDS: tuple[str, ...] = (
    "normal",
    "risky_order",
    "unusual_value",
    "restricted_destination",
    "inventory_mismatch",
    "vip_customer",
    "wholesale_customer",
    "large_basket",
    "return_request",
    "complaint_note",
    "fulfillment_failure",
    "fulfillment_delay",
    "attempted_delivery",
    "partial_shipment",
    "out_of_stock",
    "scheduled_order",
    "product_update",
    "new_product",
    "theme_banner",
    "dispute_chargeback",
    "dispute_inquiry",
    "dispute_outcome",
    "fulfillment_rejected",
    "fulfillment_incomplete",
)
#: How long before an order its quiet restock is stamped: one second, Shopify's resolution
#: (any earlier and a stock change of the seconds between would look newer than it).
_RESTOCK_BEFORE = timedelta(seconds=1)
#: How long before the first traffic the demo catalog was created.
_CATALOG_AGE = timedelta(days=1)
#: Most real orders need no review: normal traffic dominates, each trigger kind is rarer.
_NORMAL_SHARE = 0.7

_FIRST = [
    "Ava",
    "Liam",
    "Mia",
    "Noah",
    "Emma",
    "Lucas",
    "Sofia",
    "Ethan",
    "Lea",
    "Omar",
    "Yuki",
    "Ines",
]
_LAST = ["Smith", "Garcia", "Müller", "Rossi", "Dubois", "Novak", "Tanaka", "Kim", "Silva", "Berg"]
_PLACES: list[tuple[str, str, str, str, str]] = [  # country, city, province code, province, zip
    ("US", "Austin", "TX", "Texas", "78701"),
    ("US", "Portland", "OR", "Oregon", "97205"),
    ("CA", "Toronto", "ON", "Ontario", "M5V 2T6"),
    ("GB", "Leeds", "", "", "LS1 4AP"),
    ("DE", "Hamburg", "", "", "20095"),
    ("FR", "Lyon", "", "", "69002"),
    ("AU", "Sydney", "NSW", "New South Wales", "2000"),
]
_RESTRICTED: list[tuple[str, str, str]] = [
    ("KP", "Pyongyang", "999093"),
    ("IR", "Tehran", "11369"),
    ("SY", "Damascus", "0100"),
    ("CU", "Havana", "10400"),
]
_CATALOG: list[tuple[str, str, list[tuple[str, str, str, int]]]] = [
    (
        "Merino Crew Sweater",
        "Apparel",
        [("S", "MER-S", "89.00", 40), ("M", "MER-M", "89.00", 55), ("L", "MER-L", "89.00", 3)],
    ),
    (
        "Trail Running Shoe",
        "Footwear",
        [("42", "TRS-42", "139.00", 25), ("44", "TRS-44", "139.00", 2)],
    ),
    ("Ceramic Pour-Over Set", "Kitchen", [("White", "CPO-W", "49.50", 80)]),
    ("Organic Cotton Tee", "Apparel", [("M", "OCT-M", "24.00", 200), ("L", "OCT-L", "24.00", 150)]),
    ("Noise-Cancelling Headphones", "Electronics", [("Black", "NCH-B", "329.00", 12)]),
    ("Vitamin D3 Drops", "Supplements", [("30ml", "VD3-30", "18.90", 60)]),
    ("Leather Weekender Bag", "Accessories", [("Tan", "LWB-T", "459.00", 1)]),
    ("Stainless Water Bottle", "Outdoor", [("750ml", "SWB-750", "32.00", 300)]),
]
#: New products a merchandiser adds: a claim or a regulated type makes them wait as drafts.
_NEW_PRODUCTS = [
    ("Sleep Well Tea", "Tea", "A herbal blend that cures insomnia."),
    ("Collagen Powder", "Supplements", "Daily collagen for skin and joints."),
    ("Detox Juice Pack", "Beverages", "A miracle detox in three days."),
    ("Bamboo Toothbrush", "Personal Care", "Soft bristles, compostable handle."),
]
_THEME_FILES = {
    "sections/announcement-bar.json": '{"settings": {"text": "Free shipping over $50"}}',
    "templates/index.json": '{"sections": {"hero": {"settings": {"heading": "New season"}}}}',
}
_BANNERS = [
    "Clinically proven comfort - 20% off this week",
    "Our vitamins prevent disease - shop now",
    "Free shipping over $50",
]
_RETURN_REASONS = [
    ("WRONG_ITEM", "Received the blue one, ordered black"),
    ("DEFECTIVE", "Seam came apart after one wash"),
    ("SIZE_TOO_SMALL", "Runs small"),
    ("UNWANTED", "Changed my mind"),
    ("NOT_AS_DESCRIBED", "Colour differs from the photos"),
]
_COMPLAINTS = [
    "This is the second time my parcel arrived damaged. Very disappointed!",
    "Still waiting for my order after 3 weeks, nobody answers my emails.",
    "The item I received is broken. I want a refund or a replacement.",
]
_CARRIERS = ["UPS", "DHL Express", "USPS", "Canada Post", "Royal Mail"]
#: Product title -> months of its ``casebridge.warranty_months`` metafield.
_WARRANTY_METAFIELDS = {"Noise-Cancelling Headphones": 36}
_DISPUTE_COMMENTS = [
    "Customer called: says the parcel never arrived; offered to re-ship, declined.",
    "Customer e-mailed a photo of the signed delivery slip last week.",
    "Card holder confirmed by phone that they placed the order.",
]
#: Why the fulfillment service rejects a request: (FulfillmentOrderRejectionReason, message).
_REJECTIONS = [
    ("INVENTORY_OUT_OF_STOCK", "No stock of this item at our warehouse"),
    ("INCORRECT_ADDRESS", "The address could not be validated"),
    ("UNDELIVERABLE_DESTINATION", "We do not ship to this destination"),
]
#: Why the fulfillment service closes accepted work incomplete.
_SERVICE_FAILURES = [
    "The item was damaged while packing",
    "The carrier refused the parcel",
]
#: How an open dispute can end, by its current status.
_ENDINGS = {"under_review": ["won", "lost"], "needs_response": ["accepted", "lost"]}


_SEGMENTS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("regular", (), 8),
    ("vip", ("VIP",), 2),
    ("wholesale", ("wholesale", "B2B"), 2),
)


def _segment(customer: Customer) -> str:
    tags = {t.lower() for t in customer.tags}
    return "vip" if "vip" in tags else "wholesale" if "wholesale" in tags else "regular"


@dataclass
class ScenarioEvent:
    """What one scenario step created."""

    kind: str
    order_id: str | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON view for the admin surface."""
        return {"kind": self.kind, "order_id": self.order_id, "detail": self.detail}


class ScenarioGenerator:
    """Creates realistic traffic in one shop, deterministically for a seed.

    Args:
        store: the emulator store.
        shop: the shop domain (the first configured shop by default).
        seed: random seed.
    """

    def __init__(self, store: Store, shop: str | None = None, seed: int = 1) -> None:
        self.store = store
        self.shop: ShopState = store.shop(shop)
        self.rng = random.Random(seed)
        self._customers: dict[str, list[int]] = {}

    # --- helpers ------------------------------------------------------------------

    def _ctx(self) -> ops.Ctx:
        clock = self.store.clock
        return ops.Ctx(self.shop, clock.now(), clock.monotonic(), self.store.config.job_duration_s)

    def _address(self, first: str, last: str, restricted: bool = False) -> Address:
        if restricted:
            code, city, zip_ = self.rng.choice(_RESTRICTED)
            return Address(
                first,
                last,
                f"{self.rng.randint(1, 99)} Main Street",
                city=city,
                country=code,
                country_code=code,
                zip=zip_,
            )
        code, city, prov_code, prov, zip_ = self.rng.choice(_PLACES)
        return Address(
            first,
            last,
            f"{self.rng.randint(1, 999)} {self.rng.choice(['Oak', 'Elm', 'High', 'Park'])} St",
            city=city,
            province=prov,
            province_code=prov_code,
            country=code,
            country_code=code,
            zip=zip_,
            phone=f"+1555{self.rng.randint(1000000, 9999999)}",
        )

    def _ensure_catalog(self) -> None:
        """Create the demo catalog and the customer segments the first time they are needed."""
        if not self._customers:
            # Reuse customers another generator (or an explicit seed) created.
            for cust in self.shop.customers.values():
                self._customers.setdefault(_segment(cust), []).append(cust.id)
        missing = [s for s in _SEGMENTS if s[0] not in self._customers]
        if self.shop.products and not missing:
            return
        with self.store.transaction(self.shop):
            ctx = self._ctx()
            # The store had its catalog before the traffic starts: its products (and their
            # stock, which casebridge compares orders with) are stamped a day earlier.
            stocked = replace(ctx, now=ctx.now - _CATALOG_AGE)
            for title, ptype, variants in _CATALOG if not self.shop.products else ():
                product = catalog.create_product(
                    stocked,
                    title=title,
                    product_type=ptype,
                    description_html=f"<p>{title}: made to last.</p>",
                    variants=[(t, s, Decimal(p), q) for t, s, p, q in variants],
                    tags=["regulated"] if ptype == "Supplements" else [],
                )
                if title in _WARRANTY_METAFIELDS:
                    warranty = {
                        "ownerId": product.gid,
                        "namespace": "casebridge",
                        "key": "warranty_months",
                        "type": "number_integer",
                        "value": str(_WARRANTY_METAFIELDS[title]),
                    }
                    ops.metafields_set(ctx, [warranty])
            for segment, tags, count in missing:
                for _ in range(count):
                    first, last = self.rng.choice(_FIRST), self.rng.choice(_LAST)
                    email = f"{first}.{last}.{self.rng.randint(10, 9999)}@example.com".lower()
                    cust = catalog.create_customer(
                        ctx,
                        email=email,
                        first_name=first,
                        last_name=last,
                        tags=list(tags),
                        address=self._address(first, last),
                    )
                    self._customers.setdefault(segment, []).append(cust.id)

    def _customer(self, segment: str = "regular") -> Customer:
        pool = self._customers.get(segment) or [c for ids in self._customers.values() for c in ids]
        return self.shop.customers[self.rng.choice(pool)]

    def _variants(self, k: int) -> list[Any]:
        return self.rng.sample(list(self.shop.variants.values()), k=min(k, len(self.shop.variants)))

    def _order(
        self,
        ctx: ops.Ctx,
        *,
        segment: str = "regular",
        lines: int = 0,
        qty: int = 0,
        restricted: bool = False,
        note: str = "",
        tags: list[str] | None = None,
        variants: list[Any] | None = None,
        scheduled: bool = False,
        oversell: bool = False,
        fulfillment_service: bool = False,
    ) -> Order:
        cust = self._customer(segment)
        chosen = variants or self._variants(lines or self.rng.randint(1, 3))
        specs = [
            ops.LineSpec(
                self.shop.products[v.product_id].title + f" - {v.title}",
                qty or self.rng.randint(1, 2),
                v.price,
                v.sku,
                v.id,
            )
            for v in chosen
        ]
        if not oversell:
            # Only the inventory kinds may sell beyond stock; restock quietly first,
            # stamped before the order as a real restock is (casebridge compares an
            # order with the stock levels from before it).
            earlier = replace(ctx, now=ctx.now - _RESTOCK_BEFORE)
            for spec in specs:
                var = self.shop.variants[spec.variant_id] if spec.variant_id else None
                if var is not None and var.inventory_quantity < spec.quantity:
                    ops.adjust_stock(earlier, var.id, spec.quantity + 50 - var.inventory_quantity)
        subtotal = sum((s.price * s.quantity for s in specs), Decimal(0))
        return ops.create_order(
            ctx,
            ops.OrderSpec(
                lines=specs,
                email=cust.email,
                customer_id=cust.id,
                shipping_address=self._address(cust.first_name, cust.last_name, restricted),
                tags=tags or [],
                note=note,
                source_name="web",
                shipping_price=Decimal("0.00") if subtotal > 100 else Decimal("7.95"),
                tax=(subtotal * Decimal("0.08")).quantize(Decimal("0.01")),
                fulfill_at=ctx.now + timedelta(days=14) if scheduled else None,
                fulfillment_service=fulfillment_service,
            ),
        )

    def _ship(self, ctx: ops.Ctx, order: Order, partial: bool = False) -> Any:
        quantities = None
        if partial:
            first = self.shop.lines_of(order)[0]
            quantities = {first.id: max(1, first.current_quantity // 2)}
            if len(self.shop.lines_of(order)) == 1 and first.current_quantity == 1:
                quantities = None
        carrier = self.rng.choice(_CARRIERS)
        return ful.fulfill(
            ctx,
            order,
            company=carrier,
            number=f"1Z{self.rng.randint(10**9, 10**10 - 1)}",
            quantities=quantities,
        )

    # --- the step -----------------------------------------------------------------

    def step(self, kind: str | None = None) -> ScenarioEvent:
        """Create one scenario event (random kind unless given)."""
        self._ensure_catalog()
        if kind is None:
            kind = "normal" if self.rng.random() < _NORMAL_SHARE else self.rng.choice(KINDS[1:])
        if kind not in KINDS:
            raise ValueError(f"unknown scenario kind {kind!r}; known: {', '.join(KINDS)}")
        with self.store.transaction(self.shop):
            return self._run(kind, self._ctx())

    def _run(self, kind: str, ctx: ops.Ctx) -> ScenarioEvent:
        detail = ""
        if kind == "unusual_value":
            order = self._order(
                ctx,
                variants=[
                    self.shop.variants[
                        self.shop.products[
                            self._product_id("Noise-Cancelling Headphones")
                        ].variant_ids[0]
                    ]
                ],
                qty=self.rng.randint(15, 40),
            )
        elif kind == "restricted_destination":
            order = self._order(ctx, restricted=True)
        elif kind in {"inventory_mismatch", "out_of_stock"}:
            scarce = self._scarce_variant(ctx)
            # A mismatch orders more than the stock; out-of-stock orders exactly the rest.
            extra = self.rng.randint(2, 5) if kind == "inventory_mismatch" else 0
            order = self._order(
                ctx, variants=[scarce], qty=scarce.inventory_quantity + extra, oversell=True
            )
            detail = f"{scarce.sku} stock now {scarce.inventory_quantity}"
        elif kind == "vip_customer":
            order = self._order(ctx, segment="vip")
        elif kind == "wholesale_customer":
            order = self._order(ctx, segment="wholesale", qty=self.rng.randint(10, 30))
        elif kind == "large_basket":
            order = self._order(ctx, lines=len(self.shop.variants), qty=self.rng.randint(3, 6))
        elif kind == "complaint_note":
            order = self._order(ctx, note=self.rng.choice(_COMPLAINTS))
        elif kind == "scheduled_order":
            order = self._order(ctx, scheduled=True, tags=["pre-order"])
        elif kind == "product_update":
            return self._product_update(ctx)
        elif kind == "new_product":
            return self._new_product(ctx)
        elif kind == "theme_banner":
            return self._theme_banner(ctx)
        elif kind == "dispute_outcome":
            return self._dispute_outcome(ctx)
        elif kind in {"fulfillment_rejected", "fulfillment_incomplete"}:
            return self._fulfillment_service(ctx, kind)
        else:
            order = self._order(ctx)
        if kind == "risky_order":
            level = self.rng.choice(["HIGH", "MEDIUM"])
            ops.set_risk(
                ctx,
                order,
                level,
                [
                    ("Billing and shipping addresses are far apart", "NEGATIVE"),
                    ("Card was used in several recent orders", "NEGATIVE"),
                ],
            )
            detail = level
        elif kind == "return_request":
            self._ship(ctx, order)
            reason, note = self.rng.choice(_RETURN_REASONS)
            li = self.shop.lines_of(order)[0]
            ful.request_return(
                ctx, order, [(li.id, 1, reason, note, "Please send a prepaid label")]
            )
            detail = reason
        elif kind in {"fulfillment_failure", "fulfillment_delay", "attempted_delivery"}:
            shipment = self._ship(ctx, order)
            status = {
                "fulfillment_failure": "FAILURE",
                "fulfillment_delay": "DELAYED",
                "attempted_delivery": "ATTEMPTED_DELIVERY",
            }[kind]
            ful.add_event(ctx, shipment, "IN_TRANSIT", "Departed facility")
            ful.add_event(
                ctx,
                shipment,
                status,
                {
                    "FAILURE": "Address not found",
                    "DELAYED": "Weather delay",
                    "ATTEMPTED_DELIVERY": "Nobody home",
                }[status],
            )
            detail = status
        elif kind == "partial_shipment":
            self._ship(ctx, order, partial=True)
        elif kind in {"dispute_chargeback", "dispute_inquiry"}:
            reason = self.rng.choice(["fraudulent", "product_not_received", "credit_not_processed"])
            ful.open_dispute(ctx, order, kind=kind.split("_")[1], reason=reason)
            comment = self.rng.choice(_DISPUTE_COMMENTS)
            ops.record_event(ctx, order, "comment", comment, author="Sam Support")
            detail = reason
        elif kind == "normal" and self.rng.random() < 0.3:
            self._ship(ctx, order)
        return ScenarioEvent(kind, order.gid, detail)

    def _fulfillment_service(self, ctx: ops.Ctx, kind: str) -> ScenarioEvent:
        """An order the fulfillment service (3PL) ships: requested, then refused."""
        order = self._order(ctx, fulfillment_service=True)
        (fo,) = self.shop.fulfillment_orders_of(order)
        # The merchant requests fulfillment (the admin's "Request fulfillment").
        service.submit(ctx, fo, "Standard shipping", None)
        if kind == "fulfillment_rejected":
            reason, message = self.rng.choice(_REJECTIONS)
            service.reject(ctx, fo, message, reason, [])
            return ScenarioEvent(kind, order.gid, reason)
        service.accept(ctx, fo, "")
        service.close(ctx, fo, self.rng.choice(_SERVICE_FAILURES))
        return ScenarioEvent(kind, order.gid, "INCOMPLETE")

    def _scarce_variant(self, ctx: ops.Ctx) -> Any:
        """The variant with the least positive stock (restocked by 5 when none has any)."""
        in_stock = [v for v in self.shop.variants.values() if v.inventory_quantity > 0]
        if in_stock:
            return min(in_stock, key=lambda v: (v.inventory_quantity, v.id))
        variant = self.rng.choice(list(self.shop.variants.values()))
        ops.adjust_stock(
            replace(ctx, now=ctx.now - _RESTOCK_BEFORE), variant.id, 5 - variant.inventory_quantity
        )
        return variant

    def _product_id(self, title: str) -> int:
        return next(
            (p.id for p in self.shop.products.values() if p.title == title),
            next(iter(self.shop.products)),
        )

    def _dispute_outcome(self, ctx: ops.Ctx) -> ScenarioEvent:
        """The oldest open dispute ends (one is opened first when none is open)."""
        open_ones = sorted(
            (d for d in self.shop.disputes.values() if d.status in _ENDINGS),
            key=lambda d: (d.status != "under_review", d.id),
        )
        if open_ones:
            dispute = open_ones[0]
            order = self.shop.orders[dispute.order_id] if dispute.order_id else None
        else:
            order = self._order(ctx)
            dispute = ful.open_dispute(ctx, order, kind="chargeback", reason="fraudulent")
        status = self.rng.choice(_ENDINGS[dispute.status])
        ful.finalize_dispute(ctx, dispute, status)
        return ScenarioEvent("dispute_outcome", order.gid if order else None, status)

    def _product_update(self, ctx: ops.Ctx) -> ScenarioEvent:
        product: Product = self.rng.choice(list(self.shop.products.values()))
        if self.rng.random() < 0.5:
            var_id = product.variant_ids[0]
            new = (self.shop.variants[var_id].price * Decimal("0.8")).quantize(Decimal("0.01"))
            catalog.update_product(ctx, product, prices={var_id: new})
            detail = f"price {new}"
        else:
            claim = self.rng.choice(
                [
                    "Clinically proven to boost immunity.",
                    "100% recycled materials.",
                    "Free returns within 60 days in the EU.",
                ]
            )
            catalog.update_product(
                ctx, product, description_html=f"<p>{product.title}. {claim}</p>"
            )
            detail = "description"
        return ScenarioEvent("product_update", None, f"{product.gid} {detail}")

    def _new_product(self, ctx: ops.Ctx) -> ScenarioEvent:
        title, ptype, body = self.rng.choice(_NEW_PRODUCTS)
        sku = f"NEW-{self.rng.randint(1000, 9999)}"
        price = Decimal(self.rng.choice(["12.90", "24.00", "39.50"]))
        product = catalog.create_product(
            ctx,
            title=f"{title} {sku[-4:]}",
            product_type=ptype,
            description_html=f"<p>{body}</p>",
            variants=[("Default", sku, price, self.rng.randint(5, 50))],
        )
        return ScenarioEvent("new_product", None, f"{product.gid} {ptype}")

    def _theme_banner(self, ctx: ops.Ctx) -> ScenarioEvent:
        live = next((t for t in self.shop.themes.values() if t.role == "MAIN"), None)
        if live is None:
            live = content.create_theme(ctx, name="Dawn", role="MAIN", files=dict(_THEME_FILES))
        text = self.rng.choice(_BANNERS)
        banner = {"sections/announcement-bar.json": f'{{"settings": {{"text": "{text}"}}}}'}
        content.edit_theme(ctx, live, banner)
        return ScenarioEvent("theme_banner", None, f"{live.gid} {text}")

    def generate(self, n: int, kinds: list[str] | None = None) -> list[ScenarioEvent]:
        """``n`` events; with ``kinds``, cycle through those kinds."""
        if kinds:
            return [self.step(kinds[i % len(kinds)]) for i in range(n)]
        return [self.step() for _ in range(n)]


def generate(
    store: Store, n: int, *, seed: int = 1, shop: str | None = None, kinds: list[str] | None = None
) -> list[ScenarioEvent]:
    """Create ``n`` scenario events in a shop (deterministic for a seed)."""
    return ScenarioGenerator(store, shop, seed).generate(n, kinds)


class ScenarioStream:
    """Emits scenario events continuously at ``rate_per_s`` until stopped.

    The first events are one of each trigger kind, then the mix of :meth:`ScenarioGenerator.step`.

    Args:
        generator: the generator to step.
        rate_per_s: events per second.
    """

    def __init__(self, generator: ScenarioGenerator, rate_per_s: float) -> None:
        self.generator = generator
        self.rate_per_s = rate_per_s
        self.emitted = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start emitting in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop emitting."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        # Every trigger kind once first (in a seeded order), so a sandbox shows every
        # use case within its first minute; then the realistic mix.
        first = list(KINDS[1:])
        self.generator.rng.shuffle(first)
        while True:
            self.generator.step(first.pop(0) if first else None)
            self.emitted += 1
            await self.generator.store.clock.sleep(1.0 / self.rate_per_s)
