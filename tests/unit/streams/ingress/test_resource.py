"""resource_ref: which resource and which order a webhook payload is about."""

from __future__ import annotations

import json

import pytest

from streams.ingress.resource import ResourceRef, resource_ref

SHOP = "s.myshopify.com"
BIG = 2**63 - 1  # Shopify ids are 64-bit: beyond a double's exact range (2**53)


def test_orders_are_keyed_by_their_own_id() -> None:
    ref = resource_ref("orders/create", {"id": 450789469, "name": "#1001"})
    assert ref == ResourceRef("450789469", "450789469")
    assert ref.key(SHOP, "wh-1") == f"{SHOP}/450789469"


def test_returns_take_the_nested_order_id() -> None:
    payload = {"id": 945000954, "status": "requested", "order": {"id": 450789469}}
    ref = resource_ref("returns/request", payload)
    assert ref == ResourceRef("945000954", "450789469")
    assert ref.key(SHOP, "wh-1") == f"{SHOP}/450789469"


def test_disputes_take_order_id() -> None:
    ref = resource_ref("disputes/create", {"id": 1052608616, "order_id": 450789469})
    assert ref == ResourceRef("1052608616", "450789469")


def test_fulfillment_order_envelope_is_unwrapped() -> None:
    payload = {
        "fulfillment_order": {"id": 1046000778, "order_id": 450789469, "status": "on_hold"},
        "fulfillment_hold": {"reason": "other"},
    }
    ref = resource_ref("fulfillment_orders/placed_on_hold", payload)
    assert ref == ResourceRef("1046000778", "450789469")
    assert ref.key(SHOP, "wh-1") == f"{SHOP}/450789469"


def test_moved_fulfillment_order_uses_the_original() -> None:
    payload = {
        "original_fulfillment_order": {"id": 11, "order_id": 450789469},
        "moved_fulfillment_order": {"id": 12, "order_id": 450789469},
    }
    assert resource_ref("fulfillment_orders/moved", payload) == ResourceRef("11", "450789469")


def test_envelope_ignored_when_the_payload_has_its_own_id() -> None:
    payload = {"id": 5, "order_id": 6, "fulfillment_order": {"id": 7, "order_id": 8}}
    assert resource_ref("fulfillments/create", payload) == ResourceRef("5", "6")


def test_inventory_levels_use_the_inventory_item() -> None:
    payload = {"inventory_item_id": 808950810, "location_id": 655441491, "available": 3}
    ref = resource_ref("inventory_levels/update", payload)
    assert ref == ResourceRef("808950810", None)
    assert ref.key(SHOP, "wh-1") == f"{SHOP}/808950810"


def test_split_fulfillment_order_is_keyed_by_the_original() -> None:
    payload = {
        "split_line_items": [{"id": "gid://shopify/FulfillmentOrderLineItem/1", "quantity": 1}],
        "fulfillment_order": {"id": "gid://shopify/FulfillmentOrder/1", "status": "open"},
        "remaining_fulfillment_order": {"id": "gid://shopify/FulfillmentOrder/2"},
    }
    # Shopify names no order here: the split fulfillment order keys the record.
    ref = resource_ref("fulfillment_orders/split", payload)
    assert ref == ResourceRef("gid://shopify/FulfillmentOrder/1", None)


def test_products_have_no_order() -> None:
    ref = resource_ref("products/update", {"id": 632910392, "title": "IPod Nano"})
    assert ref == ResourceRef("632910392", None)
    assert ref.key(SHOP, "wh-1") == f"{SHOP}/632910392"


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("orders/updated", {"id": BIG}),
        ("disputes/update", {"id": 1, "order_id": BIG}),
        ("returns/approve", {"id": 1, "order": {"id": BIG}}),
    ],
)
def test_ids_above_2_53_stay_exact(topic: str, payload: dict[str, int]) -> None:
    # Parsed from the raw bytes as Shopify sends them, then compared as text.
    ref = resource_ref(topic, json.loads(json.dumps(payload)))
    assert ref.order_id == str(BIG) == "9223372036854775807"


def test_string_ids_are_kept_as_given() -> None:
    ref = resource_ref("orders/paid", {"id": "9007199254740993"})
    assert ref.order_id == "9007199254740993"


@pytest.mark.parametrize(
    "payload",
    [{}, {"id": None}, {"id": ""}, {"id": True}, {"id": 1.5}, {"id": {"nested": 1}}],
    ids=["absent", "null", "empty", "bool", "float", "object"],
)
def test_missing_or_unusable_id_falls_back_to_the_webhook_id(payload: dict[str, object]) -> None:
    ref = resource_ref("orders/create", payload)
    assert ref == ResourceRef(None, None)
    assert ref.key(SHOP, "wh-1") == f"{SHOP}/wh-1"


def test_order_id_wins_over_the_resource_id_for_the_key() -> None:
    assert ResourceRef("r", "o").key(SHOP, "f") == f"{SHOP}/o"
    assert ResourceRef("r", None).key(SHOP, "f") == f"{SHOP}/r"
