"""The own-split markers: written by the writer before a split, read by classify after it."""

from __future__ import annotations

import json

import pytest

from streams.runtime.own_splits import KEEP, OwnSplit, OwnSplitsError, is_own, parse, with_split

OURS = OwnSplit("10", 3, "FULFILLMENT_EXCEPTION-1")


def test_a_marker_round_trips_and_names_the_fulfillment_order_by_its_number() -> None:
    value = with_split([], OURS)
    assert value is not None
    assert parse(value) == [OURS]
    written = json.loads(value)
    assert written == [{"fulfillmentOrderId": "10", "moved": 3, "case": "FULFILLMENT_EXCEPTION-1"}]
    # A GID in a value written by hand reads as its number.
    gid = '[{"fulfillmentOrderId": "gid://shopify/FulfillmentOrder/10", "moved": 3}]'
    assert parse(gid) == [OwnSplit("10", 3, "")]


def test_a_split_is_marked_once_and_only_the_newest_are_kept() -> None:
    assert with_split([OURS], OURS) is None
    many = [OwnSplit(str(n), 1, f"c{n}") for n in range(KEEP)]
    value = with_split(many, OURS)
    assert value is not None
    kept = parse(value)
    assert len(kept) == KEEP and kept[-1] == OURS and kept[0].fulfillment_order_id == "1"


def test_ours_means_the_same_fulfillment_order_and_the_same_units_moved() -> None:
    assert is_own([OURS], "gid://shopify/FulfillmentOrder/10", 3)
    assert is_own([OURS], "10", None)  # the webhook did not say how many moved
    assert not is_own([OURS], "10", 1)  # someone else moved other units off it
    assert not is_own([OURS], "11", 3)
    assert not is_own([], "10", 3)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("{", "not JSON"),
        ('{"fulfillmentOrderId": "1"}', "not a list"),
        ('[{"fulfillmentOrderId": 1, "moved": 2}]', r"\[0\]: needs fulfillmentOrderId"),
        ('[{"fulfillmentOrderId": "1", "moved": true}]', "moved"),
        ('["x"]', r"\[0\]"),
    ],
)
def test_a_value_that_is_not_a_list_of_markers_says_why(value: str, why: str) -> None:
    with pytest.raises(OwnSplitsError, match=why):
        parse(value)
    assert parse(None) == []
