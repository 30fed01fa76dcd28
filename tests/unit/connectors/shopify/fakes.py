"""Test doubles shared by the Shopify client unit tests: a fake clock and canned answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import Any

import httpx


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        # Let other tasks run, as a real sleep would.
        await asyncio.sleep(0)

    @property
    def slept(self) -> float:
        return sum(self.sleeps)


def cost_extensions(
    *,
    requested: float = 10,
    actual: float | None = 10,
    available: float = 990,
    maximum: float = 1000,
    rate: float = 50,
) -> dict[str, Any]:
    """``extensions`` as Shopify sends them."""
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": maximum,
                "currentlyAvailable": available,
                "restoreRate": rate,
            },
        }
    }


def ok(data: Mapping[str, Any], **cost: Any) -> httpx.Response:
    return httpx.Response(200, json={"data": dict(data), "extensions": cost_extensions(**cost)})


def throttled(
    status: int = 200, *, available: float = 0, requested: float = 100, **kw: Any
) -> httpx.Response:
    body = {
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        "extensions": cost_extensions(requested=requested, actual=None, available=available, **kw),
    }
    return httpx.Response(status, json=body)


Handler = Callable[[httpx.Request], httpx.Response]


class Script:
    """A MockTransport handler answering from a list, recording every request."""

    def __init__(self, *answers: httpx.Response | Exception | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.answers:
            raise AssertionError("unexpected extra request")
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer) and not isinstance(answer, httpx.Response):
            return answer(request)
        return answer

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


class ScriptedExecutor:
    """A :class:`~connectors.shopify.client.GraphQLExecutor` answering every call alike.

    Records ``(document, variables)`` of each call; answers ``data``, or raises ``error``.
    """

    def __init__(self, data: Mapping[str, Any] | None = None, error: Exception | None = None):
        self.data = dict(data or {})
        self.error = error
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def execute(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        cost_estimate: float | None = None,
    ) -> dict[str, Any]:
        self.calls.append((document, dict(variables or {})))
        if self.error is not None:
            raise self.error
        return self.data
