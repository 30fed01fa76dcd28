"""Client-credentials access tokens for OpenText, cached and refreshed once at a time.

The token comes from ``POST {base}/tenants/{tenant}/oauth2/token``. It is cached
until shortly before ``expires_in`` runs out. Many concurrent requests share
one :class:`TokenProvider`; an :class:`asyncio.Lock` makes sure only one of them
fetches a new token while the others wait for it.

A 401 on an API call means the token died early (revoked, clock skew, service
restart). The client then calls :meth:`TokenProvider.invalidate` with the token
it used; only that exact token is dropped, so twenty requests failing with the
same stale token cause one refresh, not twenty.

The provider makes a single HTTP attempt per refresh. Transient failures
surface as :class:`~connectors.opentext.errors.OpenTextUnavailableError` and the
caller's retry loop (the client's) decides whether and when to try again, so
backoff lives in exactly one place.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from connectors.opentext.config import OpenTextConfig, ResponseHook
from connectors.opentext.errors import (
    OpenTextAuthError,
    OpenTextUnavailableError,
    error_message,
    is_retryable_status,
)
from connectors.retry import parse_retry_after

log = logging.getLogger(__name__)

#: Endpoint label used for metrics and errors; the tenant stays out of it on purpose.
TOKEN_ENDPOINT = "POST /tenants/{tenant}/oauth2/token"


class TokenProvider:
    """Fetches, caches and refreshes the bearer token for one tenant and client.

    Args:
        config: Connection settings (token URL, credentials, body format, margins).
        http: The HTTP client to send the token request with (shared with the API client).
        clock: Monotonic seconds; injectable so tests can move time.
        on_response: Optional metrics hook, see :data:`~connectors.opentext.config.ResponseHook`.
    """

    def __init__(
        self,
        config: OpenTextConfig,
        http: httpx.AsyncClient,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_response: ResponseHook | None = None,
    ) -> None:
        self._config = config
        self._http = http
        self._clock = clock
        self._on_response = on_response
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0
        self.fetch_count = 0
        """How many tokens were fetched so far (for tests and diagnostics)."""

    def __repr__(self) -> str:
        # Never show the token or the secret, only whether one is cached.
        state = "cached" if self._token is not None else "empty"
        return f"TokenProvider(tenant_id={self._config.tenant_id!r}, token={state})"

    async def token(self) -> str:
        """A valid access token, fetching a new one only if none is cached or it is about to expire.

        Raises:
            OpenTextAuthError: The token endpoint refused the credentials or answered nonsense.
            OpenTextUnavailableError: The token endpoint is unreachable, throttling or failing.
        """
        cached = self._valid_token()
        if cached is not None:
            return cached
        async with self._lock:
            # Another task may have refreshed while this one waited for the lock.
            cached = self._valid_token()
            if cached is not None:
                return cached
            return await self._fetch()

    def invalidate(self, token: str) -> None:
        """Forget ``token`` if it is still the cached one (the API answered 401 to it).

        A token refreshed meanwhile by another task is kept: it is newer than the
        one that failed.
        """
        if self._token is not None and self._token == token:
            self._token = None
            self._refresh_at = 0.0

    def _valid_token(self) -> str | None:
        if self._token is not None and self._clock() < self._refresh_at:
            return self._token
        return None

    async def _fetch(self) -> str:
        config = self._config
        fields = {
            "grant_type": "client_credentials",
            "client_id": config.client_id,
            "client_secret": config.client_secret.get_secret_value(),
        }
        kwargs: dict[str, Any] = (
            {"json": fields} if config.token_body_format == "json" else {"data": fields}
        )
        started = time.perf_counter()
        try:
            response = await self._http.post(
                config.token_url, headers={"Accept": "application/json"}, **kwargs
            )
        except httpx.TransportError as exc:
            self._observe(0, time.perf_counter() - started)
            raise OpenTextUnavailableError(
                f"{TOKEN_ENDPOINT}: {type(exc).__name__}: {exc}",
                status=None,
                attempts=1,
                endpoint=TOKEN_ENDPOINT,
            ) from exc
        self._observe(response.status_code, time.perf_counter() - started)
        status = response.status_code

        if is_retryable_status(status):
            raise OpenTextUnavailableError(
                f"{TOKEN_ENDPOINT} -> HTTP {status}: {error_message(response.text)}",
                status=status,
                attempts=1,
                endpoint=TOKEN_ENDPOINT,
                retry_after_s=parse_retry_after(response.headers),
            )
        if status >= 300:
            # 400 invalid_client, 401, 403, 404 (unknown tenant): all mean our settings are wrong.
            raise OpenTextAuthError(
                f"OpenText token request for tenant {config.tenant_id!r} refused "
                f"(HTTP {status}): {error_message(response.text)}",
                status=status,
            )

        try:
            body = response.json()
        except (ValueError, json.JSONDecodeError) as exc:
            raise OpenTextAuthError("token response is not JSON", status=status) from exc
        access_token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(access_token, str) or not access_token:
            raise OpenTextAuthError("token response has no access_token", status=status)

        lifetime = _expires_in(body.get("expires_in"), config.default_token_ttl_s)
        # Refresh a little early so a request never leaves with a token that dies in flight;
        # the margin is capped at half the lifetime so short-lived tokens are still reused.
        margin = min(config.token_refresh_margin_s, lifetime / 2)
        self._token = access_token
        self._refresh_at = self._clock() + lifetime - margin
        self.fetch_count += 1
        log.info(
            "OpenText token fetched for tenant %s (expires in %.0fs)", config.tenant_id, lifetime
        )
        return access_token

    def _observe(self, status: int, duration_s: float) -> None:
        if self._on_response is None:
            return
        try:
            self._on_response(TOKEN_ENDPOINT, status, duration_s)
        except Exception:  # a broken metrics hook must never fail a request
            log.exception("on_response hook failed")


def _expires_in(raw: object, default: float) -> float:
    """``expires_in`` as positive seconds; the default when absent or nonsense."""
    if isinstance(raw, bool):
        return default
    if isinstance(raw, int | float):
        seconds = float(raw)
    elif isinstance(raw, str):
        try:
            seconds = float(raw)
        except ValueError:
            return default
    else:
        return default
    return seconds if seconds > 0 else default
