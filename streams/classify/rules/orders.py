"""Order rules: UC1 ORDER_REVIEW (flagged orders) and UC5 HIGH_VALUE_REVIEW.

ORDER_REVIEW fires on ``orders/create``, ``orders/updated`` and
``orders/risk_assessment_changed`` for any of these reasons, each routed to
a team family (``orders.review.teams``):

* ``RISK_HIGH`` / ``RISK_MEDIUM`` (family *risk*): the risk level is listed
  in ``orders.review.risk.levels``, which also gives the priority;
* ``UNUSUAL_VALUE_ABSOLUTE`` (*value*): total in shop currency >=
  ``absolute_threshold``;
* ``UNUSUAL_VALUE_RELATIVE`` (*value*): total > ``relative_multiplier`` x the
  shop's running average, once ``min_samples`` orders were seen;
* ``RESTRICTED_DESTINATION`` (*destination*): shipping country, or
  country-province, is restricted;
* ``INVENTORY_MISMATCH`` (*inventory*): a line's quantity exceeds the
  available inventory (see :class:`streams.policy.model.InventoryRule`).

The teams are those of every family that fired, in this order; the priority
is the highest of the fired rules'.

Where the risk level is read: on an order payload, the most severe of
``risk_level`` (emulator / enriched form), ``risk.level`` or
``risk.recommendation``, and the legacy ``risks[]`` entries (``level``, or
``recommendation`` ``cancel`` → HIGH, ``investigate`` → MEDIUM, ``accept`` →
LOW). On
``orders/risk_assessment_changed`` the payload's ``risk_level`` (any case; also
``riskLevel``), with the order id from ``order_id`` or
``admin_graphql_api_order_id``, else the event's ``order_id``; an assessment
naming no order is bad input (:class:`ClassificationError`, dead-lettered).

HIGH_VALUE_REVIEW fires on ``orders/create`` only: a VIP tag (customer or
order tags), a wholesale tag or a B2B company order, or a large basket.

A normal order fires nothing. Cancelled orders are never reviewed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from schemas.records import CaseType, Priority, Reason, ShopifyEvent, SubjectType
from streams.classify.rules.build import CaseDraft, Variables, merge_teams
from streams.classify.rules.errors import ClassificationError
from streams.classify.rules.payload import Fields, matching_tags, parse_json_object
from streams.classify.rules.state import ClassifyContext
from streams.policy.model import OrderReviewPolicy, Policy
from streams.policy.priority import highest

ORDER_TOPICS = frozenset(
    {
        "orders/create",
        "orders/updated",
        "orders/paid",
        "orders/cancelled",
        "orders/fulfilled",
        "orders/partially_fulfilled",
    }
)
"""Topics whose payload is a whole order (order notes are read on all of them)."""
REVIEW_TOPICS = frozenset({"orders/create", "orders/updated"})
RISK_TOPIC = "orders/risk_assessment_changed"
HIGH_VALUE_TOPIC = "orders/create"

_T = TypeVar("_T")
#: Shipping address fields carried on order cases: those Shopify's MailingAddressInput takes.
ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "phone",
    "address1",
    "address2",
    "city",
    "province_code",
    "country_code",
    "zip",
)
_RECOMMENDATION_LEVEL = {"cancel": "HIGH", "investigate": "MEDIUM", "accept": "LOW"}
_LEVEL_RANK = {"NONE": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3}


@dataclass(frozen=True)
class Order:
    """The facts the rules need from an order payload."""

    order_id: str
    name: str | None
    email: str | None
    currency: str | None
    total: Decimal | None
    customer_id: str | None
    customer_email: str | None
    tags: list[str]
    customer_tags: list[str]
    country_code: str | None
    province_code: str | None
    lines: list[Fields]
    note: str | None
    note_attributes: dict[str, str]
    cancelled: bool
    is_company: bool
    risk_level: str | None
    financial_status: str | None = None
    customer_orders_count: int | None = None
    """``customer.orders_count`` where the webhook carries it (enrichment reads it otherwise)."""
    customer_total_spent: Decimal | None = None
    shipping_address: dict[str, str] | None = None
    """The fields a reviewer's correction can change (see :data:`ADDRESS_FIELDS`)."""

    @property
    def item_count(self) -> int:
        """Units ordered over all lines."""
        return sum(line.integer("quantity") or 0 for line in self.lines)


def read_order(fields: Fields) -> Order:
    """Read an order payload; raises :class:`ClassificationError` on a bad one."""
    customer = fields.obj("customer")
    shipping = fields.obj("shipping_address")
    shop_money = _shop_money(fields, "total_price_set")
    country = shipping.text("country_code") if shipping else None
    province = shipping.text("province_code") if shipping else None
    return Order(
        order_id=fields.require_ident("id", "admin_graphql_api_id"),
        name=fields.text("name"),
        email=fields.text("email") or fields.text("contact_email"),
        currency=_first(
            shop_money.text("currency_code") if shop_money else None, fields.text("currency")
        ),
        # The shop-money amount is the shop's currency even when the customer paid in another.
        total=_first(
            shop_money.decimal("amount") if shop_money else None, fields.decimal("total_price")
        ),
        customer_id=customer.ident("id") if customer else None,
        customer_email=customer.text("email") if customer else None,
        tags=fields.tags("tags"),
        customer_tags=customer.tags("tags") if customer else [],
        country_code=country.upper() if country else None,
        province_code=province.upper() if province else None,
        lines=fields.objects("line_items"),
        note=fields.text("note"),
        note_attributes=_note_attributes(fields),
        cancelled=fields.has("cancelled_at"),
        is_company=fields.has("company"),
        risk_level=_order_risk_level(fields),
        financial_status=fields.text("financial_status"),
        customer_orders_count=customer.integer("orders_count") if customer else None,
        customer_total_spent=customer.decimal("total_spent") if customer else None,
        shipping_address=_address(shipping),
    )


def order_total_sample(event: ShopifyEvent) -> Decimal | None:
    """The total to fold into the shop's statistics for ``event``, if it is a new order.

    The agent calls :func:`streams.classify.rules.state.update_stats` with it after
    classifying, so the relative value rule compares an order with the shops'
    orders *before* it.
    """
    if event.topic != HIGH_VALUE_TOPIC:
        return None
    order = read_order(parse_json_object(event.payload))
    return None if order.cancelled or order.total is None or order.total < 0 else order.total


def order_variables(order: Order) -> Variables:
    """The process variables every order case carries."""
    lines = [
        {
            "id": line.ident("id"),
            "variantId": line.ident("variant_id"),
            "sku": line.text("sku"),
            "title": line.text("title"),
            "quantity": line.integer("quantity"),
            "price": line.text("price"),
        }
        for line in order.lines
    ]
    return (
        Variables()
        .string("orderId", order.order_id)
        .string("orderName", order.name)
        .decimal("orderTotal", order.total)
        .string("currency", order.currency)
        .string("customerId", order.customer_id)
        .string("customerEmail", order.customer_email or order.email)
        .string("countryCode", order.country_code)
        .string("provinceCode", order.province_code)
        .string("riskLevel", order.risk_level)
        .string("orderFinancialStatus", (order.financial_status or "").upper() or None)
        .long("customerOrdersCount", order.customer_orders_count)
        .decimal("customerTotalSpent", order.customer_total_spent)
        .string("tags", ", ".join(order.tags) or None)
        .integer("lineCount", len(order.lines))
        .integer("itemCount", order.item_count)
        .json("lineItems", lines)
        # The address as it is, for a reviewer who corrects it (outcome "correct").
        .json("shippingAddress", order.shipping_address)
    )


def review_order(
    topic: str, order: Order, policy: Policy, context: ClassifyContext
) -> list[CaseDraft]:
    """UC1 and UC5 for one order event."""
    if order.cancelled or topic == "orders/cancelled":
        return []
    drafts: list[CaseDraft] = []
    if topic in REVIEW_TOPICS:
        review = _order_review(order, policy, context)
        if review is not None:
            drafts.append(review)
    if topic == HIGH_VALUE_TOPIC:
        high_value = _high_value(order, policy)
        if high_value is not None:
            drafts.append(high_value)
    return drafts


def review_risk_change(event: ShopifyEvent, payload: Fields, policy: Policy) -> list[CaseDraft]:
    """UC1 on ``orders/risk_assessment_changed``: a risk level in the policy opens a review."""
    level = payload.text("risk_level") or payload.text("riskLevel")
    if level is None:
        raise ClassificationError("risk_level: missing risk level")
    level = level.strip().upper()
    # Never the event's resource_id: without an order in the payload, ingress keys
    # the event by its webhook id, and a case about that "order" is a bogus case.
    order_id = (
        payload.ident("order_id") or payload.ident("admin_graphql_api_order_id") or event.order_id
    )
    if not order_id:
        raise ClassificationError(
            "order_id: missing id (the risk assessment names no order, so there is nothing"
            " to review; Shopify's test notification for this topic looks like this)"
        )
    review = policy.orders.review
    if level not in review.risk.levels:
        return []
    variables = (
        Variables()
        .string("orderId", order_id)
        .string("riskLevel", level)
        .string("riskProvider", payload.text("provider_title"))
    )
    return [
        CaseDraft(
            case_type=CaseType.ORDER_REVIEW,
            subject_type=SubjectType.ORDER,
            subject_id=order_id,
            trigger="order",
            teams=list(review.teams.risk),
            priority=review.risk.levels[level],
            reasons=[Reason(code=f"RISK_{level}", detail=f"Shopify risk assessment is {level}")],
            variables=variables,
            order_id=order_id,
            # The risk payload carries no order details: enrichment fetches them.
            enrichment_complete=False,
        )
    ]


def _order_review(order: Order, policy: Policy, context: ClassifyContext) -> CaseDraft | None:
    review = policy.orders.review
    fired: list[tuple[str, Reason, Priority]] = []
    if order.risk_level is not None and order.risk_level in review.risk.levels:
        reason = Reason(
            code=f"RISK_{order.risk_level}",
            detail=f"Shopify risk assessment is {order.risk_level}",
        )
        fired.append(("risk", reason, review.risk.levels[order.risk_level]))
    fired += [("value", reason, review.value.priority) for reason in _value(order, review, context)]
    destination = _destination(order, review)
    if destination is not None:
        fired.append(("destination", destination, review.destination.priority))
    inventory = _inventory(order, review)
    if inventory is not None:
        fired.append(("inventory", inventory, review.inventory.priority))
    if not fired:
        return None
    teams_by_family = review.teams.model_dump()
    return CaseDraft(
        case_type=CaseType.ORDER_REVIEW,
        subject_type=SubjectType.ORDER,
        subject_id=order.order_id,
        trigger="order",
        teams=merge_teams(*(teams_by_family[family] for family, _, _ in fired)),
        priority=highest((priority for _, _, priority in fired), Priority.NORMAL),
        reasons=[reason for _, reason, _ in fired],
        variables=order_variables(order),
        order_id=order.order_id,
        customer_id=order.customer_id,
    )


def _value(order: Order, review: OrderReviewPolicy, context: ClassifyContext) -> list[Reason]:
    rule = review.value
    total = order.total
    if total is None:
        return []
    reasons: list[Reason] = []
    currency = order.currency or ""
    if rule.absolute_threshold is not None and total >= rule.absolute_threshold:
        reasons.append(
            Reason(
                code="UNUSUAL_VALUE_ABSOLUTE",
                detail=f"total {total} {currency} is at or above {rule.absolute_threshold}",
            )
        )
    stats = context.shop_stats
    if (
        rule.relative_multiplier is not None
        and stats.order_count >= rule.min_samples
        and stats.average_order_value > 0
        and total > stats.average_order_value * rule.relative_multiplier
    ):
        reasons.append(
            Reason(
                code="UNUSUAL_VALUE_RELATIVE",
                detail=(
                    f"total {total} {currency} is more than {rule.relative_multiplier}x the"
                    f" shop's average of {stats.average_order_value} over"
                    f" {stats.order_count} orders"
                ),
            )
        )
    return reasons


def _destination(order: Order, review: OrderReviewPolicy) -> Reason | None:
    rule = review.destination
    country = order.country_code
    if country is None:
        return None
    if country in rule.countries:
        return Reason(
            code="RESTRICTED_DESTINATION", detail=f"ships to restricted country {country}"
        )
    region = f"{country}-{order.province_code}" if order.province_code else None
    if region is not None and region in rule.regions:
        return Reason(code="RESTRICTED_DESTINATION", detail=f"ships to restricted region {region}")
    return None


def _inventory(order: Order, review: OrderReviewPolicy) -> Reason | None:
    rule = review.inventory
    if not rule.enabled:
        return None
    by_item = _available_from_note(order, rule.note_attribute)
    short: list[str] = []
    for line in order.lines:
        quantity = line.integer("quantity") or 0
        sku, variant = line.text("sku"), line.ident("variant_id")
        available = line.integer(rule.line_field)
        if available is None:
            available = by_item.get(sku or "") if sku else None
        if available is None and variant:
            available = by_item.get(variant)
        if available is not None and quantity > available:
            short.append(
                f"{sku or variant or line.ident('id')}: ordered {quantity}, {available} available"
            )
    if not short:
        return None
    return Reason(code="INVENTORY_MISMATCH", detail="; ".join(short))


def _available_from_note(order: Order, attribute: str) -> dict[str, int]:
    text = order.note_attributes.get(attribute)
    if text is None:
        return {}
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, too deep, or an over-long integer
        raise ClassificationError(
            f"note_attributes.{attribute}: expected a JSON object of available quantities"
        ) from None
    if not isinstance(data, dict) or not all(
        isinstance(value, int) and not isinstance(value, bool) for value in data.values()
    ):
        raise ClassificationError(
            f"note_attributes.{attribute}: expected a JSON object mapping SKU or variant id"
            " to an integer"
        )
    return {str(key): value for key, value in data.items()}


def _high_value(order: Order, policy: Policy) -> CaseDraft | None:
    rule = policy.orders.high_value
    fired: list[tuple[list[str], Reason]] = []
    all_tags = order.customer_tags + order.tags
    vip = matching_tags(all_tags, rule.vip_tags)
    if vip:
        fired.append(
            (rule.teams.vip, Reason(code="VIP_CUSTOMER", detail=f"tagged {', '.join(vip)}"))
        )
    wholesale = matching_tags(all_tags, rule.wholesale_tags)
    if wholesale or (rule.company_is_wholesale and order.is_company):
        detail = f"tagged {', '.join(wholesale)}" if wholesale else "placed for a B2B company"
        fired.append((rule.teams.wholesale, Reason(code="WHOLESALE_BUYER", detail=detail)))
    basket = rule.large_basket
    items, line_count = order.item_count, len(order.lines)
    if (basket.min_items is not None and items >= basket.min_items) or (
        basket.min_lines is not None and line_count >= basket.min_lines
    ):
        detail = f"{items} items on {line_count} lines"
        fired.append((rule.teams.large_basket, Reason(code="LARGE_BASKET", detail=detail)))
    if not fired:
        return None
    variables = order_variables(order).string(
        "customerTags", ", ".join(order.customer_tags) or None
    )
    return CaseDraft(
        case_type=CaseType.HIGH_VALUE_REVIEW,
        subject_type=SubjectType.ORDER,
        subject_id=order.order_id,
        trigger="order",
        teams=merge_teams(*(teams for teams, _ in fired)),
        priority=policy.cases.HIGH_VALUE_REVIEW.priority,
        reasons=[reason for _, reason in fired],
        variables=variables,
        order_id=order.order_id,
        customer_id=order.customer_id,
    )


def _first(preferred: _T | None, fallback: _T | None) -> _T | None:
    return preferred if preferred is not None else fallback


def _shop_money(fields: Fields, key: str) -> Fields | None:
    money_set = fields.obj(key)
    return money_set.obj("shop_money") if money_set else None


def _address(address: Fields | None) -> dict[str, str] | None:
    if address is None:
        return None
    found = {name: address.text(name) for name in ADDRESS_FIELDS}
    return {name: value for name, value in found.items() if value} or None


def _note_attributes(fields: Fields) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for attribute in fields.objects("note_attributes"):
        name = attribute.text("name")
        if name:
            attributes[name] = attribute.text("value") or ""
    return attributes


def _order_risk_level(fields: Fields) -> str | None:
    levels: list[str] = []
    direct = fields.text("risk_level")
    if direct:
        levels.append(direct.strip().upper())
    risk = fields.obj("risk")
    for entry in ([risk] if risk else []) + fields.objects("risks"):
        level = entry.text("level") or entry.text("risk_level")
        recommendation = entry.text("recommendation")
        if level:
            levels.append(level.strip().upper())
        elif recommendation and recommendation.strip().lower() in _RECOMMENDATION_LEVEL:
            levels.append(_RECOMMENDATION_LEVEL[recommendation.strip().lower()])
    known = [level for level in levels if level in _LEVEL_RANK]
    return max(known, key=_LEVEL_RANK.__getitem__, default=None)
