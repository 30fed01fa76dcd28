"""The Shopify enricher: context for a case before it opens, and the review hold.

:class:`ShopifyEnricher` implements the classify agent's
:class:`~streams.classify.agent.Enricher` protocol. The store's API budget is
the scarce resource, so a case reads only what its webhook lacks and what its
type uses (:data:`PLANS`), and the hold — the one protective write — comes
first and brings the fulfillment orders with it:

=====================  ========  =======  ===========  ========  ======  =======
case type              customer  history  fulfillment  shipping  order   refunds
                       summary            orders       proof     record
=====================  ========  =======  ===========  ========  ======  =======
ORDER_REVIEW           yes       -        yes (hold)   -         yes     -
HIGH_VALUE_REVIEW      yes       -        yes (hold)   -         yes     -
RETURN_REVIEW          (hist.)   yes      yes          -         -       yes
COMPLAINT              (hist.)   yes      -            -         -       -
FULFILLMENT_EXCEPTION  -         -        yes          yes       -       -
CHARGEBACK             (hist.)   yes      yes          yes       yes     yes
others                 -         -        -            -         -       -
=====================  ========  =======  ===========  ========  ======  =======

A part whose variables the case already carries is not read: the order
webhook gives the order record and usually the customer's order count and
amount spent (``customerOrdersCount``), the hold's read gives the fulfillment
orders (``fulfillmentOrderIds``). So a held ORDER_REVIEW is normally enriched
at no cost at all; the document table of :mod:`streams.classify.enrich.documents` says
what each read costs.

Calls are made in the caller's :func:`~connectors.shopify.budget.call_class`
(classify: PROTECT for the hold, ENRICH for the reads) and charged to the
case (:func:`~connectors.shopify.budget.charged_to`): the points each case
spent are recorded in its variables (``shopifyPointsRequested``,
``shopifyPointsCharged``) and counted per case type by the client's metrics hook.

When the budget is short, :meth:`ShopifyEnricher.should_defer` says so (the
estimated wait of an enrichment read exceeds ``defer_after_s``) and classify
opens the case first and enriches it later (:mod:`streams.classify.enrich.deferred`).

Failures never raise out and never drop the case: a part that fails after
the client's own retries (any :class:`~connectors.shopify.errors.ShopifyError`,
or an order that does not exist) is named in ``enrichmentError`` and the case
opens with ``enrichment_complete=False``; the parts that worked are kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from connectors.shopify.bucket import CostBucket
from connectors.shopify.budget import Priority, Spend, charged_to
from connectors.shopify.client import GraphQLExecutor, estimate_query_cost
from connectors.shopify.errors import ShopifyError
from connectors.shopify.operations import FULFILLMENTS, get_fulfillments
from schemas.records import CaseRequest, CaseType, CaseVariable
from streams.classify.enrich import variables as v
from streams.classify.enrich.documents import (
    CUSTOMER_SUMMARY,
    ENRICH_CUSTOMER,
    ENRICH_ORDER,
    ENRICH_ORDER_WITH_HISTORY,
    REFUND_TOTALS,
)
from streams.classify.enrich.fulfillment import (
    FULFILLMENT_ORDERS_FIRST,
    LINES_FIRST,
    ORDER_FULFILLMENT,
    fulfillment_context,
    resolved_only,
)
from streams.classify.enrich.holds import HELD_CASE_TYPES, HoldOutcome, HoldPlacer
from streams.classify.rules.build import Variables
from streams.classify.rules.payload import normalise_id
from streams.runtime.keys import gid, hold_handle

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Plan:
    """Which parts of the Shopify context a case type gets."""

    summary: bool = False
    """The customer's order count and amount spent."""
    history: bool = False
    """Returns and disputes over the customer's recent orders (includes the summary)."""
    fulfillment_orders: bool = False
    shipping_proof: bool = False
    order_record: bool = False
    refunds: bool = False


#: What each case type is enriched with (see the module docstring).
PLANS: dict[CaseType, Plan] = {
    CaseType.ORDER_REVIEW: Plan(summary=True, fulfillment_orders=True, order_record=True),
    CaseType.HIGH_VALUE_REVIEW: Plan(summary=True, fulfillment_orders=True, order_record=True),
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

#: The variable whose presence means a part is already there (from the webhook or the hold).
_PRESENT = {
    "summary": "customerOrdersCount",
    "fulfillment_orders": "fulfillmentOrderIds",
    "order_record": "orderFinancialStatus",
}


@dataclass(frozen=True, slots=True)
class EnrichOptions:
    """How much the enricher reads, whether it holds orders, and when it defers.

    Attributes:
        history_orders: the customer's most recent orders whose returns and
            disputes are counted (cost grows with it: ~5 points per order).
        returns_per_order: returns read per history order.
        fulfillment_orders_first: fulfillment orders read per order (enrichment).
        hold_fulfillment_orders_first: fulfillment orders per page of the hold's
            read (most orders have one or two; more are paged).
        fulfillments_first: fulfillments read for shipping proof.
        place_holds: hold ORDER_REVIEW / HIGH_VALUE_REVIEW orders.
        notify_merchant: ask Shopify to notify the merchant of each hold.
        defer_after_s: an enrichment read that would wait longer than this for
            the store's budget is deferred (the case opens first).
    """

    history_orders: int = 10
    returns_per_order: int = 2
    fulfillment_orders_first: int = 5
    hold_fulfillment_orders_first: int = 2
    fulfillments_first: int = 5
    place_holds: bool = True
    notify_merchant: bool = False
    defer_after_s: float = 1.0


def _failure(part: str, exc: BaseException) -> str:
    return f"{part}: {type(exc).__name__}: {exc}"[:300]


class ShopifyEnricher:
    """The :class:`~streams.classify.agent.Enricher` backed by the Shopify GraphQL API.

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
            fulfillment_orders_first=self.options.hold_fulfillment_orders_first,
        )
        self.stats: dict[str, int] = {
            "enriched": 0,
            "incomplete": 0,
            "holds_placed": 0,
            "deferred": 0,
        }

    # --- enrichment -------------------------------------------------------------------------

    def missing(self, request: CaseRequest) -> Plan:
        """The parts of the case type's plan that ``request`` does not carry yet."""
        plan = PLANS.get(request.case_type, Plan())
        present = {variable.name for variable in request.variables}
        wanted = {name: getattr(plan, name) for name in Plan.__slots__}
        for part, variable in _PRESENT.items():
            if variable in present:
                wanted[part] = False
        if wanted["history"]:
            wanted["summary"] = False
        if not request.order_id:
            for part in ("fulfillment_orders", "order_record", "shipping_proof", "refunds"):
                wanted[part] = False
            if not request.customer_id:
                wanted["summary"] = wanted["history"] = False
        return Plan(**wanted)

    def should_defer(self, request: CaseRequest) -> bool:
        """Whether the store's budget is too short to enrich ``request`` now.

        True when an enrichment read would wait more than ``defer_after_s``
        behind the calls already queued (holds and write-backs go first).
        """
        plan = self.missing(request)
        fulfillment = request.case_type is CaseType.FULFILLMENT_EXCEPTION
        if plan == Plan() and not fulfillment:
            return False
        bucket = getattr(self._client, "bucket", None)
        if not isinstance(bucket, CostBucket):
            return False
        cost = sum(
            self._estimate(document, variables)
            for document, variables in self._reads(plan, request)
        )
        return bucket.estimated_wait(cost, Priority.ENRICH) > self.options.defer_after_s

    def _reads(self, plan: Plan, request: CaseRequest) -> list[tuple[str, dict[str, Any]]]:
        """The documents :meth:`enrich` would send for ``plan`` (for the cost estimate)."""
        history = {
            "historyFirst": self.options.history_orders,
            "returnsFirst": self.options.returns_per_order,
        }
        order = {"fulfillmentOrdersFirst": self.options.fulfillment_orders_first}
        reads: list[tuple[str, dict[str, Any]]] = []
        if request.case_type is CaseType.FULFILLMENT_EXCEPTION:
            # The affected order with its lines, read first (streams.classify.enrich.fulfillment).
            reads.append(
                (
                    ORDER_FULFILLMENT,
                    {"fulfillmentOrdersFirst": FULFILLMENT_ORDERS_FIRST, "linesFirst": LINES_FIRST},
                )
            )
        with_history = plan.history and not request.customer_id
        if plan.fulfillment_orders or plan.order_record:
            document = ENRICH_ORDER_WITH_HISTORY if with_history else ENRICH_ORDER
            reads.append((document, {**order, **(history if with_history else {})}))
        if plan.history and not with_history:
            reads.append((ENRICH_CUSTOMER, history))
        elif plan.summary:
            reads.append((CUSTOMER_SUMMARY, {}))
        if plan.shipping_proof:
            reads.append((FULFILLMENTS, {"first": self.options.fulfillments_first}))
        if plan.refunds:
            reads.append((REFUND_TOTALS, {}))
        return reads

    def _estimate(self, document: str, variables: dict[str, Any]) -> float:
        """What Shopify will ask for ``document`` (learned by the client, else estimated)."""
        estimated = getattr(self._client, "estimated_cost", None)
        if callable(estimated):
            return float(estimated(document, variables))
        return estimate_query_cost(document, variables)

    async def enrich(self, request: CaseRequest) -> CaseRequest:
        """``request`` with its Shopify context; ``enrichment_complete`` False on failure."""
        added = Variables()
        errors: list[str] = []
        customer_id: str | None = None
        spend = Spend(request.case_type.value, request.case_id)
        try:
            with charged_to(spend):
                if request.case_type is CaseType.FULFILLMENT_EXCEPTION:
                    # First: a stock case learns its order here, which the parts below read.
                    request = await self._fulfillment(request, errors)
                plan = self.missing(request)
                if plan != Plan():
                    customer_id = await self._collect(request, plan, added, errors)
        except Exception as exc:  # never lose a case to an enrichment bug
            log.exception("enrichment of case %s failed unexpectedly", request.case_id)
            errors.append(_failure("enrichment", exc))
        variables = v.merge(request.variables, added.items)
        variables = with_spend(variables, spend)
        update: dict[str, Any] = {"enrichment_complete": not errors}
        if errors:
            self.stats["incomplete"] += 1
            log.warning("case %s enriched incompletely: %s", request.case_id, "; ".join(errors))
            error = CaseVariable(name="enrichmentError", value="; ".join(errors)[:1000])
            variables = v.replace(variables, [error])
        else:
            self.stats["enriched"] += 1
            variables = [item for item in variables if item.name != "enrichmentDeferred"]
        if request.customer_id is None and customer_id:
            update["customer_id"] = customer_id
        update["variables"] = variables
        return request.model_copy(update=update)

    def deferred(self, request: CaseRequest) -> CaseRequest:
        """``request`` marked as opening before its enrichment (the budget is short)."""
        self.stats["deferred"] += 1
        marker = CaseVariable(name="enrichmentDeferred", value="store API budget saturated")
        return request.model_copy(
            update={
                "enrichment_complete": False,
                "variables": v.replace(request.variables, [marker]),
            }
        )

    async def _collect(
        self, request: CaseRequest, plan: Plan, added: Variables, errors: list[str]
    ) -> str | None:
        """Fetch each part of ``plan`` into ``added``; return the customer id found, if any."""
        order_gid = gid("Order", request.order_id) if request.order_id else None
        customer_id = request.customer_id
        history_done = False
        if order_gid is not None and (plan.fulfillment_orders or plan.order_record):
            try:
                found, history_done = await self._order_part(
                    request, plan, order_gid, added, errors
                )
                customer_id = customer_id or found
            except ShopifyError as exc:
                errors.append(_failure("order", exc))
        if plan.history and not history_done and customer_id:
            try:
                await self._customer_part(request, customer_id, added, errors)
            except ShopifyError as exc:
                errors.append(_failure("customerHistory", exc))
        elif plan.summary and customer_id:
            try:
                await self._summary_part(request, customer_id, added, errors)
            except ShopifyError as exc:
                errors.append(_failure("customerSummary", exc))
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
                data = await self._client.execute(REFUND_TOTALS, {"id": order_gid})
                order = data.get("order") or {}
                refunds = [r for r in order.get("refunds") or [] if isinstance(r, dict)]
                added.items.extend(v.refunds(refunds).items)
            except ShopifyError as exc:
                errors.append(_failure("refunds", exc))
        return customer_id

    async def _fulfillment(self, request: CaseRequest, errors: list[str]) -> CaseRequest:
        """The affected order and lines and each outcome's defaults (:mod:`.fulfillment`)."""
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
    ) -> tuple[str | None, bool]:
        """The order read; with the history when it is needed and the customer is unknown.

        Returns the customer id found and whether the history was read.
        """
        with_history = plan.history and not request.customer_id
        variables: dict[str, Any] = {
            "id": order_gid,
            "fulfillmentOrdersFirst": self.options.fulfillment_orders_first,
        }
        if with_history:
            variables["historyFirst"] = self.options.history_orders
            variables["returnsFirst"] = self.options.returns_per_order
        data = await self._client.execute(
            ENRICH_ORDER_WITH_HISTORY if with_history else ENRICH_ORDER, variables
        )
        order = data.get("order")
        if not isinstance(order, dict):
            errors.append(f"order: {order_gid} not found")
            return None, False
        customer = order.get("customer")
        customer_id = normalise_id(str(customer["id"])) if isinstance(customer, dict) else None
        added.string("customerId", customer_id)
        if with_history and isinstance(customer, dict):
            added.items.extend(self._history(request, customer).items)
        if plan.fulfillment_orders:
            nodes = v.connection_nodes(order.get("fulfillmentOrders"))
            added.items.extend(v.fulfillment_orders(nodes).items)
        if plan.order_record:
            added.items.extend(v.order_record(order).items)
        return customer_id, with_history

    async def _customer_part(
        self, request: CaseRequest, customer_id: str, added: Variables, errors: list[str]
    ) -> None:
        customer_gid = gid("Customer", customer_id)
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
        added.items.extend(self._history(request, customer).items)

    async def _summary_part(
        self, request: CaseRequest, customer_id: str, added: Variables, errors: list[str]
    ) -> None:
        customer_gid = gid("Customer", customer_id)
        data = await self._client.execute(CUSTOMER_SUMMARY, {"id": customer_gid})
        customer = data.get("customer")
        if not isinstance(customer, dict):
            errors.append(f"customerSummary: {customer_gid} not found")
            return
        added.items.extend(self._history(request, customer).items)

    @staticmethod
    def _history(request: CaseRequest, customer: dict[str, Any]) -> Variables:
        return v.customer_history(
            customer,
            current_order_id=gid("Order", request.order_id) if request.order_id else None,
            current_return_id=_subject(request, CaseType.RETURN_REVIEW),
            current_dispute_id=_subject(request, CaseType.CHARGEBACK),
        )

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
        spend = Spend(request.case_type.value, request.case_id)
        missing = self.missing(request)
        try:
            with charged_to(spend):
                # The record and the customer's summary ride along with the hold's read
                # (4 points) rather than costing a request of their own later.
                outcome = await self._holds.hold_order(
                    request, with_order=missing.order_record or missing.summary
                )
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
        return request.model_copy(update={"variables": with_spend(variables, spend)})


def with_spend(variables: list[CaseVariable], spend: Spend) -> list[CaseVariable]:
    """``variables`` with ``spend`` added to the case's recorded Shopify points."""
    if not spend.calls:
        return variables
    current = {item.name: item.value for item in variables}
    requested = float(current.get("shopifyPointsRequested") or 0) + spend.requested
    charged = float(current.get("shopifyPointsCharged") or 0) + spend.actual
    totals = (
        Variables()
        .integer("shopifyPointsRequested", round(requested))
        .integer("shopifyPointsCharged", round(charged))
    )
    return v.replace(variables, totals.items)


def _subject(request: CaseRequest, case_type: CaseType) -> str | None:
    return request.subject_id if request.case_type is case_type else None


__all__ = ["PLANS", "EnrichOptions", "Plan", "ShopifyEnricher", "with_spend"]
