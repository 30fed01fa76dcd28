"""The Shopify writer stage: ``cases.decisions`` and ``orders.offline`` -> Shopify.

* Every action reads Shopify's current state first and skips what is already
  applied (:class:`~streams.writer.ActionExecutor`), refunds carry an
  ``@idempotent`` key from the decision, and offline orders are found by their
  intake tag before being created: a duplicate decision or a replay after a
  crash produces ``ALREADY_APPLIED`` results, never a second effect.
* One write in flight per order (lanes keyed by order id), many across
  orders; an offset is acknowledged only when its decision is done.
* Shopify unavailable: wait and retry the same action, without limit; a
  permanent refusal gives a FAILED ``WritebackResult``, the decision goes to
  ``cases.decisions.dlq`` and the next decision is applied.
* Emits a ``WritebackResult`` per action and ``CaseState`` transitions
  (APPLYING -> APPLIED | FAILED), and counts each ended decision in
  ``casebridge_decisions_total{shop, case_type, result}``.
* A decision that could not be built was dead-lettered as its completed task
  (:mod:`streams.decisions.failures`); replayed to ``cases.decisions``, it is
  built again through :class:`~streams.runtime.replays.DecisionReplays` and,
  when it builds now, published as a ``CaseDecision`` that this agent then
  applies (FAILED -> APPLYING -> APPLIED). When it still fails it goes back to
  the DLQ and the case stays FAILED with the reason.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from datetime import UTC, datetime
from typing import Any

import faust

from connectors.mail import MailConfigError, SmtpMailer
from connectors.shopify.client import ShopifyAdminClient
from schemas.records import (
    ActionKind,
    CaseDecision,
    CaseState,
    CaseStatus,
    CaseType,
    OfflineOrder,
    WritebackStatus,
)
from streams.ops.metrics import RECORDS_IN, decision_counted
from streams.runtime.acks import InOrderAcks
from streams.runtime.keyed import KeyedAgent, Lane
from streams.runtime.lanes import KeyedLanes
from streams.runtime.outage import OutageWait
from streams.runtime.records import dead_letter
from streams.runtime.replays import DecisionReplays, Replayed
from streams.services import Services
from streams.settings import SettingsError
from streams.shops.errors import UnknownShopError
from streams.topics import CASES_DECISIONS, CASES_STATE, ORDERS_OFFLINE, SHOPIFY_WRITEBACKS
from streams.writer import (
    SUPERSEDED,
    ActionExecutor,
    OfflineOrderCreator,
    OfflineOrderInvalid,
    WriterUnavailableError,
)

log = logging.getLogger(__name__)

AGENT = "writer"

#: Actions that change nothing through this agent: NONE, and CREATE_ORDER (made
#: from ``orders.offline`` by the offline-orders agent).
_NOT_WRITTEN_HERE = frozenset({ActionKind.NONE, ActionKind.CREATE_ORDER})


def customer_mailer(services: Services) -> SmtpMailer | None:
    """The mailer of customer notices when the policy sends them by e-mail.

    Raises:
        SettingsError: the policy says e-mail and no SMTP server is configured, so
            the worker refuses to start instead of failing every notice later.
    """
    notices = services.policy.decisions.customer_notifications
    if notices.channel != "email":
        return None
    smtp = services.settings.smtp
    if not smtp.configured:
        raise SettingsError(
            "policy decisions.customer_notifications.channel is 'email' but no SMTP server"
            " is configured: set CASEBRIDGE_SMTP__HOST and CASEBRIDGE_SMTP__SENDER (see"
            " README, customer notices), or set the channel to 'none'"
        )
    try:
        return SmtpMailer(smtp)
    except MailConfigError as exc:
        raise SettingsError(str(exc)) from exc


def lane_key(decision: CaseDecision) -> str:
    """The order a decision writes to (its lane), else its case.

    The shop is part of it: order ids are only unique within a store.
    """
    for variable in decision.variables:
        if variable.name == "orderId" and variable.value:
            return f"{decision.shop}/order:{variable.value}"
    return f"case:{decision.case_id}"


class Writer:
    """The writer stage of one worker."""

    def __init__(self, app: faust.App, services: Services, replays: DecisionReplays) -> None:
        self.services = services
        settings = services.settings
        self.config = settings.writer
        self.mailer = customer_mailer(services)
        # Per shop client (its own token and budget): a decision is applied to its record's
        # shop. Keyed by the client, so a reload that rotates a shop's token gets a new one.
        self._executors: dict[ShopifyAdminClient, ActionExecutor] = {}
        self._creators: dict[ShopifyAdminClient, OfflineOrderCreator] = {}
        self.lanes = KeyedLanes(settings.writer.concurrency)
        # Faust commits past an unacknowledged record if later ones are acked first.
        self.acks = InOrderAcks()
        # Shopify down: the action waits and runs again, without limit.
        self.outage = OutageWait("Shopify", settings.writer.outage)
        self.stats = {
            "applied": 0,
            "already_applied": 0,
            "failed": 0,
            "superseded": 0,
            "offline_created": 0,
            "replays_rebuilt": 0,
        }
        # Rebuilds replayed decisions exactly as the decision source built them.
        self.replays = replays
        decisions = app.topic(
            CASES_DECISIONS, key_type=bytes, value_type=bytes, value_serializer="raw"
        )
        offline = app.topic(
            ORDERS_OFFLINE, key_type=bytes, value_type=bytes, value_serializer="raw"
        )
        app.agent(decisions, name="casebridge.shopify-writer")(self._decision_agent)
        app.agent(offline, name="casebridge.offline-orders")(self._offline_agent)

    # --- agents ------------------------------------------------------------------------------

    async def _decision_agent(self, stream: Any) -> None:
        await KeyedAgent(
            agent=AGENT,
            model=CaseDecision,
            serde=self.services.serde(CASES_DECISIONS),
            producer=self.services.producer,
            acks=self.acks,
            lanes=self.lanes,
            route=self._route_decision,
            intercept=self._replayed,
        ).run(stream)

    async def _offline_agent(self, stream: Any) -> None:
        await KeyedAgent(
            agent=AGENT,
            model=OfflineOrder,
            serde=self.services.serde(ORDERS_OFFLINE),
            producer=self.services.producer,
            acks=self.acks,
            lanes=self.lanes,
            route=self._route_offline,
        ).run(stream)

    async def _replayed(self, event: Any) -> bool:
        """Rebuild a replayed decision DLQ record (a completed task, not a decision)."""
        replayed = self.replays.replayed(event.value)
        if replayed is None:
            return False
        RECORDS_IN.labels(AGENT).inc()
        await self.rebuild(event, replayed)
        return True

    async def _route_decision(self, event: Any, decision: CaseDecision) -> Lane | None:
        if await self._foreign_shop(event, decision.shop, decision.case_id):
            return None
        return Lane(lane_key(decision), functools.partial(self.apply, event, decision))

    async def _route_offline(self, event: Any, order: OfflineOrder) -> Lane | None:
        if await self._foreign_shop(event, order.shop, order.intake_case_id):
            return None
        return Lane(
            f"intake:{order.intake_case_id}", functools.partial(self.create_offline, event, order)
        )

    def executor(self, shop: str) -> ActionExecutor:
        """The executor writing to ``shop`` (its own client; a new one after a token change)."""
        client = self.services.shopify_writer_for(shop)
        executor = self._executors.get(client)
        if executor is None:
            executor = self._executors[client] = ActionExecutor(
                client, config=self.config, mailer=self.mailer
            )
        return executor

    def creator(self, shop: str) -> OfflineOrderCreator:
        """The offline-order creator of ``shop``."""
        client = self.services.shopify_writer_for(shop)
        creator = self._creators.get(client)
        if creator is None:
            creator = self._creators[client] = OfflineOrderCreator(client, config=self.config)
        return creator

    async def _foreign_shop(self, event: Any, shop: str, case_id: str) -> bool:
        """Dead-letter a record of a shop that is not in the registry.

        Ids are only unique within a shop, so a decision is only ever written with
        its own shop's client; a shop removed from the registry has none.
        """
        if shop in self.services.shops:
            return False
        log.warning("case %s: shop %s is not in the shop registry: dead-lettered", case_id, shop)
        await dead_letter(
            self.services.producer,
            event,
            reason=f"record for shop {shop}, which is not in the shop registry",
            error_class="foreign-shop",
        )
        return True

    # --- decisions ---------------------------------------------------------------------------

    async def rebuild(self, event: Any, replayed: Replayed) -> None:
        """Build a replayed decision again: publish it to be applied, or fail it again."""
        if replayed.shop is not None and await self._foreign_shop(
            event, replayed.shop, replayed.case_id
        ):
            return
        rebuilt = self.replays.rebuild(replayed)
        if rebuilt.failure_reason is not None:
            await dead_letter(
                self.services.producer,
                event,
                reason=rebuilt.failure_reason,
                error_class=rebuilt.failure_class or "decision",
            )
            state = rebuilt.failed_state
            if state is not None:
                await self._send(CASES_STATE, state, state.case_id)
                decision_counted(state.shop, state.case_type, "failed")
            return
        self.stats["replays_rebuilt"] += 1
        sends = []
        if rebuilt.decision is not None:
            sends.append(self._send(CASES_DECISIONS, rebuilt.decision, rebuilt.decision.case_id))
        if rebuilt.offline_order is not None:
            order = rebuilt.offline_order
            sends.append(self._send(ORDERS_OFFLINE, order, order.intake_case_id))
        await asyncio.gather(*sends)

    async def apply(self, event: Any, decision: CaseDecision) -> None:
        """Apply every action of one decision, in order, stopping at the first failure.

        A CREATE_ORDER action only records that the order is made from the
        ``orders.offline`` record: the offline-orders agent does that and reports
        the case (APPLIED with the order id, or FAILED), so a decision with no
        other write leaves the case state to it. Reporting APPLIED here as well
        would race it, and on the compacted ``cases.state`` an intake whose order
        was refused could end up reading APPLIED.
        """
        try:
            executor = self.executor(decision.shop)
        except UnknownShopError:
            # Removed from the registry while the decision waited in its lane: dead-lettered
            # with the reason (raising would leave the offset uncommitted for good).
            await self._foreign_shop(event, decision.shop, decision.case_id)
            return
        writes = [a for a in decision.actions if a.kind not in _NOT_WRITTEN_HERE]
        delegated = any(a.kind is ActionKind.CREATE_ORDER for a in decision.actions)
        if writes:
            await self._state(decision.case_id, decision, CaseStatus.APPLYING, decision.outcome)
        for index, action in enumerate(decision.actions):
            result = await self.outage.call(
                functools.partial(executor.apply, decision, index, action),
                decision.case_id,
                WriterUnavailableError,
            )
            await self._send(SHOPIFY_WRITEBACKS, result, result.case_id)
            if result.status is WritebackStatus.FAILED and result.error_code in SUPERSEDED:
                # Its order was cancelled (its fulfillment order done) since the case
                # opened: nothing to apply, nothing a replay could apply, no failure.
                self.stats["superseded"] += 1
                detail = f"superseded: {result.error_message or result.error_code}"
                await self._state(
                    decision.case_id, decision, CaseStatus.CLOSED, decision.outcome, detail
                )
                decision_counted(decision.shop, decision.case_type, "superseded")
                return
            if result.status is WritebackStatus.FAILED:
                self.stats["failed"] += 1
                await dead_letter(
                    self.services.producer,
                    event,
                    reason=f"{result.mutation}: {result.error_message or 'failed'}",
                    error_class=result.error_code or "shopify-user-error",
                )
                detail = f"{action.kind.value} failed: {result.error_message or result.error_code}"
                await self._state(
                    decision.case_id, decision, CaseStatus.FAILED, decision.outcome, detail
                )
                decision_counted(decision.shop, decision.case_type, "failed")
                return
            key = "applied" if result.status is WritebackStatus.APPLIED else "already_applied"
            self.stats[key] += 1
        if delegated and not writes:
            return  # the offline-orders agent reports this case
        final = CaseStatus.APPLIED if writes else CaseStatus.DECIDED
        await self._state(decision.case_id, decision, final, decision.outcome)
        # Applied: something was written; a decision with nothing to write is not counted.
        decision_counted(decision.shop, decision.case_type, "applied", int(bool(writes)))

    # --- offline orders ----------------------------------------------------------------------

    async def create_offline(self, event: Any, order: OfflineOrder) -> None:
        """Create (once) the Shopify order of an approved offline intake."""
        case_id = order.intake_case_id
        try:
            creator = self.creator(order.shop)
        except UnknownShopError:  # removed from the registry while the order waited
            await self._foreign_shop(event, order.shop, case_id)
            return
        try:
            result = await self.outage.call(
                functools.partial(creator.create, order), case_id, WriterUnavailableError
            )
        except OfflineOrderInvalid as exc:
            await dead_letter(
                self.services.producer, event, reason=str(exc), error_class="offline-order-invalid"
            )
            await self._offline_state(order, CaseStatus.FAILED, detail=str(exc)[:500])
            decision_counted(order.shop, CaseType.OFFLINE_ORDER, "failed")
            return
        await self._send(SHOPIFY_WRITEBACKS, result, case_id)
        if result.status is WritebackStatus.FAILED:
            await dead_letter(
                self.services.producer,
                event,
                reason=result.error_message or "order creation failed",
                error_class=result.error_code or "shopify-user-error",
            )
            await self._offline_state(order, CaseStatus.FAILED, detail=result.error_message)
            decision_counted(order.shop, CaseType.OFFLINE_ORDER, "failed")
            return
        self.stats["offline_created"] += result.status is WritebackStatus.APPLIED
        await self._offline_state(order, CaseStatus.APPLIED, shopify_order_id=result.result_id)
        decision_counted(order.shop, CaseType.OFFLINE_ORDER, "applied")

    # --- records -----------------------------------------------------------------------------

    async def _send(self, topic: str, record: Any, key: str) -> None:
        await self.services.emit(AGENT, topic, record, key)

    async def _state(
        self,
        case_id: str,
        decision: CaseDecision,
        status: CaseStatus,
        outcome: str | None,
        detail: str | None = None,
    ) -> None:
        subject = next((v.value for v in decision.variables if v.name == "subjectId"), case_id)
        state = CaseState(
            case_id=case_id,
            case_type=decision.case_type,
            shop=decision.shop,
            subject_id=subject,
            status=status,
            process_instance_id=decision.process_instance_id,
            outcome=outcome,
            detail=detail,
            updated_at=datetime.now(UTC),
        )
        await self._send(CASES_STATE, state, case_id)

    async def _offline_state(
        self,
        order: OfflineOrder,
        status: CaseStatus,
        *,
        detail: str | None = None,
        shopify_order_id: str | None = None,
    ) -> None:
        state = CaseState(
            case_id=order.intake_case_id,
            case_type=CaseType.OFFLINE_ORDER,
            shop=order.shop,
            subject_id=order.intake_case_id,
            status=status,
            process_instance_id=order.process_instance_id,
            outcome="approved",
            shopify_order_id=shopify_order_id,
            detail=detail,
            updated_at=datetime.now(UTC),
        )
        await self._send(CASES_STATE, state, order.intake_case_id)


def register(app: faust.App, services: Services, *, replays: DecisionReplays) -> Writer:
    """Declare the Shopify writer stage on ``app``.

    ``replays`` builds replayed decision failures again: the decisions stage's
    :class:`~streams.decisions.replay.DecisionReplayer`, handed over by
    :mod:`streams.pipeline` (stages do not import each other).
    """
    return Writer(app, services, replays)
