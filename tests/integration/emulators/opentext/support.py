"""Helpers for the emulator contract tests: credentials and common API calls."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from emulators.opentext import RunningEmulator

# The start_emulator fixture: config overrides in, a served emulator out.
StartEmulator = Callable[..., Awaitable[RunningEmulator]]

TENANT = "casebridge-dev"
CLIENT_ID = "casebridge"
CLIENT_SECRET = "casebridge-secret"


async def fetch_token(client: httpx.AsyncClient) -> str:
    """A token by the JSON body the tutorial uses."""
    response = await client.post(
        f"/tenants/{TENANT}/oauth2/token",
        json={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def start_case(
    client: httpx.AsyncClient,
    key: str = "casebridge.order_review",
    business_key: str | None = None,
    variables: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Start an instance and return its body."""
    body: dict[str, Any] = {"processDefinitionKey": key, "returnVariables": True}
    if business_key is not None:
        body["businessKey"] = business_key
    if variables is not None:
        body["variables"] = variables
    response = await client.post("/workflow/v1/process-instances", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def open_tasks(client: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    """Open tasks matching ``params``."""
    response = await client.get("/workflow/v1/tasks", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["_embedded"]["tasks"])


async def complete(
    client: httpx.AsyncClient, task_id: str, outcome: str, **extra: Any
) -> httpx.Response:
    """Complete a task with ``outcome``."""
    return await client.post(
        f"/workflow/v1/tasks/{task_id}", json={"action": "complete", "outcome": outcome, **extra}
    )
