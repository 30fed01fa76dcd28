"""Relay connections with opaque keyset cursors, and Shopify's order search syntax.

Cursors encode the sort key of the last item (not an offset), so paging with
``after`` visits every item exactly once even while other orders are created
or updated between pages.
"""

from __future__ import annotations

import base64
import json
import re
import shlex
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from graphql import GraphQLError

from emulators.shopify.models import Customer, DraftOrder, Order
from emulators.shopify.store import ShopState

T = TypeVar("T")
SortKey = tuple[Any, ...]
MAX_PAGE = 250


def encode_cursor(key: SortKey) -> str:
    """An opaque cursor for a sort key."""
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> SortKey:
    """The sort key inside a cursor; a GraphQL error for a forged one."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(value, list):
            raise ValueError(cursor)
        return tuple(value)
    except (ValueError, TypeError) as exc:
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor}") from exc


def paginate(
    items: Sequence[T],
    key: Callable[[T], SortKey],
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    reverse: bool = False,
    required: bool = True,
) -> dict[str, Any]:
    """Slice ``items`` like a Shopify connection (``edges``, ``nodes``, ``pageInfo``)."""
    if required and first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE:
            raise GraphQLError(f"The {name} argument must be between 0 and {MAX_PAGE}.")
    ordered = sorted(items, key=key, reverse=reverse)
    # Decode up front so a forged cursor fails even on an empty list.
    after_key = list(decode_cursor(after)) if after else None
    before_key = list(decode_cursor(before)) if before else None

    def past(item: T, bound: list[Any]) -> bool:
        k = list(key(item))
        return k < bound if reverse else k > bound

    if after_key is not None:
        ordered = [i for i in ordered if past(i, after_key)]
    if before_key is not None:
        ordered = [i for i in ordered if not past(i, before_key) and list(key(i)) != before_key]
    has_next = has_prev = False
    if first is not None:
        has_next = len(ordered) > first
        ordered = ordered[:first]
    if last is not None:
        has_prev = len(ordered) > last
        ordered = ordered[len(ordered) - last :] if last else []
    edges = [{"cursor": encode_cursor(key(i)), "node": i} for i in ordered]
    return {
        "edges": edges,
        "nodes": list(ordered),
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_prev or bool(after),
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def order_sort_key(sort_key: str | None) -> Callable[[Order], SortKey]:
    """Sort key function for ``OrderSortKeys`` (ties broken by id)."""
    if sort_key == "UPDATED_AT":
        return lambda o: (o.updated_at.isoformat(), o.id)
    if sort_key in {"CREATED_AT", "PROCESSED_AT"}:
        return lambda o: (o.created_at.isoformat(), o.id)
    if sort_key == "ORDER_NUMBER":
        return lambda o: (o.number, o.id)
    return lambda o: (o.id,)


_TERM = re.compile(r"^(?P<field>[a-z_]+):(?P<op><=|>=|<|>)?(?P<value>.+)$")


def _parse_time(value: str) -> datetime:
    text = value.strip("'\"")
    if len(text) == 10:
        text += "T00:00:00"
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _compare(left: Any, op: str | None, right: Any) -> bool:
    if op == ">":
        return bool(left > right)
    if op == ">=":
        return bool(left >= right)
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    return bool(left == right)


def order_filter(shop: ShopState, query: str | None) -> Callable[[Order], bool]:
    """A predicate for Shopify's order search syntax (the subset casebridge uses).

    Supported: ``updated_at``/``created_at``/``processed_at`` with ``> >= < <=``,
    ``status:open|closed|cancelled|any``, ``financial_status``, ``fulfillment_status``,
    ``tag``, ``name``, ``email``, ``id``, ``customer_id``, ``sku``; terms are ANDed. Unknown
    fields are ignored, as Shopify does.
    """
    if not query or not query.strip():
        return lambda o: True
    checks: list[Callable[[Order], bool]] = []
    for token in _tokens(query):
        negate = token.startswith("-")
        match = _TERM.match(token.lstrip("-"))
        if match is None:
            checks.append(_free_text(token.lower()))
            continue
        field, op, value = match["field"], match["op"], match["value"].strip("'\"")
        check = _term(shop, field, op, value)
        if check is not None:
            checks.append(_negated(check) if negate else check)
    return lambda o: all(c(o) for c in checks)


def _free_text(text: str) -> Callable[[Order], bool]:
    return lambda o: text in o.name.lower() or text in o.email.lower()


def _negated(check: Callable[[Order], bool]) -> Callable[[Order], bool]:
    return lambda o: not check(o)


def _term(
    shop: ShopState, field: str, op: str | None, value: str
) -> Callable[[Order], bool] | None:
    low = value.lower()
    if field in {"updated_at", "created_at", "processed_at"}:
        try:
            bound = _parse_time(value)
        except ValueError:
            raise GraphQLError(f"Invalid date in search query: {value}") from None
        return lambda o: _compare(getattr(o, field), op, bound)
    if field == "status":
        if low == "any":
            return lambda o: True
        if low == "cancelled":
            return lambda o: o.cancelled_at is not None
        if low == "closed":
            return lambda o: o.closed_at is not None
        return lambda o: o.closed_at is None and o.cancelled_at is None
    if field == "financial_status":
        return lambda o: o.financial_status.lower() == low
    if field == "fulfillment_status":
        return lambda o: shop.fulfillment_status(o).lower() in {low, f"{low}_fulfilled"}
    if field == "tag":
        return lambda o: low in {t.lower() for t in o.tags}
    if field == "name":
        return lambda o: o.name.lstrip("#") == low.lstrip("#")
    if field == "email":
        return lambda o: o.email.lower() == low
    if field == "id":
        return lambda o: _compare(o.id, op, int(value.rsplit("/", 1)[-1]))
    if field == "customer_id":
        return lambda o: str(o.customer_id) == value.rsplit("/", 1)[-1]
    if field == "sku":
        return lambda o: any((li.sku or "").lower() == low for li in shop.lines_of(o))
    return None


def _tokens(query: str) -> list[str]:
    """The terms of a search query (quotes removed, ``AND`` dropped: terms are ANDed)."""
    try:
        tokens = shlex.split(query)
    except ValueError:
        tokens = query.split()
    return [t for t in tokens if t.upper() != "AND"]


def _tagged(tag: str) -> Callable[[Customer | DraftOrder], bool]:
    return lambda resource: tag in {t.lower() for t in resource.tags}


def _customer_term(field: str | None, value: str) -> Callable[[Customer], bool] | None:
    if field is None:  # free text: name or e-mail
        return lambda c: (
            value in c.email.lower() or value in f"{c.first_name} {c.last_name}".lower()
        )
    if field == "email":
        return lambda c: c.email.lower() == value
    if field == "tag":
        return _tagged(value)
    if field == "id":
        return lambda c: str(c.id) == value.rsplit("/", 1)[-1]
    return None


def customer_filter(query: str | None) -> Callable[[Customer], bool]:
    """A predicate for ``customers(query:)``: ``email:``, ``tag:``, ``id:`` and free text
    (name or e-mail); other fields are ignored, as Shopify does."""
    checks: list[Callable[[Customer], bool]] = []
    for token in _tokens(query or ""):
        match = _TERM.match(token)
        field = match["field"] if match else None
        value = (match["value"] if match else token).strip("'\"").lower()
        check = _customer_term(field, value)
        if check is not None:
            checks.append(check)
    return lambda c: all(check(c) for check in checks)


def _draft_term(field: str, value: str) -> Callable[[DraftOrder], bool] | None:
    if field == "tag":
        return _tagged(value)
    if field == "status":
        return lambda d: d.status.lower() == value
    return None


def draft_filter(query: str | None) -> Callable[[DraftOrder], bool]:
    """A predicate for ``draftOrders(query:)``: ``tag:`` and ``status:`` (open,
    invoice_sent, completed); other fields are ignored, as Shopify does."""
    checks: list[Callable[[DraftOrder], bool]] = []
    for token in _tokens(query or ""):
        match = _TERM.match(token)
        check = _draft_term(match["field"], match["value"].strip("'\"").lower()) if match else None
        if check is not None:
            checks.append(check)
    return lambda d: all(check(d) for check in checks)
