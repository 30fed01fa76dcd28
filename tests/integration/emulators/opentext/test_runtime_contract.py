"""Runtime API contract: start, list, variables, tasks, suspension, errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.emulators.opentext.support import (
    complete,
    open_tasks,
    start_case,
)

pytestmark = pytest.mark.integration


async def test_start_with_variables_and_find_by_business_key(client: httpx.AsyncClient) -> None:
    variables: list[dict[str, Any]] = [
        {"name": "orderTotal", "type": "double", "value": 1234.5, "scope": "local"},
        {"name": "shop", "type": "string", "value": "demo.myshopify.com"},
        {"name": "flags", "type": "json", "value": {"risk": "HIGH"}},
    ]
    started = await start_case(client, business_key="case-abc", variables=variables)
    await start_case(client, business_key="case-other")
    assert started["businessKey"] == "case-abc"
    assert started["processDefinitionName"] == "Order review"
    key, version, _ = started["processDefinitionId"].split(":")
    assert (key, version) == ("casebridge.order_review", "1")
    assert started["ended"] is False and started["suspended"] is False
    assert started["tenantId"] == "casebridge-dev" and started["subscriptionId"]
    assert started["startTime"].endswith("Z") and started["startUserId"]
    assert {v["name"] for v in started["variables"]} == {"orderTotal", "shop", "flags"}
    assert started["links"]

    listed = await client.get("/workflow/v1/process-instances", params={"businessKey": "case-abc"})
    body = listed.json()
    assert body["page"]["totalElements"] == 1
    assert [i["id"] for i in body["_embedded"]["process-instances"]] == [started["id"]]

    one = await client.get(
        f"/workflow/v1/process-instances/{started['id']}",
        params={"includeProcessVariables": "true"},
    )
    assert one.status_code == 200
    values = {v["name"]: v["value"] for v in one.json()["variables"]}
    assert values["flags"] == {"risk": "HIGH"}


async def test_models_lookup(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/workflow/v1/runtime/models",
        params={"key": "casebridge.high_value_review", "latestVersion": "true"},
    )
    (model,) = response.json()["_embedded"]["models"]
    assert model["key"] == "casebridge.high_value_review"
    assert model["version"] == 1 and model["name"] and model["id"].startswith(model["key"] + ":")
    all_models = await client.get("/workflow/v1/runtime/models")
    assert all_models.json()["page"]["totalElements"] == 8


async def test_start_by_definition_id_and_message(client: httpx.AsyncClient) -> None:
    models = await client.get(
        "/workflow/v1/runtime/models", params={"key": "casebridge.chargeback"}
    )
    definition_id = models.json()["_embedded"]["models"][0]["id"]
    by_id = await client.post(
        "/workflow/v1/process-instances", json={"processDefinitionId": definition_id}
    )
    assert by_id.status_code == 201
    by_message = await client.post(
        "/workflow/v1/process-instances", json={"message": "casebridge.offline_order.start"}
    )
    assert by_message.status_code == 201
    assert by_message.json()["processDefinitionKey"] == "casebridge.offline_order"


async def test_tasks_by_candidate_group_claim_and_complete(client: httpx.AsyncClient) -> None:
    returns = await start_case(client, "casebridge.return_review", business_key="ret-1")
    await start_case(client, "casebridge.content_review", business_key="content-1")
    warehouse = await open_tasks(client, candidateGroup="warehouse")
    assert [t["processInstanceId"] for t in warehouse] == [returns["id"]]
    assert "warehouse" in warehouse[0]["candidateGroups"]
    assert len(await open_tasks(client, candidateGroup="legal")) == 1
    by_key = await open_tasks(client, processInstanceBusinessKey="ret-1")
    assert [t["id"] for t in by_key] == [warehouse[0]["id"]]

    task_id = warehouse[0]["id"]
    claim = await client.post(
        f"/workflow/v1/tasks/{task_id}", json={"action": "claim", "assignee": "ann@shop.test"}
    )
    assert claim.status_code == 200
    assert [t["id"] for t in await open_tasks(client, assignee="ann@shop.test")] == [task_id]
    other = await client.post(
        f"/workflow/v1/tasks/{task_id}", json={"action": "claim", "assignee": "bob@shop.test"}
    )
    assert other.status_code == 409

    done = await complete(
        client,
        task_id,
        "approved",
        variables=[{"name": "refund", "type": "boolean", "value": True}],
    )
    assert done.status_code in (200, 204)
    again = await complete(client, task_id, "approved")
    assert 400 <= again.status_code < 500 and "message" in again.json()
    assert await open_tasks(client, candidateGroup="warehouse") == []
    gone = await client.get(f"/workflow/v1/process-instances/{returns['id']}")
    assert gone.status_code == 404


async def test_suspended_instance_task_cannot_complete(client: httpx.AsyncClient) -> None:
    case = await start_case(client, business_key="susp-1")
    url = f"/workflow/v1/process-instances/{case['id']}"
    suspended = await client.put(url, json={"action": "suspend"})
    assert suspended.status_code == 200 and suspended.json()["suspended"] is True
    (task,) = await open_tasks(client, processInstanceId=case["id"])
    refused = await complete(client, task["id"], "approved")
    assert refused.status_code == 409 and "suspended" in refused.json()["message"]
    assert (await client.put(url, json={"action": "activate"})).status_code == 200
    assert (await complete(client, task["id"], "approved")).status_code == 200


async def test_variables_endpoints(client: httpx.AsyncClient) -> None:
    case = await start_case(client, variables=[{"name": "a", "type": "integer", "value": 1}])
    url = f"/workflow/v1/process-instances/{case['id']}/variables"
    created = await client.post(url, json=[{"name": "b", "type": "string", "value": "x"}])
    assert created.status_code == 201
    put = await client.put(f"{url}/a", json={"type": "long", "value": 2**40})
    assert put.status_code == 200 and put.json()["value"] == 2**40
    listed = await client.get(url)
    body = listed.json()
    assert {v["name"]: v["value"] for v in body["_embedded"]["variables"]} == {"a": 2**40, "b": "x"}
    assert (await client.get(f"{url}/missing")).status_code == 404
    bad = await client.put(f"{url}/a", json={"type": "integer", "value": "one"})
    assert bad.status_code == 400


async def test_terminate(client: httpx.AsyncClient) -> None:
    case = await start_case(client, business_key="term-1")
    deleted = await client.delete(
        f"/workflow/v1/process-instances/{case['id']}", params={"deleteReason": "duplicate"}
    )
    assert deleted.status_code == 204
    history = await client.get(f"/workflow-history/v1/historic-process-instances/{case['id']}")
    assert history.json()["deleteReason"] == "duplicate"
    assert history.json()["endTime"] is not None
    assert await open_tasks(client, processInstanceId=case["id"]) == []


def _error_body(response: httpx.Response) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, response.text
    body = response.json()
    assert "message" in body and "exception" in body
    assert "Traceback" not in response.text
    return dict(body)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 400),
        ({"businessKey": "x"}, 400),
        ({"processDefinitionKey": "a", "message": "b"}, 400),
        ({"processDefinitionKey": "unknown.model"}, 404),
        ({"processDefinitionKey": 5}, 400),
        (
            {
                "processDefinitionKey": "casebridge.order_review",
                "variables": [{"name": "orderTotal", "type": "integer", "value": "lots"}],
            },
            400,
        ),
        ({"processDefinitionKey": "casebridge.order_review", "variables": {"a": 1}}, 400),
        ([1, 2], 400),
    ],
)
async def test_invalid_start_requests(client: httpx.AsyncClient, body: object, status: int) -> None:
    response = await client.post("/workflow/v1/process-instances", json=body)
    assert response.status_code == status
    _error_body(response)


async def test_malformed_requests_never_500(client: httpx.AsyncClient) -> None:
    bad_json = await client.post(
        "/workflow/v1/process-instances",
        content=b'{"processDefinitionKey": ',
        headers={"Content-Type": "application/json"},
    )
    _error_body(bad_json)
    unknown_instance = await client.get("/workflow/v1/process-instances/not-an-id")
    assert unknown_instance.status_code == 404
    _error_body(unknown_instance)
    _error_body(await client.get("/workflow/v1/tasks/not-an-id"))
    _error_body(await client.post("/workflow/v1/tasks/not-an-id", json={"action": "complete"}))
    _error_body(await client.get("/workflow-history/v1/historic-process-instances/nope"))
    _error_body(await client.get("/workflow/v1/process-instances", params={"count": "x"}))
    _error_body(await client.get("/workflow/v1/tasks", params={"sort": "bogus"}))
    _error_body(
        await client.get(
            "/workflow-history/v1/historic-process-instances", params={"finishedAfter": "soon"}
        )
    )
    _error_body(await client.put("/workflow/v1/process-instances/x", json={"action": "pause"}))
    _error_body(await client.get("/workflow/v1/no-such-path"))
    _error_body(await client.patch("/workflow/v1/process-instances"))
    case = await start_case(client)
    (task,) = await open_tasks(client, processInstanceId=case["id"])
    _error_body(await client.post(f"/workflow/v1/tasks/{task['id']}", json={"action": "fly"}))
    _error_body(await complete(client, task["id"], "maybe"))
    _error_body(await client.post(f"/workflow/v1/tasks/{task['id']}", content=b"[]"))


async def test_hostile_bodies_are_4xx(client: httpx.AsyncClient) -> None:
    nested = await client.post(
        "/workflow/v1/process-instances",
        content=b"[" * 100_000,
        headers={"Content-Type": "application/json"},
    )
    _error_body(nested)
    not_utf8 = await client.post("/workflow/v1/process-instances", content=b"\xff\xfe")
    _error_body(not_utf8)
    too_big = await client.post("/workflow/v1/process-instances", content=b"a" * 5_000_000)
    assert too_big.status_code == 413 and "message" in too_big.json()
