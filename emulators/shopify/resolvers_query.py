"""Query-side resolvers: roots and the computed fields of each type.

Every resolver reads ``info.context`` (a :class:`RequestContext`) for the shop.
Lookups of a missing id answer ``null`` like Shopify, not an error.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from emulators.shopify import models as m
from emulators.shopify import ops_content as content
from emulators.shopify import ops_refunds
from emulators.shopify.connections import (
    customer_filter,
    draft_filter,
    order_filter,
    order_sort_key,
    paginate,
)
from emulators.shopify.errors import ResourceNotFound
from emulators.shopify.ops_payments import PAYMENT_TERMS_TEMPLATES
from emulators.shopify.schema import RequestContext, Resolver
from emulators.shopify.store import ShopState

Info = GraphQLResolveInfo


def _shop(info: Info) -> ShopState:
    ctx: RequestContext = info.context
    return ctx.shop


def _app_installation(_root: Any, info: Info) -> dict[str, Any]:
    """The calling token's installation: the scopes configured for its shop."""
    scopes = _shop(info).config.access_scopes
    return {
        "id": m.gid("AppInstallation", 1),
        "accessScopes": [{"handle": h, "description": f"Grants {h}"} for h in scopes],
    }


def money_v2(amount: Decimal, currency: str) -> dict[str, Any]:
    """A MoneyV2 value."""
    return {"amount": m.money(amount), "currencyCode": currency}


def money_bag(amount: Decimal, currency: str) -> dict[str, Any]:
    """A MoneyBag with the same shop and presentment money."""
    one = money_v2(amount, currency)
    return {"shopMoney": one, "presentmentMoney": dict(one)}


def _lookup(getter_name: str) -> Resolver:
    def resolve(_root: Any, info: Info, id: str) -> Any:
        try:
            return getattr(_shop(info), getter_name)(id)
        except ResourceNotFound:
            return None

    return resolve


def _fulfillment_order(_root: Any, info: Info, id: str) -> Any:
    """fulfillmentOrder(id); a fulfillment service sees only those assigned to its location."""
    try:
        fo = _shop(info).fulfillment_order(id)
    except ResourceNotFound:
        return None
    return None if info.context.fulfillment_service and not fo.fulfillment_service else fo


def _inventory_item(_root: Any, info: Info, id: str) -> Any:
    """inventoryItem(id): the variant whose inventory item it is, else null."""
    try:
        wanted = int(str(id).rsplit("/", 1)[-1])
    except ValueError:
        return None
    found = (v for v in _shop(info).variants.values() if v.inventory_item_id == wanted)
    return next(found, None)


def _by_id(item: Any) -> tuple[Any, ...]:
    return (item.id,)


def _page(
    items: list[Any],
    args: dict[str, Any],
    required: bool = True,
    key: Callable[[Any], tuple[Any, ...]] = _by_id,
) -> dict[str, Any]:
    return paginate(
        items,
        key,
        first=args.get("first"),
        after=args.get("after"),
        last=args.get("last"),
        before=args.get("before"),
        reverse=bool(args.get("reverse")),
        required=required,
    )


def _orders_connection(
    shop: ShopState, orders: list[m.Order], args: dict[str, Any]
) -> dict[str, Any]:
    matches = order_filter(shop, args.get("query"))
    return paginate(
        [o for o in orders if matches(o)],
        order_sort_key(args.get("sortKey")),
        first=args.get("first"),
        after=args.get("after"),
        last=args.get("last"),
        before=args.get("before"),
        reverse=bool(args.get("reverse")),
    )


def _node(_root: Any, info: Info, id: str) -> Any:
    try:
        return _shop(info).node(id)
    except ResourceNotFound:
        return None


def _nodes(_root: Any, info: Info, ids: list[str]) -> list[Any]:
    return [_node(None, info, i) for i in ids]


def _shop_root(_root: Any, info: Info) -> dict[str, Any]:
    shop = _shop(info)
    return {
        "id": m.gid("Shop", 1),
        "name": shop.domain.split(".")[0],
        "myshopifyDomain": shop.domain,
        "currencyCode": shop.config.currency,
        "plan": {
            "displayName": shop.config.plan.title(),
            "shopifyPlus": shop.config.plan in {"plus", "enterprise"},
        },
    }


def _shop_policies(_shop_obj: Any, info: Info) -> list[m.ShopPolicy]:
    """``shop.shopPolicies``: needs ``read_legal_policies``, as at Shopify."""
    scopes = set(_shop(info).config.access_scopes)
    if not scopes & {"read_legal_policies", "write_legal_policies"}:
        raise GraphQLError(
            "Access denied for shopPolicies field. Required access: `read_legal_policies`"
            " access scope.",
            extensions={"code": "ACCESS_DENIED"},
        )
    return sorted(_shop(info).shop_policies.values(), key=lambda p: p.type)


def _theme(_root: Any, info: Info, id: str) -> m.Theme | None:
    try:
        return _shop(info).themes.get(content.theme_ref(id))
    except ResourceNotFound:
        return None


def _theme_files(theme: m.Theme, info: Info, **args: Any) -> dict[str, Any]:
    files = content.theme_files(theme, args.get("filenames"))
    first = args.get("first")
    if first is not None and not 1 <= first <= 250:
        raise GraphQLError("first must be between 1 and 250", extensions={"code": "BAD_REQUEST"})
    return {
        "nodes": [
            {
                "filename": f.filename,
                "body": {"__typename": "OnlineStoreThemeFileBodyText", "content": f.content},
                "checksumMd5": hashlib.md5(f.content.encode()).hexdigest(),
                "contentType": "application/json" if f.filename.endswith(".json") else "text/plain",
                "size": len(f.content.encode()),
                "createdAt": f.created_at,
                "updatedAt": f.updated_at,
            }
            for f in files[: first or 50]
        ],
        "pageInfo": {
            "hasNextPage": len(files) > (first or 50),
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }


def _job(_root: Any, info: Info, id: str) -> m.Job | None:
    shop = _shop(info)
    try:
        return shop.jobs[m.parse_gid(id, "Job")[1]]
    except (ResourceNotFound, KeyError):
        return None


def _metafield(
    owner: Any, info: Info, key: str, namespace: str | None = None
) -> m.Metafield | None:
    ns = namespace or "$app"
    return next(
        (x for x in _shop(info).metafields_of(owner.gid) if (x.namespace, x.key) == (ns, key)), None
    )


def _metafields(owner: Any, info: Info, **args: Any) -> dict[str, Any]:
    items = _shop(info).metafields_of(owner.gid)
    if args.get("namespace"):
        items = [x for x in items if x.namespace == args["namespace"]]
    return _page(items, args)


def _order_money(attr: str) -> Resolver:
    def resolve(order: m.Order, info: Info) -> dict[str, Any]:
        shop = _shop(info)
        values = {
            "subtotal": shop.subtotal(order),
            "total": shop.total(order),
            "current": shop.total(order) - order.refunded,
            "tax": order.tax,
            "shipping": order.shipping_price,
            "discount": order.discount,
            "refunded": order.refunded,
            "received": order.paid,
            "outstanding": max(Decimal(0), shop.total(order) - order.paid),
        }
        return money_bag(values[attr], order.currency)

    return resolve


def _order_risk(order: m.Order, _info: Info) -> dict[str, Any]:
    levels = [r.risk_level for r in order.risks]
    recommendation = (
        "CANCEL" if "HIGH" in levels else "INVESTIGATE" if "MEDIUM" in levels else "ACCEPT"
    )
    return {
        "assessments": [
            {
                "riskLevel": r.risk_level,
                "facts": [{"description": d, "sentiment": s} for d, s in r.facts],
            }
            for r in order.risks
        ],
        "recommendation": recommendation if levels else "NONE",
    }


def _line_money(kind: str) -> Resolver:
    def resolve(li: m.LineItem, info: Info) -> dict[str, Any]:
        currency = _shop(info).orders[li.order_id].currency
        amount = li.price * li.quantity if kind == "total" else li.price
        return money_bag(amount, currency)

    return resolve


def _variant_of(source: Any, info: Info) -> m.Variant | None:
    return _shop(info).variants.get(source.variant_id) if source.variant_id else None


def _fo_line_item(line: m.FulfillmentOrderLine, info: Info) -> m.LineItem:
    return _shop(info).line_items[line.line_item_id]


def _fo_destination(fo: m.FulfillmentOrder, info: Info) -> dict[str, Any] | None:
    order = _shop(info).orders[fo.order_id]
    addr = order.shipping_address
    if addr is None:
        return None
    return {
        "id": m.gid("FulfillmentOrderDestination", fo.id),
        "address1": addr.address1,
        "city": addr.city,
        "countryCode": addr.country_code,
        "zip": addr.zip,
        "province": addr.province,
        "email": order.email,
        "firstName": addr.first_name,
        "lastName": addr.last_name,
    }


def _customer_of(source: Any, info: Info) -> m.Customer | None:
    return _shop(info).customers.get(source.customer_id) if source.customer_id else None


def _order_of(source: Any, info: Info) -> m.Order | None:
    return _shop(info).orders.get(source.order_id) if source.order_id else None


def _dispute_amount(d: m.Dispute, _info: Info) -> dict[str, Any]:
    return money_v2(d.amount, d.currency)


def _refund_line_item(line: m.RefundLine, info: Info) -> m.LineItem:
    return _shop(info).line_items[line.line_item_id]


def _refund_lines_money(line: m.RefundLine, info: Info) -> dict[str, Any]:
    shop = _shop(info)
    return money_bag(
        line.subtotal, shop.orders[shop.line_items[line.line_item_id].order_id].currency
    )


def _order_currency(source: Any, info: Info) -> str:
    return _shop(info).orders[source.order_id].currency


def _suggested_refund(
    order: m.Order,
    info: Info,
    refundLineItems: list[dict[str, Any]] | None = None,
    refundShipping: bool | None = None,
    shippingAmount: Decimal | None = None,
) -> dict[str, Any]:
    try:
        suggestion = ops_refunds.suggest_refund(
            _shop(info),
            order,
            refundLineItems or [],
            refund_shipping=bool(refundShipping),
            shipping_amount=shippingAmount,
        )
    except ResourceNotFound as err:
        raise GraphQLError(str(err)) from None
    cur = order.currency
    zero = Decimal(0)
    return {
        "amountSet": money_bag(suggestion.amount, cur),
        "subtotalSet": money_bag(suggestion.subtotal, cur),
        "totalTaxSet": money_bag(suggestion.tax, cur),
        "discountedSubtotalSet": money_bag(suggestion.subtotal, cur),
        "maximumRefundableSet": money_bag(suggestion.maximum, cur),
        "totalCartDiscountAmountSet": money_bag(zero, cur),
        "shipping": {
            "amountSet": money_bag(suggestion.shipping, cur),
            "maximumRefundableSet": money_bag(suggestion.shipping_maximum, cur),
            "taxSet": money_bag(zero, cur),
        },
        "refundLineItems": suggestion.lines,
        "suggestedTransactions": [
            {
                "amountSet": money_bag(t.amount, cur),
                "maximumRefundableSet": money_bag(t.maximum, cur),
                "gateway": t.gateway,
                "formattedGateway": _formatted_gateway(t.gateway),
                "kind": "SUGGESTED_REFUND",
                "parentTransaction": t.parent,
            }
            for t in suggestion.transactions
        ],
    }


def _formatted_gateway(gateway: str) -> str:
    return gateway.replace("_", " ").title()


def _return_fli(line: m.ReturnLine, info: Info) -> dict[str, Any]:
    li = _shop(info).line_items[line.line_item_id]
    return {"id": m.gid("FulfillmentLineItem", li.id), "lineItem": li, "quantity": line.quantity}


def _draft_money(kind: str) -> Resolver:
    def resolve(d: m.DraftOrder, _info: Info) -> dict[str, Any]:
        subtotal = sum((x.price * x.quantity for x in d.lines), Decimal(0))
        amount = {"subtotal": subtotal, "discount": d.discount, "total": subtotal - d.discount}
        return money_bag(amount[kind], d.currency)

    return resolve


def _draft_orders(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    """draftOrders(query:): the search terms casebridge sends (``tag:``, ``status:``)."""
    matches = draft_filter(args.get("query"))
    return _page([d for d in _shop(info).draft_orders.values() if matches(d)], args)


def _customers(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    """customers(query:): ``email:``, ``tag:`` and ``id:`` terms (the ones casebridge sends)."""
    matches = customer_filter(args.get("query"))
    return _page([c for c in _shop(info).customers.values() if matches(c)], args)


def _order_events(order: m.Order, info: Info, **args: Any) -> dict[str, Any]:
    """Order.events: the timeline, by id (= creation order) or createdAt."""
    by_time = args.get("sortKey") == "CREATED_AT"
    key = (lambda e: (e.created_at.isoformat(), e.id)) if by_time else _by_id
    return _page(_shop(info).events_of(order), args, key=key)


def _calc_subtotal(edit: m.OrderEdit, info: Info) -> dict[str, Any]:
    currency = _shop(info).orders[edit.order_id].currency
    return money_bag(sum((x.price * x.quantity for x in edit.lines), Decimal(0)), currency)


def _calc_line_price(line: m.EditLine, info: Info) -> dict[str, Any]:
    return money_bag(line.price, _shop(info).config.currency)


def _calc_line_editable(line: m.EditLine, info: Info) -> int:
    if line.line_item_id is None:
        return line.quantity
    li = _shop(info).line_items[line.line_item_id]
    return max(0, line.quantity - li.fulfilled_quantity)


def _address_id(addr: m.Address, _info: Info) -> str:
    return m.gid("MailingAddress", abs(hash((addr.address1, addr.zip, addr.name))) % 10**12)


def _topic_enum(sub: m.WebhookSubscription, _info: Info) -> str:
    return sub.topic.replace("/", "_").upper()


def dispute_evidence(dispute: m.Dispute) -> dict[str, Any]:
    """The ``ShopifyPaymentsDisputeEvidence`` of a dispute (its own id, fields, dispute)."""
    return {
        "id": dispute.evidence_gid,
        "submitted": dispute.evidence_submitted,
        "dispute": dispute,
        **dispute.evidence,
    }


QUERY_RESOLVERS: dict[str, dict[str, Resolver]] = {
    "QueryRoot": {
        "currentAppInstallation": _app_installation,
        "node": _node,
        "nodes": _nodes,
        "shop": _shop_root,
        "order": _lookup("order"),
        "orders": lambda _r, info, **a: _orders_connection(
            _shop(info), list(_shop(info).orders.values()), a
        ),
        "customer": _lookup("customer"),
        "customers": _customers,
        "fulfillmentOrder": _fulfillment_order,
        "return": _lookup("return_"),
        "dispute": _lookup("dispute"),
        "disputes": lambda _r, info, **a: _page(list(_shop(info).disputes.values()), a),
        "product": _lookup("product"),
        "products": lambda _r, info, **a: _page(list(_shop(info).products.values()), a),
        "productVariant": _lookup("variant"),
        "theme": _theme,
        "inventoryItem": _inventory_item,
        "draftOrder": _lookup("draft_order"),
        "draftOrders": _draft_orders,
        "job": _job,
        "paymentTermsTemplates": lambda _r, _i, paymentTermsType=None: [
            t
            for t in PAYMENT_TERMS_TEMPLATES
            if paymentTermsType is None or t["paymentTermsType"] == paymentTermsType
        ],
        "webhookSubscriptions": lambda _r, info, **a: _page(
            list(_shop(info).subscriptions.values()), a
        ),
    },
    "Order": {
        "legacyResourceId": lambda o, _i: o.id,
        "customAttributes": lambda o, _i: [{"key": k, "value": v} for k, v in o.note_attributes],
        "closed": lambda o, _i: o.closed_at is not None,
        "confirmed": lambda o, _i: True,
        "test": lambda o, _i: False,
        "currencyCode": lambda o, _i: o.currency,
        "presentmentCurrencyCode": lambda o, _i: o.currency,
        "subtotalPriceSet": _order_money("subtotal"),
        "totalPriceSet": _order_money("total"),
        "currentTotalPriceSet": _order_money("current"),
        "totalTaxSet": _order_money("tax"),
        "totalShippingPriceSet": _order_money("shipping"),
        "totalDiscountsSet": _order_money("discount"),
        "totalRefundedSet": _order_money("refunded"),
        "totalReceivedSet": _order_money("received"),
        "totalOutstandingSet": _order_money("outstanding"),
        "displayFinancialStatus": lambda o, _i: o.financial_status,
        "displayFulfillmentStatus": lambda o, i: _shop(i).fulfillment_status(o),
        "customer": _customer_of,
        "risk": _order_risk,
        "lineItems": lambda o, i, **a: _page(_shop(i).lines_of(o), a),
        "fulfillmentOrders": lambda o, i, **a: _page(_shop(i).fulfillment_orders_of(o), a),
        "fulfillments": lambda o, i, first=None: _shop(i).fulfillments_of(o)[:first],
        "refunds": lambda o, i, first=None: _shop(i).refunds_of(o)[:first],
        "transactions": lambda o, i, first=None, **_: _shop(i).transactions_of(o)[:first],
        "suggestedRefund": _suggested_refund,
        "returns": lambda o, i, **a: _page(_shop(i).returns_of(o), a),
        "disputes": lambda o, i: [
            {"id": d.gid, "initiatedAs": d.type.upper(), "status": d.status.upper()}
            for d in _shop(i).disputes.values()
            if d.order_id == o.id
        ],
        "metafield": _metafield,
        "metafields": _metafields,
        "events": _order_events,
        "taxLines": lambda o, _i: [
            {
                "title": t.title,
                "rate": float(t.rate),
                "ratePercentage": float(t.rate * 100),
                "channelLiable": False,
                "priceSet": money_bag(t.amount, o.currency),
            }
            for t in o.tax_lines
        ],
    },
    "BasicEvent": {
        "attributeToApp": lambda e, _i: e.app_title is not None,
        "attributeToUser": lambda e, _i: False,
        "criticalAlert": lambda e, _i: False,
        "author": lambda e, _i: None,
    },
    "CommentEvent": {
        "attributeToApp": lambda e, _i: False,
        "attributeToUser": lambda e, _i: True,
        "criticalAlert": lambda e, _i: False,
        "rawMessage": lambda e, _i: e.message,
        "edited": lambda e, _i: False,
        "author": lambda e, _i: {
            "id": m.gid("StaffMember", zlib.crc32((e.author or "").encode())),
            "name": e.author,
            "firstName": (e.author or "").split(" ")[0] or None,
            "lastName": None,
        },
    },
    "LineItem": {
        "name": lambda li, _i: li.title,
        "unfulfilledQuantity": lambda li, _i: li.fulfillable_quantity,
        "refundableQuantity": lambda li, _i: li.current_quantity - li.refunded_quantity,
        "originalUnitPriceSet": _line_money("unit"),
        "discountedUnitPriceSet": _line_money("unit"),
        "originalTotalSet": _line_money("total"),
        "variant": _variant_of,
        "product": lambda li, i: _shop(i).products.get(li.product_id) if li.product_id else None,
    },
    "MailingAddress": {"id": _address_id, "countryCodeV2": lambda a, _i: a.country_code or None},
    "Customer": {
        "legacyResourceId": lambda c, _i: c.id,
        "displayName": lambda c, _i: f"{c.first_name} {c.last_name}".strip() or c.email,
        "numberOfOrders": lambda c, i: len(_shop(i).orders_of(c)),
        "amountSpent": lambda c, i: money_v2(_shop(i).amount_spent(c), _shop(i).config.currency),
        "orders": lambda c, i, **a: _orders_connection(_shop(i), _shop(i).orders_of(c), a),
        "metafield": _metafield,
        "metafields": _metafields,
    },
    "FulfillmentHold": {
        "displayReason": lambda h, _i: h.reason.replace("_", " ").capitalize(),
        "heldByRequestingApp": lambda h, _i: True,
    },
    "FulfillmentOrder": {
        "order": _order_of,
        "orderId": lambda fo, _i: m.gid("Order", fo.order_id),
        "orderName": lambda fo, i: _shop(i).orders[fo.order_id].name,
        "destination": _fo_destination,
        "assignedLocation": lambda fo, i: {"name": fo.location_name, "countryCode": "US"},
        "requestStatus": lambda fo, _i: fo.request_status,
        "fulfillmentHolds": lambda fo, _i: list(fo.holds),
        "lineItems": lambda fo, _i, **a: _page(fo.lines, a),
    },
    "FulfillmentOrderLineItem": {
        "sku": lambda line, i: _fo_line_item(line, i).sku,
        "productTitle": lambda line, i: _fo_line_item(line, i).title,
        "lineItem": _fo_line_item,
        "variant": lambda line, i: _variant_of(_fo_line_item(line, i), i),
    },
    "Fulfillment": {
        "totalQuantity": lambda f, _i: sum(f.line_quantities.values()),
        "trackingInfo": lambda f, _i, first=None: [
            {"number": f.tracking_number, "company": f.tracking_company, "url": f.tracking_url}
        ][:first],
        "events": lambda f, _i, **a: _page(f.events, a),
        "order": _order_of,
    },
    "FulfillmentEvent": {"createdAt": lambda e, _i: e.happened_at},
    "Refund": {
        "legacyResourceId": lambda r, _i: r.id,
        "totalRefundedSet": lambda r, i: money_bag(r.amount, _shop(i).orders[r.order_id].currency),
        "refundLineItems": lambda r, _i, **a: paginate(
            r.lines,
            lambda x: (x.line_item_id,),
            first=a.get("first"),
            after=a.get("after"),
            last=a.get("last"),
            before=a.get("before"),
        ),
        "transactions": lambda r, i, **a: _page(_shop(i).refund_transactions_of(r), a),
        "order": _order_of,
    },
    "OrderTransaction": {
        "amountSet": lambda t, i: money_bag(t.amount, _order_currency(t, i)),
        "formattedGateway": lambda t, _i: _formatted_gateway(t.gateway),
        "processedAt": lambda t, _i: t.created_at,
        "parentTransaction": lambda t, i: (
            _shop(i).transactions.get(t.parent_id) if t.parent_id else None
        ),
        "test": lambda _t, _i: False,
        "order": _order_of,
    },
    "RefundLineItem": {
        "id": lambda _x, _i: None,
        "lineItem": _refund_line_item,
        "restocked": lambda x, _i: x.restock_type in {"CANCEL", "RETURN", "LEGACY_RESTOCK"},
        "subtotalSet": _refund_lines_money,
    },
    "Return": {
        "totalQuantity": lambda r, _i: sum(x.quantity for x in r.lines),
        "order": _order_of,
        "decline": lambda r, _i: (
            {"reason": r.decline_reason, "note": r.decline_note} if r.decline_reason else None
        ),
        "returnLineItems": lambda r, _i, **a: _page(r.lines, a),
    },
    "ReturnLineItem": {"fulfillmentLineItem": _return_fli},
    "ShopifyPaymentsDispute": {
        "legacyResourceId": lambda d, _i: d.id,
        "order": _order_of,
        "type": lambda d, _i: d.type.upper(),
        "status": lambda d, _i: d.status.upper(),
        "amount": _dispute_amount,
        "reasonDetails": lambda d, _i: {
            "reason": d.reason.upper(),
            "networkReasonCode": d.network_reason_code,
        },
        "disputeEvidence": lambda d, _i: dispute_evidence(d),
    },
    "DraftOrder": {
        "note2": lambda d, _i: d.note or None,
        "order": _order_of,
        "customer": _customer_of,
        "subtotalPriceSet": _draft_money("subtotal"),
        "totalPriceSet": _draft_money("total"),
        "totalDiscountsSet": _draft_money("discount"),
        "lineItems": lambda d, _i, **a: _page(d.lines, a),
    },
    "DraftOrderLineItem": {
        "id": lambda x, _i: m.gid("DraftOrderLineItem", x.id),
        "originalUnitPriceSet": lambda x, i: money_bag(x.price, _shop(i).config.currency),
        "variant": _variant_of,
    },
    # A variant stands for its inventory item (one each in this emulator).
    "InventoryItem": {
        "id": lambda v, _i: f"gid://shopify/InventoryItem/{v.inventory_item_id}",
        "tracked": lambda _v, _i: True,
        "variant": lambda v, _i: v,
    },
    "ProductVariant": {
        "legacyResourceId": lambda v, _i: v.id,
        "displayName": lambda v, i: f"{_shop(i).products[v.product_id].title} - {v.title}",
        "product": lambda v, i: _shop(i).products[v.product_id],
    },
    "Product": {
        "legacyResourceId": lambda p, _i: p.id,
        "totalInventory": lambda p, i: sum(
            _shop(i).variants[v].inventory_quantity for v in p.variant_ids
        ),
        "variants": lambda p, i, **a: _page([_shop(i).variants[v] for v in p.variant_ids], a),
        "metafield": _metafield,
        "metafields": _metafields,
    },
    "Shop": {"shopPolicies": _shop_policies},
    "ShopPolicy": {
        "id": lambda p, _i: p.gid,
        "url": lambda p, i: (
            f"https://{_shop(i).domain}/policies/{p.type.lower().replace('_', '-')}"
        ),
    },
    "OnlineStoreTheme": {
        "id": lambda t, _i: t.gid,
        "prefix": lambda t, _i: f"/t/{t.id}",
        "processing": lambda _t, _i: False,
        "processingFailed": lambda _t, _i: False,
        "themeStoreId": lambda _t, _i: None,
        "files": _theme_files,
    },
    "Job": {
        "id": lambda j, _i: j.gid,
        "done": lambda j, i: i.context.clock.monotonic() >= j.done_at,
    },
    "Metafield": {
        "compareDigest": lambda x, _i: x.digest,
        "ownerType": lambda x, _i: m.parse_gid(x.owner_gid)[0].upper(),
    },
    "WebhookSubscription": {
        "topic": _topic_enum,
        "format": lambda _s, _i: "JSON",
        "updatedAt": lambda s, _i: s.created_at,
    },
    "CalculatedOrder": {
        "originalOrder": _order_of,
        "subtotalPriceSet": _calc_subtotal,
        "lineItems": lambda e, _i, **a: _page([x for x in e.lines], a),
    },
    "CalculatedLineItem": {
        "id": lambda x, _i: m.gid("CalculatedLineItem", x.id),
        "editableQuantity": _calc_line_editable,
        "originalUnitPriceSet": _calc_line_price,
        "variant": _variant_of,
    },
}
