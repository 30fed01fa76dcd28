"""The OpenText client against the emulator over real HTTP on 127.0.0.1.

The emulator runs in-process on a free port. Only ``base_url`` and the
credentials differ from a real-service configuration. Every test runs twice:
against the convenient default and in every strict mode at once (no totals,
ignored sort and offset, tasks in child processes, terminate ends, no outcome
on historic tasks, 404 on a replayed completion).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiohttp import web
from pydantic import SecretStr

from connectors.opentext import (
    OpenTextAuthError,
    OpenTextClient,
    OpenTextConfig,
    OpenTextNotFoundError,
    OpenTextRequestError,
)
from connectors.retry import RetryPolicy
from emulators.opentext import EmulatorConfig, create_app
from emulators.opentext.config import ClientConfig, StrictConfig

pytestmark = pytest.mark.integration

MODEL = "casebridge.order_review"


@dataclass
class Emulator:
    """A running emulator and what a client needs to reach it."""

    base_url: str
    config: EmulatorConfig
    statuses: list[tuple[str, int]] = field(default_factory=list)

    def client_config(self, **overrides: Any) -> OpenTextConfig:
        values: dict[str, Any] = {
            "base_url": self.base_url,
            "tenant_id": self.config.tenant_id,
            "client_id": self.config.client_id,
            "client_secret": SecretStr(self.config.client_secret),
            "timeout_s": 5.0,
            "retry": RetryPolicy(
                initial_interval_s=0.1, maximum_interval_s=1.0, maximum_attempts=30
            ),
        }
        values.update(overrides)
        return OpenTextConfig(**values)

    def client(self, **overrides: Any) -> OpenTextClient:
        return OpenTextClient(
            self.client_config(**overrides),
            on_response=lambda endpoint, status, _d: self.statuses.append((endpoint, status)),
        )

    async def admin(self, method: str, path: str, body: Any = None) -> Any:
        async with httpx.AsyncClient(base_url=self.base_url) as http:
            response = await http.request(method, f"/_emulator{path}", json=body)
            response.raise_for_status()
            return response.json()


@pytest.fixture(params=["default", "strict"])
async def emulator(request: pytest.FixtureRequest) -> AsyncIterator[Emulator]:
    strict = StrictConfig.every() if request.param == "strict" else StrictConfig()
    config = EmulatorConfig(
        strict=strict,
        clients={
            "reviewer": ClientConfig(client_secret="reviewer-secret", candidate_groups=("finance",))
        },
    )
    runner = web.AppRunner(create_app(config), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield Emulator(f"http://{host}:{port}", config)
    finally:
        await runner.cleanup()


def _case_id() -> str:
    return f"case-{uuid.uuid4().hex[:12]}"


async def test_case_lifecycle(emulator: Emulator) -> None:
    watermark = datetime.now(UTC) - timedelta(seconds=5)
    case = _case_id()
    async with emulator.client() as client:
        models = await client.get_models(MODEL)
        assert [m.key for m in models] == [MODEL]

        started = await client.start_process_instance(
            MODEL, case, {"orderId": "gid://shopify/Order/1", "total": 1234.5}, name="Order 1"
        )
        assert started.business_key == case

        found = await client.find_process_instances(business_key=case)
        assert [i.id for i in found] == [started.id]

        again, created = await client.ensure_process_instance(MODEL, case, {"orderId": "x"})
        assert (again.id, created) == (started.id, False)

        fresh = _case_id()
        first, created_first = await client.ensure_process_instance(MODEL, fresh)
        second, created_second = await client.ensure_process_instance(MODEL, fresh)
        assert (created_first, created_second) == (True, False)
        assert first.id == second.id
        assert len(await client.find_process_instances(business_key=fresh)) == 1

        instance = await client.get_process_instance(started.id)
        assert instance.variable("orderId") == "gid://shopify/Order/1"

        await client.update_variable(started.id, "note", "checked by fraud team")
        # With children: also where a call activity keeps the task (strict mode).
        tasks = await client.list_tasks(process_instance_id_with_children=started.id)
        assert len(tasks) == 1
        await client.claim_task(tasks[0].id, "ana@example.com")
        assert await client.complete_task(tasks[0].id, "approved", {"comment": "looks fine"})
        if emulator.config.strict.replayed_completion_404:
            # Gone from the runtime, as on the real service: a replay is a no-op.
            assert await client.complete_task(tasks[0].id, "approved", missing_ok=True) is False
        else:
            with pytest.raises(OpenTextRequestError) as replayed:
                await client.complete_task(tasks[0].id, "approved", missing_ok=True)
            assert replayed.value.status == 409

        decided = [
            h
            async for h in client.historic_process_instances(
                finished_after=watermark, process_definition_key=MODEL, page_size=1
            )
        ]
        ours = [h for h in decided if h.business_key == case]
        assert len(ours) == 1
        assert ours[0].finished
        assert ours[0].variable("approvalStatus") == "approved"

        task_history = [
            t
            async for t in client.historic_task_instances(
                task_completed_after=watermark, process_instance_id_with_children=started.id
            )
        ]
        assert [t.id for t in task_history] == [tasks[0].id]
        if emulator.config.strict.terminate_ends:
            assert ours[0].delete_reason == "terminate end event (terminate_approved)"

        # After the end the runtime no longer lists it; history keeps the start idempotent.
        replay, created = await client.ensure_process_instance(MODEL, case)
        assert (replay.id, created) == (started.id, False)


async def test_outage_is_ridden_out(emulator: Emulator) -> None:
    async with emulator.client() as client:
        await client.get_models(MODEL)  # token fetched before the outage
        await emulator.admin("POST", "/faults", {"outage_seconds": 2})
        instance, created = await client.ensure_process_instance(MODEL, _case_id())
    assert created
    assert instance.id
    statuses = [status for _, status in emulator.statuses]
    assert 503 in statuses
    assert statuses[-1] in (200, 201)


async def test_injected_400_is_a_request_error(emulator: Emulator) -> None:
    rule = {"method": "POST", "path": "/process-instances", "status": 400, "times": 1}
    await emulator.admin("POST", "/faults", {"rules": [rule]})
    async with emulator.client() as client:
        with pytest.raises(OpenTextRequestError) as info:
            await client.start_process_instance(MODEL, _case_id())
    assert info.value.status == 400
    assert info.value.attempts == 1
    assert info.value.body_excerpt


async def test_form_token_body_and_bad_credentials(emulator: Emulator) -> None:
    async with emulator.client(token_body_format="form") as client:
        assert await client.get_models(MODEL)
    async with emulator.client(client_secret=SecretStr("wrong")) as client:
        with pytest.raises(OpenTextAuthError):
            await client.get_models(MODEL)


async def test_a_token_sees_only_its_groups_tasks(emulator: Emulator) -> None:
    async with emulator.client() as service:
        review, _ = await service.ensure_process_instance(MODEL, _case_id())
        other, _ = await service.ensure_process_instance("casebridge.return_review", _case_id())
        (returns_task,) = await service.list_tasks(process_instance_id_with_children=other.id)
    reviewer = emulator.client(client_id="reviewer", client_secret=SecretStr("reviewer-secret"))
    async with reviewer:
        visible = {t.id for t in await reviewer.list_tasks()}
        assert returns_task.id not in visible  # customer service's, not finance's
        with pytest.raises(OpenTextNotFoundError):
            await reviewer.complete_task(returns_task.id, "approved")
        (own,) = await reviewer.list_tasks(process_instance_id_with_children=review.id)
        assert await reviewer.complete_task(own.id, "approved")


async def test_a_gateway_refusal_is_an_auth_error_not_a_request_error(emulator: Emulator) -> None:
    rule = {"method": "POST", "path": "/process-instances", "status": 403, "times": 1}
    await emulator.admin("POST", "/faults", {"rules": [rule]})
    async with emulator.client() as client:
        with pytest.raises(OpenTextAuthError, match=r"gateway refused the call \(HTTP 403\)"):
            await client.start_process_instance(MODEL, _case_id())
