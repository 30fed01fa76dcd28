"""Unit tests of the emulator configuration."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from connectors.errors import ConfigurationError
from emulators.shopify import EmulatorConfig, EmulatorConfigError, ShopConfig, load_config


def test_defaults_work_out_of_the_box() -> None:
    config = load_config(None)
    shop = config.shops[0]
    assert (shop.domain, shop.access_token, shop.app_secret) == (
        "casebridge-demo.myshopify.com",
        "shpat_emulator_token",
        "emulator-webhook-secret",
    )
    assert shop.bucket_limits() == (1000, 100.0)
    assert len(config.delivery.retry_schedule_s) == 8
    assert 3.5 * 3600 < sum(config.delivery.retry_schedule_s) < 4.5 * 3600


def test_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(
        "shops:\n  - {domain: a.myshopify.com, access_token: t1, plan: plus}\n"
        "  - {domain: b.myshopify.com, access_token: t2}\n"
        "webhooks:\n  - {topic: ORDERS_CREATE, address: 'http://127.0.0.1:9/hook'}\n"
        "delivery: {retry_schedule_s: [1, 2], time_scale: 0.01}\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert [s.domain for s in config.shops] == ["a.myshopify.com", "b.myshopify.com"]
    assert config.delivery.retry_schedule_s == [1, 2]


@pytest.mark.parametrize(
    "text", ["shops: [{plan: gold}]", "- a list", "delivery: {nope: 1}", ": : :"]
)
def test_bad_files_raise_one_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EmulatorConfigError) as info:
        load_config(path)
    assert isinstance(info.value, ConfigurationError)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(EmulatorConfigError, match="cannot read"):
        load_config(tmp_path / "absent.yaml")


def test_tokens_must_be_unique() -> None:
    with pytest.raises(ValidationError, match="distinct access tokens"):
        EmulatorConfig(
            shops=[ShopConfig(domain="a.myshopify.com"), ShopConfig(domain="b.myshopify.com")]
        )
