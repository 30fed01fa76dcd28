"""``casebridge up``'s configuration from the application's settings (no sockets)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from streams.sandbox_source import sandbox_config
from streams.services import Services
from streams.settings import Settings
from streams.shops.emulated import bundled_registry_path


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("CASEBRIDGE_"):
            monkeypatch.delenv(name)


def test_the_sandbox_runs_a_us_and_an_eu_store_with_their_own_policies() -> None:
    config = sandbox_config(Settings())

    emulated = config.emulated_shops

    us, eu = "casebridge-demo.myshopify.com", "casebridge-eu.myshopify.com"
    assert [(s["domain"], s["currency"]) for s in emulated] == [(us, "USD"), (eu, "EUR")]
    assert len({s["access_token"] for s in emulated}) == 2  # the emulator tells stores by token
    # The worker reads the same file: each store keeps its own policy there.
    shops = Services(Settings(shops_file=config.shops_file)).shops
    us_review = shops.require(us).policy.orders.review
    eu_review = shops.require(eu).policy.orders.review
    assert eu_review.value.absolute_threshold < us_review.value.absolute_threshold
    assert "RU" in eu_review.destination.countries and "RU" not in us_review.destination.countries


def test_a_third_store_is_one_more_registry_entry(tmp_path: Path) -> None:
    registry = tmp_path / "shops.yaml"
    registry.write_text(
        bundled_registry_path().read_text()
        + "  - {domain: casebridge-uk.myshopify.com, access_token: shpat_uk, currency: GBP}\n"
    )
    config = sandbox_config(Settings(shops_file=registry))

    assert config.shops_file == registry
    assert config.shop_domains[0] == "casebridge-demo.myshopify.com"  # the default store
    assert config.emulated_shops[-1] == {
        "domain": "casebridge-uk.myshopify.com",
        "access_token": "shpat_uk",
        "currency": "GBP",
    }


def test_the_settings_become_plain_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS", "kafka.example:9092")
    monkeypatch.setenv("CASEBRIDGE_OPENTEXT__CLIENT_SECRET", "s3cret")
    settings = Settings()

    config = sandbox_config(settings)

    assert config.external_kafka
    assert config.kafka["bootstrap.servers"] == "kafka.example:9092"
    assert config.registry_url == settings.registry.url
    assert config.stack == settings.stack
    assert config.app_id == settings.app_id
    assert config.ingress_path == settings.ingress.path
    assert config.opentext.client_secret == "s3cret"
    assert config.opentext.offline_order_model == settings.opentext.models["OFFLINE_ORDER"]


def test_a_kafka_left_to_its_default_is_not_external() -> None:
    assert not sandbox_config(Settings()).external_kafka
