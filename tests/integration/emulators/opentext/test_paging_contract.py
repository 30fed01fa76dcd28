"""HAL paging over HTTP: a long list is walked exactly once in both orders."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.emulators.opentext.support import start_case

pytestmark = pytest.mark.integration


async def _walk(client: httpx.AsyncClient, path: str, key: str, **params: str) -> list[str]:
    seen: list[str] = []
    url: str | None = path
    query: dict[str, str] | None = {"count": "10", **params}
    pages = 0
    while url is not None:
        response = await client.get(url, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [item["id"] for item in body["_embedded"][key]]
        assert body["page"]["totalElements"] == 57
        nxt = body["_links"].get("next")
        # Follow the absolute next link as a HAL client does.
        url, query = (nxt["href"], None) if nxt else (None, None)
        pages += 1
    assert pages == 6
    return seen


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_57_instances_in_pages_of_10(client: httpx.AsyncClient, order: str) -> None:
    started = [
        (await start_case(client, "casebridge.complaint", business_key=f"bk-{n:02d}"))["id"]
        for n in range(57)
    ]
    # startTime ties are many (same millisecond): paging must still be exact.
    seen = await _walk(
        client,
        "/workflow/v1/process-instances",
        "process-instances",
        sort="startTime",
        order=order,
        processDefinitionKey="casebridge.complaint",
    )
    assert len(seen) == 57 and set(seen) == set(started)
    assert seen == (started if order == "asc" else list(reversed(started)))

    tasks = await _walk(client, "/workflow/v1/tasks", "tasks", order=order)
    assert len(set(tasks)) == 57
    history = await _walk(
        client,
        "/workflow-history/v1/historic-process-instances",
        "historic-process-instances",
        order=order,
        sort="businessKey",
    )
    assert len(set(history)) == 57


async def test_offset_beyond_end_is_empty(client: httpx.AsyncClient) -> None:
    await start_case(client)
    response = await client.get("/workflow/v1/process-instances", params={"offset": "50"})
    body = response.json()
    assert body["_embedded"]["process-instances"] == []
    assert body["page"]["totalElements"] == 1
    assert "next" not in body["_links"]
