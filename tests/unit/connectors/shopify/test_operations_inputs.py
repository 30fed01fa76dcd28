"""Inputs checked before they reach Shopify: a wrong field fails the whole request there."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.shopify import operations as ops
from tests.unit.connectors.shopify.fakes import ScriptedExecutor


def recorder() -> ScriptedExecutor:
    return ScriptedExecutor(
        {"orderUpdate": {"order": {"id": "gid://shopify/Order/1"}, "userErrors": []}}
    )


def test_a_valid_address_is_normalised() -> None:
    address = ops.mailing_address_input(
        {
            "address1": " 1 Main St ",
            "city": "Quebec",
            "countryCode": "ca",
            "provinceCode": "qc",
            "zip": None,
        }
    )
    assert address == {
        "address1": "1 Main St",
        "city": "Quebec",
        "countryCode": "CA",
        "provinceCode": "QC",
    }


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ({"country": "Canada"}, "'country' is not an address field: use countryCode"),
        ({"province": "Quebec"}, "'province' is not an address field: use provinceCode"),
        ({"street": "x"}, "'street' is not an address field"),
        ({"countryCode": "Canada"}, "countryCode 'CANADA' is not an ISO 3166-1 alpha-2 code"),
        ({"provinceCode": "Quebec"}, "provinceCode 'QUEBEC' is not a region code"),
        ({"zip": 12345}, "zip must be text, got int"),
        ({"city": "x" * 256}, "city is longer than 255 characters"),
    ],
)
def test_an_invalid_address_names_the_problem(raw: dict[str, Any], needle: str) -> None:
    with pytest.raises(ops.InvalidAddressError) as info:
        ops.mailing_address_input(raw)
    assert needle in str(info.value)
    assert info.value.transient is False


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ops.InvalidAddressError) as info:
        ops.mailing_address_input({"country": "US", "province": "CA", "countryCode": "USA"})
    assert len(info.value.problems) == 3


async def test_order_update_refuses_a_bad_address_without_calling_shopify() -> None:
    client = recorder()
    with pytest.raises(ops.InvalidAddressError, match="use countryCode"):
        await ops.order_update(
            client, {"id": "gid://shopify/Order/1", "shippingAddress": {"country": "US"}}
        )
    assert client.calls == []


async def test_order_update_sends_the_checked_address() -> None:
    client = recorder()
    await ops.order_update(
        client,
        {"id": "gid://shopify/Order/1", "note": "n", "shippingAddress": {"countryCode": "us"}},
    )
    sent = client.calls[0][1]["input"]
    assert sent == {
        "id": "gid://shopify/Order/1",
        "note": "n",
        "shippingAddress": {"countryCode": "US"},
    }
