"""HAL list answers: query parsing, stable sorting, offset/count paging, links.

Sorting always breaks ties by creation order, in the same direction as the
sort, so ``desc`` is exactly ``asc`` reversed and paging through a list that
does not change walks every item exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeVar

from yarl import URL

from emulators.opentext.errors import InvalidRequestError

T = TypeVar("T")

DEFAULT_COUNT = 10
MAX_COUNT = 1000

SortKey = Callable[[T], Any]


@dataclass(frozen=True)
class PageRequest:
    """Which slice of a list to answer."""

    offset: int
    count: int
    sort: str
    order: Literal["asc", "desc"]


def _int_param(query: Mapping[str, str], names: Sequence[str], default: int) -> int:
    for name in names:
        if name in query:
            try:
                return int(query[name])
            except ValueError:
                raise InvalidRequestError(f"query parameter '{name}' must be an integer") from None
    return default


def parse_page_request(
    query: Mapping[str, str],
    *,
    sort_fields: Sequence[str],
    default_sort: str,
    default_count: int = DEFAULT_COUNT,
) -> PageRequest:
    """Read ``offset``, ``count``, ``sort`` and ``order`` from a query string.

    The engine's own ``start``/``size`` are accepted as aliases.

    Raises:
        InvalidRequestError: a negative offset, a count outside 1..1000, an
            unknown sort field or an order other than asc/desc.
    """
    offset = _int_param(query, ("offset", "start"), 0)
    count = _int_param(query, ("count", "size"), default_count)
    if offset < 0:
        raise InvalidRequestError("offset must be >= 0")
    if not 1 <= count <= MAX_COUNT:
        raise InvalidRequestError(f"count must be between 1 and {MAX_COUNT}")
    sort = query.get("sort") or default_sort
    if sort not in sort_fields:
        raise InvalidRequestError(
            f"cannot sort by '{sort}'", details={"sortFields": list(sort_fields)}
        )
    order = (query.get("order") or "asc").lower()
    if order not in ("asc", "desc"):
        raise InvalidRequestError("order must be 'asc' or 'desc'")
    return PageRequest(
        offset=offset, count=count, sort=sort, order="asc" if order == "asc" else "desc"
    )


def sort_and_page(
    items: Sequence[T],
    page: PageRequest,
    sort_keys: Mapping[str, SortKey[T]],
    seq: Callable[[T], int],
) -> list[T]:
    """Sort ``items`` by ``page.sort`` (ties by ``seq``) and cut the page."""
    key_of = sort_keys[page.sort]

    def key(item: T) -> tuple[bool, Any, int]:
        value = key_of(item)
        # Missing values sort last in asc; the flag keeps None out of comparisons.
        return (value is None, value if value is not None else 0, seq(item))

    ordered = sorted(items, key=key, reverse=page.order == "desc")
    return ordered[page.offset : page.offset + page.count]


def hal_list(
    embedded_key: str,
    items: list[dict[str, Any]],
    *,
    total: int,
    page: PageRequest,
    url: URL,
    totals: bool = True,
) -> dict[str, Any]:
    """Build the HAL body: ``_embedded``, ``page`` and ``_links`` (self/first/next/prev).

    Without ``totals`` (strict ``omit_totals``) the body has neither
    ``page.totalElements`` nor a ``next`` link: a client must page on its own.
    """

    def link(offset: int) -> dict[str, str]:
        query = {k: v for k, v in url.query.items() if k not in ("offset", "start")}
        query["offset"] = str(offset)
        query.setdefault("count", str(page.count))
        return {"href": str(url.with_query(query))}

    links: dict[str, Any] = {"self": {"href": str(url)}, "first": link(0)}
    if totals and page.offset + page.count < total:
        links["next"] = link(page.offset + page.count)
    if page.offset > 0:
        links["prev"] = link(max(0, page.offset - page.count))
    summary: dict[str, Any] = {
        "offset": page.offset,
        "count": page.count,
        "size": len(items),
        "sort": page.sort,
        "order": page.order,
    }
    if totals:
        summary["totalElements"] = total
    return {"_embedded": {embedded_key: items}, "page": summary, "_links": links}


def history_page(page: PageRequest, *, ignore_sort: bool, ignore_offset: bool) -> PageRequest:
    """``page`` as a history list honours it: ``sort``/``order``/``offset`` are undocumented there.

    With ``ignore_sort`` the list comes in id order whatever was asked; with
    ``ignore_offset`` every request answers the first page.
    """
    if ignore_sort:
        page = replace(page, sort="id", order="asc")
    if ignore_offset:
        page = replace(page, offset=0)
    return page
