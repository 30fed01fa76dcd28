"""Auto decisions and the HttpTask-style callback, over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web

from emulators.opentext import RunningEmulator, verify_signature
from tests.integration.emulators.opentext.support import (
    StartEmulator,
    complete,
    fetch_token,
    open_tasks,
    start_case,
)

pytestmark = pytest.mark.integration

SECRET = "callback-secret"


class Receiver:
    """A callback endpoint that records requests and can fail the first ones."""

    def __init__(self, fail_first: int = 0) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.fail_first = fail_first
        self.arrived = asyncio.Event()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.read()))
        if len(self.requests) <= self.fail_first:
            return web.Response(status=503)
        self.arrived.set()
        return web.Response(status=204)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    target = Receiver(fail_first=1)
    app = web.Application()
    app.router.add_post("/callbacks/opentext", target.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    target.url = f"http://127.0.0.1:{runner.addresses[0][1]}/callbacks/opentext"
    yield target
    await runner.cleanup()


@contextlib.asynccontextmanager
async def _client(served: RunningEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=served.base_url, timeout=10) as http:
        http.headers["Authorization"] = f"Bearer {await fetch_token(http)}"
        yield http


async def test_callback_is_signed_and_retried(
    start_emulator: StartEmulator, receiver: Receiver
) -> None:
    served = await start_emulator(
        callback={
            "url": receiver.url,
            "auth": "hmac",
            "hmac_secret": SECRET,
            "backoff_seconds": 0.05,
        }
    )
    async with _client(served) as client:
        case = await start_case(
            client,
            business_key="cb-1",
            variables=[{"name": "orderTotal", "type": "double", "value": 10.0}],
        )
        (task,) = await open_tasks(client, processInstanceId=case["id"])
        await complete(client, task["id"], "approved")
        await asyncio.wait_for(receiver.arrived.wait(), timeout=5)
        state = (await client.get("/_emulator/state")).json()

    assert len(receiver.requests) == 2  # one 503, then delivered
    headers, raw = receiver.requests[-1]
    assert verify_signature(raw, SECRET, headers["X-Casebridge-Signature"])
    assert not verify_signature(raw, "other", headers["X-Casebridge-Signature"])
    assert receiver.requests[0][0]["X-Casebridge-Delivery"] == headers["X-Casebridge-Delivery"]
    payload: dict[str, Any] = json.loads(raw)
    assert payload["processInstanceId"] == case["id"]
    assert payload["businessKey"] == "cb-1"
    assert payload["taskId"] == task["id"]
    assert payload["outcome"] == "approved"
    assert payload["completedAt"].endswith("Z")
    assert {v["name"] for v in payload["variables"]} >= {"orderTotal", "approvalStatus"}
    (delivery,) = state["callbacks"]
    assert delivery["status"] == "delivered" and delivery["attempts"] == 2


async def test_bearer_callback_for_each_task(
    start_emulator: StartEmulator, receiver: Receiver
) -> None:
    receiver.fail_first = 0
    served = await start_emulator(
        callback={
            "url": receiver.url,
            "auth": "bearer",
            "bearer_token": "cb-token",
            "events": "task_complete",
        }
    )
    async with _client(served) as client:
        case = await start_case(client, "casebridge.high_value_review")
        (sales,) = await open_tasks(client, processInstanceId=case["id"])
        await complete(client, sales["id"], "approved")
        for _ in range(50):
            if receiver.requests:
                break
            await asyncio.sleep(0.05)
    headers, raw = receiver.requests[0]
    assert headers["Authorization"] == "Bearer cb-token"
    body = json.loads(raw)
    assert body["event"] == "task.completed" and body["instanceEnded"] is False


async def test_auto_decisions_by_rule(
    start_emulator: StartEmulator,
) -> None:
    served = await start_emulator(
        decisions={
            "mode": "auto",
            "delay_seconds": 30,
            "tick_seconds": 0.02,
            "policies": {
                "casebridge.order_review": {
                    "rules": [
                        {"variable": "orderTotal", "op": "gt", "value": 1000, "outcome": "rejected"}
                    ],
                    "weights": {"approved": 1},
                }
            },
        }
    )
    async with _client(served) as client:
        big = await start_case(
            client, variables=[{"name": "orderTotal", "type": "double", "value": 5000}]
        )
        small = await start_case(
            client, variables=[{"name": "orderTotal", "type": "double", "value": 5}]
        )
        await asyncio.sleep(0.1)
        assert len(await open_tasks(client)) == 2  # not due yet
        await client.post("/_emulator/clock", json={"advance_seconds": 31})
        for _ in range(100):
            if not await open_tasks(client):
                break
            await asyncio.sleep(0.02)
        history = await client.get(
            "/workflow-history/v1/historic-process-instances",
            params={"finished": "true", "includeProcessVariables": "true"},
        )
    outcomes = {
        item["id"]: {v["name"]: v["value"] for v in item["variables"]}["approvalStatus"]
        for item in history.json()["_embedded"]["historic-process-instances"]
    }
    assert outcomes == {big["id"]: "rejected", small["id"]: "approved"}


async def test_unreachable_callback_gives_up_after_max_attempts(
    start_emulator: StartEmulator,
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    served = await start_emulator(
        callback={
            "url": f"http://127.0.0.1:{closed_port}/cb",
            "max_attempts": 3,
            "backoff_seconds": 0.01,
        }
    )
    async with _client(served) as client:
        case = await start_case(client)
        (task,) = await open_tasks(client, processInstanceId=case["id"])
        assert (await complete(client, task["id"], "approved")).status_code == 200
        for _ in range(100):
            deliveries = (await client.get("/_emulator/state")).json()["callbacks"]
            if deliveries and deliveries[0]["status"] != "pending":
                break
            await asyncio.sleep(0.02)
    (delivery,) = deliveries
    assert delivery["status"] == "failed" and delivery["attempts"] == 3
    assert delivery["lastError"]
