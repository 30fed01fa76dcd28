"""Thin typed helpers around the GraphQL documents casebridge sends to Shopify.

The documents themselves, these helpers' and every other one the pipeline
sends, live in :mod:`connectors.shopify.documents` (one place, written against
Shopify's real Admin schema; its :data:`~connectors.shopify.documents.DOCUMENTS`
lists them by operation name).

Each helper takes anything with an ``execute`` method
(:class:`~connectors.shopify.client.GraphQLExecutor`), runs one document and
unwraps the answer. Mutation helpers raise
:class:`~connectors.shopify.errors.ShopifyUserError` when the payload's
``userErrors`` is non-empty, because Shopify reports a refused write with
HTTP 200 and a caller must never mistake it for success.

Most mutations carry no idempotency key: callers read the current state first
(is the hold already there? the order already cancelled?) and skip what is
already applied. ``refundCreate`` is the exception: it takes Shopify's
``@idempotent(key:)`` directive, so a replayed decision refunds once.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from connectors.shopify.cost import GraphQLExecutor
from connectors.shopify.documents.operations import (
    DISPUTE,
    DISPUTE_EVIDENCE_UPDATE,
    DRAFT_ORDER_COMPLETE,
    DRAFT_ORDER_CREATE,
    DRAFT_ORDER_INVOICE_SEND,
    DRAFT_ORDERS_TAGGED,
    FULFILLMENT_ORDER_HOLD,
    FULFILLMENT_ORDER_RELEASE_HOLD,
    FULFILLMENT_ORDER_RESCHEDULE,
    FULFILLMENT_ORDER_SPLIT,
    FULFILLMENT_ORDERS,
    FULFILLMENTS,
    HOLD_TARGETS,
    HOLD_TARGETS_WITH_ORDER,
    METAFIELDS_SET,
    NOTICE_ORDER,
    ORDER_CANCEL,
    ORDER_CREATE,
    ORDER_EDIT_ADD_VARIANT,
    ORDER_EDIT_BEGIN,
    ORDER_EDIT_COMMIT,
    ORDER_EDIT_SET_QUANTITY,
    ORDER_PAYMENT_TERMS,
    ORDER_UPDATE,
    ORDER_WITH_HISTORY,
    ORDERS_UPDATED_SINCE,
    PAYMENT_TERMS_CREATE,
    PAYMENT_TERMS_TEMPLATES,
    PRODUCT_CONTENT,
    PRODUCT_UPDATE,
    PRODUCT_VARIANTS_BULK_UPDATE,
    REFUND_CREATE,
    REFUNDS,
    RETURN_APPROVE_REQUEST,
    RETURN_DECLINE_REQUEST,
    SHOP_POLICIES,
    TAGS_ADD,
    TAGS_REMOVE,
    THEME_FILES,
)
from connectors.shopify.errors import (
    ShopifyError,
    ShopifyGraphQLError,
    ShopifyUserError,
    UserErrorDetail,
)

__all__ = [
    "CancelReason",
    "DeclineReason",
    "FulfillmentHold",
    "HoldReason",
    "InvalidAddressError",
    "Job",
    "PagedNode",
    "RestockType",
    "dispute_evidence_update",
    "draft_order_complete",
    "draft_order_create",
    "draft_order_invoice_send",
    "draft_orders_tagged",
    "fulfillment_order_hold",
    "fulfillment_order_release_hold",
    "fulfillment_order_reschedule",
    "fulfillment_order_split",
    "get_dispute",
    "get_fulfillment_orders",
    "get_fulfillments",
    "get_hold_targets",
    "get_order_with_history",
    "get_product_content",
    "get_refunds",
    "get_shop_policies",
    "get_theme_files",
    "iter_orders_updated_since",
    "mailing_address_input",
    "metafields_set",
    "notice_order",
    "order_cancel",
    "order_create",
    "order_edit_add_variant",
    "order_edit_begin",
    "order_edit_commit",
    "order_edit_set_quantity",
    "order_payment_terms",
    "order_update",
    "payment_terms_create",
    "payment_terms_templates",
    "product_update",
    "product_variants_bulk_update",
    "refund_create",
    "return_approve_request",
    "return_decline_request",
    "tags_add",
    "tags_remove",
]

JsonObject = dict[str, Any]

HoldReason = Literal[
    "AWAITING_PAYMENT",
    "AWAITING_RETURN_ITEMS",
    "HIGH_RISK_OF_FRAUD",
    "INCORRECT_ADDRESS",
    "INVENTORY_OUT_OF_STOCK",
    "OTHER",
    "UNKNOWN_DELIVERY_DATE",
]
CancelReason = Literal["CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "OTHER", "STAFF"]
DeclineReason = Literal["FINAL_SALE", "RETURN_PERIOD_ENDED", "OTHER"]
RestockType = Literal["NO_RESTOCK", "CANCEL", "RETURN"]

#: Shopify limits: a hold handle is at most 64 characters; metafieldsSet takes 25 per call.
MAX_HOLD_HANDLE = 64
MAX_METAFIELDS_PER_CALL = 25

#: ``MailingAddressInput``'s fields. Shopify has no ``country``/``province`` there (only
#: the codes): a request carrying either fails whole, so they are refused before it.
MAILING_ADDRESS_FIELDS = frozenset(
    {
        "address1",
        "address2",
        "city",
        "company",
        "countryCode",
        "firstName",
        "lastName",
        "phone",
        "provinceCode",
        "zip",
    }
)
_ADDRESS_HINTS = {
    "country": "use countryCode (ISO 3166-1 alpha-2, e.g. US)",
    "province": "use provinceCode (e.g. CA for California)",
    "countryCodeV2": "use countryCode",
}
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
_PROVINCE_CODE = re.compile(r"^[A-Z0-9]{1,3}$")
_MAX_ADDRESS_TEXT = 255


# -- typed results -----------------------------------------------------------------------------


class InvalidAddressError(ShopifyError, ValueError):
    """An address is not a valid ``MailingAddressInput``: nothing was sent. Permanent."""

    transient = False

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid address: " + "; ".join(self.problems))


@dataclass(frozen=True, slots=True)
class FulfillmentHold:
    """A hold placed by :func:`fulfillment_order_hold`."""

    id: str
    handle: str | None
    reason: str | None
    fulfillment_order_id: str | None
    fulfillment_order_status: str | None


@dataclass(frozen=True, slots=True)
class Job:
    """An asynchronous Shopify job (``orderCancel``); poll ``job(id:)`` or watch webhooks."""

    id: str
    done: bool


@dataclass(frozen=True, slots=True)
class PagedNode:
    """One node of a paged connection with the cursor to resume after it."""

    node: JsonObject
    cursor: str


# -- helpers -----------------------------------------------------------------------------------


def _payload(data: JsonObject, field: str, errors_key: str = "userErrors") -> JsonObject:
    """The mutation payload of ``field``; raise on ``userErrors`` or a null payload."""
    payload = data.get(field)
    if not isinstance(payload, dict):
        raise ShopifyGraphQLError([f"{field} returned no payload"], operation=field)
    errors = payload.get(errors_key) or []
    if errors:
        raise ShopifyUserError(field, [UserErrorDetail.from_json(err) for err in errors])
    return payload


def _without_nulls(values: Mapping[str, Any]) -> JsonObject:
    """Drop unset optional inputs, so Shopify applies its own defaults."""
    return {key: value for key, value in values.items() if value is not None}


def mailing_address_input(raw: Mapping[str, Any]) -> JsonObject:
    """``raw`` checked as Shopify's ``MailingAddressInput`` (codes upper-cased, nulls dropped).

    Raises:
        InvalidAddressError: naming every unknown field (with the right one where
            there is one), non-text value, and malformed country or province code.
    """
    problems: list[str] = []
    address: JsonObject = {}
    for key, value in raw.items():
        if key not in MAILING_ADDRESS_FIELDS:
            hint = _ADDRESS_HINTS.get(key)
            problems.append(f"{key!r} is not an address field" + (f": {hint}" if hint else ""))
            continue
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append(f"{key} must be text, got {type(value).__name__}")
            continue
        text = value.strip()
        if key in ("countryCode", "provinceCode"):
            text = text.upper()
        if len(text) > _MAX_ADDRESS_TEXT:
            problems.append(f"{key} is longer than {_MAX_ADDRESS_TEXT} characters")
        address[key] = text
    country = address.get("countryCode")
    if country is not None and not _COUNTRY_CODE.match(country):
        problems.append(f"countryCode {country!r} is not an ISO 3166-1 alpha-2 code")
    province = address.get("provinceCode")
    if province is not None and not _PROVINCE_CODE.match(province):
        problems.append(f"provinceCode {province!r} is not a region code")
    if problems:
        raise InvalidAddressError(problems)
    return address


def _iso(value: datetime | str) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("datetimes sent to Shopify must be timezone-aware")
        return value.isoformat()
    return value


async def get_order_with_history(
    client: GraphQLExecutor, order_id: str, *, history: int = 10, returns: int = 10
) -> JsonObject | None:
    """The order with its customer (order count, amount spent, recent orders), returns, refunds.

    Returns ``None`` when no such order exists.
    """
    data = await client.execute(
        ORDER_WITH_HISTORY, {"id": order_id, "historyFirst": history, "returnsFirst": returns}
    )
    order = data.get("order")
    return order if isinstance(order, dict) else None


async def get_fulfillment_orders(
    client: GraphQLExecutor, order_id: str, *, first: int = 10, lines_first: int = 25
) -> list[JsonObject]:
    """The order's fulfillment orders with status, holds and line items (``[]`` if none).

    The page sizes multiply in Shopify's cost (about ``first * lines_first * 2``);
    keep the product well under the 1000-point single-query cap.
    """
    data = await client.execute(
        FULFILLMENT_ORDERS, {"orderId": order_id, "first": first, "linesFirst": lines_first}
    )
    order = data.get("order") or {}
    nodes = (order.get("fulfillmentOrders") or {}).get("nodes") or []
    return [node for node in nodes if isinstance(node, dict)]


async def get_hold_targets(
    client: GraphQLExecutor,
    order_id: str,
    *,
    first: int = 2,
    with_order: bool = False,
    max_pages: int = 20,
) -> JsonObject | None:
    """The order with its fulfillment orders (id, status) paged in; ``None`` if it does not exist.

    Most orders have one or two fulfillment orders: a small page keeps the
    protective read cheap, and the rare order with more is paged through
    (``fulfillmentOrders.nodes`` of the answer holds them all). With
    ``with_order`` the first page also reads the order record and customer summary.
    """
    document = HOLD_TARGETS_WITH_ORDER if with_order else HOLD_TARGETS
    found: JsonObject | None = None
    nodes: list[JsonObject] = []
    after: str | None = None
    for _ in range(max_pages):
        data = await client.execute(document, {"orderId": order_id, "first": first, "after": after})
        order = data.get("order")
        if not isinstance(order, dict):
            return None
        found = found or order
        connection = order.get("fulfillmentOrders") or {}
        nodes += [node for node in connection.get("nodes") or [] if isinstance(node, dict)]
        page = connection.get("pageInfo") or {}
        after = page.get("endCursor") if page.get("hasNextPage") else None
        if not after:
            break
        document = HOLD_TARGETS  # the order's own fields came with the first page
    if found is None:
        return None
    return {**found, "fulfillmentOrders": {"nodes": nodes}}


async def get_fulfillments(
    client: GraphQLExecutor, order_id: str, *, first: int = 20
) -> list[JsonObject]:
    """The order's fulfillments with ``trackingInfo`` (``[]`` if none)."""
    data = await client.execute(FULFILLMENTS, {"orderId": order_id, "first": first})
    order = data.get("order") or {}
    return [f for f in order.get("fulfillments") or [] if isinstance(f, dict)]


async def get_refunds(
    client: GraphQLExecutor, order_id: str, *, lines_first: int = 50
) -> list[JsonObject]:
    """The order's refunds with their line items (``[]`` if none).

    ``lines_first`` lowers the line items read per refund (50 by default) for a
    small cost bucket: a query costing more than the bucket holds never runs.
    """
    data = await client.execute(REFUNDS, {"orderId": order_id, "linesFirst": lines_first})
    order = data.get("order") or {}
    return [r for r in order.get("refunds") or [] if isinstance(r, dict)]


async def get_dispute(client: GraphQLExecutor, dispute_id: str) -> JsonObject | None:
    """A Shopify Payments dispute by gid, or ``None``. Needs a payments scope."""
    data = await client.execute(DISPUTE, {"id": dispute_id})
    dispute = data.get("dispute")
    return dispute if isinstance(dispute, dict) else None


async def iter_orders_updated_since(
    client: GraphQLExecutor,
    since: datetime | str,
    *,
    page_size: int = 50,
    after: str | None = None,
) -> AsyncIterator[PagedNode]:
    """Every order updated after ``since``, oldest update first, for reconciliation.

    Each item carries its cursor, so a poller can persist it and resume with
    ``after=`` instead of re-reading from the watermark after a crash.
    """
    query = f"updated_at:>'{_iso(since)}'"
    cursor = after
    while True:
        data = await client.execute(
            ORDERS_UPDATED_SINCE, {"first": page_size, "after": cursor, "query": query}
        )
        connection = data.get("orders") or {}
        for edge in connection.get("edges") or []:
            yield PagedNode(node=edge["node"], cursor=edge["cursor"])
        page_info = connection.get("pageInfo") or {}
        cursor = page_info.get("endCursor")
        if not page_info.get("hasNextPage") or not cursor:
            return


async def fulfillment_order_hold(
    client: GraphQLExecutor,
    fulfillment_order_id: str,
    *,
    reason: HoldReason,
    handle: str,
    reason_notes: str | None = None,
    notify_merchant: bool = False,
    external_id: str | None = None,
) -> FulfillmentHold:
    """Place a hold on a fulfillment order; ``handle`` (≤ 64 chars) identifies our hold."""
    if not handle or len(handle) > MAX_HOLD_HANDLE:
        raise ValueError(f"hold handle must be 1..{MAX_HOLD_HANDLE} characters")
    hold_input = _without_nulls(
        {
            "reason": reason,
            "reasonNotes": reason_notes,
            "notifyMerchant": notify_merchant,
            "externalId": external_id,
            "handle": handle,
        }
    )
    data = await client.execute(
        FULFILLMENT_ORDER_HOLD, {"id": fulfillment_order_id, "fulfillmentHold": hold_input}
    )
    payload = _payload(data, "fulfillmentOrderHold")
    hold = payload.get("fulfillmentHold") or {}
    order = payload.get("fulfillmentOrder") or {}
    return FulfillmentHold(
        id=str(hold.get("id")),
        handle=hold.get("handle"),
        reason=hold.get("reason"),
        fulfillment_order_id=order.get("id"),
        fulfillment_order_status=order.get("status"),
    )


async def fulfillment_order_release_hold(
    client: GraphQLExecutor, fulfillment_order_id: str, hold_ids: Sequence[str]
) -> JsonObject:
    """Release our holds (by id) on a fulfillment order; returns the payload."""
    data = await client.execute(
        FULFILLMENT_ORDER_RELEASE_HOLD, {"id": fulfillment_order_id, "holdIds": list(hold_ids)}
    )
    return _payload(data, "fulfillmentOrderReleaseHold")


async def order_cancel(
    client: GraphQLExecutor,
    order_id: str,
    *,
    reason: CancelReason,
    restock: bool,
    refund: bool = True,
    notify_customer: bool = False,
    staff_note: str | None = None,
) -> Job:
    """Start cancelling an order; Shopify finishes asynchronously (see :class:`Job`)."""
    variables = _without_nulls(
        {
            "orderId": order_id,
            "reason": reason,
            "restock": restock,
            "notifyCustomer": notify_customer,
            "staffNote": staff_note,
            "refundMethod": {"originalPaymentMethodsRefund": refund},
        }
    )
    data = await client.execute(ORDER_CANCEL, variables)
    payload = _payload(data, "orderCancel", errors_key="orderCancelUserErrors")
    job = payload.get("job") or {}
    return Job(id=str(job.get("id")), done=bool(job.get("done")))


async def refund_create(
    client: GraphQLExecutor, refund_input: Mapping[str, Any], *, idempotency_key: str
) -> JsonObject:
    """Create a refund exactly once per ``idempotency_key``; returns the ``refund`` object.

    Derive the key from the decision (case id + action), so a replay after a
    crash gets the same refund back instead of a second one.
    """
    if not idempotency_key:
        raise ValueError("refund_create needs a non-empty idempotency key")
    data = await client.execute(
        REFUND_CREATE, {"input": dict(refund_input), "idempotencyKey": idempotency_key}
    )
    payload = _payload(data, "refundCreate")
    refund = payload.get("refund")
    return refund if isinstance(refund, dict) else {}


async def return_approve_request(
    client: GraphQLExecutor, return_id: str, *, notify_customer: bool = False
) -> JsonObject:
    """Approve a requested return; returns the ``return`` object."""
    data = await client.execute(
        RETURN_APPROVE_REQUEST, {"input": {"id": return_id, "notifyCustomer": notify_customer}}
    )
    result = _payload(data, "returnApproveRequest").get("return")
    return result if isinstance(result, dict) else {}


async def return_decline_request(
    client: GraphQLExecutor,
    return_id: str,
    *,
    reason: DeclineReason,
    note: str | None = None,
    notify_customer: bool = False,
) -> JsonObject:
    """Decline a requested return with a reason; returns the ``return`` object."""
    decline = _without_nulls(
        {
            "id": return_id,
            "declineReason": reason,
            "declineNote": note,
            "notifyCustomer": notify_customer,
        }
    )
    data = await client.execute(RETURN_DECLINE_REQUEST, {"input": decline})
    result = _payload(data, "returnDeclineRequest").get("return")
    return result if isinstance(result, dict) else {}


async def tags_add(client: GraphQLExecutor, resource_id: str, tags: Sequence[str]) -> JsonObject:
    """Append tags to an order, customer, product... (existing tags are kept)."""
    data = await client.execute(TAGS_ADD, {"id": resource_id, "tags": list(tags)})
    return _payload(data, "tagsAdd")


async def tags_remove(client: GraphQLExecutor, resource_id: str, tags: Sequence[str]) -> JsonObject:
    """Remove tags from an order, customer, product... (absent tags are ignored)."""
    data = await client.execute(TAGS_REMOVE, {"id": resource_id, "tags": list(tags)})
    return _payload(data, "tagsRemove")


async def notice_order(client: GraphQLExecutor, order_id: str) -> JsonObject | None:
    """An order's name, e-mail, tags and customer: what a customer notice needs."""
    data = await client.execute(NOTICE_ORDER, {"id": order_id})
    found = data.get("order")
    return found if isinstance(found, dict) else None


async def order_update(client: GraphQLExecutor, order_input: Mapping[str, Any]) -> JsonObject:
    """Update an order (``note`` and ``tags`` overwrite); returns the ``order`` object.

    Raises:
        InvalidAddressError: ``shippingAddress`` is not a valid ``MailingAddressInput``.
    """
    if "id" not in order_input:
        raise ValueError("order_update input needs the order 'id'")
    update = dict(order_input)
    address = update.get("shippingAddress")
    if address is not None:
        if not isinstance(address, Mapping):
            raise InvalidAddressError(["shippingAddress must be an object"])
        update["shippingAddress"] = mailing_address_input(address)
    data = await client.execute(ORDER_UPDATE, {"input": update})
    order = _payload(data, "orderUpdate").get("order")
    return order if isinstance(order, dict) else {}


async def metafields_set(
    client: GraphQLExecutor, metafields: Sequence[Mapping[str, Any]]
) -> list[JsonObject]:
    """Set up to 25 metafields atomically; pass ``compareDigest`` for compare-and-set."""
    if not 1 <= len(metafields) <= MAX_METAFIELDS_PER_CALL:
        raise ValueError(f"metafieldsSet takes 1..{MAX_METAFIELDS_PER_CALL} metafields per call")
    data = await client.execute(METAFIELDS_SET, {"metafields": [dict(m) for m in metafields]})
    return list(_payload(data, "metafieldsSet").get("metafields") or [])


async def fulfillment_order_split(
    client: GraphQLExecutor, splits: Sequence[Mapping[str, Any]]
) -> list[JsonObject]:
    """Split fulfillment orders (``{fulfillmentOrderId, fulfillmentOrderLineItems}`` each)."""
    data = await client.execute(
        FULFILLMENT_ORDER_SPLIT, {"fulfillmentOrderSplits": [dict(s) for s in splits]}
    )
    return list(_payload(data, "fulfillmentOrderSplit").get("fulfillmentOrderSplits") or [])


async def fulfillment_order_reschedule(
    client: GraphQLExecutor, fulfillment_order_id: str, fulfill_at: datetime | str
) -> JsonObject:
    """Move a scheduled fulfillment order's ``fulfillAt``; returns the fulfillment order."""
    data = await client.execute(
        FULFILLMENT_ORDER_RESCHEDULE, {"id": fulfillment_order_id, "fulfillAt": _iso(fulfill_at)}
    )
    order = _payload(data, "fulfillmentOrderReschedule").get("fulfillmentOrder")
    return order if isinstance(order, dict) else {}


async def order_edit_begin(client: GraphQLExecutor, order_id: str) -> JsonObject:
    """Open an order edit; returns the ``calculatedOrder`` (its ``id`` drives the edit)."""
    data = await client.execute(ORDER_EDIT_BEGIN, {"id": order_id})
    calculated = _payload(data, "orderEditBegin").get("calculatedOrder")
    if not isinstance(calculated, dict) or not calculated.get("id"):
        raise ShopifyGraphQLError(["orderEditBegin returned no calculatedOrder"])
    return calculated


async def order_edit_set_quantity(
    client: GraphQLExecutor,
    calculated_order_id: str,
    line_item_id: str,
    quantity: int,
    *,
    restock: bool = True,
) -> JsonObject:
    """Change a line's quantity in an open edit (``0`` removes the line)."""
    data = await client.execute(
        ORDER_EDIT_SET_QUANTITY,
        {
            "id": calculated_order_id,
            "lineItemId": line_item_id,
            "quantity": quantity,
            "restock": restock,
        },
    )
    return _payload(data, "orderEditSetQuantity")


async def order_edit_add_variant(
    client: GraphQLExecutor,
    calculated_order_id: str,
    variant_id: str,
    quantity: int,
    *,
    allow_duplicates: bool = False,
) -> JsonObject:
    """Add a variant (a substitute item) to an open edit."""
    data = await client.execute(
        ORDER_EDIT_ADD_VARIANT,
        {
            "id": calculated_order_id,
            "variantId": variant_id,
            "quantity": quantity,
            "allowDuplicates": allow_duplicates,
        },
    )
    return _payload(data, "orderEditAddVariant")


async def order_edit_commit(
    client: GraphQLExecutor,
    calculated_order_id: str,
    *,
    notify_customer: bool = False,
    staff_note: str | None = None,
) -> JsonObject:
    """Apply an open edit to the order; returns the ``order`` object."""
    data = await client.execute(
        ORDER_EDIT_COMMIT,
        _without_nulls(
            {"id": calculated_order_id, "notifyCustomer": notify_customer, "staffNote": staff_note}
        ),
    )
    order = _payload(data, "orderEditCommit").get("order")
    return order if isinstance(order, dict) else {}


async def draft_order_create(client: GraphQLExecutor, draft_input: Mapping[str, Any]) -> JsonObject:
    """Create a draft order; returns the ``draftOrder`` object."""
    data = await client.execute(DRAFT_ORDER_CREATE, {"input": dict(draft_input)})
    draft = _payload(data, "draftOrderCreate").get("draftOrder")
    return draft if isinstance(draft, dict) else {}


async def draft_order_complete(client: GraphQLExecutor, draft_order_id: str) -> JsonObject:
    """Turn a draft into an order; returns the ``draftOrder`` (with ``order``)."""
    data = await client.execute(DRAFT_ORDER_COMPLETE, {"id": draft_order_id})
    draft = _payload(data, "draftOrderComplete").get("draftOrder")
    return draft if isinstance(draft, dict) else {}


async def draft_order_invoice_send(client: GraphQLExecutor, draft_order_id: str) -> JsonObject:
    """E-mail the draft's invoice (checkout link) to its customer; returns the ``draftOrder``."""
    data = await client.execute(DRAFT_ORDER_INVOICE_SEND, {"id": draft_order_id})
    draft = _payload(data, "draftOrderInvoiceSend").get("draftOrder")
    return draft if isinstance(draft, dict) else {}


async def draft_orders_tagged(client: GraphQLExecutor, tag: str) -> list[JsonObject]:
    """Draft orders carrying ``tag`` (Shopify's search: ``tag:'<tag>'``), at most 5."""
    quoted = tag.replace("\\", "\\\\").replace("'", "\\'")
    data = await client.execute(DRAFT_ORDERS_TAGGED, {"query": f"tag:'{quoted}'"})
    connection = data.get("draftOrders") or {}
    nodes = connection.get("nodes") if isinstance(connection, dict) else None
    # The search is by token: keep only exact tag matches.
    return [
        node
        for node in nodes or []
        if isinstance(node, dict)
        and tag.lower() in (str(t).lower() for t in node.get("tags") or [])
    ]


async def order_create(
    client: GraphQLExecutor,
    order: Mapping[str, Any],
    options: Mapping[str, Any] | None = None,
) -> JsonObject:
    """Create an order directly (offline intake); returns the ``order`` object."""
    variables: JsonObject = {"order": dict(order)}
    if options is not None:
        variables["options"] = dict(options)
    data = await client.execute(ORDER_CREATE, variables)
    created = _payload(data, "orderCreate").get("order")
    return created if isinstance(created, dict) else {}


async def payment_terms_templates(client: GraphQLExecutor) -> list[JsonObject]:
    """The shop's payment terms templates (``Net 30``, ``Fixed`` ...)."""
    data = await client.execute(PAYMENT_TERMS_TEMPLATES, {})
    found = data.get("paymentTermsTemplates") or []
    return [t for t in found if isinstance(t, dict)]


async def order_payment_terms(client: GraphQLExecutor, order_id: str) -> JsonObject | None:
    """The payment terms of an order, or None when it has none (or does not exist)."""
    data = await client.execute(ORDER_PAYMENT_TERMS, {"id": order_id})
    order = data.get("order")
    terms = order.get("paymentTerms") if isinstance(order, dict) else None
    return terms if isinstance(terms, dict) else None


async def payment_terms_create(
    client: GraphQLExecutor, order_id: str, attributes: Mapping[str, Any]
) -> JsonObject:
    """Put payment terms on an order; returns the ``paymentTerms`` object."""
    data = await client.execute(
        PAYMENT_TERMS_CREATE,
        {"referenceId": order_id, "paymentTermsAttributes": dict(attributes)},
    )
    created = _payload(data, "paymentTermsCreate").get("paymentTerms")
    return created if isinstance(created, dict) else {}


async def dispute_evidence_update(
    client: GraphQLExecutor, dispute_evidence_id: str, evidence: Mapping[str, Any]
) -> JsonObject:
    """Update a dispute's evidence (needs a Shopify Payments scope); returns the payload."""
    data = await client.execute(
        DISPUTE_EVIDENCE_UPDATE, {"id": dispute_evidence_id, "input": dict(evidence)}
    )
    return _payload(data, "disputeEvidenceUpdate")


async def get_product_content(
    client: GraphQLExecutor, product_id: str, *, variants_first: int = 100
) -> JsonObject | None:
    """A product's title, description, type, vendor, status, tags and variant prices."""
    data = await client.execute(
        PRODUCT_CONTENT, {"id": product_id, "variantsFirst": variants_first}
    )
    product = data.get("product")
    return product if isinstance(product, dict) else None


async def product_update(client: GraphQLExecutor, product_input: Mapping[str, Any]) -> JsonObject:
    """``productUpdate`` (``tags`` overwrite every tag); returns the ``product`` object."""
    if "id" not in product_input:
        raise ValueError("product_update input needs the product 'id'")
    data = await client.execute(PRODUCT_UPDATE, {"product": dict(product_input)})
    product = _payload(data, "productUpdate").get("product")
    return product if isinstance(product, dict) else {}


async def product_variants_bulk_update(
    client: GraphQLExecutor, product_id: str, variants: Sequence[Mapping[str, Any]]
) -> list[JsonObject]:
    """Update the prices (or other fields) of some of a product's variants."""
    if not variants:
        raise ValueError("productVariantsBulkUpdate needs at least one variant")
    data = await client.execute(
        PRODUCT_VARIANTS_BULK_UPDATE,
        {"productId": product_id, "variants": [dict(v) for v in variants]},
    )
    return list(_payload(data, "productVariantsBulkUpdate").get("productVariants") or [])


async def get_theme_files(
    client: GraphQLExecutor, theme_id: str, filenames: Sequence[str], *, first: int = 50
) -> JsonObject | None:
    """A theme with the text files matching ``filenames`` (``*`` wildcards); None if unknown."""
    data = await client.execute(
        THEME_FILES, {"id": theme_id, "filenames": list(filenames), "first": first}
    )
    theme = data.get("theme")
    return theme if isinstance(theme, dict) else None


async def get_shop_policies(client: GraphQLExecutor) -> list[JsonObject]:
    """The shop's legal policies (``shop.shopPolicies``)."""
    data = await client.execute(SHOP_POLICIES)
    shop = data.get("shop")
    policies = shop.get("shopPolicies") if isinstance(shop, dict) else None
    return [p for p in policies or [] if isinstance(p, dict)]
