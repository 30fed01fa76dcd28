"""A scriptable stand-in for OpenText behind ``httpx.MockTransport`` (no sockets).

Tests register per-route responders and inspect the recorded requests. The
token endpoint and bearer checks are built in, so every test exercises the
real token path of the client.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx

from connectors.opentext import OpenTextConfig
from connectors.opentext.client import OpenTextClient
from connectors.retry import RetryPolicy

BASE_URL = "http://opentext.test"
TENANT = "acme"
SECRET = "s3cr3t-value-never-logged"
RUNTIME = "/workflow/v1"
HISTORY = "/workflow-history/v1"
TOKEN_PATH = f"/tenants/{TENANT}/oauth2/token"

Responder = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


def make_config(**overrides: Any) -> OpenTextConfig:
    """Config pointing at the fake, with a deterministic retry policy (no jitter)."""
    values: dict[str, Any] = {
        "base_url": BASE_URL,
        "tenant_id": TENANT,
        "client_id": "casebridge",
        "client_secret": SECRET,
        "retry": RetryPolicy(
            initial_interval_s=0.1,
            backoff_coefficient=2.0,
            maximum_interval_s=30.0,
            maximum_attempts=4,
            jitter=0.0,
        ),
    }
    values.update(overrides)
    return OpenTextConfig(**values)


def hal(name: str, items: Sequence[Mapping[str, Any]], total: int | None = None) -> dict[str, Any]:
    """A HAL list body."""
    body: dict[str, Any] = {"_embedded": {name: [dict(item) for item in items]}}
    if total is not None:
        body["page"] = {"totalElements": total}
    return body


def query(request: httpx.Request) -> dict[str, str]:
    """The request's query parameters as a flat dict."""
    return dict(request.url.params)


def body_of(request: httpx.Request) -> Any:
    """The request's JSON body."""
    return json.loads(request.content)


@dataclass
class RecordingSleep:
    """Replaces ``asyncio.sleep`` between retries and records each delay."""

    delays: list[float] = field(default_factory=list)

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@dataclass
class FakeOpenText:
    """Routes requests to responders; issues ``tok-1``, ``tok-2``... from the token endpoint."""

    expires_in: int = 3600
    token_status: list[int] = field(default_factory=list)
    """Statuses to answer the next token requests with before succeeding (e.g. ``[503]``)."""
    requests: list[httpx.Request] = field(default_factory=list)
    token_requests: list[httpx.Request] = field(default_factory=list)
    valid_tokens: set[str] = field(default_factory=set)
    routes: dict[tuple[str, str], list[Responder]] = field(default_factory=dict)
    issued: int = 0

    def on(self, method: str, path: str, *responders: Responder | httpx.Response) -> None:
        """Answer ``method path`` with the responders in turn; the last one repeats."""
        self.routes[(method, path)] = [
            _constant(r) if isinstance(r, httpx.Response) else r for r in responders
        ]

    def api_requests(
        self, method: str | None = None, path: str | None = None
    ) -> list[httpx.Request]:
        """Recorded non-token requests, optionally filtered."""
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and (path is None or r.url.path == path)
        ]

    def revoke_all(self) -> None:
        """Make every issued token invalid (the next API call gets a 401)."""
        self.valid_tokens.clear()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        # A real await lets concurrent requests interleave like they would on a socket.
        await asyncio.sleep(0)
        if request.url.path == TOKEN_PATH:
            return self._token(request)
        self.requests.append(request)
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.valid_tokens:
            return httpx.Response(401, json={"message": "Unauthorized", "details": "token"})
        responders = self.routes.get((request.method, request.url.path))
        if not responders:
            return httpx.Response(404, json={"message": f"no route {request.url.path}"})
        responder = responders.pop(0) if len(responders) > 1 else responders[0]
        result = responder(request)
        if isinstance(result, httpx.Response):
            return result
        return await result

    def _token(self, request: httpx.Request) -> httpx.Response:
        self.token_requests.append(request)
        if self.token_status:
            return httpx.Response(self.token_status.pop(0), json={"message": "token trouble"})
        if request.headers.get("content-type", "").startswith("application/json"):
            fields = json.loads(request.content)
        else:
            fields = dict(parse_qsl(request.content.decode()))
        if (
            fields.get("client_secret") != SECRET
            or fields.get("grant_type") != "client_credentials"
        ):
            return httpx.Response(
                401, json={"error": "invalid_client", "error_description": "bad credentials"}
            )
        self.issued += 1
        token = f"tok-{self.issued}"
        self.valid_tokens.add(token)
        return httpx.Response(
            200, json={"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in}
        )


def _constant(response: httpx.Response) -> Responder:
    def respond(request: httpx.Request) -> httpx.Response:
        return response

    return respond


def make_client(
    fake: FakeOpenText, sleep: RecordingSleep | None = None, **config: Any
) -> OpenTextClient:
    """A client wired to ``fake`` through ``httpx.MockTransport``."""
    return OpenTextClient(
        make_config(**config),
        transport=httpx.MockTransport(fake),
        sleep=sleep or RecordingSleep(),
    )
