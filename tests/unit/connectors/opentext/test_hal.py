"""HAL list paging: every item exactly once, and the walk always ends."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from connectors.opentext import OpenTextProtocolError, iter_hal_items
from connectors.opentext.hal import MAX_STALE_PAGES, PagingReport, page_items, page_total
from tests.unit.connectors.opentext.fake_service import FakeOpenText, hal, make_client, query

ITEMS = [{"id": f"id-{i:02d}", "n": i} for i in range(57)]


class Pages:
    """A list served by offset/count, with knobs for the shapes servers use."""

    def __init__(
        self,
        items: list[dict[str, Any]],
        *,
        total: bool = True,
        links: bool = False,
        ignore_offset: bool = False,
    ) -> None:
        self.items = items
        self.total = total
        self.links = links
        self.ignore_offset = ignore_offset
        self.calls: list[tuple[int, int]] = []

    async def __call__(self, offset: int, count: int) -> dict[str, Any]:
        self.calls.append((offset, count))
        start = 0 if self.ignore_offset else offset
        chunk = self.items[start : start + count]
        body = hal("process-instances", chunk, len(self.items) if self.total else None)
        if self.links:
            body["_links"] = {"self": {"href": "x"}}
            if start + count < len(self.items):
                body["_links"]["next"] = {"href": "y"}
        return body


async def _walk(
    pages: Pages, page_size: int = 10, report: PagingReport | None = None
) -> list[dict[str, Any]]:
    return [
        item
        async for item in iter_hal_items(
            pages, "process-instances", page_size=page_size, report=report
        )
    ]


async def test_57_items_in_pages_of_10_gives_exactly_57() -> None:
    pages = Pages(ITEMS)
    items = await _walk(pages)
    assert [i["id"] for i in items] == [i["id"] for i in ITEMS]
    assert len({i["id"] for i in items}) == 57
    assert pages.calls == [(o, 10) for o in range(0, 60, 10)]


async def test_exact_multiple_stops_on_total_without_extra_request() -> None:
    pages = Pages(ITEMS[:50])
    assert len(await _walk(pages)) == 50
    assert len(pages.calls) == 5


async def test_a_full_page_without_total_or_next_link_asks_once_more() -> None:
    # No total and no next link: that may be a service leaving both out, not the end.
    pages = Pages(ITEMS[:50], total=False, links=True)
    report = PagingReport()
    assert len(await _walk(pages, report=report)) == 50
    assert len(pages.calls) == 6  # the sixth comes back empty
    assert (report.complete, report.stop) == (True, "empty")


async def test_a_service_ignoring_offset_is_reported_incomplete() -> None:
    report = PagingReport()
    items = [{"id": n} for n in range(3)]

    async def first_page_always(offset: int, count: int) -> dict[str, object]:
        return {"_embedded": {"things": items}, "_links": {"self": {"href": "x"}}}

    seen = [
        i async for i in iter_hal_items(first_page_always, "things", page_size=3, report=report)
    ]
    assert seen == items
    assert (report.complete, report.stop) == (False, "stale")


async def test_a_short_page_without_links_is_the_end() -> None:
    pages = Pages(ITEMS[:15], total=False, links=True)
    report = PagingReport()
    assert len(await _walk(pages, report=report)) == 15
    assert (report.complete, report.stop, len(pages.calls)) == (True, "short", 2)


async def test_stops_on_short_page_without_total_or_links() -> None:
    pages = Pages(ITEMS, total=False)
    assert len(await _walk(pages)) == 57
    assert len(pages.calls) == 6


async def test_stops_on_empty_page() -> None:
    pages = Pages(ITEMS[:20], total=False)
    assert len(await _walk(pages)) == 20
    assert pages.calls[-1] == (20, 10)


async def test_empty_list_is_one_request() -> None:
    pages = Pages([])
    assert await _walk(pages) == []
    assert len(pages.calls) == 1


@pytest.mark.parametrize("total", [True, False])
async def test_server_ignoring_offset_does_not_loop_forever(total: bool) -> None:
    pages = Pages(ITEMS, ignore_offset=True, total=total, links=not total)
    items = await _walk(pages)
    assert [i["id"] for i in items] == [i["id"] for i in ITEMS[:10]]
    assert len(pages.calls) == 1 + MAX_STALE_PAGES


async def test_shift_by_a_whole_page_skips_nothing() -> None:
    items = [dict(i) for i in ITEMS[:5]]
    pages = Pages(items, total=False, links=True)
    seen = []
    async for item in iter_hal_items(pages, "process-instances", page_size=1):
        seen.append(item["id"])
        if len(seen) == 1:
            # One insert in front with page size 1: the next page repeats the last item.
            items.insert(0, {"id": "new"})
    assert seen == [i["id"] for i in ITEMS[:5]]


async def test_insert_during_walk_yields_no_duplicates() -> None:
    items = [dict(i) for i in ITEMS[:30]]
    pages = Pages(items)

    seen = []
    async for item in iter_hal_items(pages, "process-instances", page_size=10):
        seen.append(item["id"])
        if len(seen) == 10:
            # A new instance lands at the front: everything shifts by one.
            items.insert(0, {"id": "new"})
    assert len(seen) == len(set(seen))
    assert set(seen) >= {i["id"] for i in ITEMS[:30]}


def test_page_items_accepts_other_shapes() -> None:
    assert page_items([{"id": 1}], ["x"]) == [{"id": 1}]
    assert page_items({"data": [{"id": 1}], "total": 1}, ["x"]) == [{"id": 1}]
    assert page_items({"_embedded": {"other": [{"id": 2}]}}, ["x"]) == [{"id": 2}]
    assert page_items({"page": {"totalElements": 0}}, ["x"]) == []
    assert page_total({"data": [], "total": 3}) == 3
    assert page_total({"page": {"totalElements": 5}}) == 5
    assert page_total({}) is None
    with pytest.raises(OpenTextProtocolError):
        page_items("nonsense", ["x"])
    with pytest.raises(OpenTextProtocolError):
        page_items({"_embedded": {"x": [1, 2]}}, ["x"])


async def test_client_historic_instances_walks_all_pages_with_filters() -> None:
    history = [{"id": f"h-{i}", "businessKey": f"case-{i}", "endTime": None} for i in range(57)]

    def respond(request: httpx.Request) -> httpx.Response:
        params = query(request)
        offset, count = int(params["offset"]), int(params["count"])
        body = hal("historic-process-instances", history[offset : offset + count], len(history))
        return httpx.Response(200, json=body)

    fake = FakeOpenText()
    fake.on("GET", "/workflow-history/v1/historic-process-instances", respond)
    async with make_client(fake, page_size=10) as client:
        found = [
            item.id
            async for item in client.historic_process_instances(
                finished_after=datetime(2026, 11, 26, 4, 0, 1, 250000, tzinfo=UTC),
                process_definition_key="orderReview",
            )
        ]
    assert found == [h["id"] for h in history]
    requests = fake.api_requests()
    assert len(requests) == 6
    params = query(requests[0])
    assert params == {
        "finished": "true",
        "finishedAfter": "2026-11-26T04:00:01.250Z",
        "processDefinitionKey": "orderReview",
        "includeProcessVariables": "true",
        "offset": "0",
        "count": "10",
    }


async def test_client_historic_tasks_params() -> None:
    fake = FakeOpenText()
    fake.on(
        "GET",
        "/workflow-history/v1/historic-task-instances",
        httpx.Response(200, json=hal("tasks", [{"id": "t1", "outcome": "approved"}], 1)),
    )
    async with make_client(fake) as client:
        tasks = [
            t
            async for t in client.historic_task_instances(
                task_completed_after="2026-01-01T00:00:00Z", process_business_key="case-1"
            )
        ]
    assert [t.outcome for t in tasks] == ["approved"]
    params = query(fake.api_requests()[0])
    assert params["taskCompletedAfter"] == "2026-01-01T00:00:00Z"
    assert params["processBusinessKey"] == "case-1"
    assert params["finished"] == "true"
    assert params["includeTaskLocalVariables"] == "true"
