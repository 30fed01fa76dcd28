"""Unit tests of keyset pagination and the order search syntax."""

from __future__ import annotations

import pytest
from graphql import GraphQLError

from emulators.shopify.connections import decode_cursor, encode_cursor, paginate


def _key(n: int) -> tuple[int]:
    return (n,)


def test_cursor_round_trip_and_forgery() -> None:
    assert decode_cursor(encode_cursor(("2026-01-01T00:00:00", 5))) == ("2026-01-01T00:00:00", 5)
    with pytest.raises(GraphQLError):
        decode_cursor("!!")


def test_forward_walk_covers_all_once() -> None:
    items = list(range(23))
    seen: list[int] = []
    after = None
    while True:
        page = paginate(items, _key, first=5, after=after)
        seen.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == items


def test_last_before_and_reverse() -> None:
    items = list(range(10))
    page = paginate(items, _key, last=3)
    assert page["nodes"] == [7, 8, 9] and page["pageInfo"]["hasPreviousPage"]
    before = paginate(items, _key, last=2, before=page["pageInfo"]["startCursor"])
    assert before["nodes"] == [5, 6]
    rev = paginate(items, _key, first=3, reverse=True)
    assert rev["nodes"] == [9, 8, 7]
    nxt = paginate(items, _key, first=3, reverse=True, after=rev["pageInfo"]["endCursor"])
    assert nxt["nodes"] == [6, 5, 4]


def test_first_or_last_required_and_bounded() -> None:
    with pytest.raises(GraphQLError, match="first or last"):
        paginate([1], _key)
    with pytest.raises(GraphQLError):
        paginate([1], _key, first=251)
    assert paginate([1], _key, required=False)["nodes"] == [1]
