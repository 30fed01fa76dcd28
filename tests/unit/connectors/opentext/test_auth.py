"""Token fetching, caching, refresh on 401, body formats and secrecy."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from connectors.opentext import OpenTextAuthError, OpenTextUnavailableError
from connectors.opentext.auth import TokenProvider
from tests.unit.connectors.opentext.fake_service import (
    SECRET,
    FakeOpenText,
    RecordingSleep,
    body_of,
    make_client,
    make_config,
)

INSTANCE_PATH = "/workflow/v1/process-instances/pi-1"
INSTANCE = {"id": "pi-1", "businessKey": "case-1"}


def _fake_with_instance() -> FakeOpenText:
    fake = FakeOpenText()
    fake.on("GET", INSTANCE_PATH, httpx.Response(200, json=INSTANCE))
    return fake


async def test_token_is_cached_and_reused() -> None:
    fake = _fake_with_instance()
    async with make_client(fake) as client:
        for _ in range(5):
            await client.get_process_instance("pi-1")
    assert len(fake.token_requests) == 1
    assert {r.headers["Authorization"] for r in fake.requests} == {"Bearer tok-1"}


async def test_token_refreshed_shortly_before_expiry() -> None:
    now = [1000.0]
    config = make_config(token_refresh_margin_s=60)
    fake = FakeOpenText(expires_in=600)
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake)) as http:
        tokens = TokenProvider(config, http, clock=lambda: now[0])
        assert await tokens.token() == "tok-1"
        now[0] += 539  # still inside expires_in - margin
        assert await tokens.token() == "tok-1"
        now[0] += 2  # past expires_in - margin: refresh before the server refuses it
        assert await tokens.token() == "tok-2"
    assert tokens.fetch_count == 2


async def test_concurrent_callers_share_one_refresh() -> None:
    fake = _fake_with_instance()
    async with make_client(fake) as client:
        await asyncio.gather(*(client.get_process_instance("pi-1") for _ in range(20)))
    assert len(fake.token_requests) == 1


async def test_401_triggers_exactly_one_refresh_and_one_retry() -> None:
    fake = _fake_with_instance()
    async with make_client(fake) as client:
        await client.get_process_instance("pi-1")
        fake.revoke_all()
        instance = await client.get_process_instance("pi-1")
    assert instance.id == "pi-1"
    assert len(fake.token_requests) == 2
    auths = [r.headers["Authorization"] for r in fake.requests]
    assert auths == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


async def test_second_401_raises_auth_error() -> None:
    fake = FakeOpenText()
    fake.on("GET", INSTANCE_PATH, httpx.Response(401, json={"message": "Unauthorized"}))
    sleep = RecordingSleep()
    async with make_client(fake, sleep) as client:
        with pytest.raises(OpenTextAuthError) as info:
            await client.get_process_instance("pi-1")
    assert info.value.status == 401
    assert len(fake.token_requests) == 2  # one initial token, one refresh, no more
    assert len(fake.api_requests()) == 2
    assert sleep.delays == []  # a refresh is not a backoff


async def test_concurrent_401s_with_same_stale_token_refresh_once() -> None:
    fake = _fake_with_instance()
    async with make_client(fake) as client:
        await client.get_process_instance("pi-1")
        fake.revoke_all()
        await asyncio.gather(*(client.get_process_instance("pi-1") for _ in range(10)))
    assert len(fake.token_requests) == 2


@pytest.mark.parametrize("fmt", ["json", "form"])
async def test_token_body_format(fmt: str) -> None:
    fake = _fake_with_instance()
    async with make_client(fake, token_body_format=fmt) as client:
        await client.get_process_instance("pi-1")
    (request,) = fake.token_requests
    assert request.url.path == "/tenants/acme/oauth2/token"
    content_type = request.headers["content-type"]
    if fmt == "json":
        assert content_type.startswith("application/json")
        fields = body_of(request)
    else:
        assert content_type.startswith("application/x-www-form-urlencoded")
        fields = dict(httpx.QueryParams(request.content.decode()))
    assert fields == {
        "grant_type": "client_credentials",
        "client_id": "casebridge",
        "client_secret": SECRET,
    }


async def test_bad_credentials_raise_auth_error_without_retry() -> None:
    fake = _fake_with_instance()
    sleep = RecordingSleep()
    async with make_client(fake, sleep, client_secret="wrong") as client:
        with pytest.raises(OpenTextAuthError) as info:
            await client.get_process_instance("pi-1")
    assert info.value.status == 401
    assert "invalid_client" in str(info.value)
    assert "wrong" not in str(info.value)
    assert len(fake.token_requests) == 1
    assert sleep.delays == []


async def test_token_endpoint_outage_is_retried_by_the_client() -> None:
    fake = _fake_with_instance()
    fake.token_status = [503, 503]
    sleep = RecordingSleep()
    async with make_client(fake, sleep) as client:
        await client.get_process_instance("pi-1")
    assert len(fake.token_requests) == 3
    assert len(sleep.delays) == 2


async def test_token_endpoint_outage_exhausts_retries() -> None:
    fake = _fake_with_instance()
    fake.token_status = [503] * 10
    async with make_client(fake) as client:
        with pytest.raises(OpenTextUnavailableError) as info:
            await client.get_process_instance("pi-1")
    assert info.value.attempts == 4
    assert fake.api_requests() == []


async def test_missing_access_token_is_auth_error() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"token_type": "Bearer"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        with pytest.raises(OpenTextAuthError, match="no access_token"):
            await TokenProvider(make_config(), http).token()


async def test_secret_and_token_never_in_repr_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    config = make_config()
    fake = _fake_with_instance()
    async with make_client(fake) as client:
        await client.get_process_instance("pi-1")
        texts = [
            repr(config),
            str(config),
            config.model_dump_json(),
            repr(client),
            repr(client.tokens),
            caplog.text,
        ]
    for text in texts:
        assert SECRET not in text
        assert "tok-1" not in text
    assert config.client_secret.get_secret_value() == SECRET
