"""History API contract: outcomes, multi-step approval, time filters."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.emulators.opentext.support import (
    complete,
    open_tasks,
    start_case,
)

pytestmark = pytest.mark.integration

HISTORY = "/workflow-history/v1"


async def test_completed_case_is_finished_with_outcome(client: httpx.AsyncClient) -> None:
    case = await start_case(
        client,
        business_key="case-h1",
        variables=[{"name": "orderTotal", "type": "double", "value": 99.0}],
    )
    (task,) = await open_tasks(client, processInstanceId=case["id"])
    running = await client.get(
        f"{HISTORY}/historic-process-instances",
        params={"businessKey": "case-h1", "finished": "false"},
    )
    assert running.json()["page"]["totalElements"] == 1
    assert (await complete(client, task["id"], "rejected")).status_code == 200

    finished = await client.get(
        f"{HISTORY}/historic-process-instances",
        params={
            "businessKey": "case-h1",
            "finished": "true",
            "processDefinitionKey": "casebridge.order_review",
            "includeProcessVariables": "true",
        },
    )
    (item,) = finished.json()["_embedded"]["historic-process-instances"]
    assert item["endTime"] is not None
    variables = {v["name"]: v["value"] for v in item["variables"]}
    assert variables["approvalStatus"] == "rejected"
    assert variables["orderTotal"] == 99.0

    one = (await client.get(f"{HISTORY}/historic-process-instances/{case['id']}")).json()
    assert one["durationInMillis"] >= 0 and one["endActivityId"]
    assert one["deleteReason"] is None
    assert one["processDefinitionId"].startswith("casebridge.order_review:1:")

    tasks = await client.get(
        f"{HISTORY}/historic-task-instances",
        params={"processBusinessKey": "case-h1", "finished": "true"},
    )
    (historic_task,) = tasks.json()["_embedded"]["historic-task-instances"]
    assert historic_task["outcome"] == "rejected"
    assert historic_task["endTime"] and historic_task["taskDefinitionKey"] == "orderReview"


async def test_high_value_review_has_two_steps(client: httpx.AsyncClient) -> None:
    case = await start_case(client, "casebridge.high_value_review", business_key="hv-1")
    (sales,) = await open_tasks(client, processInstanceId=case["id"])
    assert sales["candidateGroups"] == ["sales"]
    assert await open_tasks(client, candidateGroup="finance") == []
    await complete(client, sales["id"], "approved")

    (finance,) = await open_tasks(client, candidateGroup="finance")
    assert finance["processInstanceId"] == case["id"]
    assert finance["taskDefinitionKey"] != sales["taskDefinitionKey"]
    unfinished = await client.get(
        f"{HISTORY}/historic-process-instances", params={"businessKey": "hv-1", "finished": "true"}
    )
    assert unfinished.json()["page"]["totalElements"] == 0

    await complete(client, finance["id"], "approved")
    done = await client.get(
        f"{HISTORY}/historic-process-instances",
        params={"businessKey": "hv-1", "finished": "true", "includeProcessVariables": "true"},
    )
    (item,) = done.json()["_embedded"]["historic-process-instances"]
    assert {v["name"]: v["value"] for v in item["variables"]}["approvalStatus"] == "approved"
    steps = await client.get(
        f"{HISTORY}/historic-task-instances",
        params={"processInstanceId": case["id"], "sort": "startTime"},
    )
    outcomes = [t["outcome"] for t in steps.json()["_embedded"]["historic-task-instances"]]
    assert outcomes == ["approved", "approved"]


async def test_finished_after_and_task_completed_after(client: httpx.AsyncClient) -> None:
    early = await start_case(client, business_key="early")
    late = await start_case(client, business_key="late")
    (early_task,) = await open_tasks(client, processInstanceId=early["id"])
    (late_task,) = await open_tasks(client, processInstanceId=late["id"])
    await complete(client, early_task["id"], "approved")
    await client.post("/_emulator/clock", json={"advance_seconds": 60})
    watermark = (await client.get("/_emulator/state")).json()["now"]
    await client.post("/_emulator/clock", json={"advance_seconds": 1})
    await complete(
        client,
        late_task["id"],
        "approved",
        variables=[{"name": "note", "type": "string", "value": "ok", "scope": "local"}],
    )

    instances = await client.get(
        f"{HISTORY}/historic-process-instances",
        params={"finished": "true", "finishedAfter": watermark},
    )
    keys = [i["businessKey"] for i in instances.json()["_embedded"]["historic-process-instances"]]
    assert keys == ["late"]

    tasks = await client.get(
        f"{HISTORY}/historic-task-instances",
        params={
            "finished": "true",
            "taskCompletedAfter": watermark,
            "includeTaskLocalVariables": "true",
        },
    )
    (task,) = tasks.json()["_embedded"]["historic-task-instances"]
    assert task["processBusinessKey"] == "late"
    assert task["variables"] == [
        {"name": "note", "type": "string", "value": "ok", "scope": "local"}
    ]

    # A poller feeding back the endTime it read must see that item again (inclusive bound).
    end_time = task["endTime"]
    again = await client.get(
        f"{HISTORY}/historic-process-instances",
        params={"finished": "true", "finishedAfter": end_time},
    )
    assert again.json()["page"]["totalElements"] == 1
