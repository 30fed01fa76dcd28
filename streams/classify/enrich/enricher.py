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

Three more parts, one case type each: a RETURN_REVIEW reads its *returned
lines* (the order date, and per line the variant, product type and warranty
metafield named by the case's ``warrantyMetafield``), a CHARGEBACK the order's
*timeline* (staff comments and events, ``timeline_pages`` pages of
``timeline_page_size``, stopping early when the next page would wait for the
budget), and a COMPLAINT naming only an e-mail looks its *customer* up by it
(id, tags, order count). The customer's tags come with every history or
summary read, at no cost: complaints are routed by them
(:mod:`streams.classify.rules.enriched`).

A part whose variables the case already carries is not read: the order
webhook gives the order record and usually the customer's order count and
amount spent (``customerOrdersCount``), the hold's read gives the fulfillment
orders (``fulfillmentOrderIds``). So a held ORDER_REVIEW is normally enriched
at no cost at all; the document table of :mod:`connectors.shopify.documents.enrich` says
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

import json
import logging
from dataclasses import dataclass
from typing import Any

from connectors.shopify.bucket import CostBucket
from connectors.shopify.budget import Priority, Spend, charged_to
from connectors.shopify.cost import GraphQLExecutor, estimate_query_cost
from connectors.shopify.documents.enrich import (
    CUSTOMER_BY_EMAIL,
    CUSTOMER_SUMMARY,
    ENRICH_CUSTOMER,
    ENRICH_ORDER,
    ENRICH_ORDER_WITH_HISTORY,
    ORDER_TIMELINE,
    REFUND_TOTALS,
    RETURN_LINES,
)
from connectors.shopify.documents.fulfillment import FULFILLMENT_ORDER_ORDER, ORDER_FULFILLMENT
from connectors.shopify.documents.operations import FULFILLMENTS
from connectors.shopify.errors import ShopifyError
from connectors.shopify.operations import get_fulfillments
from schemas.records import CaseRequest, CaseType, CaseVariable
from streams.classify.enrich import variables as v
from streams.classify.enrich.content_hold import ContentHolder, content_hold_mode
from streams.classify.enrich.fulfillment import (
    FULFILLMENT_ORDERS_FIRST,
    LINES_FIRST,
    fulfillment_context,
    resolved_only,
)
from streams.classify.enrich.holds import HELD_CASE_TYPES, HoldOutcome, HoldPlacer
from streams.classify.rules.build import Variables
from streams.classify.rules.payload import normalise_id
from streams.runtime.keys import gid, hold_handle
from streams.settings import EnrichSettings

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
    return_lines: bool = False
    """The order date and the returned lines' products (warranty)."""
    timeline: bool = False
    """The order's events and staff comments (communication history)."""
    customer_by_email: bool = False
    """Find the customer by the case's ``customerEmail`` (no customer or order id)."""


#: What each case type is enriched with (see the module docstring).
PLANS: dict[CaseType, Plan] = {
    CaseType.ORDER_REVIEW: Plan(summary=True, fulfillment_orders=True, order_record=True),
    CaseType.HIGH_VALUE_REVIEW: Plan(summary=True, fulfillment_orders=True, order_record=True),
    CaseType.RETURN_REVIEW: Plan(
        history=True, fulfillment_orders=True, refunds=True, return_lines=True
    ),
    CaseType.COMPLAINT: Plan(history=True, customer_by_email=True),
    CaseType.FULFILLMENT_EXCEPTION: Plan(fulfillment_orders=True, shipping_proof=True),
    CaseType.CHARGEBACK: Plan(
        history=True,
        fulfillment_orders=True,
        shipping_proof=True,
        order_record=True,
        refunds=True,
        timeline=True,
    ),
}

#: The variable whose presence means a part is already there (from the webhook or the hold).
_PRESENT = {
    "summary": "customerOrdersCount",
    "fulfillment_orders": "fulfillmentOrderIds",
    "order_record": "orderFinancialStatus",
    "return_lines": "returnedProducts",
    "timeline": "communicationHistory",
}


def _failure(part: str, exc: BaseException) -> str:
    return f"{part}: {type(exc).__name__}: {exc}"[:300]


class ShopifyEnricher:
    """The :class:`~streams.classify.agent.Enricher` backed by the Shopify GraphQL API.

    Args:
        client: the cost-aware :class:`~connectors.shopify.ShopifyAdminClient`
            (or any :class:`~connectors.shopify.client.GraphQLExecutor`).
        settings: the ``enrich`` section: page sizes, hold behaviour, deferral.
    """

    def __init__(self, client: GraphQLExecutor, settings: EnrichSettings | None = None) -> None:
        self._client = client
        self.settings = settings or EnrichSettings()
        self._holds = HoldPlacer(
            client,
            notify_merchant=self.settings.notify_merchant,
            fulfillment_orders_first=self.settings.hold_fulfillment_orders_first,
        )
        self._content = ContentHolder(client)
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
            for part in (
                "fulfillment_orders",
                "order_record",
                "shipping_proof",
                "refunds",
                "return_lines",
                "timeline",
            ):
                wanted[part] = False
        if wanted["return_lines"] and not _returned_lines(request):
            wanted["return_lines"] = False
        if self.settings.timeline_pages < 1:
            wanted["timeline"] = False
        # Only a case that names nobody else is looked up by its e-mail.
        wanted["customer_by_email"] = (
            wanted["customer_by_email"]
            and not request.order_id
            and not request.customer_id
            and bool(_variable(request, "customerEmail"))
        )
        if not request.order_id and not request.customer_id:
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
        return bucket.estimated_wait(cost, Priority.ENRICH) > self.settings.defer_after_s

    def _reads(self, plan: Plan, request: CaseRequest) -> list[tuple[str, dict[str, Any]]]:
        """The documents :meth:`enrich` would send for ``plan`` (for the cost estimate)."""
        history = {
            "historyFirst": self.settings.history_orders,
            "returnsFirst": self.settings.returns_per_order,
        }
        order = {"fulfillmentOrdersFirst": self.settings.fulfillment_orders_first}
        reads: list[tuple[str, dict[str, Any]]] = []
        if request.case_type is CaseType.FULFILLMENT_EXCEPTION:
            names = {v.name for v in request.variables}
            if not request.order_id and "fulfillmentOrderId" in names and "variantId" not in names:
                # A split names no order: its fulfillment order's is read first.
                reads.append((FULFILLMENT_ORDER_ORDER, {}))
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
            reads.append((FULFILLMENTS, {"first": self.settings.fulfillments_first}))
        if plan.refunds:
            reads.append((REFUND_TOTALS, {}))
        if plan.return_lines:
            reads.append((RETURN_LINES, {"lines": _returned_lines(request)}))
        if plan.customer_by_email:
            reads.append((CUSTOMER_BY_EMAIL, {}))
        if plan.timeline:
            # Only the first page counts here: later pages are read only if the budget allows.
            reads.append((ORDER_TIMELINE, {"first": self.settings.timeline_page_size}))
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
                    self._client, order_gid, first=self.settings.fulfillments_first
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
        if order_gid is not None and plan.return_lines:
            try:
                added.items.extend((await self._return_lines(request, order_gid)).items)
            except ShopifyError as exc:
                errors.append(_failure("returnLines", exc))
        if order_gid is not None and plan.timeline:
            try:
                added.items.extend((await self._timeline(order_gid)).items)
            except ShopifyError as exc:
                errors.append(_failure("communicationHistory", exc))
        if plan.customer_by_email:
            try:
                customer_id = await self._customer_by_email(request, added) or customer_id
            except ShopifyError as exc:
                errors.append(_failure("customerByEmail", exc))
        return customer_id

    async def _return_lines(self, request: CaseRequest, order_gid: str) -> Variables:
        """The order date and each returned line's product and warranty metafield."""
        returned = _returned_line_items(request)
        namespace, _, key = (_variable(request, "warrantyMetafield") or "").partition(".")
        data = await self._client.execute(
            RETURN_LINES,
            {
                "order": order_gid,
                "lines": _returned_lines(request),
                # No metafield named: a key no product has (the read stays one document).
                "warrantyNamespace": namespace or "casebridge",
                "warrantyKey": key or "warranty_months",
            },
        )
        nodes = data.get("nodes") if isinstance(data.get("nodes"), list) else []
        order = data.get("order") if isinstance(data.get("order"), dict) else None
        return v.return_lines(order, nodes or [], returned)

    async def _timeline(self, order_gid: str) -> Variables:
        """Up to ``timeline_pages`` pages of the order's timeline, newest first.

        A further page is read only while the store's budget would serve it
        without waiting longer than ``defer_after_s``: evidence is worth less
        than the holds and write-backs queued behind it.
        """
        size = self.settings.timeline_page_size
        events: list[dict[str, Any]] = []
        after: str | None = None
        complete = False
        for page in range(self.settings.timeline_pages):
            variables: dict[str, Any] = {"id": order_gid, "first": size, "after": after}
            if page and self._would_wait(ORDER_TIMELINE, variables):
                break
            data = await self._client.execute(ORDER_TIMELINE, variables)
            order = data.get("order")
            if not isinstance(order, dict):
                complete = True
                break
            connection = order.get("events") or {}
            events += v.connection_nodes(connection)
            info = connection.get("pageInfo") or {}
            after = info.get("endCursor")
            if not info.get("hasNextPage") or not after:
                complete = True
                break
        return v.timeline(events, complete=complete)

    def _would_wait(self, document: str, variables: dict[str, Any]) -> bool:
        bucket = getattr(self._client, "bucket", None)
        if not isinstance(bucket, CostBucket):
            return False
        cost = self._estimate(document, variables)
        return bucket.estimated_wait(cost, Priority.ENRICH) > self.settings.defer_after_s

    async def _customer_by_email(self, request: CaseRequest, added: Variables) -> str | None:
        """The customer whose e-mail the case names (one ``customers(query:)`` read)."""
        email = (_variable(request, "customerEmail") or "").strip()
        quoted = email.replace("\\", "\\\\").replace('"', '\\"')
        data = await self._client.execute(CUSTOMER_BY_EMAIL, {"query": f'email:"{quoted}"'})
        nodes = v.connection_nodes(data.get("customers"))
        customer = next(
            (n for n in nodes if str(n.get("email") or email).lower() == email.lower()), None
        )
        if customer is None:
            added.string("customerLookup", f"no Shopify customer with e-mail {email}")
            return None
        customer_id = normalise_id(str(customer["id"]))
        added.string("customerId", customer_id)
        added.items.extend(self._history(request, customer).items)
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
            "fulfillmentOrdersFirst": self.settings.fulfillment_orders_first,
        }
        if with_history:
            variables["historyFirst"] = self.settings.history_orders
            variables["returnsFirst"] = self.settings.returns_per_order
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
                "historyFirst": self.settings.history_orders,
                "returnsFirst": self.settings.returns_per_order,
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
        """Whether :meth:`hold` would hold the order (or the product content) of ``request``."""
        if not self.settings.place_holds:
            return False
        if content_hold_mode(request) is not None:
            return True
        return request.case_type in HELD_CASE_TYPES and bool(request.order_id)

    async def hold(self, request: CaseRequest) -> CaseRequest:
        """Hold the order of a review case, or the product change of a content case
        (idempotent); a failure is recorded, not raised."""
        if not self.would_hold(request):
            return request
        if content_hold_mode(request) is not None:
            return await self._hold_content(request)
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

    async def _hold_content(self, request: CaseRequest) -> CaseRequest:
        """Restore the approved content or draft the product (:mod:`.content_hold`)."""
        spend = Spend(request.case_type.value, request.case_id)
        with charged_to(spend):
            added = await self._content.hold(request)
        self.stats["holds_placed"] += any(
            item.name == "contentHeld" and item.value != "already" for item in added.items
        )
        variables = v.replace(request.variables, added.items)
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


def _variable(request: CaseRequest, name: str) -> str | None:
    return next((item.value for item in request.variables if item.name == name), None)


def _returned_line_items(request: CaseRequest) -> list[dict[str, Any]]:
    """The case's ``returnLineItems`` (set by the classifier), objects only."""
    raw = _variable(request, "returnLineItems")
    try:
        items = json.loads(raw) if raw else []
    except ValueError:
        return []
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _returned_lines(request: CaseRequest) -> list[str]:
    """GIDs of the order lines the return names (for ``nodes(ids:)``)."""
    ids = [
        str(item["lineItemId"]) for item in _returned_line_items(request) if item.get("lineItemId")
    ]
    return [gid("LineItem", ident) for ident in dict.fromkeys(ids)]


def _subject(request: CaseRequest, case_type: CaseType) -> str | None:
    return request.subject_id if request.case_type is case_type else None


__all__ = ["PLANS", "Plan", "ShopifyEnricher", "with_spend"]
