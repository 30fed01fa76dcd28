"""The callback route on a Faust app's web server (aiohttp driver, 127.0.0.1)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import faust
import pytest
from aiohttp.test_utils import TestClient, TestServer

from emulators.opentext import sign
from schemas.records import CaseType
from streams.decisions import CallbackHandler, CallbackResult, install_callback_route

pytestmark = pytest.mark.integration

SECRET = "route-secret"
KEYS = {CaseType.CHARGEBACK: "casebridge.chargeback"}
BODY = {
    "processInstanceId": "pi-1",
    "businessKey": "CHARGEBACK-1",
    "processDefinitionKey": "casebridge.chargeback",
    "taskId": "task-1",
    "outcome": "contested",
    "instanceEnded": True,
    "completedAt": "2026-11-26T12:00:00.000Z",
    "variables": [
        {"name": "shop", "type": "string", "value": "demo.myshopify.com"},
        {"name": "orderId", "type": "string", "value": "1001"},
        {"name": "disputeId", "type": "string", "value": "9"},
    ],
}

# aiohttp's TestClient is generic over request/app types irrelevant here.
Client = Callable[[list[CallbackResult], bool], Any]


@pytest.fixture
async def client_for() -> AsyncIterator[Client]:
    clients: list[Any] = []

    def make(published: list[CallbackResult], fail: bool) -> Any:
        async def publish(result: CallbackResult) -> None:
            if fail:
                raise RuntimeError("broker down")
            published.append(result)

        app = faust.App(f"decisions-route-{uuid.uuid4().hex[:6]}", autodiscover=False)
        install_callback_route(app, CallbackHandler(KEYS, hmac_secrets=[SECRET]), publish=publish)
        driver: Any = app.web  # the aiohttp driver; its web_app is not in faust's stubs
        driver.init_server()
        client = TestClient(TestServer(driver.web_app, host="127.0.0.1"))
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


async def test_signed_callback_is_published_then_acknowledged(client_for: Client) -> None:
    published: list[CallbackResult] = []
    client = client_for(published, False)
    await client.start_server()
    raw = json.dumps(BODY).encode()
    response = await client.post(
        "/callbacks/opentext", data=raw, headers={"X-Casebridge-Signature": sign(raw, SECRET)}
    )
    assert response.status == 200
    assert (await response.json())["decisionId"] == "CHARGEBACK-1:task-1"
    assert [r.decision.decision_id for r in published if r.decision] == ["CHARGEBACK-1:task-1"]


async def test_forged_callback_is_401_and_publishes_nothing(client_for: Client) -> None:
    published: list[CallbackResult] = []
    client = client_for(published, False)
    await client.start_server()
    response = await client.post(
        "/callbacks/opentext",
        data=json.dumps(BODY).encode(),
        headers={"X-Casebridge-Signature": "sha256=" + "0" * 64},
    )
    assert response.status == 401
    assert published == []


async def test_publish_failure_is_503_so_the_sender_retries(client_for: Client) -> None:
    client = client_for([], True)
    await client.start_server()
    raw = json.dumps(BODY).encode()
    response = await client.post(
        "/callbacks/opentext", data=raw, headers={"X-Casebridge-Signature": sign(raw, SECRET)}
    )
    assert response.status == 503
