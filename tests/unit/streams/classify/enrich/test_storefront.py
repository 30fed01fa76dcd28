"""Reading theme files and shop policies for theme and shop events; failures become errors."""

from __future__ import annotations

from connectors.shopify.errors import ShopifyUnavailableError
from streams.classify.enrich.storefront import read_storefront
from streams.policy import default_policy
from tests.unit.streams.classify.rules.conftest import make_event
from tests.unit.streams.writer.fakes import FakeShopify

THEME = {"id": 828155753, "name": "Dawn", "role": "main"}


async def test_theme_files_are_read_with_the_policys_filenames() -> None:
    files = {"nodes": [{"filename": "sections/a.json", "body": {"content": "cures"}}]}
    answer = {"theme": {"id": "gid://shopify/OnlineStoreTheme/828155753", "files": files}}
    fake = FakeShopify().script("CasebridgeThemeFiles", answer)
    policy = default_policy()
    text = await read_storefront(fake, make_event("themes/update", THEME), policy)
    assert text.files == [("sections/a.json", "cures")]
    sent = fake.called("CasebridgeThemeFiles")[0]
    assert sent["id"] == "gid://shopify/OnlineStoreTheme/828155753"
    assert sent["filenames"] == policy.content.theme_files


async def test_a_missing_theme_and_an_outage_are_said_not_raised() -> None:
    missing = FakeShopify().script("CasebridgeThemeFiles", {"theme": None})
    event = make_event("themes/update", THEME)
    assert (await read_storefront(missing, event, default_policy())).missing
    down = FakeShopify().script(
        "CasebridgeShopPolicies", ShopifyUnavailableError("503", attempts=2)
    )
    text = await read_storefront(down, make_event("shop/update", {"id": 1}), default_policy())
    assert text.error is not None and "ShopifyUnavailableError" in text.error


async def test_shop_policies_are_read() -> None:
    policies = [{"id": "p", "type": "REFUND_POLICY", "title": "Refunds", "body": "30 days"}]
    fake = FakeShopify().script("CasebridgeShopPolicies", {"shop": {"shopPolicies": policies}})
    text = await read_storefront(fake, make_event("shop/update", {"id": 1}), default_policy())
    assert text.policies == [("REFUND_POLICY", "Refunds", "30 days")]
