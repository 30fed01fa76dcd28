"""A GraphQL order node -> the REST-shaped (snake_case) order a webhook would carry.

The classify rules read webhook bodies, which are REST resources. The
reconciler reads orders through GraphQL (:data:`RECONCILE_ORDERS`), so it
rebuilds the fields the rules read (:mod:`streams.classify.rules.orders` and the
order-note rule): ``id``, ``admin_graphql_api_id``, ``name``, ``email``,
``currency``, ``total_price`` / ``total_price_set.shop_money``,
``financial_status``, ``tags`` (comma-separated), ``note``,
``note_attributes``, ``cancelled_at``, ``line_items[]`` (``id``,
``variant_id``, ``sku``, ``title``, ``quantity``, ``price``,
``fulfillable_quantity``), ``shipping_address`` (``country_code``,
``province_code``, ``zip``), ``customer`` (``id``, ``email``, ``tags``,
``orders_count``), ``risk_level``, ``created_at`` / ``updated_at``.

Ids are emitted as numbers, as REST does, next to the GID; the rules reduce
both forms to the same text. The risk level is the most severe assessment
(or, without assessments, the recommendation mapped like REST's
``risks[].recommendation``). Fields GraphQL has no cheap equivalent for
(B2B ``company``, line ``properties``) are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_MONEY = "shopMoney { amount currencyCode }"
_ADDRESS = "address1 address2 city province provinceCode countryCodeV2 zip firstName lastName"

RECONCILE_ORDERS = f"""
query CasebridgeReconcileOrders(
  $first: Int!
  $after: String
  $query: String
  $linesFirst: Int!
) {{
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{
    edges {{
      cursor
      node {{
        id
        name
        email
        phone
        note
        tags
        customAttributes {{ key value }}
        sourceName
        createdAt
        updatedAt
        processedAt
        cancelledAt
        cancelReason
        closedAt
        currencyCode
        displayFinancialStatus
        displayFulfillmentStatus
        subtotalPriceSet {{ {_MONEY} }}
        totalPriceSet {{ {_MONEY} }}
        customer {{ id email firstName lastName tags numberOfOrders }}
        shippingAddress {{ {_ADDRESS} }}
        risk {{ recommendation assessments {{ riskLevel }} }}
        lineItems(first: $linesFirst) {{
          nodes {{
            id
            title
            sku
            quantity
            currentQuantity
            unfulfilledQuantity
            originalUnitPriceSet {{ {_MONEY} }}
            variant {{ id }}
          }}
        }}
      }}
    }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
"""Orders updated after a search bound, oldest update first, with what the rules read."""

_RISK_RANK = {"NONE": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3}
_RECOMMENDATION = {"CANCEL": "HIGH", "INVESTIGATE": "MEDIUM", "ACCEPT": "LOW"}
_FULFILLMENT = {
    "FULFILLED": "fulfilled",
    "PARTIALLY_FULFILLED": "partial",
    "RESTOCKED": "restocked",
}


def numeric_id(gid: str) -> int | str:
    """``gid://shopify/Order/123`` -> ``123`` (an int, as REST sends ids); other text unchanged."""
    tail = gid.rsplit("/", 1)[-1].split("?", 1)[0]
    return int(tail) if tail.isdigit() else gid


def _shop_money(money_bag: Any) -> tuple[str | None, str | None]:
    if not isinstance(money_bag, dict) or not isinstance(money_bag.get("shopMoney"), dict):
        return None, None
    shop = money_bag["shopMoney"]
    amount = shop.get("amount")
    return (None if amount is None else str(amount)), shop.get("currencyCode")


def _money_set(amount: str | None, currency: str | None) -> dict[str, Any] | None:
    if amount is None:
        return None
    one = {"amount": amount, "currency_code": currency}
    return {"shop_money": one, "presentment_money": dict(one)}


def _lower(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) else None


def _address(node: Any) -> dict[str, Any] | None:
    if not isinstance(node, dict):
        return None
    return {
        "first_name": node.get("firstName"),
        "last_name": node.get("lastName"),
        "address1": node.get("address1"),
        "address2": node.get("address2"),
        "city": node.get("city"),
        "province": node.get("province"),
        "province_code": node.get("provinceCode") or None,
        "country_code": node.get("countryCodeV2"),
        "zip": node.get("zip"),
    }


def _customer(node: Any) -> dict[str, Any] | None:
    if not isinstance(node, dict) or not node.get("id"):
        return None
    count = node.get("numberOfOrders")
    return {
        "id": numeric_id(str(node["id"])),
        "admin_graphql_api_id": node["id"],
        "email": node.get("email"),
        "first_name": node.get("firstName"),
        "last_name": node.get("lastName"),
        "tags": ", ".join(node.get("tags") or []),
        "orders_count": int(count)
        if isinstance(count, int | str) and str(count).isdigit()
        else None,
    }


def _line_item(node: Mapping[str, Any], currency: str | None) -> dict[str, Any]:
    price, line_currency = _shop_money(node.get("originalUnitPriceSet"))
    variant = node.get("variant")
    variant_gid = variant.get("id") if isinstance(variant, dict) else None
    quantity = node.get("currentQuantity")
    return {
        "id": numeric_id(str(node["id"])),
        "admin_graphql_api_id": node["id"],
        "variant_id": numeric_id(str(variant_gid)) if variant_gid else None,
        "title": node.get("title"),
        "name": node.get("title"),
        "sku": node.get("sku") or None,
        # REST's quantity on an order webhook is the current (post-edit) quantity.
        "quantity": quantity if isinstance(quantity, int) else node.get("quantity"),
        "price": price,
        "price_set": _money_set(price, line_currency or currency),
        "fulfillable_quantity": node.get("unfulfilledQuantity"),
    }


def _risk_level(node: Any) -> str | None:
    if not isinstance(node, dict):
        return None
    levels = [
        str(a.get("riskLevel")).upper()
        for a in node.get("assessments") or []
        if isinstance(a, dict) and str(a.get("riskLevel")).upper() in _RISK_RANK
    ]
    if levels:
        return max(levels, key=_RISK_RANK.__getitem__).lower()
    mapped = _RECOMMENDATION.get(str(node.get("recommendation") or "").upper())
    return mapped.lower() if mapped else None


def rest_order(node: Mapping[str, Any]) -> dict[str, Any]:
    """The REST-shaped order for a :data:`RECONCILE_ORDERS` node (see the module docstring)."""
    if not node.get("id"):
        raise ValueError("order node without an id")
    total, currency = _shop_money(node.get("totalPriceSet"))
    subtotal, _ = _shop_money(node.get("subtotalPriceSet"))
    currency = currency or node.get("currencyCode")
    lines = node.get("lineItems")
    line_nodes = lines.get("nodes") if isinstance(lines, dict) else None
    return {
        "id": numeric_id(str(node["id"])),
        "admin_graphql_api_id": node["id"],
        "name": node.get("name"),
        "email": node.get("email"),
        "phone": node.get("phone"),
        "currency": node.get("currencyCode") or currency,
        "total_price": total,
        "total_price_set": _money_set(total, currency),
        "subtotal_price": subtotal,
        "subtotal_price_set": _money_set(subtotal, currency),
        "financial_status": _lower(node.get("displayFinancialStatus")),
        "fulfillment_status": _FULFILLMENT.get(str(node.get("displayFulfillmentStatus"))),
        "tags": ", ".join(node.get("tags") or []),
        "note": node.get("note"),
        "note_attributes": [
            {"name": attr.get("key"), "value": attr.get("value")}
            for attr in node.get("customAttributes") or []
            if isinstance(attr, dict)
        ],
        "source_name": node.get("sourceName"),
        "cancelled_at": node.get("cancelledAt"),
        "cancel_reason": _lower(node.get("cancelReason")),
        "closed_at": node.get("closedAt"),
        "created_at": node.get("createdAt"),
        "updated_at": node.get("updatedAt"),
        "processed_at": node.get("processedAt"),
        "line_items": [
            _line_item(line, currency)
            for line in line_nodes or []
            if isinstance(line, dict) and line.get("id")
        ],
        "shipping_address": _address(node.get("shippingAddress")),
        "customer": _customer(node.get("customer")),
        "risk_level": _risk_level(node.get("risk")),
    }


__all__ = ["RECONCILE_ORDERS", "numeric_id", "rest_order"]
