"""Client operations: request shapes, idempotent start, tasks, models."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import httpx
import pytest

from connectors.opentext import OpenTextNotFoundError, OpenTextUnavailableError, Variable
from tests.unit.connectors.opentext.fake_service import (
    FakeOpenText,
    RecordingSleep,
    body_of,
    hal,
    make_client,
    query,
)

RUNTIME_LIST = "/workflow/v1/process-instances"
HISTORY_LIST = "/workflow-history/v1/historic-process-instances"


def _list(items: Sequence[Mapping[str, object]], name: str = "process-instances") -> httpx.Response:
    return httpx.Response(200, json=hal(name, items, len(items)))


async def test_start_process_instance_request_shape() -> None:
    fake = FakeOpenText()
    fake.on(
        "POST",
        RUNTIME_LIST,
        httpx.Response(
            201,
            json={
                "id": "pi-1",
                "businessKey": "case-1",
                "startTime": "2026-11-26T04:00:00.000+0000",
                "suspended": False,
                "tenantId": "acme",
                "variables": [{"name": "orderId", "type": "string", "value": "gid://1"}],
            },
        ),
    )
    async with make_client(fake) as client:
        instance = await client.start_process_instance(
            "orderReview",
            "case-1",
            {"orderId": "gid://1", "total": 12.5, "vip": True, "lines": 3},
            name="Order #1001",
        )
    assert instance.variable("orderId") == "gid://1"
    assert instance.start_time is not None and instance.start_time.year == 2026
    assert body_of(fake.api_requests()[0]) == {
        "processDefinitionKey": "orderReview",
        "businessKey": "case-1",
        "name": "Order #1001",
        "variables": [
            {"name": "orderId", "type": "string", "value": "gid://1"},
            {"name": "total", "type": "double", "value": 12.5},
            {"name": "vip", "type": "boolean", "value": True},
            {"name": "lines", "type": "integer", "value": 3},
        ],
        "returnVariables": True,
    }


async def test_ensure_returns_existing_instance_without_post() -> None:
    fake = FakeOpenText()
    fake.on("GET", RUNTIME_LIST, _list([{"id": "pi-1", "businessKey": "case-1"}]))
    async with make_client(fake) as client:
        instance, created = await client.ensure_process_instance("orderReview", "case-1")
    assert (instance.id, created) == ("pi-1", False)
    assert fake.api_requests("POST") == []
    params = query(fake.api_requests("GET", RUNTIME_LIST)[0])
    assert params["businessKey"] == "case-1"
    assert params["processDefinitionKey"] == "orderReview"


async def test_ensure_finds_ended_instance_in_history() -> None:
    fake = FakeOpenText()
    fake.on("GET", RUNTIME_LIST, _list([]))
    fake.on(
        "GET",
        HISTORY_LIST,
        _list(
            [{"id": "pi-old", "businessKey": "case-1", "endTime": "2026-11-26T04:00:00Z"}],
            "historic-process-instances",
        ),
    )
    async with make_client(fake) as client:
        instance, created = await client.ensure_process_instance("orderReview", "case-1")
    assert (instance.id, created) == ("pi-old", False)
    assert fake.api_requests("POST") == []


async def test_ensure_starts_when_none_exists() -> None:
    fake = FakeOpenText()
    fake.on("GET", RUNTIME_LIST, _list([]))
    fake.on("GET", HISTORY_LIST, _list([]))
    fake.on("POST", RUNTIME_LIST, httpx.Response(201, json={"id": "pi-9", "businessKey": "c"}))
    async with make_client(fake) as client:
        instance, created = await client.ensure_process_instance("orderReview", "c", {"x": 1})
    assert (instance.id, created) == ("pi-9", True)
    assert len(fake.api_requests("POST")) == 1


async def test_ensure_ignores_other_business_keys_when_runtime_filter_is_ignored() -> None:
    fake = FakeOpenText()
    # A server that ignores businessKey returns everything; none of it is ours.
    fake.on("GET", RUNTIME_LIST, _list([{"id": "pi-x", "businessKey": "other"}]))
    fake.on("GET", HISTORY_LIST, _list([]))
    fake.on("POST", RUNTIME_LIST, httpx.Response(201, json={"id": "pi-new", "businessKey": "c"}))
    async with make_client(fake) as client:
        instance, created = await client.ensure_process_instance("k", "c")
    assert (instance.id, created) == ("pi-new", True)


async def test_ensure_can_skip_runtime_lookup() -> None:
    fake = FakeOpenText()
    fake.on("GET", HISTORY_LIST, _list([{"id": "pi-1", "businessKey": "c"}]))
    async with make_client(fake, runtime_business_key_filter=False) as client:
        instance, created = await client.ensure_process_instance("k", "c")
    assert (instance.id, created) == ("pi-1", False)
    assert fake.api_requests("GET", RUNTIME_LIST) == []


async def test_ensure_looks_up_again_after_ambiguous_start_failure() -> None:
    """A POST that timed out may have started the instance: look before posting again."""
    fake = FakeOpenText()
    started: list[dict[str, str]] = []

    def runtime_list(request: httpx.Request) -> httpx.Response:
        return _list(started)

    def start(request: httpx.Request) -> httpx.Response:
        started.append({"id": "pi-1", "businessKey": "c"})
        raise httpx.ReadTimeout("answer lost")

    fake.on("GET", RUNTIME_LIST, runtime_list)
    fake.on("GET", HISTORY_LIST, _list([]))
    fake.on("POST", RUNTIME_LIST, start)
    sleep = RecordingSleep()
    async with make_client(fake, sleep) as client:
        instance, created = await client.ensure_process_instance("k", "c")
    assert (instance.id, created) == ("pi-1", False)
    assert len(fake.api_requests("POST")) == 1
    assert len(sleep.delays) == 1


async def test_ensure_gives_up_after_policy_attempts() -> None:
    fake = FakeOpenText()
    fake.on("GET", RUNTIME_LIST, _list([]))
    fake.on("GET", HISTORY_LIST, _list([]))
    fake.on("POST", RUNTIME_LIST, httpx.Response(503))
    async with make_client(fake) as client:
        with pytest.raises(OpenTextUnavailableError) as info:
            await client.ensure_process_instance("k", "c")
    assert info.value.attempts == 4
    assert len(fake.api_requests("POST")) == 4


async def test_ensure_picks_oldest_of_duplicates() -> None:
    fake = FakeOpenText()
    fake.on(
        "GET",
        RUNTIME_LIST,
        _list(
            [
                {"id": "pi-b", "businessKey": "c", "startTime": "2026-11-26T05:00:00Z"},
                {"id": "pi-a", "businessKey": "c", "startTime": "2026-11-26T04:00:00+00:00"},
            ]
        ),
    )
    async with make_client(fake) as client:
        instance, _ = await client.ensure_process_instance("k", "c")
    assert instance.id == "pi-a"


async def test_tasks_claim_and_complete() -> None:
    fake = FakeOpenText()
    fake.on(
        "GET",
        "/workflow/v1/tasks",
        _list([{"id": "t-1", "name": "Fraud review", "processInstanceId": "pi-1"}], "tasks"),
    )
    fake.on("POST", "/workflow/v1/tasks/t-1", httpx.Response(204))
    async with make_client(fake) as client:
        tasks = await client.list_tasks(
            process_instance_business_key="case-1", candidate_group="fraud", active=True
        )
        await client.claim_task("t-1", "ana@example.com")
        assert await client.complete_task(
            "t-1", "approved", [Variable(name="note", type="string", value="ok")]
        )
        assert not await client.complete_task("t-gone", "approved", missing_ok=True)
    assert [t.id for t in tasks] == ["t-1"]
    params = query(fake.api_requests("GET")[0])
    assert params["processInstanceBusinessKey"] == "case-1"
    assert params["candidateGroup"] == "fraud"
    assert params["active"] == "true"
    claim, complete = (body_of(r) for r in fake.api_requests("POST", "/workflow/v1/tasks/t-1"))
    assert claim == {"action": "claim", "assignee": "ana@example.com"}
    assert complete == {
        "action": "complete",
        "outcome": "approved",
        "variables": [{"name": "note", "type": "string", "value": "ok"}],
    }


async def test_variables_suspend_delete_and_models() -> None:
    fake = FakeOpenText()
    base = "/workflow/v1/process-instances/pi-1"
    fake.on("POST", f"{base}/variables", httpx.Response(201, json=[{"name": "a", "value": 1}]))
    fake.on("PUT", f"{base}/variables/b", httpx.Response(200, json={"name": "b", "value": "x"}))
    fake.on("PUT", base, httpx.Response(200, json={"id": "pi-1", "suspended": True}))
    fake.on("DELETE", base, httpx.Response(204))
    fake.on(
        "GET",
        "/workflow/v1/runtime/models",
        _list([{"id": "m1", "key": "orderReview", "name": "Order review", "version": 3}], "models"),
    )
    async with make_client(fake) as client:
        assert [v.name for v in await client.set_variables("pi-1", {"a": 1})] == ["a"]
        assert (await client.update_variable("pi-1", "b", "x")).value == "x"
        suspended = await client.suspend_process_instance("pi-1")
        assert suspended is not None and suspended.suspended
        assert await client.delete_process_instance("pi-1", delete_reason="cancelled")
        models = await client.get_models("orderReview")
        assert not await client.delete_process_instance("pi-404", missing_ok=True)
        with pytest.raises(OpenTextNotFoundError):
            await client.delete_process_instance("pi-404")
    assert [(m.key, m.version) for m in models] == [("orderReview", 3)]
    puts = fake.api_requests("PUT")
    assert body_of(puts[0]) == {"name": "b", "type": "string", "value": "x"}
    assert body_of(puts[1]) == {"action": "suspend"}
    assert query(fake.api_requests("DELETE")[0]) == {"deleteReason": "cancelled"}
    model_params = query(fake.api_requests("GET", "/workflow/v1/runtime/models")[0])
    assert model_params["key"] == "orderReview"
    assert model_params["latestVersion"] == "true"


async def test_config_prefixes_are_respected() -> None:
    fake = FakeOpenText()
    fake.on("GET", "/custom/rt/process-instances/pi-1", httpx.Response(200, json={"id": "pi-1"}))
    async with make_client(fake, runtime_prefix="/custom/rt/") as client:
        assert (await client.get_process_instance("pi-1", include_variables=False)).id == "pi-1"
    assert query(fake.api_requests()[0]) == {"includeProcessVariables": "false"}
