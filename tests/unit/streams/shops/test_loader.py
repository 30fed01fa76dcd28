"""The shop registry file: resolved shops, overlays, and one clear error per bad entry."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr

from streams.policy import default_policy
from streams.shops import ShopRegistryError, load_registry, parse_registry, single_shop_registry
from streams.shops.errors import UnknownShopError
from streams.shops.loader import RegistryDefaults

DEFAULTS = RegistryDefaults(
    api_version="2026-04",
    base_policy=default_policy(),
    base_url="http://127.0.0.1:8090",
    models={"ORDER_REVIEW": "casebridge.order_review", "COMPLAINT": "casebridge.complaint"},
)

TWO_SHOPS = """
shops:
  - domain: US-Store.myshopify.com
    access_token: shpat_us
    currency: USD
  - domain: eu-store.myshopify.com
    access_token_file: eu-token
    api_version: 2026-01
    webhook_secrets_file: eu-webhook
    currency: EUR
    policy:
      orders:
        review:
          value: {absolute_threshold: "2000"}
          destination: {countries: [RU, BY]}
          teams: {risk: [eu-fraud]}
    opentext:
      models: {ORDER_REVIEW: eu.order_review}
"""


@pytest.fixture
def registry_file(tmp_path: Path) -> Path:
    (tmp_path / "eu-token").write_text("shpat_eu\n")
    (tmp_path / "eu-webhook").write_text("eu-secret-new\neu-secret-old\n")
    path = tmp_path / "shops.yaml"
    path.write_text(TWO_SHOPS)
    return path


def test_two_shops_are_resolved_with_their_files_and_overlays(registry_file: Path) -> None:
    registry = load_registry(registry_file, DEFAULTS)

    assert registry.domains == ["us-store.myshopify.com", "eu-store.myshopify.com"]
    us, eu = registry.require("us-store.myshopify.com"), registry.require("EU-store.myshopify.com")
    assert us.access_token.get_secret_value() == "shpat_us"
    assert (us.api_version, us.base_url, us.currency) == ("2026-04", DEFAULTS.base_url, "USD")
    assert us.policy == DEFAULTS.base_policy
    assert us.webhook_secrets == ()
    assert eu.access_token.get_secret_value() == "shpat_eu"
    assert eu.api_version == "2026-01"
    assert [s.get_secret_value() for s in eu.webhook_secrets] == ["eu-secret-new", "eu-secret-old"]
    review = eu.policy.orders.review
    assert review.value.absolute_threshold == Decimal("2000")
    assert review.destination.countries == ["RU", "BY"]
    assert review.teams.risk == ["eu-fraud"]
    # Keys the overlay does not name keep the base policy's values.
    base = DEFAULTS.base_policy.orders.review
    assert review.value.relative_multiplier == base.value.relative_multiplier
    assert eu.policy.complaints == DEFAULTS.base_policy.complaints
    assert eu.models == {"ORDER_REVIEW": "eu.order_review", "COMPLAINT": "casebridge.complaint"}
    assert "shpat" not in repr(eu)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("shops: []", "shops.yaml: 'shops' is empty"),
        ("stores: []", "expected a top-level 'shops:' list"),
        ("shops: [{domain: a.myshopify.com, access_token: x}]\nextra: 1", "unknown top-level key"),
        ("shops: [3]", "shops[0]: expected a mapping"),
        ("shops: [{domain: evil.com, access_token: x}]", "shops[0] (evil.com): domain: "),
        ("shops: [{domain: a.myshopify.com}]", "(a.myshopify.com): access_token: missing"),
        (
            "shops: [{domain: a.myshopify.com, access_token: x, access_token_file: t}]",
            "give access_token or access_token_file",
        ),
        (
            "shops: [{domain: a.myshopify.com, access_token_file: nowhere}]",
            "(a.myshopify.com): access_token_file: cannot read",
        ),
        (
            "shops: [{domain: a.myshopify.com, access_token: x, api_version: '26'}]",
            "api_version: not an Admin API version: '26'",
        ),
        (
            "shops: [{domain: a.myshopify.com, access_token: x, currency: usd}]",
            "currency: String should match pattern",
        ),
        (
            "shops: [{domain: a.myshopify.com, access_token: x, tokn: y}]",
            "(a.myshopify.com): tokn: unknown key",
        ),
        (
            "shops:\n - {domain: a.myshopify.com, access_token: x}\n"
            " - {domain: b.myshopify.com, access_token: y,"
            " policy: {orders: {review: {value: {absolute_threshold: lots}}}}}",
            "shops[1] (b.myshopify.com): policy.orders.review.value.absolute_threshold:",
        ),
        (
            "shops:\n - {domain: a.myshopify.com, access_token: x}\n"
            " - {domain: A.myshopify.com, access_token: y}",
            "shops[1] (A.myshopify.com): domain: a.myshopify.com is listed twice",
        ),
        ("shops: [{domain: a.myshopify.com, domain: b}]", "duplicate key 'domain'"),
        (
            "shops: [{domain: a.myshopify.com, access_token: x, policy: {decisions: {}}}]",
            "(a.myshopify.com): policy.decisions: the outcome mapping is the deployment's",
        ),
        (
            "shops: [{domain: a.myshopify.com, access_token: x,"
            " opentext: {models: {ORDER_REVEIW: m}}}]",
            "(a.myshopify.com): opentext.models: unknown case type 'ORDER_REVEIW'",
        ),
    ],
)
def test_a_bad_entry_names_the_file_the_shop_and_the_key(
    text: str, message: str, tmp_path: Path
) -> None:
    with pytest.raises(ShopRegistryError) as caught:
        parse_registry(text, DEFAULTS, name="shops.yaml", base_dir=tmp_path)

    assert message in str(caught.value)
    assert str(caught.value).startswith("shops.yaml: ")


def test_an_unreadable_file_is_a_registry_error(tmp_path: Path) -> None:
    with pytest.raises(ShopRegistryError, match=r"missing\.yaml: cannot read shop registry"):
        load_registry(tmp_path / "missing.yaml", DEFAULTS)


def test_the_single_shop_settings_are_a_registry_of_one() -> None:
    registry = single_shop_registry(
        domain="Casebridge-Demo.myshopify.com",
        access_token=SecretStr("shpat_x"),
        webhook_secrets=(),
        defaults=DEFAULTS,
    )

    assert registry.domains == ["casebridge-demo.myshopify.com"]
    assert registry.default.policy == DEFAULTS.base_policy
    assert "casebridge-demo.myshopify.com" in registry
    with pytest.raises(UnknownShopError, match=r"evil\.myshopify\.com' is not in the shop"):
        registry.require("evil.myshopify.com")
