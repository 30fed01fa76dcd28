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
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol, cast

from connectors.shopify.cost import GraphQLExecutor
from schemas.records import Action, CaseDecision, WritebackStatus
from streams.settings import WriterSettings
from streams.writer.errors import ActionRejected

__all__ = ["ActionContext", "Mailer", "MeteredExecutor", "Outcome", "Sleep"]

JsonObject = dict[str, Any]
Sleep = Callable[[float], Awaitable[None]]


class Mailer(Protocol):
    """Sends one e-mail (:class:`~connectors.mail.SmtpMailer`); raises ``MailError`` s."""

    async def send(self, message: EmailMessage) -> None:
        """Send ``message``."""


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
    config: WriterSettings
    sleep: Sleep = asyncio.sleep
    mailer: Mailer | None = None
    """Customer notices (NOTIFY_CUSTOMER); None: none can be sent (the action fails)."""

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
