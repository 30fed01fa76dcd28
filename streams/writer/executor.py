"""Dispatch of decided actions to their handlers, with retries and failure classification.

:class:`ActionExecutor` applies one :class:`~schemas.records.Action` of a
:class:`~schemas.records.CaseDecision` and always answers with a
:class:`~schemas.records.WritebackResult`, except when Shopify is not reachable:

=====================================================  =====================================
what happened                                          result
=====================================================  =====================================
effect written now                                     ``APPLIED`` (+ ``result_id``)
effect found already in place (read before write)      ``ALREADY_APPLIED``
transient ``userErrors`` (lock, STALE_OBJECT, "try     retried with backoff (re-reading
again")                                                state each time); still failing ->
                                                       ``FAILED`` ``TRANSIENT_EXHAUSTED``
permanent ``userErrors``                               re-read once (it may echo our own
                                                       earlier write), then ``FAILED`` with
                                                       Shopify's code
GraphQL ``errors`` (schema drift, bad input)           ``FAILED`` ``GRAPHQL_ERROR``
target missing / conflicting state / bad params        ``FAILED`` ``NOT_FOUND`` ...
5xx / timeouts / THROTTLED beyond the client budget    re-run with backoff, then raises
                                                       :class:`WriterUnavailableError`
401 / 403 / ACCESS_DENIED                              raises :class:`WriterAuthError`
=====================================================  =====================================

Throttling itself never surfaces here: the client waits on its cost bucket.
Every handler is read-then-write, so applying an action twice, or again after
a crash between the write and the Kafka commit, writes nothing the second time;
the retries (:mod:`streams.writer.retrying`) re-run the whole handler for the same reason.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from connectors.shopify.budget import Priority, Spend, call_class, charged_to
from connectors.shopify.errors import (
    ShopifyAuthError,
    ShopifyGraphQLError,
    ShopifyUnavailableError,
    ShopifyUserError,
)
from schemas.records import Action, ActionKind, CaseDecision, WritebackResult, WritebackStatus
from streams.writer import (
    disputes,
    edits,
    fulfillment,
    notify,
    orders,
    products,
    replacements,
    returns,
)
from streams.writer.base import StoreWriter
from streams.writer.context import ActionContext, MeteredExecutor, Outcome
from streams.writer.errors import ActionRejected, WriterAuthError, WriterUnavailableError
from streams.writer.results import action_result, failed_result
from streams.writer.retrying import Attempts, run_step

__all__ = ["HANDLERS", "PROTECTIVE_ACTIONS", "ActionExecutor", "Handler", "action_class"]

logger = logging.getLogger(__name__)

Handler = Callable[[ActionContext], Awaitable[Outcome]]

CREATE_ORDER_NOTE = (
    "orders are created from the orders.offline record of the intake case, not from"
    " cases.decisions; nothing written here"
)


async def _nothing(ctx: ActionContext) -> Outcome:
    """NONE: a decision without Shopify effect (one-way cases)."""
    return Outcome.already("none", note="no Shopify effect")


async def _create_order(ctx: ActionContext) -> Outcome:
    """CREATE_ORDER in a decision: recorded only; OfflineOrderCreator does the work."""
    return Outcome.already("none", note=CREATE_ORDER_NOTE)


#: Write-backs that protect the store, served before every other decision's writes.
PROTECTIVE_ACTIONS = frozenset({ActionKind.CANCEL_ORDER})


def action_class(kind: ActionKind) -> Priority:
    """The budget class of an action's calls: cancellations protect, the rest write back."""
    return Priority.PROTECT if kind in PROTECTIVE_ACTIONS else Priority.WRITEBACK


HANDLERS: Mapping[ActionKind, Handler] = {
    ActionKind.RELEASE_HOLD: fulfillment.release_hold,
    ActionKind.CANCEL_ORDER: orders.cancel_order,
    ActionKind.UPDATE_ORDER: orders.update_order,
    ActionKind.APPROVE_RETURN: returns.approve_return,
    ActionKind.DECLINE_RETURN: returns.decline_return,
    ActionKind.REFUND: returns.refund,
    ActionKind.SPLIT_FULFILLMENT: fulfillment.split_fulfillment,
    ActionKind.RESCHEDULE_FULFILLMENT: fulfillment.reschedule_fulfillment,
    ActionKind.EDIT_ORDER: edits.edit_order,
    ActionKind.ADD_TAGS: orders.add_tags,
    ActionKind.ADD_NOTE: orders.add_note,
    ActionKind.SET_METAFIELD: orders.set_metafield,
    ActionKind.UPDATE_DISPUTE_EVIDENCE: disputes.update_dispute_evidence,
    ActionKind.CREATE_ORDER: _create_order,
    ActionKind.UPDATE_PRODUCT: products.update_product,
    ActionKind.CREATE_REPLACEMENT: replacements.create_replacement,
    ActionKind.NONE: _nothing,
    ActionKind.NOTIFY_CUSTOMER: notify.notify_customer,
}
"""The handler of every :class:`~schemas.records.ActionKind`."""


class ActionExecutor(StoreWriter):
    """Applies decided actions to one store, each exactly once in effect.

    Built with the store's client, settings, sleep and clock (:class:`StoreWriter`).
    """

    async def apply(self, decision: CaseDecision, index: int, action: Action) -> WritebackResult:
        """Apply ``action`` (the ``index``-th of ``decision``) and describe what happened.

        Raises:
            WriterUnavailableError: Shopify was unreachable; apply the same action later.
            WriterAuthError: the token or its scopes were refused.
        """
        meter = MeteredExecutor(self._client)
        handler = HANDLERS[action.kind]
        attempts = Attempts()
        params = action.params_dict()

        async def step() -> Outcome:
            ctx = ActionContext(
                client=meter,
                decision=decision,
                index=index,
                action=action,
                params=params,
                config=self._config,
                sleep=self._sleep,
                mailer=self._mailer,
            )
            return await handler(ctx)

        what = f"{action.kind.value} of case {decision.case_id}"
        spend = Spend(decision.case_type.value, decision.case_id)
        try:
            with call_class(action_class(action.kind)), charged_to(spend):
                outcome = await run_step(
                    step, config=self._config, sleep=self._sleep, attempts=attempts, what=what
                )
        except ShopifyUserError as exc:
            code = "TRANSIENT_EXHAUSTED" if exc.transient else (exc.code or "USER_ERROR")
            return self._failed(
                decision, action, meter, spend, attempts.count, exc.operation, code, str(exc)
            )
        except ActionRejected as exc:
            return self._failed(
                decision, action, meter, spend, attempts.count, exc.mutation, exc.code, str(exc)
            )
        except ShopifyUnavailableError as exc:
            raise WriterUnavailableError(
                f"{what}: Shopify unavailable: {exc}", attempts=exc.attempts
            ) from exc
        except ShopifyAuthError as exc:
            raise WriterAuthError(str(exc)) from exc
        except ShopifyGraphQLError as exc:
            return self._failed(
                decision,
                action,
                meter,
                spend,
                attempts.count,
                exc.operation or "unknown",
                "GRAPHQL_ERROR",
                str(exc),
            )
        return action_result(
            decision,
            action,
            outcome,
            attempts=attempts.count,
            cost=meter.cost,
            clock=self._clock,
            requested=spend.requested if spend.calls else None,
        )

    def _failed(
        self,
        decision: CaseDecision,
        action: Action,
        meter: MeteredExecutor,
        spend: Spend,
        attempts: int,
        mutation: str,
        code: str,
        message: str,
    ) -> WritebackResult:
        logger.warning(
            "writer: %s of case %s failed (%s): %s",
            action.kind.value,
            decision.case_id,
            code,
            message,
        )
        return failed_result(
            decision,
            action,
            mutation=mutation,
            code=code,
            message=message,
            attempts=attempts,
            cost=meter.cost,
            clock=self._clock,
            requested=spend.requested if spend.calls else None,
        )

    async def apply_all(self, decision: CaseDecision) -> list[WritebackResult]:
        """Apply every action of ``decision`` in order, stopping after the first ``FAILED``.

        Later actions often depend on earlier ones (refund after approve; the
        audit tag last), so a failure leaves the rest for the DLQ replay.
        """
        results: list[WritebackResult] = []
        for index, action in enumerate(decision.actions):
            result = await self.apply(decision, index, action)
            results.append(result)
            if result.status is WritebackStatus.FAILED:
                break
        return results
