"""The Shopify enricher: context for a case before it opens, and the review hold.

:class:`ShopifyEnricher` implements the classify agent's
:class:`~streams.agents.classify.Enricher` protocol. What it fetches depends
on the case type (:data:`PLANS`):

=====================  =======  ===========  ==============  ============  =======
case type              history  fulfillment  shipping proof  order record  refunds
                                orders
=====================  =======  ===========  ==============  ============  =======
ORDER_REVIEW           yes      yes          -               yes           -
HIGH_VALUE_REVIEW      yes      yes          -               yes           -
RETURN_REVIEW          yes      yes          -               -             yes
COMPLAINT              yes      -            -               -             -
FULFILLMENT_EXCEPTION  -        yes          yes             -             -
CHARGEBACK             yes      yes          yes             yes           yes
others                 -        -            -               -             -
=====================  =======  ===========  ==============  ============  =======

History needs an order (the customer is read through it) or, for a
complaint, a customer id. Variable names and types are listed in
:mod:`streams.enrich.variables`; variables the classifier already set are
kept (see :func:`streams.enrich.variables.merge`).

Failures never raise out and never drop the case: a part that fails after
the client's own retries (any :class:`~connectors.shopify.errors.ShopifyError`,
or an order that does not exist) is named in ``enrichmentError`` and the case
opens with ``enrichment_complete=False``; the parts that worked are kept.
The client waits on its cost bucket itself, so the enricher adds no pacing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from connectors.shopify.client import GraphQLExecutor
from connectors.shopify.errors import ShopifyError
from connectors.shopify.operations import get_fulfillments, get_refunds
from schemas.records import CaseRequest, CaseType, CaseVariable
from streams.classify.build import Variables
from streams.classify.payload import normalise_id
from streams.decisions.keys import gid, hold_handle
from streams.enrich import variables as v
from streams.enrich.documents import ENRICH_CUSTOMER, ENRICH_ORDER
from streams.enrich.fulfillment import fulfillment_context, resolved_only
from streams.enrich.holds import HELD_CASE_TYPES, HoldOutcome, HoldPlacer

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Plan:
    """Which parts of the Shopify context a case type gets."""

    history: bool = False
    fulfillment_orders: bool = False
    shipping_proof: bool = False
    order_record: bool = False
    refunds: bool = False

    @property
    def needs_order(self) -> bool:
        """True when the one order query is worth sending."""
        return self.history or self.fulfillment_orders or self.order_record


#: What each case type is enriched with (see the module docstring).
PLANS: dict[CaseType, Plan] = {
    CaseType.ORDER_REVIEW: Plan(history=True, fulfillment_orders=True, order_record=True),
    CaseType.HIGH_VALUE_REVIEW: Plan(history=True, fulfillment_orders=True, order_record=True),
    CaseType.RETURN_REVIEW: Plan(history=True, fulfillment_orders=True, refunds=True),
    CaseType.COMPLAINT: Plan(history=True),
    CaseType.FULFILLMENT_EXCEPTION: Plan(fulfillment_orders=True, shipping_proof=True),
    CaseType.CHARGEBACK: Plan(
        history=True,
        fulfillment_orders=True,
        shipping_proof=True,
        order_record=True,
        refunds=True,
    ),
}


@dataclass(frozen=True, slots=True)
class EnrichOptions:
    """How much the enricher reads and whether it holds orders.

    Attributes:
        history_orders: the customer's most recent orders whose returns and
            disputes are counted (cost grows with it; 20 costs ~200 points).
        returns_per_order: returns read per history order.
        fulfillment_orders_first: fulfillment orders read per order.
        fulfillments_first: fulfillments read for shipping proof.
        place_holds: hold ORDER_REVIEW / HIGH_VALUE_REVIEW orders.
        notify_merchant: ask Shopify to notify the merchant of each hold.
    """

    history_orders: int = 20
    returns_per_order: int = 5
    fulfillment_orders_first: int = 20
    fulfillments_first: int = 20
    place_holds: bool = True
    notify_merchant: bool = False


def _failure(part: str, exc: BaseException) -> str:
    return f"{part}: {type(exc).__name__}: {exc}"[:300]


class ShopifyEnricher:
    """The :class:`~streams.agents.classify.Enricher` backed by the Shopify GraphQL API.

    Args:
        client: the cost-aware :class:`~connectors.shopify.ShopifyAdminClient`
            (or any :class:`~connectors.shopify.client.GraphQLExecutor`).
        options: page sizes and hold behaviour.
    """

    def __init__(self, client: GraphQLExecutor, options: EnrichOptions | None = None) -> None:
        self._client = client
        self.options = options or EnrichOptions()
        self._holds = HoldPlacer(
            client,
            notify_merchant=self.options.notify_merchant,
            fulfillment_orders_first=self.options.fulfillment_orders_first,
        )
        self.stats: dict[str, int] = {"enriched": 0, "incomplete": 0, "holds_placed": 0}

    # --- enrichment -------------------------------------------------------------------------

    async def enrich(self, request: CaseRequest) -> CaseRequest:
        """``request`` with its Shopify context; ``enrichment_complete`` False on failure."""
        plan = PLANS.get(request.case_type)
        if plan is None:
            return request
        added = Variables()
        errors: list[str] = []
        customer_id: str | None = None
        if request.case_type is CaseType.FULFILLMENT_EXCEPTION:
            # First: a stock case learns its order here, which the parts below read.
            request = await self._fulfillment(request, errors)
        try:
            customer_id = await self._collect(request, plan, added, errors)
        except Exception as exc:  # never lose a case to an enrichment bug
            log.exception("enrichment of case %s failed unexpectedly", request.case_id)
            errors.append(_failure("enrichment", exc))
        variables = v.merge(request.variables, added.items)
        update: dict[str, Any] = {"enrichment_complete": not errors}
        if errors:
            self.stats["incomplete"] += 1
            log.warning("case %s enriched incompletely: %s", request.case_id, "; ".join(errors))
            error = CaseVariable(name="enrichmentError", value="; ".join(errors)[:1000])
            variables = v.replace(variables, [error])
        else:
            self.stats["enriched"] += 1
        if request.customer_id is None and customer_id:
            update["customer_id"] = customer_id
        update["variables"] = variables
        return request.model_copy(update=update)

    async def _collect(
        self, request: CaseRequest, plan: Plan, added: Variables, errors: list[str]
    ) -> str | None:
        """Fetch each part of ``plan`` into ``added``; return the customer id found, if any."""
        order_gid = gid("Order", request.order_id) if request.order_id else None
        customer_id: str | None = None
        if order_gid is not None and plan.needs_order:
            try:
                customer_id = await self._order_part(request, plan, order_gid, added, errors)
            except ShopifyError as exc:
                errors.append(_failure("order", exc))
        elif plan.history and request.customer_id:
            try:
                await self._customer_part(request, added, errors)
            except ShopifyError as exc:
                errors.append(_failure("customerHistory", exc))
        if order_gid is not None and plan.shipping_proof:
            try:
                fulfillments = await get_fulfillments(
                    self._client, order_gid, first=self.options.fulfillments_first
                )
                added.items.extend(v.shipping_proof(fulfillments).items)
            except ShopifyError as exc:
                errors.append(_failure("shippingProof", exc))
        if order_gid is not None and plan.refunds:
            try:
                added.items.extend(v.refunds(await get_refunds(self._client, order_gid)).items)
            except ShopifyError as exc:
                errors.append(_failure("refunds", exc))
        return customer_id

    async def _fulfillment(self, request: CaseRequest, errors: list[str]) -> CaseRequest:
        """The affected order and lines and each outcome's defaults (streams.enrich.fulfillment)."""
        try:
            return await fulfillment_context(self._client, request)
        except ShopifyError as exc:
            errors.append(_failure("fulfillment", exc))
            # Nothing is known about the order: offer only what needs nothing from it.
            return request.model_copy(
                update={"variables": v.merge(request.variables, resolved_only().items)}
            )

    async def _order_part(
        self, request: CaseRequest, plan: Plan, order_gid: str, added: Variables, errors: list[str]
    ) -> str | None:
        data = await self._client.execute(
            ENRICH_ORDER,
            {
                "id": order_gid,
                "withHistory": plan.history,
                "historyFirst": self.options.history_orders,
                "returnsFirst": self.options.returns_per_order,
                "fulfillmentOrdersFirst": self.options.fulfillment_orders_first,
            },
        )
        order = data.get("order")
        if not isinstance(order, dict):
            errors.append(f"order: {order_gid} not found")
            return None
        customer = order.get("customer")
        customer_id = normalise_id(str(customer["id"])) if isinstance(customer, dict) else None
        added.string("customerId", customer_id)
        if plan.history and isinstance(customer, dict):
            history = v.customer_history(
                customer,
                current_order_id=order_gid,
                current_return_id=_subject(request, CaseType.RETURN_REVIEW),
                current_dispute_id=_subject(request, CaseType.CHARGEBACK),
            )
            added.items.extend(history.items)
        if plan.fulfillment_orders:
            nodes = v.connection_nodes(order.get("fulfillmentOrders"))
            added.items.extend(v.fulfillment_orders(nodes).items)
        if plan.order_record:
            added.items.extend(v.order_record(order).items)
        return customer_id

    async def _customer_part(
        self, request: CaseRequest, added: Variables, errors: list[str]
    ) -> None:
        customer_gid = gid("Customer", request.customer_id or "")
        data = await self._client.execute(
            ENRICH_CUSTOMER,
            {
                "id": customer_gid,
                "historyFirst": self.options.history_orders,
                "returnsFirst": self.options.returns_per_order,
            },
        )
        customer = data.get("customer")
        if not isinstance(customer, dict):
            errors.append(f"customerHistory: {customer_gid} not found")
            return
        added.items.extend(v.customer_history(customer).items)

    # --- holds ------------------------------------------------------------------------------

    def would_hold(self, request: CaseRequest) -> bool:
        """Whether :meth:`hold` would try to hold the order of ``request``."""
        return (
            self.options.place_holds
            and request.case_type in HELD_CASE_TYPES
            and bool(request.order_id)
        )

    async def hold(self, request: CaseRequest) -> CaseRequest:
        """Hold the order of a review case (idempotent); a failure is recorded, not raised."""
        if not self.would_hold(request):
            return request
        try:
            outcome = await self._holds.hold_order(request)
        except Exception as exc:  # a failed hold must not stop the case from opening
            if not isinstance(exc, ShopifyError):
                log.exception("holding the order of case %s failed unexpectedly", request.case_id)
            outcome = HoldOutcome(
                handle=hold_handle(request.case_id), errors=[_failure("hold", exc)]
            )
        self.stats["holds_placed"] += outcome.placed
        if outcome.errors:
            log.warning(
                "case %s: order %s not fully held: %s",
                request.case_id,
                request.order_id,
                "; ".join(outcome.errors),
            )
        elif outcome.placed:
            log.info(
                "case %s: placed %d hold(s) on order %s",
                request.case_id,
                outcome.placed,
                request.order_id,
            )
        variables = v.replace(request.variables, outcome.variables().items)
        return request.model_copy(update={"variables": variables})


def _subject(request: CaseRequest, case_type: CaseType) -> str | None:
    return request.subject_id if request.case_type is case_type else None


__all__ = ["PLANS", "EnrichOptions", "Plan", "ShopifyEnricher"]
