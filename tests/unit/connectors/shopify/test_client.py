"""ShopifyAdminClient over httpx.MockTransport: throttling, retries, errors, secrecy."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from connectors.retry import RetryPolicy
from connectors.shopify.budget import Priority, Spend, call_class, charged_to
from connectors.shopify.client import ShopifyAdminClient, ShopifyClientConfig
from connectors.shopify.cost import estimate_query_cost
from connectors.shopify.errors import (
    ShopifyAuthError,
    ShopifyGraphQLError,
    ShopifyThrottledError,
    ShopifyUnavailableError,
)

from .fakes import FakeClock, Script, ok, throttled

TOKEN = "shpat_super_secret_token_123"
QUERY = "query CasebridgeShop { shop { id name } }"


def config(**overrides: Any) -> ShopifyClientConfig:
    params: dict[str, Any] = {
        "shop_domain": "casebridge-demo.myshopify.com",
        "access_token": TOKEN,
        "api_version": "2026-01",
        "retry": RetryPolicy(initial_interval_s=0.5, jitter=0, maximum_attempts=3),
    }
    params.update(overrides)
    return ShopifyClientConfig(**params)


def make_client(
    script: Script, clock: FakeClock | None = None, **overrides: Any
) -> tuple[ShopifyAdminClient, FakeClock]:
    clock = clock or FakeClock()
    client = ShopifyAdminClient(
        config(**overrides),
        transport=httpx.MockTransport(script),
        clock=clock,
        sleep=clock.sleep,
    )
    return client, clock


# -- configuration ---------------------------------------------------------------------------


def test_endpoint_for_real_shop_and_emulator() -> None:
    assert (
        config().endpoint == "https://casebridge-demo.myshopify.com/admin/api/2026-01/graphql.json"
    )
    assert (
        config(base_url="http://127.0.0.1:8090/").endpoint
        == "http://127.0.0.1:8090/admin/api/2026-01/graphql.json"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("shop_domain", "not a domain"),
        ("api_version", "latest"),
        ("base_url", "ftp://example.com"),
        ("timeout_s", 0),
    ],
)
def test_config_rejects_bad_values(field: str, value: Any) -> None:
    with pytest.raises(ValidationError, match=field):
        config(**{field: value})


# -- the happy path --------------------------------------------------------------------------


async def test_execute_sends_token_and_returns_data() -> None:
    script = Script(ok({"shop": {"id": "gid://shopify/Shop/1", "name": "Demo"}}))
    client, _ = make_client(script, base_url="http://127.0.0.1:8090")
    data = await client.execute(QUERY, {"x": 1})
    assert data == {"shop": {"id": "gid://shopify/Shop/1", "name": "Demo"}}
    request = script.requests[0]
    assert str(request.url) == "http://127.0.0.1:8090/admin/api/2026-01/graphql.json"
    assert request.method == "POST"
    assert request.headers["X-Shopify-Access-Token"] == TOKEN
    assert request.headers["Content-Type"] == "application/json"
    assert script.bodies()[0] == {"query": QUERY, "variables": {"x": 1}}
    assert client.stats.requests == 1
    assert client.stats.retries == 0
    assert client.stats.cost_spent == 10


async def test_bucket_is_updated_from_extensions_and_cost_is_learned() -> None:
    script = Script(ok({"shop": None}, requested=77, actual=42, available=900, rate=100))
    client, _ = make_client(script)
    await client.execute(QUERY)
    assert client.bucket.level == pytest.approx(900)
    assert client.bucket.restore_rate == 100
    # Shopify admits on the requested cost, so that is what is learned.
    assert client.estimated_cost(QUERY) == 77


async def test_execute_costed_returns_what_shopify_charged_not_what_it_requested() -> None:
    script = Script(ok({"shop": None}, requested=77, actual=42, available=900, rate=100))
    client, _ = make_client(script)
    data, charged = await client.execute_costed(QUERY)
    assert data == {"shop": None}
    assert charged == 42


async def test_waits_before_sending_when_bucket_is_short() -> None:
    script = Script(
        ok({"a": 1}, requested=50, actual=50, available=5, maximum=100, rate=10),
        ok({"a": 2}, requested=50, actual=50, available=0, maximum=100, rate=10),
    )
    client, clock = make_client(script)
    await client.execute(QUERY)
    assert clock.sleeps == []
    await client.execute(QUERY)
    # Waited for 45 points at 10/s *before* the second request; no THROTTLED.
    assert clock.slept == pytest.approx(4.5)
    assert client.stats.throttled == 0
    assert len(script.requests) == 2


async def test_on_response_hook_is_called_and_cannot_break_the_call() -> None:
    calls: list[tuple[str, int, float, float | None]] = []

    def hook(operation: str, status: int, duration: float, cost: float | None) -> None:
        calls.append((operation, status, duration, cost))
        raise RuntimeError("metrics bug")

    script = Script(ok({"a": 1}, actual=3))
    client, _ = make_client(script)
    client.on_response = hook
    assert await client.execute(QUERY) == {"a": 1}
    assert calls == [("CasebridgeShop", 200, 0.0, 3.0)]


async def test_points_are_charged_to_the_case_and_counted_by_class() -> None:
    seen: list[tuple[Priority, str | None, float, float]] = []

    def on_points(priority: Priority, spend: Spend | None, requested: float, actual: float) -> None:
        seen.append((priority, spend.case_type if spend else None, requested, actual))
        raise RuntimeError("metrics bug")  # must not fail the call

    script = Script(ok({"a": 1}, requested=12, actual=5), ok({"b": 2}, requested=3, actual=None))
    client, _ = make_client(script)
    client.on_points = on_points
    spend = Spend("ORDER_REVIEW", "case-1")
    with charged_to(spend), call_class(Priority.PROTECT):
        await client.execute(QUERY)
    await client.execute(QUERY)  # outside any case: background, uncharged

    assert (spend.calls, spend.requested, spend.actual) == (1, 12, 5)
    assert spend.by_class == {"protect": 12}
    assert seen == [
        (Priority.PROTECT, "ORDER_REVIEW", 12, 5),
        (Priority.BACKGROUND, None, 3, 3),  # no actual cost reported: the requested one
    ]


# -- throttling ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 429])
async def test_throttled_is_retried_after_the_bucket_refills(status: int) -> None:
    script = Script(
        throttled(status, available=0, requested=100, rate=50),
        ok({"a": 1}, requested=100, actual=80, available=900),
    )
    client, clock = make_client(script)
    assert await client.execute(QUERY) == {"a": 1}
    assert len(script.requests) == 2
    # 100 points at 50/s.
    assert clock.slept == pytest.approx(2.0)
    assert client.stats.throttled == 1
    assert client.stats.retries == 1


async def test_429_with_retry_after_is_honoured() -> None:
    script = Script(
        httpx.Response(429, headers={"Retry-After": "3"}, text="Too Many Requests"),
        ok({"a": 1}),
    )
    client, clock = make_client(script)
    assert await client.execute(QUERY) == {"a": 1}
    assert clock.sleeps[0] == pytest.approx(3.0)
    assert client.stats.throttled == 1


async def test_throttle_budget_exhausted_raises_throttled_error() -> None:
    script = Script(throttled(200, available=0, requested=10))
    client, _ = make_client(script, max_throttle_retries=2)
    with pytest.raises(ShopifyThrottledError) as info:
        await client.execute(QUERY)
    assert info.value.transient
    assert isinstance(info.value, ShopifyUnavailableError)
    assert len(script.requests) == 3


PAGED = "query Paged($first: Int!) { orders(first: $first) { nodes { id } } }"


async def test_a_query_costlier_than_the_whole_bucket_fails_at_once() -> None:
    # 104 points never fit a 100-point bucket: waiting for a refill would spin forever.
    script = Script(throttled(200, available=100, maximum=100, requested=104, rate=10))
    client, _ = make_client(script)
    with pytest.raises(ShopifyThrottledError, match="exceeds the bucket size 100"):
        await client.execute(QUERY)
    assert len(script.requests) == 1
    assert client.bucket.maximum_available == 100


async def test_a_query_shopify_said_is_too_big_is_not_sent_again_to_wait_for_a_refill() -> None:
    # Sending it again would first wait for a full bucket, holding every other call queued
    # behind it, only to be refused again.
    script = Script(throttled(200, available=100, maximum=100, requested=231, rate=10))
    client, clock = make_client(script)
    for _ in range(3):
        with pytest.raises(ShopifyThrottledError, match="231 exceeds the bucket size 100"):
            await client.execute(PAGED, {"first": 20})
    assert len(script.requests) == 1
    assert clock.sleeps == []


async def test_calls_queued_behind_the_refused_one_are_not_sent_either() -> None:
    script = Script(throttled(200, available=100, maximum=100, requested=231, rate=10))
    client, _ = make_client(script)
    results = await asyncio.gather(
        *(client.execute(PAGED, {"first": 20}) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, ShopifyThrottledError) for r in results), results
    assert len(script.requests) == 1
    assert client.bucket.level == pytest.approx(100)  # the refused calls gave their points back


async def test_the_same_query_with_smaller_pages_is_sent() -> None:
    script = Script(
        throttled(200, available=100, maximum=100, requested=231, rate=10),
        ok({"orders": None}, requested=40, actual=12, available=100, maximum=100, rate=10),
    )
    client, _ = make_client(script)
    with pytest.raises(ShopifyThrottledError):
        await client.execute(PAGED, {"first": 20})
    assert await client.execute(PAGED, {"first": 3}) == {"orders": None}
    assert len(script.requests) == 2


# -- retryable failures ----------------------------------------------------------------------


async def test_5xx_is_retried_then_succeeds() -> None:
    script = Script(httpx.Response(502, text="Bad Gateway"), ok({"a": 1}))
    client, clock = make_client(script)
    assert await client.execute(QUERY) == {"a": 1}
    assert clock.sleeps == [pytest.approx(0.5)]
    assert client.stats.retries == 1


async def test_5xx_gives_unavailable_after_max_attempts() -> None:
    script = Script(httpx.Response(503, text="Service Unavailable"))
    client, clock = make_client(script)
    with pytest.raises(ShopifyUnavailableError) as info:
        await client.execute(QUERY)
    assert info.value.attempts == 3
    assert info.value.status == 503
    assert len(script.requests) == 3
    assert clock.sleeps == [pytest.approx(0.5), pytest.approx(1.0)]
    assert client.stats.failures == 1


async def test_retry_after_on_503_is_a_floor() -> None:
    script = Script(httpx.Response(503, headers={"Retry-After": "7"}), ok({"a": 1}))
    client, clock = make_client(script)
    await client.execute(QUERY)
    assert clock.sleeps == [pytest.approx(7.0)]


async def test_connection_errors_are_retried_and_refund_the_bucket() -> None:
    script = Script(httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), ok({"a": 1}))
    client, _ = make_client(script)
    assert await client.execute(QUERY) == {"a": 1}
    assert len(script.requests) == 3
    assert client.bucket.in_flight == 0


async def test_connection_errors_exhaust_to_unavailable() -> None:
    script = Script(httpx.ConnectError("refused"))
    client, _ = make_client(script)
    with pytest.raises(ShopifyUnavailableError) as info:
        await client.execute(QUERY)
    assert isinstance(info.value.__cause__, httpx.ConnectError)


async def test_graphql_internal_server_error_is_retried() -> None:
    body = {
        "errors": [{"message": "Internal error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]
    }
    script = Script(httpx.Response(200, json=body), ok({"a": 1}))
    client, _ = make_client(script)
    assert await client.execute(QUERY) == {"a": 1}


# -- permanent failures ----------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_errors_are_not_retried(status: int) -> None:
    script = Script(
        httpx.Response(status, json={"errors": "[API] Invalid API key or access token"})
    )
    client, _ = make_client(script)
    with pytest.raises(ShopifyAuthError) as info:
        await client.execute(QUERY)
    assert len(script.requests) == 1
    assert info.value.status == status
    assert not info.value.transient
    assert TOKEN not in str(info.value)


async def test_access_denied_is_an_auth_error() -> None:
    body = {
        "data": {"dispute": None},
        "errors": [{"message": "Access denied", "extensions": {"code": "ACCESS_DENIED"}}],
    }
    script = Script(httpx.Response(200, json=body))
    client, _ = make_client(script)
    with pytest.raises(ShopifyAuthError):
        await client.execute(QUERY)


async def test_graphql_errors_are_not_retried() -> None:
    body = {
        "errors": [
            {"message": "Field 'nope' doesn't exist on type 'Shop'", "locations": []},
            {"message": "Variable $id is required"},
        ]
    }
    script = Script(httpx.Response(200, json=body))
    client, _ = make_client(script)
    with pytest.raises(ShopifyGraphQLError) as info:
        await client.execute(QUERY)
    assert len(script.requests) == 1
    assert info.value.messages == (
        "Field 'nope' doesn't exist on type 'Shop'",
        "Variable $id is required",
    )
    assert info.value.operation == "CasebridgeShop"
    assert "doesn't exist" in str(info.value)


async def test_other_4xx_is_permanent() -> None:
    script = Script(httpx.Response(404, json={"errors": "Not Found"}))
    client, _ = make_client(script)
    with pytest.raises(ShopifyGraphQLError) as info:
        await client.execute(QUERY)
    assert info.value.status == 404
    assert len(script.requests) == 1


# -- secrecy ---------------------------------------------------------------------------------


async def test_token_never_appears_in_repr_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    script = Script(
        httpx.Response(502),
        throttled(200, available=0, requested=10),
        ok({"a": 1}),
    )
    client, _ = make_client(script)
    await client.execute(QUERY)
    cfg = client.config
    for text in (repr(cfg), str(cfg), repr(client), str(cfg.model_dump()), caplog.text):
        assert TOKEN not in text
    assert "**********" in repr(cfg)


# -- cost estimation -------------------------------------------------------------------------


def test_static_cost_estimate() -> None:
    assert estimate_query_cost("query { shop { id } }") == 1
    connection = "query Q($n: Int!) { orders(first: $n) { nodes { id } pageInfo { hasNextPage } } }"
    assert estimate_query_cost(connection, {"n": 10}) == 12
    edges = "query { orders(first: 5) { edges { cursor node { id customer { id } } } } }"
    assert estimate_query_cost(edges) == 2 + 5 * 2
    assert estimate_query_cost("mutation M { tagsAdd(id: 1, tags: []) { node { id } } }") == 10
    assert (
        estimate_query_cost("query { a(first: 250) { nodes { b(first: 250) { nodes { id } } } } }")
        == 1000
    )
    assert estimate_query_cost("not graphql {") == 10


class FakeShopifyBucket:
    """Shopify's side of the bucket, on the fake clock: admits on requested cost."""

    def __init__(self, clock: FakeClock, *, maximum: float, rate: float, cost: float) -> None:
        self.clock = clock
        self.maximum, self.rate, self.cost = maximum, rate, cost
        self.available = maximum
        self.stamp = clock()
        self.throttled = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        now = self.clock()
        self.available = min(self.maximum, self.available + (now - self.stamp) * self.rate)
        self.stamp = now
        status = {"maximum": self.maximum, "rate": self.rate}
        if self.available < self.cost:
            self.throttled += 1
            return throttled(200, available=self.available, requested=self.cost, **status)
        actual = self.cost / 2
        self.available -= actual  # debit requested, refund the rest at once
        return ok({"a": 1}, requested=self.cost, actual=actual, available=self.available, **status)


async def test_concurrent_callers_are_paced_without_being_throttled() -> None:
    import asyncio

    clock = FakeClock()
    shopify = FakeShopifyBucket(clock, maximum=100, rate=10, cost=30)
    client, _ = make_client(Script(shopify), clock)
    # Defaults assume a 1000-point bucket: only the probe keeps the burst in check.
    results = await asyncio.gather(*(client.execute(QUERY) for _ in range(20)))
    assert results == [{"a": 1}] * 20
    assert shopify.throttled == 0
    assert client.stats.throttled == 0
    # 20 x 15 actual points from a 100-point bucket at 10/s: at least 20 s of pacing.
    assert clock.now - 1000.0 >= 19


async def test_cancelled_call_does_not_leak_its_reservation() -> None:
    import asyncio

    started = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    clock = FakeClock()
    client = ShopifyAdminClient(
        config(), transport=httpx.MockTransport(hang), clock=clock, sleep=clock.sleep
    )
    task = asyncio.ensure_future(client.execute(QUERY))
    await started.wait()
    assert client.bucket.in_flight > 0
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert client.bucket.in_flight == 0
    assert client.stats.failures == 1
