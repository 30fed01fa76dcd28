"""Contract: authentication and invalid requests answer like Shopify, never a 500."""

from __future__ import annotations

import httpx
import pytest

from emulators.shopify import EmulatorConfig, ShopConfig
from emulators.shopify.app import INVALID_TOKEN

from .conftest import API, Running, Start

pytestmark = pytest.mark.integration


async def test_missing_token_is_401(emulator: Running) -> None:
    response = await emulator.http.post(API, json={"query": "{ shop { name } }"})
    assert response.status_code == 401
    assert response.json() == {"errors": INVALID_TOKEN}


async def test_wrong_token_is_401(emulator: Running) -> None:
    response = await emulator.http.post(
        API, json={"query": "{ shop { name } }"}, headers={"X-Shopify-Access-Token": "shpat_nope"}
    )
    assert response.status_code == 401


async def test_host_of_another_shop_is_401(emulator: Running) -> None:
    response = await emulator.http.post(
        API,
        json={"query": "{ shop { name } }"},
        headers={"X-Shopify-Access-Token": emulator.token, "Host": "other.myshopify.com"},
    )
    # An unknown host is fine (127.0.0.1 cannot name a shop); the token decides.
    assert response.status_code == 200


async def test_valid_token_answers_with_cost(emulator: Running) -> None:
    body = await emulator.gql("{ shop { myshopifyDomain currencyCode } }")
    assert body["data"]["shop"] == {
        "myshopifyDomain": "casebridge-demo.myshopify.com",
        "currencyCode": "USD",
    }
    cost = body["extensions"]["cost"]
    assert set(cost) == {"requestedQueryCost", "actualQueryCost", "throttleStatus"}
    assert cost["throttleStatus"]["maximumAvailable"] == 1000.0


@pytest.mark.parametrize(
    ("query", "variables", "needle"),
    [
        ("{ shop { name ", None, "Syntax Error"),
        ("{ shop { nameX } }", None, "nameX"),
        ("query($id: ID!) { order(id: $id) { id } }", {"id": 123.5}, "$id"),
        ("query($n: Int) { orders(first: $n) { nodes { id } } }", {"n": "ten"}, "$n"),
        ("{ orders { nodes { id } } }", None, "first or last"),
        ("mutation { tagsAdd(id: 1) { node { id } } }", None, "tags"),
    ],
)
async def test_invalid_graphql_is_an_errors_array(
    emulator: Running, query: str, variables: dict[str, object] | None, needle: str
) -> None:
    body = await emulator.gql(query, variables)
    assert body["errors"], body
    assert any(needle in e["message"] for e in body["errors"]), body["errors"]
    assert "extensions" in body


@pytest.mark.parametrize(
    "content",
    [b"not json", b"[1, 2]", b'{"query": ""}', b'{"query": "{ shop { name } }", "variables": 3}'],
)
async def test_unusable_body_is_400(emulator: Running, content: bytes) -> None:
    response = await emulator.http.post(
        API,
        content=content,
        headers={"X-Shopify-Access-Token": emulator.token, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "errors" in response.json()


async def test_unknown_version_is_404(emulator: Running) -> None:
    response = await emulator.http.post(
        "/admin/api/latest/graphql.json",
        json={"query": "{ shop { name } }"},
        headers={"X-Shopify-Access-Token": emulator.token},
    )
    assert response.status_code == 404


async def test_missing_resource_is_null_not_error(emulator: Running) -> None:
    data = await emulator.data('{ order(id: "gid://shopify/Order/1") { id } }')
    assert data == {"order": None}


async def test_forged_cursor_is_graphql_error(emulator: Running) -> None:
    body = await emulator.gql('{ orders(first: 2, after: "!!!") { nodes { id } } }')
    assert body["errors"]


async def test_transport_errors_never_500(emulator: Running) -> None:
    queries = [
        '{ node(id: "nonsense") { id } }',
        '{ dispute(id: "gid://shopify/Order/1") { id } }',
        'mutation { orderCancel(orderId: "x", reason: FRAUD, restock: true) {'
        " job { id } orderCancelUserErrors { code } } }",
    ]
    async with httpx.AsyncClient(base_url=emulator.url) as http:
        for query in queries:
            response = await http.post(
                API, json={"query": query}, headers={"X-Shopify-Access-Token": emulator.token}
            )
            assert response.status_code == 200, response.text


async def test_each_token_sees_only_its_shop(start_emulator: Start) -> None:
    config = EmulatorConfig(
        shops=[
            ShopConfig(domain="a.myshopify.com", access_token="shpat_a", app_secret="sa"),
            ShopConfig(domain="b.myshopify.com", access_token="shpat_b", app_secret="sb"),
        ]
    )
    running = await start_emulator(config)
    response = await running.http.post(
        "/_emulator/seed",
        json={"shop": "b.myshopify.com", "orders": [{"line_items": [{"quantity": 1}]}]},
    )
    assert response.status_code == 200
    query = "{ shop { myshopifyDomain } orders(first: 5) { nodes { id } } }"
    running.token = "shpat_a"
    a = await running.data(query)
    running.token = "shpat_b"
    b = await running.data(query)
    assert a["shop"]["myshopifyDomain"] == "a.myshopify.com" and a["orders"]["nodes"] == []
    assert b["shop"]["myshopifyDomain"] == "b.myshopify.com" and len(b["orders"]["nodes"]) == 1
    wrong_host = await running.http.post(
        API,
        json={"query": query},
        headers={"X-Shopify-Access-Token": "shpat_b", "Host": "a.myshopify.com"},
    )
    assert wrong_host.status_code == 401
