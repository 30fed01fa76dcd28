"""Admin routes: faults, state, reset."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.emulators.opentext.support import (
    TENANT,
    fetch_token,
    open_tasks,
    start_case,
)

pytestmark = pytest.mark.integration


async def test_outage_answers_503_then_recovers(client: httpx.AsyncClient) -> None:
    response = await client.post("/_emulator/faults", json={"outage_seconds": 20})
    assert response.status_code == 200
    down = await client.get("/workflow/v1/tasks")
    assert down.status_code == 503
    assert down.json()["fault"]["faultstring"]
    assert int(down.headers["Retry-After"]) >= 1
    # The token endpoint is spared unless asked, so clients can still refresh.
    assert await fetch_token(client)
    # Admin routes never fail.
    assert (await client.get("/_emulator/state")).status_code == 200
    await client.post("/_emulator/clock", json={"advance_seconds": 21})
    assert (await client.get("/workflow/v1/tasks")).status_code == 200


async def test_outage_cleared_by_delete(client: httpx.AsyncClient) -> None:
    await client.post("/_emulator/faults", json={"outage_seconds": 600})
    assert (await client.get("/workflow/v1/tasks")).status_code == 503
    cleared = await client.delete("/_emulator/faults")
    assert cleared.status_code == 200 and cleared.json()["outage_until"] is None
    assert (await client.get("/workflow/v1/tasks")).status_code == 200


async def test_rule_fails_only_start_with_400(client: httpx.AsyncClient) -> None:
    await client.post(
        "/_emulator/faults",
        json={"rules": [{"method": "POST", "path": "/process-instances", "status": 400}]},
    )
    failed = await client.post(
        "/workflow/v1/process-instances", json={"processDefinitionKey": "casebridge.order_review"}
    )
    assert failed.status_code == 400 and failed.json()["message"]
    assert (await client.get("/workflow/v1/process-instances")).status_code == 200
    await client.delete("/_emulator/faults")
    await start_case(client)


async def test_rule_scoped_to_one_model(client: httpx.AsyncClient) -> None:
    await client.post(
        "/_emulator/faults",
        json={"rules": [{"model_key": "casebridge.chargeback", "status": 500, "times": 1}]},
    )
    await start_case(client, "casebridge.order_review")
    failed = await client.post(
        "/workflow/v1/process-instances", json={"processDefinitionKey": "casebridge.chargeback"}
    )
    assert failed.status_code == 500 and failed.json()["exception"]
    await start_case(client, "casebridge.chargeback")  # times=1: the next one passes


async def test_error_rate_429_with_retry_after(client: httpx.AsyncClient) -> None:
    await client.post(
        "/_emulator/faults", json={"error_rate": 1.0, "status": 429, "retry_after_seconds": 3}
    )
    limited = await client.get("/workflow/v1/tasks")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
    assert "faultstring" in limited.json()["fault"]


async def test_token_faults_when_asked(client: httpx.AsyncClient) -> None:
    await client.post(
        "/_emulator/faults", json={"error_rate": 1.0, "status": 503, "include_token": True}
    )
    response = await client.post(
        f"/tenants/{TENANT}/oauth2/token",
        json={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"},
    )
    assert response.status_code == 503


async def test_invalid_fault_plan_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/_emulator/faults", json={"error_rate": 3})
    assert response.status_code == 400 and response.json()["details"]
    response = await client.post("/_emulator/faults", json={"status": 418})
    assert response.status_code == 400


async def test_state_and_reset(client: httpx.AsyncClient) -> None:
    case = await start_case(client, "casebridge.high_value_review", business_key="st-1")
    state = (await client.get("/_emulator/state")).json()
    assert state["counts"]["instances"] == 1 and state["counts"]["openTasks"] == 1
    assert state["instances"][0]["id"] == case["id"]
    assert state["counts"]["byModel"] == {
        "casebridge.high_value_review": {"running": 1, "ended": 0}
    }
    assert (await client.post("/_emulator/reset")).status_code == 200
    assert (await client.get("/_emulator/state")).json()["counts"]["instances"] == 0
    # Tokens survive a reset unless asked.
    assert await open_tasks(client) == []
    await client.post("/_emulator/reset", params={"tokens": "true"})
    assert (await client.get("/workflow/v1/tasks")).status_code == 401
