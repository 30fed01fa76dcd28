"""Contract: product content writes, theme files and shop policies, as Shopify serves them."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from connectors.shopify.documents import operations as ops
from emulators.shopify import EmulatorConfig
from emulators.shopify.config import (
    DeliveryConfig,
    ShopConfig,
    WebhookSubscriptionConfig,
)

from .conftest import Receiver, Running, Start
from .helpers import seed

PRODUCT = """query($id: ID!) { product(id: $id) { title descriptionHtml status tags
  variants(first: 5) { nodes { id price compareAtPrice } } } }"""


async def _product(emulator: Running) -> tuple[str, str]:
    created = await seed(
        emulator, {"products": [{"title": "Herbal tea", "variants": [{"price": "10.00"}]}]}
    )
    product_id: str = created["products"][0]
    data = await emulator.data(PRODUCT, {"id": product_id})
    return product_id, data["product"]["variants"]["nodes"][0]["id"]


async def test_product_update_and_variant_prices_write_and_refuse_like_shopify(
    emulator: Running,
) -> None:
    product_id, variant_id = await _product(emulator)
    update = {"id": product_id, "title": "Tea", "status": "DRAFT", "tags": ["a", "A", "b"]}
    data = await emulator.data(ops.PRODUCT_UPDATE, {"product": update})
    assert data["productUpdate"] == {
        "product": {"id": product_id, "status": "DRAFT"},
        "userErrors": [],
    }
    blank = await emulator.data(ops.PRODUCT_UPDATE, {"product": {"id": product_id, "title": " "}})
    assert blank["productUpdate"]["userErrors"][0]["field"] == ["title"]
    prices = {"productId": product_id, "variants": [{"id": variant_id, "price": "14.50"}]}
    data = await emulator.data(ops.PRODUCT_VARIANTS_BULK_UPDATE, prices)
    assert data["productVariantsBulkUpdate"]["userErrors"] == []
    negative = {"productId": product_id, "variants": [{"id": variant_id, "price": "-1"}]}
    refused = await emulator.data(ops.PRODUCT_VARIANTS_BULK_UPDATE, negative)
    assert refused["productVariantsBulkUpdate"]["userErrors"][0]["code"] == "NEGATIVE_PRICE_VALUE"
    other, _ = await _product(emulator)
    foreign = {"productId": other, "variants": [{"id": variant_id, "price": "1"}]}
    refused = await emulator.data(ops.PRODUCT_VARIANTS_BULK_UPDATE, foreign)
    assert refused["productVariantsBulkUpdate"]["userErrors"][0]["code"] == (
        "MUST_BE_FOR_THIS_PRODUCT"
    )
    product = (await emulator.data(PRODUCT, {"id": product_id}))["product"]
    assert (product["title"], product["status"], product["tags"]) == ("Tea", "DRAFT", ["a", "b"])
    assert product["variants"]["nodes"][0]["price"] == "14.50"


async def test_theme_files_are_read_with_wildcards_and_policies_need_their_scope(
    start_emulator: Start,
) -> None:
    running = await start_emulator()
    files = {
        "sections/header.json": '{"text": "Cures colds"}',
        "sections/footer.json": "{}",
        "layout/theme.liquid": "<html></html>",
    }
    created = await seed(
        running,
        {
            "themes": [{"name": "Dawn", "role": "MAIN", "files": files}],
            "shop_policies": [{"type": "REFUND_POLICY", "body": "30 days"}],
        },
    )
    theme_id = created["themes"][0]
    variables: dict[str, Any] = {"id": theme_id, "filenames": ["sections/*.json"], "first": 10}
    theme = (await running.data(ops.THEME_FILES, variables))["theme"]
    assert theme["role"] == "MAIN"
    assert [f["filename"] for f in theme["files"]["nodes"]] == [
        "sections/footer.json",
        "sections/header.json",
    ]
    assert theme["files"]["nodes"][1]["body"]["content"] == '{"text": "Cures colds"}'
    shop = (await running.data(ops.SHOP_POLICIES))["shop"]
    assert [(p["type"], p["body"]) for p in shop["shopPolicies"]] == [("REFUND_POLICY", "30 days")]

    limited = await start_emulator(
        EmulatorConfig(shops=[ShopConfig(access_scopes=["read_orders", "read_products"])])
    )
    denied = await limited.gql(ops.SHOP_POLICIES)
    assert denied["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    denied = await limited.gql(ops.THEME_FILES, variables)
    assert denied["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    denied = await limited.gql(ops.PRODUCT_UPDATE, {"product": {"id": theme_id}})
    assert denied["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"


async def test_theme_edits_and_policy_changes_send_their_webhooks(
    start_emulator: Start, receiver: Receiver
) -> None:
    config = EmulatorConfig(
        webhooks=[WebhookSubscriptionConfig(topic="*", address=receiver.url)],
        delivery=DeliveryConfig.model_validate({"time_scale": 0.001}),
    )
    running = await start_emulator(config)
    created = await seed(running, {"themes": [{"name": "Dawn", "role": "UNPUBLISHED"}]})
    number = created["themes"][0].rsplit("/", 1)[1]
    response = await running.http.post(
        f"/_emulator/themes/{number}", json={"files": {"sections/a.json": "x"}, "publish": True}
    )
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "MAIN"
    response = await running.http.post(
        "/_emulator/shop_policies", json={"type": "TERMS_OF_SERVICE", "body": "Be nice."}
    )
    assert response.status_code == 200, response.text
    bad = await running.http.post("/_emulator/shop_policies", json={"type": "X", "body": ""})
    assert bad.status_code == 400

    def topics() -> list[str]:
        return [r["headers"]["X-Shopify-Topic"] for r in receiver.received]

    for _ in range(250):
        if len(topics()) >= 3:
            break
        await asyncio.sleep(0.02)
    assert topics() == ["themes/update", "themes/publish", "shop/update"]
    publish = json.loads(receiver.received[1]["body"])
    assert (publish["id"], publish["role"]) == (int(number), "main")
