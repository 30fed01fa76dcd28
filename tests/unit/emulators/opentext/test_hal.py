"""Paging and sorting tests: stable order, exact walks, links."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from yarl import URL

from emulators.opentext.errors import InvalidRequestError
from emulators.opentext.hal import hal_list, parse_page_request, sort_and_page


@dataclass
class Item:
    seq: int
    group: int | None


SORTS = {"group": lambda i: i.group, "seq": lambda i: i.seq}


def _walk(items: list[Item], order: str, count: int) -> list[int]:
    seen: list[int] = []
    offset = 0
    while True:
        page = parse_page_request(
            {"offset": str(offset), "count": str(count), "sort": "group", "order": order},
            sort_fields=tuple(SORTS),
            default_sort="seq",
        )
        chunk = sort_and_page(items, page, SORTS, lambda i: i.seq)
        seen += [i.seq for i in chunk]
        if len(chunk) < count:
            return seen
        offset += count


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_walk_with_many_ties_visits_each_once(order: str) -> None:
    # Only three distinct sort values: ties must break the same way every page.
    items = [Item(seq=n, group=(n % 3 if n % 7 else None)) for n in range(57)]
    seen = _walk(items, order, 10)
    assert sorted(seen) == list(range(57))
    assert len(seen) == 57


def test_desc_is_asc_reversed() -> None:
    items = [Item(seq=n, group=n % 4) for n in range(20)]
    assert _walk(items, "desc", 7) == list(reversed(_walk(items, "asc", 7)))


@pytest.mark.parametrize(
    "query",
    [
        {"offset": "-1"},
        {"count": "0"},
        {"count": "5000"},
        {"count": "ten"},
        {"sort": "nope"},
        {"order": "sideways"},
    ],
)
def test_bad_paging_is_400(query: dict[str, str]) -> None:
    with pytest.raises(InvalidRequestError):
        parse_page_request(query, sort_fields=("seq",), default_sort="seq")


def test_engine_aliases_start_and_size() -> None:
    page = parse_page_request({"start": "5", "size": "3"}, sort_fields=("seq",), default_sort="seq")
    assert (page.offset, page.count) == (5, 3)


def test_links() -> None:
    page = parse_page_request(
        {"offset": "10", "count": "10"}, sort_fields=("seq",), default_sort="seq"
    )
    url = URL("http://h/workflow/v1/tasks?offset=10&count=10&candidateGroup=fraud")
    body = hal_list("tasks", [{"id": 1}], total=25, page=page, url=url)
    assert body["page"]["totalElements"] == 25
    nxt = URL(body["_links"]["next"]["href"])
    assert nxt.query["offset"] == "20" and nxt.query["candidateGroup"] == "fraud"
    assert URL(body["_links"]["prev"]["href"]).query["offset"] == "0"
    last = parse_page_request(
        {"offset": "20", "count": "10"}, sort_fields=("seq",), default_sort="seq"
    )
    assert "next" not in hal_list("tasks", [], total=25, page=last, url=url)["_links"]
