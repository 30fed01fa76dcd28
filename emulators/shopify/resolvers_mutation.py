"""Mutation resolvers: argument handling, atomicity and ``userErrors``.

Each resolver runs its state operation inside :meth:`Store.transaction`; a
refused operation (``UserErrorRaised``, raised before any write) publishes no
webhook and answers the payload with ``userErrors`` filled and every other
field ``null``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, get_directive_values

from emulators.shopify import ops_catalog as catalog
from emulators.shopify import ops_content as content
from emulators.shopify import ops_edits as edits
from emulators.shopify import ops_fulfillment as ful
from emulators.shopify import ops_fulfillment_service as service
from emulators.shopify import ops_orders as ops
from emulators.shopify import ops_payments as payments
from emulators.shopify.errors import ResourceNotFound, UserErrorRaised
from emulators.shopify.models import TaxLine, WebhookSubscription, parse_gid
from emulators.shopify.resolvers_query import dispute_evidence
from emulators.shopify.schema import RequestContext, Resolver
from emulators.shopify.webhooks import topic_to_rest

Info = GraphQLResolveInfo
Body = Callable[..., dict[str, Any]]


def _mutation(
    body: Body, error_keys: tuple[str, ...] = ("userErrors",), *, snapshot: bool = False
) -> Resolver:
    """Wrap ``body(ctx, info, **args)`` in a transaction with userErrors handling."""

    def resolve(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
        rctx: RequestContext = info.context
        try:
            with rctx.store.transaction(rctx.shop, snapshot=snapshot):
                payload = body(rctx.ops(), info, **args)
        except UserErrorRaised as err:
            return {key: [err.as_dict()] for key in error_keys}
        except ResourceNotFound as err:
            return {
                key: [{"field": ["id"], "message": str(err), "code": None}] for key in error_keys
            }
        for key in error_keys:
            payload.setdefault(key, [])
        return payload

    return resolve


def _order(ctx: ops.Ctx, ref: str, field: str = "id") -> Any:
    try:
        return ctx.shop.order(ref)
    except ResourceNotFound:
        raise UserErrorRaised("Order does not exist", [field], "NOT_FOUND") from None


def _hold(ctx: ops.Ctx, info: Info, id: str, fulfillmentHold: dict[str, Any]) -> dict[str, Any]:
    fo = ful.lookup_fo(ctx, id)
    new, remaining = ful.hold(ctx, fo, fulfillmentHold)
    return {"fulfillmentHold": new, "fulfillmentOrder": fo, "remainingFulfillmentOrder": remaining}


def _release(
    ctx: ops.Ctx,
    info: Info,
    id: str,
    holdIds: list[str] | None = None,
    externalId: str | None = None,
) -> dict[str, Any]:
    fo = ful.lookup_fo(ctx, id)
    return {"fulfillmentOrder": ful.release_hold(ctx, fo, holdIds)}


def _cancel(ctx: ops.Ctx, info: Info, **args: Any) -> dict[str, Any]:
    order = _order(ctx, args["orderId"], "orderId")
    method = args.get("refundMethod") or {}
    refund = bool(method.get("originalPaymentMethodsRefund"))
    job = ops.cancel_order(
        ctx,
        order,
        reason=args["reason"],
        restock=bool(args["restock"]),
        refund=refund,
        staff_note=args.get("staffNote") or "",
    )
    return {"job": job}


def _idempotency_key(info: Info) -> str | None:
    directive = info.schema.get_directive("idempotent")
    if directive is None:
        return None
    values = get_directive_values(directive, info.field_nodes[0], info.variable_values)
    return str(values["key"]) if values else None


def _refund(ctx: ops.Ctx, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    rctx: RequestContext = info.context
    key = _idempotency_key(info)
    version = rctx.api_version
    if key is None and version >= rctx.config.idempotency_required_from:
        raise GraphQLError(
            "The @idempotent directive is required for this mutation.",
            extensions={"code": "IDEMPOTENCY_KEY_REQUIRED"},
        )
    fingerprint = json.dumps(input, sort_keys=True, default=str)
    shop = ctx.shop
    if key is not None and key in shop.idempotency:
        seen, refund_id = shop.idempotency[key]
        if seen != fingerprint:
            raise UserErrorRaised(
                "The idempotency key was already used with different parameters.",
                ["idempotencyKey"],
            )
        refund = shop.refunds[refund_id]
        return {"refund": refund, "order": shop.orders[refund.order_id]}
    order = _order(ctx, input["orderId"], "orderId")
    refund = ops.create_refund(
        ctx,
        order,
        note=input.get("note") or "",
        lines=input.get("refundLineItems") or [],
        shipping=input.get("shipping"),
        transactions=input.get("transactions"),
    )
    if key is not None:
        shop.idempotency[key] = (fingerprint, refund.id)
    return {"refund": refund, "order": order}


def _approve(ctx: ops.Ctx, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    return {"return": ful.approve_return(ctx, ful.lookup_return(ctx, input["id"]))}


def _decline(ctx: ops.Ctx, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    ret = ful.lookup_return(ctx, input["id"])
    return {
        "return": ful.decline_return(
            ctx, ret, input["declineReason"], input.get("declineNote") or ""
        )
    }


def _tags(add: bool) -> Body:
    def body(ctx: ops.Ctx, info: Info, id: str, tags: list[str]) -> dict[str, Any]:
        return {"node": ops.tags_change(ctx, id, tags, add=add)}

    return body


def _order_update(ctx: ops.Ctx, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    order = _order(ctx, input["id"])
    return {"order": ops.order_update(ctx, order, input)}


def _metafields_set(ctx: ops.Ctx, info: Info, metafields: list[dict[str, Any]]) -> dict[str, Any]:
    return {"metafields": ops.metafields_set(ctx, metafields)}


def _split(
    ctx: ops.Ctx, info: Info, fulfillmentOrderSplits: list[dict[str, Any]]
) -> dict[str, Any]:
    results = []
    for index, item in enumerate(fulfillmentOrderSplits):
        try:
            fo = ctx.shop.fulfillment_order(item["fulfillmentOrderId"])
        except ResourceNotFound:
            raise UserErrorRaised(
                "Fulfillment order does not exist.",
                ["fulfillmentOrderSplits", str(index), "fulfillmentOrderId"],
                "FULFILLMENT_ORDER_NOT_FOUND",
            ) from None
        rest = ful.split(
            ctx, fo, item["fulfillmentOrderLineItems"], ["fulfillmentOrderSplits", str(index)]
        )
        results.append(
            {
                "fulfillmentOrder": fo,
                "remainingFulfillmentOrder": rest,
                "replacementFulfillmentOrder": None,
            }
        )
    return {"fulfillmentOrderSplits": results}


def _reschedule(ctx: ops.Ctx, info: Info, id: str, fulfillAt: Any) -> dict[str, Any]:
    return {"fulfillmentOrder": ful.reschedule(ctx, ful.lookup_fo(ctx, id), fulfillAt)}


def _submit_request(
    ctx: ops.Ctx,
    info: Info,
    id: str,
    message: str | None = None,
    notifyCustomer: bool | None = None,
    fulfillmentOrderLineItems: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    fo = ful.lookup_fo(ctx, id)
    submitted, rest = service.submit(ctx, fo, message or "", fulfillmentOrderLineItems)
    return {
        "originalFulfillmentOrder": fo,
        "submittedFulfillmentOrder": submitted,
        "unsubmittedFulfillmentOrder": rest,
    }


def _accept_request(
    ctx: ops.Ctx, info: Info, id: str, message: str | None = None, **_: Any
) -> dict[str, Any]:
    return {"fulfillmentOrder": service.accept(ctx, ful.lookup_fo(ctx, id), message or "")}


def _reject_request(
    ctx: ops.Ctx,
    info: Info,
    id: str,
    message: str | None = None,
    reason: str | None = None,
    lineItems: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    fo = ful.lookup_fo(ctx, id)
    return {"fulfillmentOrder": service.reject(ctx, fo, message or "", reason, lineItems or [])}


def _close(ctx: ops.Ctx, info: Info, id: str, message: str | None = None) -> dict[str, Any]:
    return {"fulfillmentOrder": service.close(ctx, ful.lookup_fo(ctx, id), message or "")}


def _edit_begin(ctx: ops.Ctx, info: Info, id: str) -> dict[str, Any]:
    edit = edits.edit_begin(ctx, _order(ctx, id))
    return {
        "calculatedOrder": edit,
        "orderEditSession": {"id": f"gid://shopify/OrderEditSession/{edit.id}"},
    }


def _edit_set_qty(
    ctx: ops.Ctx, info: Info, id: str, lineItemId: str, quantity: int, restock: bool | None = None
) -> dict[str, Any]:
    edit, line = edits.edit_set_quantity(ctx, id, lineItemId, quantity)
    return {"calculatedOrder": edit, "calculatedLineItem": line}


def _edit_add(
    ctx: ops.Ctx, info: Info, id: str, variantId: str, quantity: int, **_: Any
) -> dict[str, Any]:
    edit, line = edits.edit_add_variant(ctx, id, variantId, quantity)
    return {"calculatedOrder": edit, "calculatedLineItem": line}


def _edit_commit(
    ctx: ops.Ctx,
    info: Info,
    id: str,
    notifyCustomer: bool | None = None,
    staffNote: str | None = None,
) -> dict[str, Any]:
    return {"order": edits.edit_commit(ctx, id, staffNote or "")}


def _draft_create(ctx: ops.Ctx, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    return {"draftOrder": edits.draft_create(ctx, input)}


def _draft_complete(ctx: ops.Ctx, info: Info, id: str, **_: Any) -> dict[str, Any]:
    try:
        draft = ctx.shop.draft_order(id)
    except ResourceNotFound:
        raise UserErrorRaised("Draft order does not exist", ["id"]) from None
    edits.draft_complete(ctx, draft)
    return {"draftOrder": draft}


def _draft_invoice_send(ctx: ops.Ctx, info: Info, id: str) -> dict[str, Any]:
    try:
        draft = ctx.shop.draft_order(id)
    except ResourceNotFound:
        raise UserErrorRaised("Draft order does not exist", ["id"]) from None
    return {"draftOrder": edits.draft_invoice_send(ctx, draft)}


def _order_create(
    ctx: ops.Ctx, info: Info, order: dict[str, Any], options: dict[str, Any] | None = None
) -> dict[str, Any]:
    shop = ctx.shop
    lines = []
    taxes: list[TaxLine] = []
    for index, item in enumerate(order.get("lineItems") or []):
        var = None
        if item.get("variantId"):
            try:
                var = shop.variant(item["variantId"])
            except ResourceNotFound:
                raise UserErrorRaised(
                    "Variant does not exist",
                    ["order", "lineItems", str(index), "variantId"],
                    "INVALID",
                ) from None
        price_set = item.get("priceSet")
        price = (
            Decimal(price_set["shopMoney"]["amount"]) if price_set else (var.price if var else None)
        )
        if price is None:
            raise UserErrorRaised(
                "Price is required for custom line items",
                ["order", "lineItems", str(index), "priceSet"],
                "INVALID",
            )
        lines.append(
            ops.LineSpec(
                item.get("title") or "",
                int(item["quantity"]),
                price,
                item.get("sku") or "",
                var.id if var else None,
            )
        )
        where = ["order", "lineItems", str(index)]
        taxes.extend(
            payments.line_taxes(item.get("taxLines"), price * int(item["quantity"]), where)
        )
    shipping, shipping_taxes = payments.shipping_charges(order)
    ops.check_lines(lines)  # before the customer upsert, so a refused order creates nothing
    customer_id = None
    cust_in = order.get("customer") or {}
    if (cust_in.get("toAssociate") or {}).get("id"):
        try:
            customer_id = shop.customer(cust_in["toAssociate"]["id"]).id
        except ResourceNotFound:
            raise UserErrorRaised(
                "Customer does not exist", ["order", "customer"], "INVALID"
            ) from None
    elif cust_in.get("toUpsert"):
        up = cust_in["toUpsert"]
        found = next(
            (c for c in shop.customers.values() if up.get("email") and c.email == up["email"]), None
        )
        customer_id = (
            found
            or catalog.create_customer(
                ctx,
                email=up.get("email") or "",
                first_name=up.get("firstName") or "",
                last_name=up.get("lastName") or "",
                tags=up.get("tags") or [],
                phone=up.get("phone") or "",
            )
        ).id
    behaviour = (options or {}).get("inventoryBehaviour") or "BYPASS"
    spec = ops.OrderSpec(
        lines=lines,
        email=order.get("email") or "",
        phone=order.get("phone") or "",
        currency=order.get("currency"),
        customer_id=customer_id,
        shipping_address=ops.address_from_input(order["shippingAddress"])
        if order.get("shippingAddress")
        else None,
        billing_address=ops.address_from_input(order["billingAddress"])
        if order.get("billingAddress")
        else None,
        tags=order.get("tags") or [],
        note=order.get("note") or "",
        note_attributes=[(a["key"], a["value"]) for a in order.get("customAttributes") or []],
        source_name=order.get("sourceName") or "api",
        financial_status=order.get("financialStatus") or "PENDING",
        decrement_inventory=behaviour != "BYPASS",
        shipping_price=shipping,
        tax=payments.Charges(shipping, [*taxes, *shipping_taxes]).tax,
        tax_lines=payments.summed([*taxes, *shipping_taxes]),
        taxes_included=bool(order.get("taxesIncluded")),
    )
    return {"order": ops.create_order(ctx, spec)}


def _payment_terms_create(
    ctx: ops.Ctx, info: Info, referenceId: str, paymentTermsAttributes: dict[str, Any]
) -> dict[str, Any]:
    try:
        order = ctx.shop.order(referenceId)
    except ResourceNotFound:
        raise UserErrorRaised(
            "Order does not exist", ["referenceId"], "PAYMENT_TERMS_CREATION_UNSUCCESSFUL"
        ) from None
    scopes = ctx.shop.config.access_scopes
    terms = payments.create_payment_terms(order, paymentTermsAttributes, scopes, ctx.now)
    ops.order_changed(ctx, order)
    return {"paymentTerms": terms}


def _dispute_evidence(ctx: ops.Ctx, info: Info, id: str, input: dict[str, Any]) -> dict[str, Any]:
    """``id`` is the ShopifyPaymentsDisputeEvidence id, as in Shopify.

    The dispute's own id is still accepted (older emulator clients sent it).
    """
    try:
        kind, _ = parse_gid(id)
        if kind == "ShopifyPaymentsDispute":
            dispute = ctx.shop.dispute(id)
        else:
            dispute = ctx.shop.dispute_by_evidence(id)
    except ResourceNotFound:
        raise UserErrorRaised(
            "Dispute evidence does not exist", ["id"], "DISPUTE_EVIDENCE_NOT_FOUND"
        ) from None
    ful.update_evidence(ctx, dispute, input)
    return {"disputeEvidence": dispute_evidence(dispute)}


def _product_update(
    ctx: ops.Ctx, info: Info, product: dict[str, Any] | None = None
) -> dict[str, Any]:
    if product is None:
        raise UserErrorRaised("Product input must be specified", ["product"])
    return {"product": content.product_update(ctx, product)}


def _variants_bulk_update(
    ctx: ops.Ctx,
    info: Info,
    productId: str,
    variants: list[dict[str, Any]],
    allowPartialUpdates: bool = False,
) -> dict[str, Any]:
    product, updated = content.variants_bulk_update(ctx, productId, variants)
    return {"product": product, "productVariants": updated}


def _webhook_create(
    ctx: ops.Ctx, info: Info, topic: str, webhookSubscription: dict[str, Any]
) -> dict[str, Any]:
    uri = webhookSubscription.get("uri")
    if not uri or not str(uri).startswith(("http://", "https://")):
        raise UserErrorRaised("Address is invalid", ["webhookSubscription", "uri"])
    rest = topic_to_rest(topic)
    if any(s.topic == rest and s.uri == uri for s in ctx.shop.subscriptions.values()):
        raise UserErrorRaised(
            "Address for this topic has already been taken", ["webhookSubscription", "uri"]
        )
    sub = WebhookSubscription(ctx.shop.new_id(), rest, str(uri), ctx.now)
    ctx.shop.subscriptions[sub.id] = sub
    return {"webhookSubscription": sub}


def _webhook_delete(ctx: ops.Ctx, info: Info, id: str) -> dict[str, Any]:
    try:
        ident = parse_gid(id, "WebhookSubscription")[1]
        ctx.shop.subscriptions.pop(ident)
    except (ResourceNotFound, KeyError):
        raise UserErrorRaised("Webhook subscription does not exist", ["id"]) from None
    return {"deletedWebhookSubscriptionId": id}


MUTATION_RESOLVERS: dict[str, dict[str, Resolver]] = {
    "Mutation": {
        "fulfillmentOrderHold": _mutation(_hold),
        "fulfillmentOrderReleaseHold": _mutation(_release),
        "orderCancel": _mutation(_cancel, ("orderCancelUserErrors", "userErrors")),
        "refundCreate": _mutation(_refund),
        "returnApproveRequest": _mutation(_approve),
        "returnDeclineRequest": _mutation(_decline),
        "productUpdate": _mutation(_product_update),
        "productVariantsBulkUpdate": _mutation(_variants_bulk_update),
        "tagsAdd": _mutation(_tags(True)),
        "tagsRemove": _mutation(_tags(False)),
        "orderUpdate": _mutation(_order_update),
        "metafieldsSet": _mutation(_metafields_set),
        "fulfillmentOrderSplit": _mutation(_split, snapshot=True),
        "fulfillmentOrderReschedule": _mutation(_reschedule),
        "fulfillmentOrderSubmitFulfillmentRequest": _mutation(_submit_request, snapshot=True),
        "fulfillmentOrderAcceptFulfillmentRequest": _mutation(_accept_request),
        "fulfillmentOrderRejectFulfillmentRequest": _mutation(_reject_request),
        "fulfillmentOrderClose": _mutation(_close),
        "orderEditBegin": _mutation(_edit_begin),
        "orderEditSetQuantity": _mutation(_edit_set_qty),
        "orderEditAddVariant": _mutation(_edit_add),
        "orderEditCommit": _mutation(_edit_commit),
        "draftOrderCreate": _mutation(_draft_create),
        "draftOrderComplete": _mutation(_draft_complete),
        "draftOrderInvoiceSend": _mutation(_draft_invoice_send),
        "orderCreate": _mutation(_order_create),
        "paymentTermsCreate": _mutation(_payment_terms_create),
        "disputeEvidenceUpdate": _mutation(_dispute_evidence),
        "webhookSubscriptionCreate": _mutation(_webhook_create),
        "webhookSubscriptionDelete": _mutation(_webhook_delete),
    }
}
