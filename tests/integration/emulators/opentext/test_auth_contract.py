"""Token endpoint and bearer checks over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from emulators.opentext import RunningEmulator
from tests.integration.emulators.opentext.support import (
    CLIENT_ID,
    CLIENT_SECRET,
    TENANT,
    StartEmulator,
    fetch_token,
)

pytestmark = pytest.mark.integration


async def test_json_and_form_token_bodies(emulator: RunningEmulator) -> None:
    async with httpx.AsyncClient(base_url=emulator.base_url) as http:
        form = await http.post(
            f"/tenants/{TENANT}/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            },
        )
        assert form.status_code == 200
        body = form.json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 3600
        assert body["scope"]
        token = await fetch_token(http)
        ok = await http.get("/workflow/v1/tasks", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
        basic = await http.post(
            f"/tenants/{TENANT}/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(CLIENT_ID, CLIENT_SECRET),
        )
        assert basic.status_code == 200


async def test_wrong_secret_is_401_invalid_client(emulator: RunningEmulator) -> None:
    async with httpx.AsyncClient(base_url=emulator.base_url) as http:
        response = await http.post(
            f"/tenants/{TENANT}/oauth2/token",
            json={
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": "wrong",
            },
        )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.json()["error_description"]


async def test_bad_token_bodies_are_4xx(emulator: RunningEmulator) -> None:
    async with httpx.AsyncClient(base_url=emulator.base_url) as http:
        bad_json = await http.post(
            f"/tenants/{TENANT}/oauth2/token",
            content=b"{not json",
            headers={"Content-Type": "application/json"},
        )
        no_grant = await http.post(f"/tenants/{TENANT}/oauth2/token", json={})
    assert bad_json.status_code == 400 and bad_json.json()["error"] == "invalid_request"
    assert no_grant.status_code == 400


async def test_calls_need_a_bearer_token(emulator: RunningEmulator) -> None:
    async with httpx.AsyncClient(base_url=emulator.base_url) as http:
        missing = await http.get("/workflow/v1/process-instances")
        unknown = await http.get(
            "/workflow-history/v1/historic-process-instances",
            headers={"Authorization": "Bearer nope"},
        )
    assert missing.status_code == 401 and unknown.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert "message" in missing.json()


async def test_expired_token_is_401(
    start_emulator: StartEmulator,
) -> None:
    emulator = await start_emulator(token_ttl_seconds=30)
    async with httpx.AsyncClient(base_url=emulator.base_url) as http:
        token = await fetch_token(http)
        headers = {"Authorization": f"Bearer {token}"}
        assert (await http.get("/workflow/v1/tasks", headers=headers)).status_code == 200
        moved = await http.post("/_emulator/clock", json={"advance_seconds": 31})
        assert moved.status_code == 200
        expired = await http.get("/workflow/v1/tasks", headers=headers)
        assert expired.status_code == 401
        assert "expired" in expired.json()["message"]
        fresh = await fetch_token(http)
        again = await http.get("/workflow/v1/tasks", headers={"Authorization": f"Bearer {fresh}"})
        assert again.status_code == 200
