"""UPDATE_PRODUCT and the content hold's writes: read, compare, write only what differs."""

from __future__ import annotations

from typing import Any

from connectors.shopify.content import TagChange
from schemas.records import ActionKind, WritebackStatus
from tests.unit.streams.writer.fakes import FakeShopify
from tests.unit.streams.writer.test_executor import run

PRODUCT = "gid://shopify/Product/1"
VARIANT = "gid://shopify/ProductVariant/2"


def product(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": PRODUCT,
        "title": "Herbal tea",
        "descriptionHtml": "<p>calm</p>",
        "productType": "Tea",
        "vendor": "Leaf",
        "status": "DRAFT",
        "tags": ["organic", "casebridge:approved:OLD", "casebridge:revision-requested"],
        "variants": {"nodes": [{"id": VARIANT, "price": "10.00", "compareAtPrice": None}]},
    }
    return {"product": {**base, **fields}}


UPDATED = {"productUpdate": {"product": {"id": PRODUCT, "status": "ACTIVE"}, "userErrors": []}}
PRICED = {"productVariantsBulkUpdate": {"productVariants": [], "userErrors": []}}
PARAMS: dict[str, Any] = {
    "content": {"title": "Tea that cures", "variant:2:price": "14"},
    "status": "ACTIVE",
    "addTags": ["casebridge:approved:NEW"],
    "removeTags": ["casebridge:revision-requested"],
    "removeTagPrefix": "casebridge:approved:",
}


async def test_update_product_writes_fields_status_tags_then_prices() -> None:
    fake = FakeShopify().script("CasebridgeProductContent", product())
    fake.script("CasebridgeProductUpdate", UPDATED).script(
        "CasebridgeProductVariantsBulkUpdate", PRICED
    )
    result = await run(fake, ActionKind.UPDATE_PRODUCT, PRODUCT, **PARAMS)
    assert result.status is WritebackStatus.APPLIED
    assert fake.names[1:] == ["CasebridgeProductUpdate", "CasebridgeProductVariantsBulkUpdate"]
    sent = fake.called("CasebridgeProductUpdate")[0]["product"]
    assert sent == {
        "id": PRODUCT,
        "title": "Tea that cures",
        "status": "ACTIVE",
        "tags": ["organic", "casebridge:approved:NEW"],
    }
    assert fake.called("CasebridgeProductVariantsBulkUpdate")[0]["variants"] == [
        {"id": VARIANT, "price": "14"}
    ]


async def test_update_product_in_place_writes_nothing() -> None:
    done = product(
        title="Tea that cures",
        status="ACTIVE",
        tags=["organic", "casebridge:approved:NEW"],
        variants={"nodes": [{"id": VARIANT, "price": "14.00", "compareAtPrice": None}]},
    )
    fake = FakeShopify().script("CasebridgeProductContent", done)
    result = await run(fake, ActionKind.UPDATE_PRODUCT, PRODUCT, **PARAMS)
    assert result.status is WritebackStatus.ALREADY_APPLIED
    assert fake.names == ["CasebridgeProductContent"]


async def test_update_product_refuses_bad_content_and_missing_products() -> None:
    fake = FakeShopify().script("CasebridgeProductContent", product())
    bad = await run(fake, ActionKind.UPDATE_PRODUCT, PRODUCT, content={"colour": "red"})
    assert bad.status is WritebackStatus.FAILED and bad.error_code == "INVALID_PARAMS"
    other = await run(fake, ActionKind.UPDATE_PRODUCT, PRODUCT, content={"variant:9:price": "1"})
    assert other.status is WritebackStatus.FAILED and other.error_code == "NOT_FOUND"
    gone = FakeShopify().script("CasebridgeProductContent", {"product": None})
    missing = await run(gone, ActionKind.UPDATE_PRODUCT, PRODUCT, content={"title": "x"})
    assert missing.status is WritebackStatus.FAILED and missing.error_code == "NOT_FOUND"


def test_tag_change_keeps_order_and_is_none_when_nothing_changes() -> None:
    change = TagChange(add=["b"], remove=["c"], remove_prefix="p:")
    assert change.apply(["a", "p:1", "C"]) == ["a", "b"]
    assert change.apply(["a", "B"]) is None
