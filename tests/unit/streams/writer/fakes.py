"""A scripted GraphQL executor: answers per operation name, records every call."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors.shopify.client import operation_name
from schemas.records import Action, ActionKind, CaseDecision, CaseType
from streams.runtime.keys import idempotency_key

Answer = dict[str, Any] | BaseException


class FakeShopify:
    """``execute`` pops the next scripted answer of the document's operation.

    ``script("CasebridgeTagsAdd", {...}, {...})`` queues answers (``data``
    dicts or exceptions to raise); the last answer of an operation repeats.
    An unscripted operation fails the test loudly.
    """

    def __init__(self) -> None:
        self._answers: dict[str, list[Answer]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.documents: list[str] = []

    def script(self, operation: str, *answers: Answer) -> FakeShopify:
        self._answers.setdefault(operation, []).extend(answers)
        return self

    def called(self, operation: str) -> list[dict[str, Any]]:
        return [variables for name, variables in self.calls if name == operation]

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    async def execute(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        cost_estimate: float | None = None,
    ) -> dict[str, Any]:
        name = operation_name(document)
        self.calls.append((name, dict(variables or {})))
        self.documents.append(document)
        queue = self._answers.get(name)
        if not queue:
            raise AssertionError(f"unscripted operation {name} {variables}")
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, BaseException):
            raise answer
        return answer


class CostedShopify(FakeShopify):
    """A fake that, like ShopifyAdminClient, reports what each call was charged."""

    def __init__(self, cost: float) -> None:
        super().__init__()
        self.cost = cost

    async def execute_costed(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        cost_estimate: float | None = None,
    ) -> tuple[dict[str, Any], float]:
        return await self.execute(document, variables, cost_estimate=cost_estimate), self.cost


def user_errors(field: str, *errors: dict[str, Any]) -> dict[str, Any]:
    """A mutation answer refused with ``errors``."""
    key = "orderCancelUserErrors" if field == "orderCancel" else "userErrors"
    return {field: {key: list(errors)}}


def decision(*actions: Action, case_type: CaseType = CaseType.ORDER_REVIEW) -> CaseDecision:
    return CaseDecision(
        decision_id="case-1:task-1",
        case_id="case-1",
        case_type=case_type,
        shop="demo.myshopify.com",
        process_instance_id="pi-1",
        outcome="approve",
        decided_at=datetime(2026, 11, 26, tzinfo=UTC),
        actions=list(actions),
    )


def action(kind: ActionKind, target: str, index: int = 0, **params: Any) -> Action:
    return Action(
        kind=kind,
        target_id=target,
        params=json.dumps(params),
        idempotency_key=idempotency_key("case-1:task-1", index, kind),
    )
