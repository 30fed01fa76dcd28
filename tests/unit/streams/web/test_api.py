"""The Faust views over HTTP (aiohttp's test server on the app's web application)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import faust
import pytest
from aiohttp.test_utils import TestClient, TestServer

from streams.ops.errors import BrokerUnavailableError, ReplayError, UnknownTopicError
from streams.web.api import install_api
from streams.web.audit import AuditEntry, CaseNotFoundError
from streams.web.page import STATIC_FILES, install_page, static_file
from streams.web.service import OpsService
from streams.web.tally import CaseTally
from tests.unit.schemas.samples import T0
from tests.unit.streams.web.fakes import service


@pytest.fixture
def ops() -> OpsService:
    tally = CaseTally()
    tally.apply("a", {"case_id": "a", "case_type": "ORDER_REVIEW", "status": "OPEN"})
    return service(tally=tally)


@pytest.fixture
async def client(ops: OpsService) -> AsyncIterator[TestClient[Any, Any]]:
    app = faust.App("casebridge-unit-web-api", broker="kafka://127.0.0.1:1")
    install_api(app, ops)
    install_page(app)
    web_app = app.web.web_app  # type: ignore[attr-defined]  # the aiohttp driver's application
    async with TestClient(TestServer(web_app)) as test_client:
        yield test_client


async def test_overview_and_cases(client: TestClient[Any, Any]) -> None:
    overview = await (await client.get("/api/overview")).json()
    assert overview["cases"]["total"] == 1
    listed = await client.get("/api/cases", params={"type": "order_review", "state": "OPEN"})
    assert (await listed.json())["count"] == 1
    shop = overview["cases"]["by_shop"]
    assert list(shop.values()) == [1]
    mine = await client.get("/api/cases", params={"shop": next(iter(shop))})
    other = await client.get("/api/cases", params={"shop": "other.myshopify.com"})
    assert ((await mine.json())["count"], (await other.json())["count"]) == (1, 0)
    bad = await client.get("/api/cases", params={"limit": "-1"})
    assert bad.status == 400


async def test_lag_without_monitor(client: TestClient[Any, Any]) -> None:
    body = await (await client.get("/api/lag")).json()
    assert body["available"] is False


async def test_case_trail_and_unknown_case(
    client: TestClient[Any, Any], ops: OpsService, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def case(case_id: str) -> dict[str, Any]:
        if case_id != "known":
            raise CaseNotFoundError(f"no records for case {case_id!r}")
        entry = AuditEntry(T0, "state", "cases.state", 0, 1, "state OPEN")
        return {"case_id": case_id, "entries": [entry.to_dict()]}

    monkeypatch.setattr(ops, "case", case)
    found = await client.get("/api/cases/known")
    assert found.status == 200 and (await found.json())["entries"][0]["stage"] == "state"
    missing = await client.get("/api/cases/nope")
    assert missing.status == 404
    assert (await missing.json()) == {"error": "no records for case 'nope'"}


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (UnknownTopicError("topic x.dlq does not exist"), 404),
        (BrokerUnavailableError("Kafka at x did not answer"), 503),
    ],
)
async def test_dlq_listing_errors_map_to_statuses(
    client: TestClient[Any, Any],
    ops: OpsService,
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    status: int,
) -> None:
    async def dlq_records(topic: str, limit: int = 100) -> dict[str, Any]:
        raise error

    monkeypatch.setattr(ops, "dlq_records", dlq_records)
    response = await client.get("/api/dlq/x.dlq")
    assert response.status == status
    assert (await response.json())["error"] == str(error)


async def test_replay_needs_json_and_valid_options(
    client: TestClient[Any, Any], ops: OpsService, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    async def replay(topic: str, options: dict[str, Any]) -> dict[str, Any]:
        calls.append((topic, options))
        if topic == "broken.dlq":
            raise ReplayError("1 replayed record(s) failed, cursor not moved: x")
        return {"dlq_topic": topic, "replayed": []}

    monkeypatch.setattr(ops, "replay", replay)
    url = "/api/dlq/cases.requests.dlq/replay"
    form = await client.post(url, data="filters=x")
    assert form.status == 415  # a cross-site form post is refused
    notjson = await client.post(url, data="{", headers={"Content-Type": "application/json"})
    assert notjson.status == 400
    invalid = await client.post(url, json={"limit": 0})
    assert invalid.status == 400 and "limit" in (await invalid.json())["error"]
    done = await client.post(url, json={"filters": ["reason=x"], "dry_run": True})
    assert done.status == 200
    empty = await client.post(url, data="", headers={"Content-Type": "application/json"})
    assert empty.status == 200
    assert calls[0] == (
        "cases.requests.dlq",
        {"filters": {"reason": ["x"]}, "dry_run": True, "from_beginning": False, "limit": None},
    )
    failed = await client.post("/api/dlq/broken.dlq/replay", json={})
    assert failed.status == 502


async def test_page_and_assets_are_served(client: TestClient[Any, Any]) -> None:
    for path in ("/ops/", "/ops"):
        page = await client.get(path)
        assert page.status == 200
        assert page.headers["Content-Type"].startswith("text/html")
        html = await page.text()
        for testid in ("lag-status", "cases-total", "dlq-body", "case-search-input"):
            assert f'data-testid="{testid}"' in html
    script = await client.get("/ops/ops.js")
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert (await script.read()) == static_file("ops.js")
    style = await client.get("/ops/ops.css")
    assert style.headers["Content-Type"].startswith("text/css")


def test_page_references_only_its_own_assets() -> None:
    html = static_file("ops.html").decode()
    assert "http://" not in html and "https://" not in html  # no CDN
    for name in STATIC_FILES:
        if name != "ops.html":
            assert f"/ops/{name}" in html
    with pytest.raises(KeyError):
        static_file("../api.py")


async def test_history_of_the_charts(client: TestClient[Any, Any], ops: OpsService) -> None:
    ops.sample_rates()
    body = await (await client.get("/api/history")).json()
    assert [c["id"] for c in body["charts"]][:3] == ["records-in", "records-out", "lag"]
    assert body["window_s"] == 3600
    later = await (await client.get("/api/history", params={"since": str(body["at"] + 1)})).json()
    assert all(not s["points"] for c in later["charts"] for s in c["series"])
    for bad in ("yesterday", "nan", "inf"):
        answer = await client.get("/api/history", params={"since": bad})
        assert answer.status == 400, bad
        assert "since" in (await answer.json())["error"]
