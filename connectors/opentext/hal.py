"""Walking OpenText's paged HAL lists, every item exactly once.

A list page looks like::

    {"_embedded": {"process-instances": [...]},
     "page": {"totalElements": 57},
     "_links": {"self": ..., "next": ...}}

Paging is by ``offset`` (items, not pages) and ``count``. The walk stops at the
first of:

1. an empty page;
2. ``offset >= page.totalElements`` when the server reports a total;
3. otherwise, without a ``next`` link, a page shorter than ``count``, or longer
   (a server that ignores ``count`` answers everything at once); a full page
   without total or ``next`` is followed by another request, since servers
   that leave totals out may leave ``next`` out too;
5. :data:`MAX_STALE_PAGES` pages in a row that bring nothing new (a server
   that ignores ``offset`` would otherwise loop forever).

Only the last stop leaves items unread; a :class:`PagingReport` tells the
caller which one ended the walk, so a poller does not take a first page for
the whole list.

Items are de-duplicated by ``id``: with offset paging, an item inserted
before the current offset while we walk shifts the rest to the right, and the
history poller must not see the same instance twice in one walk. A filtered
history list (``finished=true&finishedAfter=...``) only ever grows, so shifts
go right and nothing is skipped; sorting by ``endTime`` ascending makes new
items land at the end and avoids even the re-reads.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from connectors.opentext.errors import OpenTextProtocolError

#: Consecutive pages without a new item after which the walk gives up. One such page
#: can be an honest shift (a burst of inserts in front of the offset); several in a
#: row mean the server is not paging.
MAX_STALE_PAGES = 3


@dataclass
class PagingReport:
    """How a walk ended: filled in by :func:`iter_hal_items` for a caller that asks.

    Attributes:
        pages: pages fetched.
        complete: the server said (or showed) the list was exhausted; ``False``
            when the walk gave up on pages that brought nothing new (the server
            ignores ``offset``), or has not ended yet.
        stop: why it ended: ``empty``, ``total``, ``short``, ``oversize`` or ``stale``.
    """

    pages: int = 0
    complete: bool = False
    stop: str = ""

    def end(self, stop: str) -> None:
        """Record the stop (``stale`` is the only incomplete one)."""
        self.stop, self.complete = stop, stop != "stale"


PageFetcher: TypeAlias = Callable[[int, int], Awaitable[Any]]
"""``fetch(offset, count)`` -> the decoded JSON body of one page."""


async def iter_hal_items(
    fetch: PageFetcher,
    embedded: str | Sequence[str],
    *,
    page_size: int,
    id_key: str = "id",
    report: PagingReport | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Yield every item of a paged HAL list once, in server order.

    Args:
        fetch: Coroutine function returning the body for ``(offset, count)``.
        embedded: Name(s) under ``_embedded`` holding the items, e.g.
            ``"process-instances"``; the first one present wins.
        page_size: ``count`` per page.
        id_key: Field that identifies an item, for de-duplication.
        report: Filled in with how the walk ended (see :class:`PagingReport`).

    Raises:
        OpenTextProtocolError: A page is not a HAL list.
    """
    if page_size < 1:
        raise ValueError("page_size must be >= 1")
    names = (embedded,) if isinstance(embedded, str) else tuple(embedded)
    report = report if report is not None else PagingReport()
    seen: set[Any] = set()
    offset = 0
    stale_pages = 0
    while True:
        body = await fetch(offset, page_size)
        report.pages += 1
        items = page_items(body, names)
        if not items:
            report.end("empty")
            return
        fresh = 0
        for item in items:
            key = item.get(id_key)
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)
            fresh += 1
            yield item
        offset += len(items)
        stale_pages = stale_pages + 1 if fresh == 0 else 0
        if stale_pages >= MAX_STALE_PAGES:
            report.end("stale")
            return
        if len(items) > page_size:
            report.end("oversize")
            return
        total = page_total(body)
        if total is not None:
            if offset >= total:
                report.end("total")
                return
            continue
        links = body.get("_links") if isinstance(body, Mapping) else None
        if isinstance(links, Mapping) and links.get("next"):
            continue
        if len(items) < page_size:
            report.end("short")
            return
        # A full page without a total or a next link proves nothing (a service that
        # leaves them out, as history may): ask for the next one; an empty page or
        # the stale-page guard ends the walk.


def page_items(body: Any, names: Sequence[str]) -> list[dict[str, Any]]:
    """The items of one list page.

    Accepts the HAL form (``_embedded.<name>``), a HAL page whose only embedded
    list has another name (the history API's list names are not documented), a
    Flowable-style ``{"data": [...]}`` and a bare JSON array. A HAL body with no
    ``_embedded`` at all is an empty page (Spring HAL omits it when empty).
    """
    if isinstance(body, list):
        raw: Any = body
    elif isinstance(body, Mapping):
        embedded = body.get("_embedded")
        if isinstance(embedded, Mapping):
            raw = next((embedded[name] for name in names if name in embedded), None)
            if raw is None:
                lists = [value for value in embedded.values() if isinstance(value, list)]
                raw = lists[0] if len(lists) == 1 else []
        elif "data" in body:
            raw = body["data"]
        else:
            raw = []
    else:
        raise OpenTextProtocolError(f"expected a HAL list page, got {type(body).__name__}")
    if not isinstance(raw, list) or not all(isinstance(item, Mapping) for item in raw):
        raise OpenTextProtocolError(f"list items under {names!r} are not objects")
    return [dict(item) for item in raw]


def page_total(body: Any) -> int | None:
    """Total item count reported by the server (``page.totalElements`` or ``total``), if any."""
    if not isinstance(body, Mapping):
        return None
    page = body.get("page")
    raw = page.get("totalElements") if isinstance(page, Mapping) else body.get("total")
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        return None
    return raw
