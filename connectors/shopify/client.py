"""The cost-aware Shopify Admin GraphQL client.

One :class:`ShopifyAdminClient` talks to one store. Before each request it
reserves the request's estimated cost in a :class:`~connectors.shopify.bucket.CostBucket`
(waiting if the store's bucket would not hold it), sends the document, feeds
``extensions.cost`` back into the bucket, and turns every failure into one of
the errors of :mod:`connectors.shopify.errors`:

=============================================  ================================================
answer                                          what happens
=============================================  ================================================
``THROTTLED`` (HTTP 200 or 429)                 wait for the bucket to refill, retry
429 with ``Retry-After``                        wait at least that long, retry
5xx, 408, timeout, connection error             :class:`~connectors.retry.RetryPolicy` backoff
                                                (:func:`~connectors.retry.retrying`),
                                                then :class:`ShopifyUnavailableError`
401 / 403 / ``ACCESS_DENIED``                   :class:`ShopifyAuthError`, no retry
GraphQL ``errors`` (syntax, unknown field...)   :class:`ShopifyGraphQLError`, no retry
=============================================  ================================================

The only thing that differs between the emulator and a real store is
:class:`ShopifyClientConfig` (``base_url`` and ``access_token``). The HTTP
seam is ``httpx``: pass ``transport=httpx.MockTransport(...)`` in tests.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from connectors.http import pooled_transport
from connectors.retry import (
    RETRYABLE_STATUSES,
    RetryPolicy,
    TransientError,
    parse_retry_after,
    retrying,
)
from connectors.shopify.bucket import (
    DEFAULT_MAXIMUM_AVAILABLE,
    DEFAULT_RESTORE_RATE,
    CostBucket,
    Reservation,
    ThrottleStatus,
)
from connectors.shopify.budget import Priority, Spend, current_class, current_spend
from connectors.shopify.cost import (
    GraphQLExecutor,
    JsonObject,
    estimate_query_cost,
    operation_name,
)
from connectors.shopify.errors import (
    ShopifyAuthError,
    ShopifyGraphQLError,
    ShopifyThrottledError,
    ShopifyUnavailableError,
)

__all__ = [
    "ClientStats",
    "GraphQLExecutor",
    "OnPoints",
    "OnResponse",
    "ShopifyAdminClient",
    "ShopifyClientConfig",
    "estimate_query_cost",
]

logger = logging.getLogger(__name__)

OnResponse = Callable[[str, int, float, "float | None"], None]
"""``on_response(operation, status, duration_s, cost)``; ``cost`` is the actual query cost."""
OnPoints = Callable[[Priority, "Spend | None", float, float], None]
"""``on_points(priority, spend, requested, actual)`` after every answered call."""

_SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$")
_API_VERSION = re.compile(r"^(\d{4}-\d{2}|unstable)$")


class ShopifyClientConfig(BaseModel):
    """How to reach one store's Admin GraphQL API. Validated once, at construction.

    Attributes:
        shop_domain: ``{shop}.myshopify.com``; picks the URL unless ``base_url`` is set.
        access_token: the Admin API access token (``shpat_...``); never logged or repr'd.
        api_version: quarterly version such as ``2026-01``.
        base_url: scheme+host(+port) replacing ``https://{shop_domain}``, e.g. the
            emulator's ``http://127.0.0.1:8090``; the path stays Shopify's.
        timeout_s: per-request timeout (connect, read, write, pool).
        retry: backoff for 5xx, timeouts and connection errors.
        max_throttle_retries: THROTTLED answers tolerated per call before
            :class:`ShopifyThrottledError`; the bucket wait before each retry
            makes these rare, so the budget is a safety net.
        maximum_available / restore_rate: bucket assumed before the first
            response reports the real one.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, extra="forbid")

    shop_domain: str
    access_token: SecretStr
    api_version: str = "2026-04"
    base_url: str | None = None
    timeout_s: float = Field(default=30.0, gt=0)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    max_throttle_retries: int = Field(default=20, ge=0)
    maximum_available: float = Field(default=DEFAULT_MAXIMUM_AVAILABLE, gt=0)
    restore_rate: float = Field(default=DEFAULT_RESTORE_RATE, gt=0)

    @field_validator("shop_domain")
    @classmethod
    def _check_domain(cls, value: str) -> str:
        value = value.strip().lower().removeprefix("https://").rstrip("/")
        if not _SHOP_DOMAIN.match(value):
            raise ValueError(f"not a shop domain: {value!r} (expected shop.myshopify.com)")
        return value

    @field_validator("api_version")
    @classmethod
    def _check_version(cls, value: str) -> str:
        if not _API_VERSION.match(value):
            raise ValueError(f"not an Admin API version: {value!r} (expected YYYY-MM)")
        return value

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = httpx.URL(value)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"base_url must be an http(s) URL, got {value!r}")
        return value.rstrip("/")

    @property
    def endpoint(self) -> str:
        """The GraphQL URL: ``{base}/admin/api/{version}/graphql.json``."""
        base = self.base_url or f"https://{self.shop_domain}"
        return f"{base}/admin/api/{self.api_version}/graphql.json"


@dataclass(slots=True)
class ClientStats:
    """Counters since the client was created, read by the metrics exporter."""

    requests: int = 0
    """HTTP requests sent (each retry counts)."""
    throttled: int = 0
    """Answers that said THROTTLED (HTTP 200 or 429)."""
    retries: int = 0
    """Requests re-sent after a throttle or a retryable failure."""
    failures: int = 0
    """Calls that ended in an exception."""
    cost_spent: float = 0.0
    """Sum of ``actualQueryCost`` over all answers."""


class ShopifyAdminClient:
    """Async client for one store's Admin GraphQL API; see the module docstring.

    Args:
        config: where and how to connect.
        http_client: an ``httpx.AsyncClient`` to use (not closed by :meth:`aclose`).
        transport: a transport for the client this class creates (tests: ``MockTransport``).
        bucket: a shared bucket model; by default one per client, i.e. per store.
        on_response: metrics hook called after every HTTP answer; must not raise.
        on_points: metrics hook called with the points of every answered call,
            its :class:`~connectors.shopify.budget.Priority` class and the case it
            is charged to (:func:`~connectors.shopify.budget.charged_to`); must not raise.
        clock: monotonic seconds, also used for the default bucket.
        sleep: awaitable sleep, also used for the default bucket.
    """

    def __init__(
        self,
        config: ShopifyClientConfig,
        *,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        bucket: CostBucket | None = None,
        on_response: OnResponse | None = None,
        on_points: OnPoints | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if http_client is not None and transport is not None:
            raise ValueError("pass either http_client or transport, not both")
        self.config = config
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(
            transport=transport or pooled_transport(), timeout=httpx.Timeout(config.timeout_s)
        )
        self._clock = clock
        self._sleep = sleep
        self.bucket = bucket or CostBucket(
            maximum_available=config.maximum_available,
            restore_rate=config.restore_rate,
            clock=clock,
            sleep=sleep,
        )
        self.on_response = on_response
        self.on_points = on_points
        self.stats = ClientStats()
        # Learned per operation name: what Shopify *requested* last time. The
        # bucket admits on the requested cost (the actual one is refunded
        # later), so that is what must fit before sending.
        self._learned_cost: dict[str, float] = {}
        # operation -> (static estimate, requested cost) of an answer that said the
        # query costs more than the whole bucket (see execute_costed).
        self._too_big: dict[str, tuple[float, float]] = {}

    async def __aenter__(self) -> ShopifyAdminClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_http:
            await self._http.aclose()

    def __repr__(self) -> str:
        # The token is deliberately absent; SecretStr would mask it anyway.
        config = self.config
        return f"ShopifyAdminClient(shop={config.shop_domain!r}, endpoint={config.endpoint!r})"

    def estimated_cost(self, document: str, variables: Mapping[str, Any] | None = None) -> float:
        """The cost the next call of ``document`` is expected to request."""
        name = operation_name(document)
        learned = self._learned_cost.get(name)
        if learned is not None:
            return learned
        return estimate_query_cost(document, variables)

    async def execute(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        cost_estimate: float | None = None,
    ) -> JsonObject:
        """Send one GraphQL document and return its ``data`` (see :meth:`execute_costed`)."""
        data, _ = await self.execute_costed(document, variables, cost_estimate=cost_estimate)
        return data

    async def execute_costed(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        cost_estimate: float | None = None,
    ) -> tuple[JsonObject, float | None]:
        """Send one GraphQL document; return its ``data`` and the points Shopify charged.

        The charge is the answer's ``actualQueryCost`` (None when the answer
        did not say); THROTTLED attempts before it were not charged.

        Args:
            document: the query or mutation text.
            variables: its variables (JSON-serialisable).
            cost_estimate: overrides the learned/static estimate of the requested cost.

        Raises:
            ShopifyAuthError: bad token or missing scope.
            ShopifyGraphQLError: the document or variables were rejected.
            ShopifyThrottledError: still THROTTLED after ``max_throttle_retries``.
            ShopifyUnavailableError: retryable failures outlasted the retry policy.
        """
        name = operation_name(document)
        cost = (
            cost_estimate if cost_estimate is not None else self.estimated_cost(document, variables)
        )
        static = estimate_query_cost(document, variables)
        payload: JsonObject = {"query": document}
        if variables:
            payload["variables"] = dict(variables)
        throttles = 0
        sent = 0

        async def until_answered() -> tuple[JsonObject, float | None]:
            # One attempt of the retry policy: THROTTLED answers are no failure, the
            # cost bucket waits for the refill before the document goes again.
            nonlocal cost, throttles, sent
            while True:
                if sent:
                    self.stats.retries += 1
                reservation = await self.bucket.reserve(cost)
                try:
                    # Calls queued on the bucket behind the one that learned it.
                    self._refuse_if_too_big(name, static, cost_estimate, attempts=sent)
                except ShopifyThrottledError:
                    self.bucket.release(reservation)
                    raise
                sent += 1
                outcome = await self._send_once(name, payload, reservation)
                if isinstance(outcome, _Done):
                    return outcome.data, outcome.actual_cost
                if isinstance(outcome, _Retry):
                    raise TransientError(
                        outcome.reason, status=outcome.status, retry_after_s=outcome.retry_after_s
                    ) from outcome.cause
                throttles += 1
                if outcome.requested_cost is not None:
                    cost = outcome.requested_cost
                requested = outcome.requested_cost
                if requested is not None and requested > self.bucket.maximum_available:
                    # More than the bucket ever holds: no refill will let it through.
                    self._too_big[name] = (static, requested)
                    raise ShopifyThrottledError(
                        f"{name}: requested cost {requested:g} exceeds the bucket size"
                        f" {self.bucket.maximum_available:g}; ask for smaller pages",
                        attempts=sent,
                        status=outcome.status,
                    )
                if throttles > self.config.max_throttle_retries:
                    raise ShopifyThrottledError(
                        f"{name}: still THROTTLED after {throttles} attempts",
                        attempts=sent,
                        status=outcome.status,
                    )
                if outcome.retry_after_s is not None:
                    await self._sleep(
                        min(outcome.retry_after_s, self.config.retry.maximum_interval_s)
                    )
                # Otherwise the next reserve() waits for the refill itself.

        def log_retry(error: BaseException, _number: int, delay: float) -> None:
            logger.info("shopify %s: %s, retrying in %.2fs (attempt %d)", name, error, delay, sent)

        try:
            self._refuse_if_too_big(name, static, cost_estimate, attempts=0)
            try:
                async for attempt in retrying(
                    self.config.retry, sleep=self._sleep, on_retry=log_retry
                ):
                    with attempt:
                        return await until_answered()
            except TransientError as exc:
                raise ShopifyUnavailableError(
                    f"{name}: gave up after {sent} attempts: {exc.reason}",
                    attempts=sent,
                    status=exc.status,
                ) from exc.__cause__
            raise AssertionError("retrying() returns the answer or raises")
        except BaseException:
            self.stats.failures += 1
            raise

    def _refuse_if_too_big(
        self, name: str, static: float, cost_estimate: float | None, *, attempts: int
    ) -> None:
        """Raise if Shopify already said this query costs more than the whole bucket.

        Sending it again would first wait for a full bucket, holding up every
        other call queued on it, and then be refused again. Only a query with
        pages at least as large as the refused one (by the static estimate) is
        refused here; a caller's own ``cost_estimate`` (paging down) is trusted.
        """
        too_big = self._too_big.get(name)
        if (
            cost_estimate is None
            and too_big is not None
            and static >= too_big[0]
            and too_big[1] > self.bucket.maximum_available
        ):
            raise ShopifyThrottledError(
                f"{name}: requested cost {too_big[1]:g} exceeds the bucket size"
                f" {self.bucket.maximum_available:g}; ask for smaller pages",
                attempts=attempts,
                status=None,
            )

    async def _send_once(
        self, name: str, payload: JsonObject, reservation: Reservation
    ) -> _Done | _Throttled | _Retry:
        settled = False
        start = self._clock()
        self.stats.requests += 1
        try:
            try:
                response = await self._http.post(
                    self.config.endpoint,
                    json=payload,
                    headers={
                        "X-Shopify-Access-Token": self.config.access_token.get_secret_value(),
                        "Content-Type": "application/json",
                        "Accept": "application/json",
                    },
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # Never reached Shopify: nothing was charged.
                self.bucket.release(reservation)
                settled = True
                return _Retry(f"connection failed ({type(exc).__name__})", None, None, exc)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                return _Retry(f"transport error ({type(exc).__name__})", None, None, exc)
            duration = self._clock() - start
            body = _json_body(response)
            cost_info = body.get("extensions", {}).get("cost") if body else None
            status_obj = ThrottleStatus.from_json(
                cost_info.get("throttleStatus") if isinstance(cost_info, dict) else None
            )
            actual = _number(cost_info, "actualQueryCost")
            requested = _number(cost_info, "requestedQueryCost")
            self._notify(name, response.status_code, duration, actual)

            if _is_throttled(response.status_code, body):
                self.stats.throttled += 1
                self.bucket.settle(reservation, actual_cost=0.0)
                self.bucket.mark_throttled(status_obj)
                settled = True
                logger.info("shopify %s: THROTTLED (bucket level %.0f)", name, self.bucket.level)
                retry_after = parse_retry_after(response.headers)
                if retry_after is None and status_obj is None and response.status_code == 429:
                    retry_after = 1.0  # Shopify's own client waits 1 s without a hint.
                return _Throttled(response.status_code, requested, retry_after)

            self.bucket.settle(
                reservation,
                actual_cost=actual,
                throttle_status=status_obj,
            )
            settled = True
            if actual is not None:
                self.stats.cost_spent += actual
            self._count_points(requested if requested is not None else reservation.cost, actual)
            if requested is not None:
                self._learned_cost[name] = requested

            status = response.status_code
            if status in (401, 403):
                raise ShopifyAuthError(
                    f"{name}: Shopify refused the access token for {self.config.shop_domain} "
                    f"(HTTP {status}): {_error_text(body) or response.reason_phrase}",
                    status=status,
                )
            if status in RETRYABLE_STATUSES:
                return _Retry(f"HTTP {status}", status, parse_retry_after(response.headers), None)
            if status >= 400:
                messages = _error_messages(body) or [f"HTTP {status} {response.reason_phrase}"]
                raise ShopifyGraphQLError(
                    messages, errors=_error_objects(body), status=status, operation=name
                )
            if body is None:
                # A 2xx that is not JSON comes from a proxy or an outage page.
                return _Retry(f"HTTP {status} with a non-JSON body", status, None, None)
            errors = _error_objects(body)
            if errors:
                codes = {_error_code(err) for err in errors}
                if "ACCESS_DENIED" in codes:
                    raise ShopifyAuthError(
                        f"{name}: access denied: {'; '.join(_error_messages(body))}",
                        status=status,
                    )
                if codes <= {"INTERNAL_SERVER_ERROR"}:
                    return _Retry("INTERNAL_SERVER_ERROR", status, None, None)
                raise ShopifyGraphQLError(
                    _error_messages(body), errors=errors, status=status, operation=name
                )
            data = body.get("data")
            if not isinstance(data, dict):
                raise ShopifyGraphQLError(["response has no data"], status=status, operation=name)
            return _Done(data, actual)
        finally:
            if not settled:
                # Cancelled or failed mid-flight: keep the points charged (unknown).
                self.bucket.settle(reservation)

    def _count_points(self, requested: float, actual: float | None) -> None:
        """Charge an answered call to the current case and tell the metrics hook."""
        priority = current_class()
        spend = current_spend()
        if spend is not None:
            spend.add(priority, requested, actual)
        if self.on_points is None:
            return
        try:
            self.on_points(priority, spend, requested, actual if actual is not None else requested)
        except Exception:  # a metrics bug must not fail a call to Shopify
            logger.exception("on_points hook failed")

    def _notify(self, name: str, status: int, duration: float, cost: float | None) -> None:
        if self.on_response is None:
            return
        try:
            self.on_response(name, status, duration, cost)
        except Exception:  # a metrics bug must not fail a write to Shopify
            logger.exception("on_response hook failed")


# -- outcomes of one attempt -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Done:
    data: JsonObject
    actual_cost: float | None


@dataclass(frozen=True, slots=True)
class _Throttled:
    status: int
    requested_cost: float | None
    retry_after_s: float | None


@dataclass(frozen=True, slots=True)
class _Retry:
    reason: str
    status: int | None
    retry_after_s: float | None
    cause: BaseException | None


# -- response parsing --------------------------------------------------------------------------


def _json_body(response: httpx.Response) -> JsonObject | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _number(obj: object, key: str) -> float | None:
    if not isinstance(obj, dict):
        return None
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _error_objects(body: JsonObject | None) -> list[JsonObject]:
    errors = body.get("errors") if body else None
    if isinstance(errors, list):
        return [err for err in errors if isinstance(err, dict)]
    if isinstance(errors, str):
        # REST-style answers (401, 404) carry a plain string.
        return [{"message": errors}]
    if isinstance(errors, dict):
        return [{"message": f"{key}: {value}"} for key, value in errors.items()]
    return []


def _error_messages(body: JsonObject | None) -> list[str]:
    return [str(err.get("message", err)) for err in _error_objects(body)]


def _error_text(body: JsonObject | None) -> str:
    return "; ".join(_error_messages(body))


def _error_code(err: JsonObject) -> str | None:
    ext = err.get("extensions")
    code = ext.get("code") if isinstance(ext, dict) else None
    return str(code) if code else None


def _is_throttled(status: int, body: JsonObject | None) -> bool:
    errors = _error_objects(body)
    if errors and any(
        _error_code(err) == "THROTTLED" or str(err.get("message", "")).lower() == "throttled"
        for err in errors
    ):
        return True
    # A bare 429 (REST-style, no GraphQL body) is throttling as well.
    return status == 429
