"""REST-shaped (snake_case) webhook payloads rendered from the store.

Shapes follow the REST Admin resources Shopify sends in webhook bodies: money
as decimal strings plus ``*_set`` money bags, tags as one comma-separated
string, ids as integers alongside ``admin_graphql_api_id``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from emulators.shopify.clock import isoformat
from emulators.shopify.models import (
    MAIN_LOCATION_ID,
    Address,
    Customer,
    Dispute,
    DraftOrder,
    Fulfillment,
    FulfillmentEvent,
    FulfillmentHold,
    FulfillmentOrder,
    LineItem,
    Order,
    Product,
    Refund,
    Return,
    Theme,
    Variant,
    money,
)
from emulators.shopify.store import ShopState

_FINANCIAL = {
    "PAID": "paid",
    "PENDING": "pending",
    "AUTHORIZED": "authorized",
    "PARTIALLY_PAID": "partially_paid",
    "PARTIALLY_REFUNDED": "partially_refunded",
    "REFUNDED": "refunded",
    "VOIDED": "voided",
    "EXPIRED": "expired",
}
_FULFILLMENT = {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial"}


def timestamp(value: Any) -> str | None:
    """A REST timestamp (``None`` stays ``None``)."""
    return isoformat(value) if value is not None else None


_ts = timestamp


def money_set(amount: Decimal, currency: str) -> dict[str, Any]:
    """A REST money bag: ``{"shop_money": {...}, "presentment_money": {...}}``."""
    one = {"amount": str(amount), "currency_code": currency}
    return {"shop_money": one, "presentment_money": dict(one)}


def address(value: Address | None) -> dict[str, Any] | None:
    """A REST mailing address."""
    if value is None:
        return None
    return {
        "first_name": value.first_name,
        "last_name": value.last_name,
        "name": value.name,
        "address1": value.address1,
        "address2": value.address2 or None,
        "city": value.city,
        "province": value.province or None,
        "province_code": value.province_code or None,
        "country": value.country,
        "country_code": value.country_code,
        "zip": value.zip,
        "phone": value.phone or None,
        "company": value.company or None,
    }


def customer(shop: ShopState, value: Customer) -> dict[str, Any]:
    """A REST customer (as embedded in orders and sent on customers/*)."""
    return {
        "id": value.id,
        "admin_graphql_api_id": value.gid,
        "email": value.email,
        "first_name": value.first_name,
        "last_name": value.last_name,
        "phone": value.phone or None,
        "tags": ", ".join(value.tags),
        "note": value.note or None,
        "orders_count": len(shop.orders_of(value)),
        "total_spent": str(shop.amount_spent(value)),
        "currency": shop.config.currency,
        "default_address": address(value.default_address),
        "created_at": _ts(value.created_at),
        "updated_at": _ts(value.updated_at),
    }


def line_item(value: LineItem, currency: str) -> dict[str, Any]:
    """A REST order line."""
    return {
        "id": value.id,
        "admin_graphql_api_id": value.gid,
        "variant_id": value.variant_id,
        "product_id": value.product_id,
        "title": value.title,
        "name": value.title,
        "sku": value.sku,
        "vendor": value.vendor or None,
        "quantity": value.current_quantity,
        "current_quantity": value.current_quantity,
        "price": str(value.price),
        "price_set": money_set(value.price, currency),
        "fulfillable_quantity": value.fulfillable_quantity,
        "fulfillment_status": "fulfilled"
        if value.fulfilled_quantity >= value.current_quantity > 0
        else None,
        "requires_shipping": value.requires_shipping,
    }


def order(shop: ShopState, value: Order) -> dict[str, Any]:
    """A REST order (orders/* topics)."""
    cur = value.currency
    subtotal, total = shop.subtotal(value), shop.total(value)
    cust = shop.customers.get(value.customer_id) if value.customer_id else None
    risk = max((r.risk_level for r in value.risks), key=_risk_rank, default=None)
    return {
        "id": value.id,
        "admin_graphql_api_id": value.gid,
        "name": value.name,
        "order_number": value.number,
        "email": value.email,
        "phone": value.phone or None,
        "currency": cur,
        "presentment_currency": cur,
        "subtotal_price": str(subtotal),
        "subtotal_price_set": money_set(subtotal, cur),
        "total_price": str(total),
        "total_price_set": money_set(total, cur),
        "current_total_price": str(total - value.refunded),
        "total_tax": str(value.tax),
        "total_tax_set": money_set(value.tax, cur),
        "total_discounts": str(value.discount),
        "total_shipping_price_set": money_set(value.shipping_price, cur),
        "taxes_included": value.taxes_included,
        "tax_lines": [
            {"title": t.title, "rate": float(t.rate), "price": str(t.amount)}
            for t in value.tax_lines
        ],
        "payment_terms": _payment_terms(value.payment_terms),
        "financial_status": _FINANCIAL.get(value.financial_status, value.financial_status.lower()),
        "fulfillment_status": _FULFILLMENT.get(shop.fulfillment_status(value)),
        "tags": ", ".join(value.tags),
        "note": value.note or None,
        "note_attributes": [{"name": k, "value": v} for k, v in value.note_attributes],
        "source_name": value.source_name,
        "cancelled_at": _ts(value.cancelled_at),
        "cancel_reason": value.cancel_reason.lower() if value.cancel_reason else None,
        "closed_at": _ts(value.closed_at),
        "line_items": [line_item(li, cur) for li in shop.lines_of(value)],
        "shipping_address": address(value.shipping_address),
        "billing_address": address(value.billing_address),
        "customer": customer(shop, cust) if cust else None,
        "refunds": [refund(shop, r) for r in shop.refunds_of(value)],
        "fulfillments": [fulfillment(shop, f) for f in shop.fulfillments_of(value)],
        "risk_level": risk.lower() if risk else None,
        "created_at": _ts(value.created_at),
        "updated_at": _ts(value.updated_at),
        "processed_at": _ts(value.processed_at),
        "test": False,
    }


def _payment_terms(terms: dict[str, Any] | None) -> dict[str, Any] | None:
    if terms is None:
        return None
    due = terms.get("dueAt")
    return {
        "payment_terms_name": terms["paymentTermsName"],
        "payment_terms_type": str(terms["paymentTermsType"]).lower(),
        "due_in_days": terms["dueInDays"],
        "payment_schedules": [{"due_at": _ts(due) if due else None}],
    }


def _risk_rank(level: str) -> int:
    return (
        ["NONE", "LOW", "MEDIUM", "HIGH"].index(level)
        if level in {"NONE", "LOW", "MEDIUM", "HIGH"}
        else 0
    )


def risk_assessment(shop: ShopState, value: Order) -> dict[str, Any]:
    """The orders/risk_assessment_changed body."""
    latest = value.risks[-1] if value.risks else None
    return {
        "provider_id": None,
        "provider_title": "Shopify Fraud Protect",
        "risk_level": latest.risk_level if latest else "NONE",
        "created_at": _ts(value.updated_at),
        "order_id": value.id,
        "admin_graphql_api_order_id": value.gid,
    }


def refund(shop: ShopState, value: Refund) -> dict[str, Any]:
    """A REST refund (refunds/create)."""
    cur = shop.orders[value.order_id].currency
    return {
        "id": value.id,
        "admin_graphql_api_id": value.gid,
        "order_id": value.order_id,
        "note": value.note or None,
        "created_at": _ts(value.created_at),
        "processed_at": _ts(value.created_at),
        "refund_line_items": [
            {
                "line_item_id": line.line_item_id,
                "quantity": line.quantity,
                "restock_type": line.restock_type.lower(),
                "subtotal": str(line.subtotal),
                "subtotal_set": money_set(line.subtotal, cur),
            }
            for line in value.lines
        ],
        "transactions": [
            {
                "id": txn.id,
                "admin_graphql_api_id": txn.gid,
                "order_id": txn.order_id,
                "kind": txn.kind.lower(),
                "status": txn.status.lower(),
                "gateway": txn.gateway,
                "amount": str(txn.amount),
                "currency": cur,
                "parent_id": txn.parent_id,
                "created_at": _ts(txn.created_at),
            }
            for txn in shop.refund_transactions_of(value)
        ],
    }


def tracking_event(shop: ShopState, ful: Fulfillment, event: FulfillmentEvent) -> dict[str, Any]:
    """A REST fulfillment event (fulfillment_events/create)."""
    order_ = shop.orders[ful.order_id]
    dest = order_.shipping_address
    return {
        "id": event.id,
        "admin_graphql_api_id": event.gid,
        "fulfillment_id": ful.id,
        "order_id": ful.order_id,
        "status": event.status.lower(),
        "message": event.message or None,
        "happened_at": _ts(event.happened_at),
        "created_at": _ts(event.happened_at),
        "updated_at": _ts(event.happened_at),
        "city": dest.city if dest else None,
        "country": dest.country_code if dest else None,
        "zip": dest.zip if dest else None,
        "shop_id": None,
    }


def fulfillment(shop: ShopState, value: Fulfillment) -> dict[str, Any]:
    """A REST fulfillment."""
    return {
        "id": value.id,
        "admin_graphql_api_id": value.gid,
        "order_id": value.order_id,
        "name": value.name,
        "status": value.status.lower(),
        "shipment_status": value.display_status.lower() if value.display_status else None,
        "tracking_company": value.tracking_company,
        "tracking_number": value.tracking_number,
        "tracking_numbers": [value.tracking_number],
        "tracking_url": value.tracking_url,
        "line_items": [
            {"id": li_id, "quantity": qty} for li_id, qty in value.line_quantities.items()
        ],
        "created_at": _ts(value.created_at),
        "updated_at": _ts(value.updated_at),
    }


def hold(value: FulfillmentHold) -> dict[str, Any]:
    """A REST-like fulfillment hold."""
    return {
        "id": value.id,
        "admin_graphql_api_id": value.gid,
        "handle": value.handle,
        "reason": value.reason.lower(),
        "reason_notes": value.reason_notes or None,
    }


def fulfillment_order(shop: ShopState, value: FulfillmentOrder) -> dict[str, Any]:
    """A REST fulfillment order (fulfillment_orders/*)."""
    return {
        "id": value.id,
        "admin_graphql_api_id": value.gid,
        "order_id": value.order_id,
        "status": value.status.lower(),
        "request_status": value.request_status.lower(),
        "fulfill_at": _ts(value.fulfill_at),
        "fulfillment_holds": [hold(h) for h in value.holds],
        "line_items": [
            {
                "id": line.id,
                "line_item_id": line.line_item_id,
                "quantity": line.total_quantity,
                "fulfillable_quantity": line.remaining_quantity,
            }
            for line in value.lines
        ],
        "created_at": _ts(value.created_at),
        "updated_at": _ts(value.updated_at),
    }


def fulfillment_order_event(
    shop: ShopState, value: FulfillmentOrder, **extra: Any
) -> dict[str, Any]:
    """The ``{"fulfillment_order": {...}, ...}`` body of fulfillment_orders/* topics."""
    body: dict[str, Any] = {"fulfillment_order": fulfillment_order(shop, value)}
    body.update(extra)
    return body


def return_(shop: ShopState, value: Return) -> dict[str, Any]:
    """A REST return (returns/*)."""
    order_ = shop.orders[value.order_id]
    return {
        "id": value.id,
        "admin_graphql_api_id": value.gid,
        "name": value.name,
        "status": value.status.lower(),
        "order": {"id": order_.id, "admin_graphql_api_id": order_.gid},
        "total_return_line_items": sum(line.quantity for line in value.lines),
        "return_line_items": [
            {
                "id": line.id,
                "admin_graphql_api_id": line.gid,
                "quantity": line.quantity,
                "return_reason": line.return_reason.lower(),
                "return_reason_note": line.return_reason_note,
                "customer_note": line.customer_note or None,
                "fulfillment_line_item": {
                    "id": line.line_item_id,
                    "line_item": {
                        "id": line.line_item_id,
                        "admin_graphql_api_id": shop.line_items[line.line_item_id].gid,
                    },
                },
            }
            for line in value.lines
        ],
        "decline": {"reason": value.decline_reason.lower(), "note": value.decline_note}
        if value.decline_reason
        else None,
    }


def dispute(shop: ShopState, value: Dispute) -> dict[str, Any]:
    """A REST dispute (disputes/*)."""
    return {
        "id": value.id,
        "admin_graphql_api_id": value.gid,
        "order_id": value.order_id,
        "type": value.type,
        "amount": str(value.amount),
        "currency": value.currency,
        "reason": value.reason,
        "network_reason_code": value.network_reason_code,
        "status": value.status,
        "evidence_due_by": _ts(value.evidence_due_by),
        "evidence_sent_on": _ts(value.evidence_sent_on),
        "finalized_on": _ts(value.finalized_on),
        "initiated_at": _ts(value.initiated_at),
    }


def inventory_level(value: Variant, at: datetime) -> dict[str, Any]:
    """The ``inventory_levels/update`` body of a variant's stock at the shop's one location."""
    return {
        "inventory_item_id": value.inventory_item_id,
        "location_id": MAIN_LOCATION_ID,
        "available": value.inventory_quantity,
        "updated_at": _ts(at),
        "admin_graphql_api_id": (
            f"gid://shopify/InventoryLevel/{MAIN_LOCATION_ID}"
            f"?inventory_item_id={value.inventory_item_id}"
        ),
    }


def draft_order(shop: ShopState, value: DraftOrder) -> dict[str, Any]:
    """A REST draft order (the admin surface's view; no webhook carries it here)."""
    subtotal = sum((x.price * x.quantity for x in value.lines), Decimal(0))
    return {
        "id": value.id,
        "admin_graphql_api_id": value.gid,
        "name": value.name,
        "status": value.status.lower(),
        "email": value.email,
        "note": value.note or None,
        "tags": ", ".join(value.tags),
        "currency": value.currency,
        "customer_id": value.customer_id,
        "order_id": value.order_id,
        "subtotal_price": str(money(subtotal)),
        "total_discounts": str(money(value.discount)),
        "total_price": str(money(subtotal - value.discount)),
        "invoice_sent_at": _ts(value.invoice_sent_at),
        "completed_at": _ts(value.completed_at),
        "created_at": _ts(value.created_at),
        "line_items": [
            {
                "id": x.id,
                "variant_id": x.variant_id,
                "title": x.title,
                "sku": x.sku,
                "quantity": x.quantity,
                "price": str(money(x.price)),
            }
            for x in value.lines
        ],
    }


def variant(value: Variant) -> dict[str, Any]:
    """A REST product variant (also the variants/out_of_stock body)."""
    return {
        "id": value.id,
        "admin_graphql_api_id": value.gid,
        "product_id": value.product_id,
        "title": value.title,
        "sku": value.sku,
        "price": str(value.price),
        "compare_at_price": str(value.compare_at_price) if value.compare_at_price else None,
        "inventory_quantity": value.inventory_quantity,
        "inventory_item_id": value.inventory_item_id,
    }


def product(shop: ShopState, value: Product) -> dict[str, Any]:
    """A REST product (products/*), variants with prices inside."""
    return {
        "id": value.id,
        "admin_graphql_api_id": value.gid,
        "title": value.title,
        "handle": value.handle,
        "body_html": value.description_html,
        "vendor": value.vendor,
        "product_type": value.product_type,
        "status": value.status.lower(),
        "tags": ", ".join(value.tags),
        "variants": [variant(shop.variants[v]) for v in value.variant_ids],
        "created_at": _ts(value.created_at),
        "updated_at": _ts(value.updated_at),
    }


def theme(value: Theme) -> dict[str, Any]:
    """A REST theme (themes/*)."""
    return {
        "id": value.id,
        "name": value.name,
        "role": value.role.lower(),
        "theme_store_id": None,
        "previewable": True,
        "processing": False,
        "admin_graphql_api_id": f"gid://shopify/Theme/{value.id}",
        "created_at": _ts(value.created_at),
        "updated_at": _ts(value.updated_at),
    }


def shop(state: ShopState, updated_at: datetime) -> dict[str, Any]:
    """A REST shop (shop/update); the policies are not in it (read shop.shopPolicies)."""
    return {
        "id": 1,
        "name": state.domain.split(".")[0],
        "domain": state.domain,
        "myshopify_domain": state.domain,
        "currency": state.config.currency,
        "updated_at": _ts(updated_at),
    }
