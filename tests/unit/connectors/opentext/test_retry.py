"""Which failures are retried, how long the client waits, and what it raises."""

from __future__ import annotations

import httpx
import pytest

from connectors.opentext import (
    OpenTextNotFoundError,
    OpenTextRequestError,
    OpenTextUnavailableError,
)
from connectors.opentext.client import OpenTextClient
from tests.unit.connectors.opentext.fake_service import (
    FakeOpenText,
    RecordingSleep,
    make_client,
    make_config,
)

START_PATH = "/workflow/v1/process-instances"
CREATED = httpx.Response(201, json={"id": "pi-1", "businessKey": "case-1"})


def _unavailable(status: int = 503, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"message": "Service Unavailable"}, headers=headers)


async def test_503_then_201_is_retried() -> None:
    fake = FakeOpenText()
    fake.on("POST", START_PATH, _unavailable(), CREATED)
    sleep = RecordingSleep()
    async with make_client(fake, sleep) as client:
        instance = await client.start_process_instance("orderReview", "case-1", {"a": 1})
    assert instance.id == "pi-1"
    assert len(fake.api_requests("POST", START_PATH)) == 2
    assert sleep.delays == [pytest.approx(0.1)]


async def test_backoff_grows_exponentially() -> None:
    fake = FakeOpenText()
    fake.on("POST", START_PATH, _unavailable(500), _unavailable(502), _unavailable(504), CREATED)
    sleep = RecordingSleep()
    async with make_client(fake, sleep) as client:
        await client.start_process_instance("orderReview", "case-1")
    assert sleep.delays == [pytest.approx(0.1), pytest.approx(0.2), pytest.approx(0.4)]


async def test_429_retry_after_is_honoured() -> None:
    fake = FakeOpenText()
    fake.on("POST", START_PATH, _unavailable(429, **{"Retry-After": "7"}), CREATED)
    sleep = RecordingSleep()
    async with make_client(fake, sleep) as client:
        await client.start_process_instance("orderReview", "case-1")
    assert sleep.delays == [pytest.approx(7.0)]


async def test_retry_after_is_capped_by_policy() -> None:
    fake = FakeOpenText()
    fake.on("POST", START_PATH, _unavailable(503, **{"Retry-After": "3600"}), CREATED)
    sleep = RecordingSleep()
    async with make_client(fake, sleep) as client:
        await client.start_process_instance("orderReview", "case-1")
    assert sleep.delays == [pytest.approx(30.0)]


async def test_400_is_not_retried_and_explains_itself() -> None:
    fake = FakeOpenText()
    long_details = "x" * 2000
    fake.on(
        "POST",
        START_PATH,
        httpx.Response(
            400,
            json={
                "message": "Bad request",
                "exception": "FlowableIllegalArgumentException",
                "details": long_details,
            },
        ),
    )
    sleep = RecordingSleep()
    async with make_client(fake, sleep) as client:
        with pytest.raises(OpenTextRequestError) as info:
            await client.start_process_instance("nope", "case-1")
    error = info.value
    assert error.status == 400
    assert error.attempts == 1
    assert error.endpoint == "POST /process-instances"
    assert error.error_class == "FlowableIllegalArgumentException"
    assert error.message.startswith("Bad request")
    assert len(error.body_excerpt) == 500
    assert error.body_excerpt.startswith('{"message":"Bad request"')
    assert sleep.delays == []
    assert len(fake.api_requests()) == 1
    headers = error.dlq_headers()
    assert headers["error.status"] == "400"
    assert headers["error.attempts"] == "1"
    assert headers["error.class"] == "FlowableIllegalArgumentException"
    assert all(len(value) <= 500 for value in headers.values())


async def test_4xx_after_retries_reports_all_attempts() -> None:
    fake = FakeOpenText()
    fake.on("POST", START_PATH, _unavailable(503), httpx.Response(409, text="conflict"))
    async with make_client(fake) as client:
        with pytest.raises(OpenTextRequestError) as info:
            await client.start_process_instance("k", "case-1")
    assert info.value.status == 409
    assert info.value.attempts == 2
    assert info.value.error_class == "http_409"
    assert info.value.body_excerpt == "conflict"


async def test_404_is_not_found_error() -> None:
    fake = FakeOpenText()
    fake.on(
        "GET",
        "/workflow/v1/process-instances/missing",
        httpx.Response(404, json={"fault": {"faultstring": "Resource not found"}}),
    )
    async with make_client(fake) as client:
        with pytest.raises(OpenTextNotFoundError, match="Resource not found"):
            await client.get_process_instance("missing")


async def test_retries_exhausted_raise_unavailable() -> None:
    fake = FakeOpenText()
    fake.on("POST", START_PATH, _unavailable(503))
    sleep = RecordingSleep()
    async with make_client(fake, sleep) as client:
        with pytest.raises(OpenTextUnavailableError) as info:
            await client.start_process_instance("k", "case-1")
    assert info.value.status == 503
    assert info.value.attempts == 4
    assert info.value.endpoint == "POST /process-instances"
    assert len(fake.api_requests()) == 4
    assert len(sleep.delays) == 3


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("eof")],
)
async def test_transport_errors_are_retried(exc: Exception) -> None:
    fake = FakeOpenText()
    calls = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise exc
        return httpx.Response(201, json={"id": "pi-1"})

    fake.on("POST", START_PATH, flaky)
    sleep = RecordingSleep()
    async with make_client(fake, sleep) as client:
        instance = await client.start_process_instance("k", "case-1")
    assert instance.id == "pi-1"
    assert instance.business_key == "case-1"  # filled in from the request
    assert len(calls) == 2
    assert len(sleep.delays) == 1


async def test_connection_errors_exhausted_have_no_status() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    fake = FakeOpenText()
    fake.on("GET", "/workflow/v1/process-instances/pi-1", down)
    async with make_client(fake) as client:
        with pytest.raises(OpenTextUnavailableError) as info:
            await client.get_process_instance("pi-1")
    assert info.value.status is None
    assert info.value.attempts == 4


async def test_on_response_hook_gets_endpoint_templates() -> None:
    seen: list[tuple[str, int]] = []
    fake = FakeOpenText()
    fake.on("GET", "/workflow/v1/process-instances/pi-1", _unavailable(), CREATED)
    async with OpenTextClient(
        make_config(),
        transport=httpx.MockTransport(fake),
        sleep=RecordingSleep(),
        on_response=lambda endpoint, status, duration: seen.append((endpoint, status)),
    ) as client:
        await client.get_process_instance("pi-1")
    assert seen == [
        ("POST /tenants/{tenant}/oauth2/token", 200),
        ("GET /process-instances/{id}", 503),
        ("GET /process-instances/{id}", 201),
    ]


async def test_broken_hook_does_not_fail_requests() -> None:
    def broken(endpoint: str, status: int, duration: float) -> None:
        raise RuntimeError("metrics down")

    fake = FakeOpenText()
    fake.on("GET", "/workflow/v1/process-instances/pi-1", CREATED)
    async with OpenTextClient(
        make_config(), transport=httpx.MockTransport(fake), on_response=broken
    ) as client:
        assert (await client.get_process_instance("pi-1")).id == "pi-1"


async def test_path_parameters_are_escaped() -> None:
    fake = FakeOpenText()
    async with make_client(fake) as client:
        with pytest.raises(OpenTextNotFoundError):
            await client.get_process_instance("a/../b")
    (request,) = fake.api_requests()
    assert request.url.raw_path.startswith(b"/workflow/v1/process-instances/a%2F..%2Fb")
