"""Authenticated, retrying HTTP for OpenText: the one place requests are sent.

:class:`OpenTextTransport` turns one logical call into as many HTTP attempts
as it takes:

* it attaches the bearer token from the :class:`~connectors.opentext.auth.TokenProvider`,
  and on a 401 drops that token, fetches a new one and tries once more;
* it retries 408, 429, 5xx, timeouts and connection errors (and a failing
  token endpoint) with the configured :class:`~connectors.retry.RetryPolicy`
  (run by :func:`connectors.retry.retrying`),
  honouring ``Retry-After``;
* it raises :class:`~connectors.opentext.errors.OpenTextRequestError` at once
  for every other 4xx, with what a DLQ record needs to explain itself;
* it reports ``(endpoint template, status, duration)`` to the metrics hook.

Business operations live in :mod:`connectors.opentext.client`; this module
knows nothing about process instances or tasks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any, Literal, TypeAlias
from urllib.parse import quote

import httpx

from connectors.opentext.auth import TokenProvider
from connectors.opentext.config import OpenTextConfig, ResponseHook
from connectors.opentext.errors import (
    BODY_EXCERPT_CHARS,
    OpenTextAuthError,
    OpenTextNotFoundError,
    OpenTextProtocolError,
    OpenTextRequestError,
    OpenTextUnavailableError,
    error_class,
    error_message,
    gateway_fault,
    is_retryable_status,
)
from connectors.opentext.hal import PagingReport, iter_hal_items
from connectors.opentext.models import format_datetime
from connectors.retry import TransientError, parse_retry_after, retrying

log = logging.getLogger(__name__)

Api: TypeAlias = Literal["runtime", "history"]
"""Which API a path belongs to (they have different prefixes)."""
QueryValue: TypeAlias = str | int | float | bool | datetime | date | None
"""A query parameter value; ``None`` means "leave the parameter out"."""
Sleep: TypeAlias = Callable[[float], Awaitable[None]]
"""``asyncio.sleep`` or a test double."""


class OpenTextTransport:
    """Sends requests to OpenText with token handling, retries and metrics.

    Args:
        config: Base URL, prefixes, retry policy.
        http: The HTTP client (its transport is the test seam).
        tokens: Source of bearer tokens.
        sleep: Awaited between retries.
        on_response: Optional metrics hook.
    """

    def __init__(
        self,
        config: OpenTextConfig,
        http: httpx.AsyncClient,
        tokens: TokenProvider,
        *,
        sleep: Sleep = asyncio.sleep,
        on_response: ResponseHook | None = None,
    ) -> None:
        self._config = config
        self._http = http
        self._tokens = tokens
        self._sleep = sleep
        self._on_response = on_response

    async def request(
        self,
        method: str,
        api: Api,
        template: str,
        path_params: Mapping[str, str] | None = None,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json: Any = None,
        retry: bool = True,
    ) -> httpx.Response:
        """Send one logical request and return its 2xx response.

        Args:
            method: HTTP method.
            api: ``"runtime"`` or ``"history"``: which prefix the path goes under.
            template: Path template such as ``"/process-instances/{id}"``; also the
                metrics and error label, so it must not contain ids.
            path_params: Values for the template's placeholders (URL-escaped here).
            params: Query parameters (see :data:`QueryValue`).
            json: JSON body.
            retry: ``False`` makes a single attempt (plus the 401 refresh): for
                non-idempotent calls whose caller re-checks before trying again.

        Raises:
            OpenTextAuthError: Credentials refused, or 401 again after a fresh token.
            OpenTextRequestError: A non-retryable status (404 as OpenTextNotFoundError).
            OpenTextUnavailableError: Transient failures outlasted the retry policy.
        """
        endpoint = f"{method} {template}"
        escaped = {key: quote(value, safe="") for key, value in (path_params or {}).items()}
        path = template.format(**escaped)
        url = self._config.runtime_url(path) if api == "runtime" else self._config.history_url(path)
        query = encode_query(params or {})
        # A call that must not repeat gets one attempt (plus the 401 refresh).
        policy = self._config.retry if retry else replace(self._config.retry, maximum_attempts=1)
        attempts = 0  # every HTTP attempt, for error reports
        refreshed = False  # one token refresh per logical call

        async def attempt() -> httpx.Response:
            nonlocal attempts, refreshed
            while True:  # twice at most: again with a fresh token after a 401
                attempts += 1
                try:
                    token = await self._tokens.token()
                except OpenTextUnavailableError as exc:
                    # The token endpoint is down: same treatment as the API being down.
                    raise TransientError(
                        str(exc), status=exc.status, retry_after_s=exc.retry_after_s
                    ) from exc
                started = time.perf_counter()
                try:
                    response = await self._http.request(
                        method,
                        url,
                        params=query,
                        json=json,
                        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                    )
                except httpx.TransportError as exc:  # timeouts, refused/reset connections
                    self._observe(endpoint, 0, time.perf_counter() - started)
                    raise TransientError(f"{type(exc).__name__}: {exc}") from exc
                self._observe(endpoint, response.status_code, time.perf_counter() - started)
                status = response.status_code
                if status < 300:
                    return response
                if status == 401:
                    # Only this token is dropped; a newer one fetched meanwhile survives.
                    self._tokens.invalidate(token)
                    if refreshed:
                        raise OpenTextAuthError(
                            f"{endpoint}: HTTP 401 again after a fresh token: "
                            f"{error_message(response.text)}",
                            status=401,
                        )
                    refreshed = True
                    continue
                if not is_retryable_status(status):
                    fault = gateway_fault(response) if status in (401, 403) else None
                    if fault is not None:
                        # The API gateway, not the engine, refused: a wrong region,
                        # API key or credentials. Every call would fail alike, so
                        # it is an operator problem, never one record's. (A 404
                        # fault stays "not found": gateways pass those through.)
                        raise OpenTextAuthError(
                            f"{endpoint}: the OpenText gateway refused the call "
                            f"(HTTP {status}): {fault}",
                            status=status,
                        )
                    raise request_error(response, endpoint, attempts)
                raise TransientError(
                    f"HTTP {status}: {error_message(response.text)}",
                    status=status,
                    retry_after_s=parse_retry_after(response.headers),
                )

        def log_retry(error: BaseException, _number: int, delay: float) -> None:
            log.warning(
                "OpenText %s failed (%s), attempt %d; retrying in %.2fs",
                endpoint,
                error,
                attempts,
                delay,
            )

        try:
            async for trial in retrying(policy, sleep=self._sleep, on_retry=log_retry):
                with trial:
                    return await attempt()
        except TransientError as exc:
            raise OpenTextUnavailableError(
                f"{endpoint} unavailable after {attempts} attempt(s): {exc.reason}",
                status=exc.status,
                attempts=attempts,
                endpoint=endpoint,
                retry_after_s=exc.retry_after_s,
            ) from exc.__cause__
        raise AssertionError("retrying() returns the response or raises")

    async def paged(
        self,
        api: Api,
        template: str,
        names: Sequence[str],
        params: Mapping[str, QueryValue],
        *,
        page_size: int | None = None,
        report: PagingReport | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every item of a HAL list endpoint, each page fetched with :meth:`request`."""

        async def fetch(offset: int, count: int) -> Any:
            page_params = {**params, "offset": offset, "count": count}
            return decode_json(await self.request("GET", api, template, params=page_params))

        async for item in iter_hal_items(
            fetch, names, page_size=page_size or self._config.page_size, report=report
        ):
            yield item

    def _observe(self, endpoint: str, status: int, duration_s: float) -> None:
        if self._on_response is None:
            return
        try:
            self._on_response(endpoint, status, duration_s)
        except Exception:  # a broken metrics hook must never fail a request
            log.exception("on_response hook failed")


def encode_query(params: Mapping[str, QueryValue]) -> dict[str, str | int | float]:
    """Query parameters as the service expects them: no ``None``, lower-case booleans, ISO dates."""
    query: dict[str, str | int | float] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            query[key] = "true" if value else "false"
        elif isinstance(value, datetime | date):
            query[key] = format_datetime(value)
        else:
            query[key] = value
    return query


def decode_json(response: httpx.Response) -> Any:
    """The response body as JSON, or :class:`OpenTextProtocolError`."""
    try:
        return response.json()
    except ValueError as exc:
        raise OpenTextProtocolError(
            f"{response.request.method} {response.request.url.path} -> HTTP "
            f"{response.status_code}: body is not JSON: {response.text[:200]!r}"
        ) from exc


def request_error(response: httpx.Response, endpoint: str, attempts: int) -> OpenTextRequestError:
    """The :class:`OpenTextRequestError` (or NotFound) describing a non-retryable answer."""
    text = response.text
    try:
        body: Any = response.json()
    except ValueError:
        body = text
    cls = OpenTextNotFoundError if response.status_code == 404 else OpenTextRequestError
    return cls(
        status=response.status_code,
        message=error_message(body),
        body_excerpt=text[:BODY_EXCERPT_CHARS],
        attempts=attempts,
        endpoint=endpoint,
        error_class=error_class(body, response.status_code),
    )
