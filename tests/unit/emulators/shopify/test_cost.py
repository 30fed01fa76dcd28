"""Unit tests of the calculated query cost and the leaky bucket."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse

from emulators.shopify import FakeClock, LeakyBucket
from emulators.shopify.cost import CostCalculator
from emulators.shopify.resolvers_mutation import MUTATION_RESOLVERS
from emulators.shopify.resolvers_query import QUERY_RESOLVERS
from emulators.shopify.schema import build

SCHEMA = build({**QUERY_RESOLVERS, **MUTATION_RESOLVERS})


def calc(query: str, variables: dict[str, Any] | None = None) -> CostCalculator:
    return CostCalculator(SCHEMA, parse(query), variables)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ shop { name } }", 1),
        ('{ order(id: "x") { id name tags } }', 1),
        ('{ order(id: "x") { id customer { id defaultAddress { zip } } } }', 3),
        ("{ orders(first: 10) { edges { node { id } } } }", 12),
        ("{ orders(first: 10) { nodes { id } pageInfo { hasNextPage } } }", 12),
        ("{ orders(last: 3) { nodes { id customer { id } } } }", 8),
        (
            "{ orders(first: 10) { nodes { lineItems(first: 5) { nodes { id } } } } }",
            2 + 10 * (1 + 2 + 5),
        ),
        ('{ order(id: "x") { totalPriceSet { shopMoney { amount } } } }', 3),
        ('{ order(id: "x") { fulfillments { trackingInfo { number } } } }', 3),
        ("{ __typename }", 0),
    ],
)
def test_requested_cost(query: str, expected: int) -> None:
    assert calc(query).requested() == expected


def test_variables_and_fragments() -> None:
    query = """query($n: Int) { orders(first: $n) { nodes { ...F } } }
               fragment F on Order { id customer { id } }"""
    assert calc(query, {"n": 4}).requested() == 2 + 4 * 2


def test_aliases_count_separately() -> None:
    query = '{ a: order(id: "1") { id } b: order(id: "2") { id } }'
    assert calc(query).requested() == 2


def test_mutation_costs_ten_per_field() -> None:
    query = (
        'mutation { a: tagsAdd(id: "1", tags: ["x"]) { node { id } }'
        ' b: tagsAdd(id: "2", tags: ["y"]) { node { id } } }'
    )
    cost = calc(query)
    assert cost.is_mutation and cost.requested() == 20 and cost.actual({}) == 20


def test_actual_cost_counts_returned_nodes() -> None:
    query = "{ orders(first: 10) { edges { node { id customer { id } } } } }"
    data = {
        "orders": {
            "edges": [
                {"node": {"id": "1", "customer": {"id": "c"}}},
                {"node": {"id": "2", "customer": None}},
            ]
        }
    }
    cost = calc(query)
    assert cost.requested() == 2 + 10 * 2
    assert cost.actual(data) == 2 + 2 + 1  # two nodes, one customer
    assert cost.actual(None) == 0


def test_bucket_takes_and_restores_with_fake_clock() -> None:
    clock = FakeClock()
    bucket = LeakyBucket(100, 10, clock)
    assert bucket.try_take(60) and bucket.available == 40
    assert not bucket.try_take(50)
    assert bucket.available == 40  # a refused take costs nothing
    assert bucket.retry_after(50) == pytest.approx(1.0)
    clock.advance(1)
    assert bucket.available == 50 and bucket.try_take(50)
    clock.advance(1000)
    assert bucket.available == 100  # never above the maximum


def test_bucket_give_back_and_configure() -> None:
    clock = FakeClock()
    bucket = LeakyBucket(1000, 50, clock)
    bucket.try_take(300)
    bucket.give_back(250)
    assert bucket.available == 950
    bucket.configure(maximum_available=100, restore_rate=1)
    assert bucket.available == 100
    status = bucket.status().as_dict()
    assert status == {"maximumAvailable": 100.0, "currentlyAvailable": 100.0, "restoreRate": 1.0}
