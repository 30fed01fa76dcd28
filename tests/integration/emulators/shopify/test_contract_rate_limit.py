"""Contract: calculated query cost and the leaky bucket over HTTP (fake clock)."""

from __future__ import annotations

import pytest

from emulators.shopify import EmulatorConfig, FakeClock, ShopConfig

from .conftest import API, Running, Start

pytestmark = pytest.mark.integration

MUTATION = (
    'mutation { tagsAdd(id: "gid://shopify/Order/1", tags: ["x"]) { userErrors { message } } }'
)


async def _small(start_emulator: Start, clock: FakeClock, **config: object) -> Running:
    shop = ShopConfig(maximum_available=100, restore_rate=10)
    return await start_emulator(
        EmulatorConfig.model_validate({"shops": [shop], **config}), clock=clock
    )


async def test_bucket_throttles_and_restores_at_rate(start_emulator: Start) -> None:
    clock = FakeClock()
    running = await _small(start_emulator, clock)
    for n in range(10):
        body = await running.gql(MUTATION)
        cost = body["extensions"]["cost"]
        assert cost["requestedQueryCost"] == 10 and cost["actualQueryCost"] == 10
        assert cost["throttleStatus"]["currentlyAvailable"] == 90 - 10 * n
    throttled = await running.gql(MUTATION)
    assert throttled["errors"] == [
        {
            "message": "Throttled",
            "extensions": {
                "code": "THROTTLED",
                "documentation": "https://shopify.dev/api/usage/rate-limits",
            },
        }
    ]
    assert "data" not in throttled
    assert throttled["extensions"]["cost"]["throttleStatus"] == {
        "maximumAvailable": 100.0,
        "currentlyAvailable": 0.0,
        "restoreRate": 10.0,
    }
    clock.advance(0.5)
    assert (await running.gql(MUTATION)).get("errors")  # 5 points are not enough
    clock.advance(0.5)
    assert "errors" not in await running.gql(MUTATION)  # 10 points restored after 1 s
    clock.advance(100)
    status = (await running.gql("{ shop { name } }"))["extensions"]["cost"]["throttleStatus"]
    assert status["currentlyAvailable"] == 99.0  # capped at maximumAvailable, minus the query


async def test_throttle_as_429_with_retry_after(start_emulator: Start) -> None:
    clock = FakeClock()
    running = await _small(start_emulator, clock, throttle_status=429)
    for _ in range(10):
        await running.gql(MUTATION)
    response = await running.http.post(
        API, json={"query": MUTATION}, headers={"X-Shopify-Access-Token": running.token}
    )
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert response.json()["errors"][0]["extensions"]["code"] == "THROTTLED"


async def test_actual_cost_refunds_unused_points(start_emulator: Start) -> None:
    running = await _small(start_emulator, FakeClock())
    body = await running.gql("{ orders(first: 50) { edges { node { id name } } } }")
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 52
    assert cost["actualQueryCost"] == 2  # the store is empty
    assert cost["throttleStatus"]["currentlyAvailable"] == 98


async def test_single_query_cap(emulator: Running) -> None:
    body = await emulator.gql(
        "{ orders(first: 250) { nodes { lineItems(first: 250) { nodes { id } } } } }"
    )
    error = body["errors"][0]
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert error["extensions"]["maxCost"] == 1000
    assert body["extensions"]["cost"]["requestedQueryCost"] > 1000


async def test_admin_routes_do_not_count(start_emulator: Start) -> None:
    running = await _small(start_emulator, FakeClock())
    for _ in range(30):
        await running.http.get("/_emulator/state")
    body = await running.gql("{ shop { name } }")
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 99


async def test_faults_set_bucket_and_errors(start_emulator: Start) -> None:
    running = await _small(start_emulator, FakeClock())
    response = await running.http.post(
        "/_emulator/faults", json={"maximum_available": 20, "restore_rate": 1}
    )
    assert response.status_code == 200
    await running.gql(MUTATION)
    await running.gql(MUTATION)
    assert (await running.gql(MUTATION))["errors"][0]["extensions"]["code"] == "THROTTLED"
    await running.http.post("/_emulator/faults", json={"error_rate": 1.0, "error_status": 503})
    response = await running.http.post(
        API, json={"query": "{ shop { name } }"}, headers={"X-Shopify-Access-Token": running.token}
    )
    assert response.status_code == 503
    await running.http.delete("/_emulator/faults")
    status = (await running.gql("{ shop { name } }"))["extensions"]["cost"]["throttleStatus"]
    assert status["maximumAvailable"] == 100.0


async def test_plan_presets() -> None:
    assert ShopConfig(plan="plus").bucket_limits() == (10000, 1000.0)
    assert ShopConfig(plan="enterprise", restore_rate=50).bucket_limits() == (20000, 50.0)


async def test_graphql_internal_error_fault(start_emulator: Start) -> None:
    running = await _small(start_emulator, FakeClock())
    await running.http.post("/_emulator/faults", json={"error_rate": 1.0, "error_status": 200})
    body = await running.gql("{ shop { name } }")
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"


async def test_access_denied_for_unscoped_fields(start_emulator: Start) -> None:
    shop = ShopConfig(access_denied=["disputeEvidenceUpdate"])
    running = await start_emulator(EmulatorConfig(shops=[shop]))
    body = await running.gql(
        'mutation { disputeEvidenceUpdate(id: "gid://shopify/ShopifyPaymentsDispute/1",'
        " input: {submitEvidence: true}) { userErrors { message } } }"
    )
    assert body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    assert "data" not in body


async def test_mutations_journal_times_writes_and_counts_throttled(start_emulator: Start) -> None:
    clock = FakeClock()
    running = await _small(start_emulator, clock)
    for _ in range(10):
        await running.gql(MUTATION)
    assert (await running.gql(MUTATION))["errors"][0]["extensions"]["code"] == "THROTTLED"
    clock.advance(1)
    assert "errors" not in await running.gql("{ shop { name } }")  # a read is not journaled
    body = (await running.http.get("/_emulator/mutations")).json()
    assert body["count"] == 10 and body["throttled"] == {"casebridge-demo.myshopify.com": 1}
    first, last = body["mutations"][0], body["mutations"][-1]
    assert first["fields"] == ["tagsAdd"] and first["shop"] == "casebridge-demo.myshopify.com"
    assert first["user_errors"] == 1  # order 1 does not exist: tagsAdd answers a userError
    assert isinstance(first["at"], float) and first["at"] <= last["at"]
    later = (await running.http.get(f"/_emulator/mutations?after={last['seq'] - 2}")).json()
    assert [m["seq"] for m in later["mutations"]] == [last["seq"] - 1, last["seq"]]
    assert (await running.http.get("/_emulator/mutations?after=x")).status_code == 400
    await running.http.post("/_emulator/reset")
    assert (await running.http.get("/_emulator/mutations")).json() == {
        "mutations": [],
        "count": 0,
        "throttled": {},
    }
