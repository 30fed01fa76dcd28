"""Offline orders (``orders.offline``): validate, find by intake tag, create once.

:class:`OfflineOrderCreator` turns an OpenText-approved
:class:`~schemas.records.OfflineOrder` into a Shopify order:

1. **Checks without I/O**: line items present, quantity >= 1, no negative
   price override, a customer id or an email plus a name, a currency code
   (collected, raised together with step 3's).
2. **Look-up by tag**: the order carries ``casebridge-intake:<intake case id>``;
   ``orders(query: "tag:'...'")`` finds it -> ``ALREADY_APPLIED`` with its id.
   This comes before the remote checks so a replay of an order created long
   ago is still recognised when, say, a variant has since been deleted.
3. **Checks against the store**: each variant exists (``productVariant``),
   the given customer exists (``customer``).
4. **Create** with ``orderCreate``: variants and quantities, price overrides
   as the line's ``priceSet``, the customer (associated by id or upserted by
   email), shipping address, note, tags (with the intake tag), the approved
   taxes as each line's ``taxLines`` (amounts computed here from the line's
   price, so the order's total tax is what the intake approved), the
   shipping charges as ``shippingLines`` (taxed unless not ``taxable``), the
   financial status (``PAID``, else ``PENDING``), and the tax exemption, tax
   note and override reasons as custom attributes. A tax-exempt order's
   lines go as ``taxable: false`` with no tax lines.
5. **Payment terms** (``PAYMENT_TERMS`` only): ``paymentTermsCreate`` on the
   order, from the shop's template named by the intake (checked in step 3,
   so an unknown template never leaves an order behind). The order's
   ``paymentTerms`` is read first, so a replay finds them and writes nothing.

Any problem from steps 1 and 3 raises :class:`~streams.writer.errors.OfflineOrderInvalid`
listing all of them.

Why ``orderCreate`` and not ``draftOrderCreate`` + ``draftOrderComplete``:
one mutation creates the order with its tag atomically, so there is no window
in which a crash leaves a draft that a replay would complete a second time.
(The draft path would need ``draftOrders(query: "tag:...")`` to close that
window; the emulator does not serve ``draftOrders``.) A draft would take its
taxes from the shop's tax settings, not from the intake, while ``orderCreate``
charges exactly the ``taxLines`` it is given: the intake's approved rates.
Payment terms, which ``OrderCreateOrderInput`` lacks, follow with
``paymentTermsCreate``: a pending order without terms is still a valid order,
and step 5 completes it on a replay.

The remaining window: Shopify's order search is indexed asynchronously (a
few seconds on a real store), so a replay within seconds of a crash right
after ``orderCreate`` could miss the new order. The writer agent keys
``orders.offline`` by intake case id, so replays come only after a restart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from connectors.shopify import operations as ops
from connectors.shopify.budget import Priority, Spend, call_class, charged_to
from connectors.shopify.documents import writer as queries
from connectors.shopify.errors import (
    ShopifyAuthError,
    ShopifyGraphQLError,
    ShopifyUnavailableError,
    ShopifyUserError,
)
from schemas.records import CaseType, OfflineOrder, PaymentStatus, WritebackResult, WritebackStatus
from streams.writer.base import StoreWriter
from streams.writer.context import JsonObject, MeteredExecutor
from streams.writer.errors import OfflineOrderInvalid, WriterAuthError, WriterUnavailableError
from streams.writer.results import offline_result
from streams.writer.retrying import Attempts, run_step

__all__ = ["INTAKE_TAG_PREFIX", "OfflineOrderCreator", "intake_tag", "tax_amount"]

INTAKE_TAG_PREFIX = "casebridge-intake:"

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_PAID = {PaymentStatus.PAID: "PAID"}  # anything else is still to be collected
_CENT = Decimal("0.01")


def tax_amount(base: Decimal, rate: str) -> Decimal:
    """The tax on ``base`` at ``rate``, to the cent (half up, as Shopify rounds a tax line)."""
    return (base * Decimal(rate)).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass
class _StoreFacts:
    """What step 3 learned from the store: unit prices, the payment terms template."""

    problems: list[str] = field(default_factory=list)
    prices: dict[int, Decimal] = field(default_factory=dict)
    terms_template: JsonObject | None = None


def intake_tag(intake_case_id: str) -> str:
    """The tag that marks the order created for ``intake_case_id`` (commas dropped)."""
    return (INTAKE_TAG_PREFIX + intake_case_id.replace(",", " ").strip())[:255]


def _gid(resource: str, value: str) -> str:
    value = value.strip()
    return value if value.startswith("gid://") else f"gid://shopify/{resource}/{value}"


def _static_problems(order: OfflineOrder) -> list[str]:
    """Problems visible in the record itself."""
    problems: list[str] = []
    if not order.line_items:
        problems.append("the order has no line items")
    for position, line in enumerate(order.line_items, start=1):
        if line.quantity <= 0:
            problems.append(f"line {position} ({line.variant_id}): quantity must be at least 1")
        if line.price_override is not None:
            try:
                price = Decimal(line.price_override)
            except InvalidOperation:
                problems.append(
                    f"line {position}: price override {line.price_override!r} is not a number"
                )
            else:
                if price < 0:
                    problems.append(
                        f"line {position} ({line.variant_id}): price override"
                        f" {line.price_override} is negative"
                    )
    customer = order.customer
    if not customer.customer_id:
        if not customer.email:
            problems.append("the customer has neither a Shopify customer id nor an email")
        if not (customer.first_name or customer.last_name):
            problems.append("the customer has neither a Shopify customer id nor a name")
    if customer.email and "@" not in customer.email:
        problems.append(f"customer email {customer.email!r} is not an email address")
    if not _CURRENCY.match(order.currency):
        problems.append(f"currency {order.currency!r} is not a 3-letter ISO code")
    return problems


class OfflineOrderCreator(StoreWriter):
    """Creates each offline order in Shopify at most once.

    Built with the store's client, settings, sleep and clock (:class:`StoreWriter`).
    """

    async def create(self, order: OfflineOrder) -> WritebackResult:
        """Create ``order`` unless an order with its intake tag exists.

        Returns an ``APPLIED`` result with the new order's id, ``ALREADY_APPLIED``
        with the existing one's, or ``FAILED`` when Shopify refused the order
        permanently (e.g. a ``userError`` the checks did not foresee).

        Raises:
            OfflineOrderInvalid: the record cannot become an order (every problem listed).
            WriterUnavailableError: Shopify was unreachable; try again later.
            WriterAuthError: the token or its scopes were refused.
        """
        problems = _static_problems(order)
        meter = MeteredExecutor(self._client)
        attempts = Attempts()

        async def step() -> tuple[WritebackStatus, str | None]:
            # Looked up on every run: a retried create finds what an earlier run made.
            existing = await self._find(meter, order)
            if existing is not None:
                # Terms are a second write: a crash may have come between the two.
                wrote = await self._ensure_terms(meter, order, existing, None)
                status = WritebackStatus.APPLIED if wrote else WritebackStatus.ALREADY_APPLIED
                return status, existing
            # All problems in one error, so the intake team fixes the record once.
            facts = await self._store_facts(meter, order)
            found = problems + facts.problems
            if found:
                raise OfflineOrderInvalid(order.intake_case_id, found)
            created = await ops.order_create(
                meter,
                self._order_input(order, facts.prices),
                {"inventoryBehaviour": "DECREMENT_OBEYING_POLICY", "sendReceipt": False},
            )
            order_id = created.get("id")
            if not order_id:
                return WritebackStatus.APPLIED, None
            await self._ensure_terms(meter, order, str(order_id), facts.terms_template)
            return WritebackStatus.APPLIED, str(order_id)

        what = f"offline order {order.intake_case_id}"
        spend = Spend(CaseType.OFFLINE_ORDER.value, order.intake_case_id)
        try:
            with call_class(Priority.WRITEBACK), charged_to(spend):
                status, order_id = await run_step(
                    step, config=self._config, sleep=self._sleep, attempts=attempts, what=what
                )
        except ShopifyUserError as exc:
            code = "TRANSIENT_EXHAUSTED" if exc.transient else (exc.code or "USER_ERROR")
            return self._failed(order, exc.operation, code, str(exc), attempts.count, meter)
        except ShopifyGraphQLError as exc:
            operation = exc.operation or "orderCreate"
            return self._failed(order, operation, "GRAPHQL_ERROR", str(exc), attempts.count, meter)
        except ShopifyUnavailableError as exc:
            raise WriterUnavailableError(
                f"{what}: Shopify unavailable: {exc}", attempts=exc.attempts
            ) from exc
        except ShopifyAuthError as exc:
            raise WriterAuthError(str(exc)) from exc
        return self._result(order, status, order_id, attempts.count, meter)

    async def _find(self, client: MeteredExecutor, order: OfflineOrder) -> str | None:
        tag = intake_tag(order.intake_case_id)
        quoted = tag.replace("\\", "\\\\").replace("'", "\\'")
        data = await client.execute(
            queries.ORDERS_BY_QUERY, {"query": f"tag:'{quoted}'", "first": 5}
        )
        for node in (data.get("orders") or {}).get("nodes") or []:
            # Search is fuzzy on a real store: confirm the exact tag.
            if isinstance(node, dict) and tag.lower() in {
                str(t).lower() for t in node.get("tags") or []
            }:
                return str(node["id"])
        return None

    async def _store_facts(self, client: MeteredExecutor, order: OfflineOrder) -> _StoreFacts:
        facts = _StoreFacts()
        problems = facts.problems
        for position, line in enumerate(order.line_items, start=1):
            variant = _gid("ProductVariant", line.variant_id)
            data = await client.execute(queries.PRODUCT_VARIANT, {"id": variant})
            found = data.get("productVariant")
            if not isinstance(found, dict):
                problems.append(f"line {position}: variant {line.variant_id} does not exist")
                continue
            price = line.price_override if line.price_override is not None else found.get("price")
            try:
                facts.prices[position] = Decimal(str(price))
            except InvalidOperation:
                problems.append(f"line {position}: variant {line.variant_id} has no price")
        customer_id = order.customer.customer_id
        if customer_id:
            data = await client.execute(queries.CUSTOMER, {"id": _gid("Customer", customer_id)})
            if not isinstance(data.get("customer"), dict):
                problems.append(f"customer {customer_id} does not exist")
        if order.payment_terms is not None:
            facts.terms_template = await self._template(client, order, problems)
        return facts

    async def _template(
        self, client: MeteredExecutor, order: OfflineOrder, problems: list[str]
    ) -> JsonObject | None:
        """The shop's payment terms template the intake names (by name or id)."""
        terms = order.payment_terms
        if terms is None:
            return None
        wanted = terms.template.strip().lower()
        templates = await ops.payment_terms_templates(client)
        template = next(
            (
                t
                for t in templates
                if wanted in {str(t.get("name", "")).lower(), str(t.get("id", "")).lower()}
            ),
            None,
        )
        if template is None:
            names = ", ".join(str(t.get("name")) for t in templates)
            problems.append(
                f"payment terms {terms.template!r} is not a template of the shop ({names})"
            )
            return None
        if template.get("paymentTermsType") == "FIXED" and terms.due_at is None:
            problems.append(
                f"payment terms {template.get('name')!r} need a due date (paymentDueAt)"
            )
            return None
        return template

    async def _ensure_terms(
        self,
        client: MeteredExecutor,
        order: OfflineOrder,
        order_id: str,
        template: JsonObject | None,
    ) -> bool:
        """Put the intake's payment terms on the order unless it has terms; True if written."""
        terms = order.payment_terms
        if terms is None or await ops.order_payment_terms(client, order_id) is not None:
            return False
        if template is None:
            problems: list[str] = []
            template = await self._template(client, order, problems)
            if template is None:
                raise OfflineOrderInvalid(order.intake_case_id, problems)
        schedule: JsonObject = {}
        kind = template.get("paymentTermsType")
        if kind == "FIXED":
            schedule["dueAt"] = terms.due_at.isoformat() if terms.due_at else None
        elif kind == "NET":
            # Net terms run from the day the intake approved the order.
            schedule["issuedAt"] = order.approved_at.isoformat()
        attributes: JsonObject = {"paymentTermsTemplateId": template["id"]}
        if schedule:
            attributes["paymentSchedules"] = [schedule]
        await ops.payment_terms_create(client, order_id, attributes)
        return True

    def _order_input(self, order: OfflineOrder, prices: dict[int, Decimal]) -> JsonObject:
        customer = order.customer
        lines: list[JsonObject] = []
        attributes: list[JsonObject] = [
            {"key": "casebridge_intake_case_id", "value": order.intake_case_id},
            {"key": "casebridge_tax_exempt", "value": "true" if order.tax_exempt else "false"},
            {"key": "casebridge_payment_status", "value": order.payment_status.value},
        ]
        if order.tax_note:
            attributes.append({"key": "casebridge_tax_note", "value": order.tax_note})
        for position, line in enumerate(order.line_items, start=1):
            item: JsonObject = {
                "variantId": _gid("ProductVariant", line.variant_id),
                "quantity": line.quantity,
                "taxable": not order.tax_exempt,
            }
            base = prices[position] * line.quantity
            taxes = self._tax_lines(order, base)
            if taxes:
                item["taxLines"] = taxes
            if line.price_override is not None:
                money = {"amount": line.price_override, "currencyCode": order.currency}
                item["priceSet"] = {"shopMoney": money}
                if line.override_reason:
                    attributes.append(
                        {
                            "key": f"casebridge_price_override_{position}",
                            "value": line.override_reason,
                        }
                    )
            lines.append(item)
        if customer.customer_id:
            customer_input: JsonObject = {
                "toAssociate": {"id": _gid("Customer", customer.customer_id)}
            }
        else:
            upsert = {
                "email": customer.email,
                "firstName": customer.first_name,
                "lastName": customer.last_name,
                "phone": customer.phone,
            }
            customer_input = {"toUpsert": {k: v for k, v in upsert.items() if v}}
        shipping: list[JsonObject] = []
        for charge in order.shipping_lines:
            line_input: JsonObject = {
                "title": charge.title,
                "source": "casebridge",
                "priceSet": {"shopMoney": {"amount": charge.price, "currencyCode": order.currency}},
            }
            if charge.code:
                line_input["code"] = charge.code
            taxes = self._tax_lines(order, Decimal(charge.price)) if charge.taxable else []
            if taxes:
                line_input["taxLines"] = taxes
            shipping.append(line_input)
        tags = [*order.tags, intake_tag(order.intake_case_id)]
        body: JsonObject = {
            "currency": order.currency,
            "sourceName": "casebridge",
            "financialStatus": _PAID.get(order.payment_status, "PENDING"),
            "customer": customer_input,
            "lineItems": lines,
            "tags": list(dict.fromkeys(tags)),
            "customAttributes": attributes,
            # The approved rates are charged on top of the prices, as the intake quoted them.
            "taxesIncluded": False,
        }
        if shipping:
            body["shippingLines"] = shipping
        if customer.email:
            body["email"] = customer.email
        if customer.phone:
            body["phone"] = customer.phone
        if order.note:
            body["note"] = order.note
        address = customer.shipping_address
        if address is not None:
            address_input = {
                "firstName": customer.first_name,
                "lastName": customer.last_name,
                "address1": address.address1,
                "address2": address.address2,
                "city": address.city,
                "provinceCode": address.province_code,
                "countryCode": address.country_code,
                "zip": address.zip,
            }
            body["shippingAddress"] = {k: v for k, v in address_input.items() if v}
        return body

    @staticmethod
    def _tax_lines(order: OfflineOrder, base: Decimal) -> list[JsonObject]:
        return [
            {
                "title": tax.title,
                "rate": tax.rate,
                "priceSet": {
                    "shopMoney": {
                        "amount": format(tax_amount(base, tax.rate), "f"),
                        "currencyCode": order.currency,
                    }
                },
            }
            for tax in order.tax_lines
        ]

    def _result(
        self,
        order: OfflineOrder,
        status: WritebackStatus,
        order_id: str | None,
        attempts: int,
        meter: MeteredExecutor,
    ) -> WritebackResult:
        return offline_result(
            intake_case_id=order.intake_case_id,
            shop=order.shop,
            status=status,
            mutation="orderCreate",
            result_id=order_id,
            attempts=attempts,
            cost=meter.cost,
            clock=self._clock,
        )

    def _failed(
        self,
        order: OfflineOrder,
        mutation: str,
        code: str,
        message: str,
        attempts: int,
        meter: MeteredExecutor,
    ) -> WritebackResult:
        result = offline_result(
            intake_case_id=order.intake_case_id,
            shop=order.shop,
            status=WritebackStatus.FAILED,
            mutation=mutation,
            result_id=None,
            attempts=attempts,
            cost=meter.cost,
            clock=self._clock,
        )
        return result.model_copy(update={"error_code": code, "error_message": message})
