"""What every action handler works with: settings, the metered client, typed params.

A handler is ``async (ActionContext) -> Outcome``. It reads the current state
through ``ctx.client``, returns :meth:`Outcome.already` when the effect is
there, otherwise mutates and returns :meth:`Outcome.applied`. It raises
:class:`~streams.writer.errors.ActionRejected` for a permanent refusal of its
own (bad params, target missing or in a conflicting state) and lets the
Shopify client's errors propagate; :mod:`streams.writer.executor` classifies them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Literal, Protocol, cast

from connectors.retry import RetryPolicy
from connectors.shopify.client import GraphQLExecutor
from schemas.records import Action, CaseDecision, WritebackStatus
from streams.writer.errors import ActionRejected

__all__ = ["ActionContext", "Mailer", "MeteredExecutor", "Outcome", "Sleep", "WriterConfig"]

JsonObject = dict[str, Any]
Sleep = Callable[[float], Awaitable[None]]


def _default_unavailable_retry() -> RetryPolicy:
    # On top of the client's own HTTP retries: a couple of slower re-runs of
    # the whole read-then-write before the agent is told to wait.
    return RetryPolicy(initial_interval_s=1.0, maximum_interval_s=10.0, maximum_attempts=3)


def _default_retry() -> RetryPolicy:
    # Transient userErrors are optimistic-lock conflicts with another writer:
    # they clear in well under a second, so a few quick retries suffice.
    return RetryPolicy(initial_interval_s=0.5, maximum_interval_s=5.0, maximum_attempts=4)


class Mailer(Protocol):
    """Sends one e-mail (:class:`~connectors.mail.SmtpMailer`); raises ``MailError`` s."""

    async def send(self, message: EmailMessage) -> None:
        """Send ``message``."""


@dataclass(frozen=True, slots=True)
class WriterConfig:
    """Settings of the writer (the defaults suit a real store and the emulator alike)."""

    retry: RetryPolicy = field(default_factory=_default_retry)
    """Backoff for transient ``userErrors``; each attempt re-reads state before writing."""
    unavailable_retry: RetryPolicy = field(default_factory=_default_unavailable_retry)
    """Re-runs of an action while Shopify is unavailable, before ``WriterUnavailableError``."""
    job_timeout_s: float = 30.0
    """How long to wait for an ``orderCancel`` job before giving up as unavailable."""
    job_poll_interval_s: float = 0.25
    """Delay between ``job(id:)`` polls."""
    lines_first: int = 100
    """Page size of line items read for edits and splits (Shopify caps a page at 250)."""
    fulfillment_orders_first: int = 20
    """Fulfillment orders read per order when releasing holds on all of them."""
    refund_transactions: Literal["suggested", "omit"] = "suggested"
    """How REFUND gets its money movements. ``suggested``: read the order's
    ``suggestedRefund`` for the lines and send its transactions (gateway, parent
    transaction), as a real store needs: without transactions Shopify records
    the refund and restock but returns no money. ``omit``: send none; for the
    emulator, which has no ``suggestedRefund`` and refunds the lines' value."""
    mailer: Mailer | None = field(default=None, compare=False)
    """Customer notices (NOTIFY_CUSTOMER); None: none can be sent (the action fails)."""

    def __post_init__(self) -> None:
        if self.job_timeout_s <= 0 or self.job_poll_interval_s <= 0:
            raise ValueError("job_timeout_s and job_poll_interval_s must be positive")
        if not 1 <= self.lines_first <= 250 or not 1 <= self.fulfillment_orders_first <= 250:
            raise ValueError("page sizes must be within 1..250")


class MeteredExecutor:
    """Wraps the GraphQL executor to add up the query cost of one action.

    The cost is what Shopify charged for each of the action's calls
    (``actualQueryCost``, from :meth:`ShopifyAdminClient.execute_costed`), not
    a delta of the client's global counters: many actions run concurrently on
    one client, so a delta would mix them. Executors without
    ``execute_costed`` (fakes) report no cost.
    """

    def __init__(self, inner: GraphQLExecutor) -> None:
        self._inner = inner
        self.cost: float | None = None
        self.calls = 0

    async def execute(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        cost_estimate: float | None = None,
    ) -> JsonObject:
        """Run ``document`` on the wrapped executor and count what it was charged."""
        costed = getattr(self._inner, "execute_costed", None)
        self.calls += 1
        if not callable(costed):
            return await self._inner.execute(document, variables, cost_estimate=cost_estimate)
        data, charged = await costed(document, variables, cost_estimate=cost_estimate)
        if isinstance(charged, int | float):
            self.cost = (self.cost or 0.0) + float(charged)
        return cast(JsonObject, data)

    def bucket_size(self) -> float | None:
        """The shop's cost bucket size as the wrapped client knows it (None: unknown, fakes)."""
        size = getattr(getattr(self._inner, "bucket", None), "maximum_available", None)
        return float(size) if isinstance(size, int | float) and size > 0 else None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a handler did: the status, the mutation (or ``"none"``) and the id it produced."""

    status: WritebackStatus
    mutation: str
    result_id: str | None = None
    note: str | None = None
    """Why nothing was done, for ``ALREADY_APPLIED`` skips worth explaining."""

    @classmethod
    def applied(cls, mutation: str, result_id: str | None = None) -> Outcome:
        """The effect was written now."""
        return cls(WritebackStatus.APPLIED, mutation, result_id)

    @classmethod
    def already(
        cls, mutation: str, result_id: str | None = None, note: str | None = None
    ) -> Outcome:
        """The effect was already there; nothing was written."""
        return cls(WritebackStatus.ALREADY_APPLIED, mutation, result_id, note)


@dataclass(slots=True)
class ActionContext:
    """One action being applied: its decision, its params and the tools to apply it."""

    client: MeteredExecutor
    decision: CaseDecision
    index: int
    action: Action
    params: JsonObject
    config: WriterConfig
    sleep: Sleep = asyncio.sleep

    def page_size(self, wanted: int, *, per_item: int, base: int = 10) -> int:
        """``wanted``, lowered so a read of ``per_item`` points a node fits the shop's bucket.

        Shopify answers THROTTLED, however long one waits, to a query whose
        requested cost exceeds the bucket size (a small plan's bucket can be
        smaller than a 100-line page), so reads are sized to the bucket the
        client has learned. ``base`` covers the rest of the query.
        """
        size = self.client.bucket_size()
        if size is None:
            return wanted
        return max(1, min(wanted, int((size - base) // per_item)))

    # -- typed access to params: a missing or malformed value is a permanent refusal --

    def text(self, name: str, *, required: bool = True) -> str | None:
        """``params[name]`` as non-empty text."""
        value = self.params.get(name)
        if value is None or value == "":
            if required:
                raise ActionRejected(
                    "INVALID_PARAMS", f"{self.action.kind.value} params lack {name!r}"
                )
            return None
        if not isinstance(value, str):
            raise ActionRejected(
                "INVALID_PARAMS", f"{self.action.kind.value} param {name!r} must be text"
            )
        return value

    def require(self, name: str) -> str:
        """``params[name]`` as non-empty text; missing is ``INVALID_PARAMS``."""
        value = self.text(name)
        assert value is not None  # text(required=True) raised otherwise
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        """``params[name]`` as a boolean."""
        value = self.params.get(name, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise ActionRejected(
                "INVALID_PARAMS", f"{self.action.kind.value} param {name!r} must be a boolean"
            )
        return value

    def objects(self, name: str) -> list[JsonObject]:
        """``params[name]`` as a non-empty list of JSON objects."""
        value = self.params.get(name)
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            raise ActionRejected(
                "INVALID_PARAMS",
                f"{self.action.kind.value} param {name!r} must be a non-empty list of objects",
            )
        return value

    def strings(self, name: str) -> list[str]:
        """``params[name]`` as a non-empty list of non-empty strings."""
        value = self.params.get(name)
        if not isinstance(value, list) or not value:
            raise ActionRejected(
                "INVALID_PARAMS", f"{self.action.kind.value} param {name!r} must be a list"
            )
        out = [v.strip() for v in value if isinstance(v, str) and v.strip()]
        if len(out) != len(value):
            raise ActionRejected(
                "INVALID_PARAMS",
                f"{self.action.kind.value} param {name!r} must hold non-empty strings",
            )
        return out
