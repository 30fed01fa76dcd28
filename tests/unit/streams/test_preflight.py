"""Start-up checks: the API version's support window and the token's scopes."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from connectors.shopify.errors import ShopifyAuthError, ShopifyUnavailableError
from connectors.shopify.scopes import ROLE_SCOPES, missing_scopes, required_scopes
from connectors.shopify.versions import DEFAULT_API_VERSION, next_version, support
from streams.ops.metrics import REGISTRY
from streams.preflight import StartupRefused, check_access_scopes, check_api_version, preflight
from streams.settings import Settings
from tests.unit.connectors.shopify.fakes import ScriptedExecutor


def test_the_window_is_twelve_months_from_release() -> None:
    window = support("2026-04", date(2026, 12, 6))
    assert (window.released, window.ends) == (date(2026, 4, 1), date(2027, 4, 1))
    assert window.days_left == 116 and window.supported and not window.ending_soon
    assert next_version("2026-10") == "2027-01"
    assert next_version(DEFAULT_API_VERSION) == "2026-07"


@pytest.mark.parametrize(
    ("version", "needle"),
    [
        ("2025-10", "left Shopify's support window on 2026-10-01"),
        ("2027-04", "is not released until 2027-04-01"),
        ("2026-02", "not a stable Shopify API version: '2026-02'"),
        ("unstable", "not a stable Shopify API version"),
    ],
)
def test_a_version_outside_the_window_refuses_start_in_one_line(version: str, needle: str) -> None:
    with pytest.raises(StartupRefused) as info:
        check_api_version(version, date(2026, 12, 6))
    assert needle in str(info.value)
    assert "\n" not in str(info.value)


def _days_left(version: str) -> float | None:
    return REGISTRY.get_sample_value(
        "casebridge_shopify_api_version_days_left", {"version": version}
    )


def test_under_sixty_days_left_is_a_warning_and_a_metric(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="streams.preflight"):
        window = check_api_version("2026-01", date(2026, 12, 6))
    assert window.days_left == 26
    assert _days_left("2026-01") == 26
    assert "leaves Shopify's support window on 2027-01-01" in caplog.text


def test_sixty_days_or_more_is_quiet(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="streams.preflight"):
        check_api_version("2026-04", date(2027, 1, 31))  # exactly 60 days left
    assert caplog.text == ""
    assert _days_left("2026-04") == 60


def scopes_client(
    handles: list[str] | None = None, error: Exception | None = None
) -> ScriptedExecutor:
    scopes = [{"handle": h} for h in handles or []]
    return ScriptedExecutor({"currentAppInstallation": {"accessScopes": scopes}}, error)


def test_write_covers_read_and_roles_are_named() -> None:
    assert missing_scopes(["write_orders"], ["reconcile"]) == {"read_customers": ["reconcile"]}
    every = required_scopes(ROLE_SCOPES)
    assert every["read_customers"] == ["classify", "reconcile", "writer"]


async def test_missing_scopes_refuse_start_naming_each_with_its_roles() -> None:
    client = scopes_client(["read_orders", "read_customers"])
    with pytest.raises(StartupRefused) as info:
        await check_access_scopes(client, ["classify", "reconcile"])
    message = str(info.value)
    assert "read_returns (for classify)" in message
    assert "write_merchant_managed_fulfillment_orders (for classify)" in message
    assert "read_orders" not in message


async def test_roles_without_shopify_calls_do_not_ask() -> None:
    client = scopes_client()
    assert await check_access_scopes(client, ["ingress", "sink", "web"]) == []
    assert client.calls == []


async def test_a_refused_token_refuses_start() -> None:
    client = scopes_client(error=ShopifyAuthError("401 Unauthorized", status=401))
    with pytest.raises(StartupRefused, match="401"):
        await check_access_scopes(client, ["writer"])


async def test_shopify_unreachable_is_a_warning_not_a_refusal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = scopes_client(error=ShopifyUnavailableError("connection refused", attempts=8))
    with caplog.at_level(logging.WARNING, logger="streams.preflight"):
        assert await check_access_scopes(client, ["writer"]) == []
    assert "could not read the Shopify token's access scopes" in caplog.text


def test_the_worker_stops_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from streams.worker_cli import worker

    monkeypatch.setenv("CASEBRIDGE_SHOPIFY__API_VERSION", "2024-01")
    result = CliRunner().invoke(worker, ["--roles", "ingress"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "2024-01 left Shopify's support window" in lines[0]


def test_every_shop_of_the_registry_has_its_version_checked(tmp_path: Path) -> None:
    registry = tmp_path / "shops.yaml"
    registry.write_text(
        "shops:\n"
        "  - {domain: us.myshopify.com, access_token: a}\n"
        "  - {domain: eu.myshopify.com, access_token: b, api_version: 2025-10}\n"
    )

    refused = r"^shop eu\.myshopify\.com: .*2025-10 left Shopify's support window"
    with pytest.raises(StartupRefused, match=refused):
        preflight(Settings(shops_file=registry), ["monitor"], today=date(2026, 12, 6))
