"""The stores of a registry as the Shopify emulator's ``shops`` (``casebridge up``).

The sandbox runs whatever stores its registry lists: the bundled two-store
file (``deploy/shops/shops.yaml``: a US store in USD, an EU store in EUR with
its own policy) or the file ``CASEBRIDGE_SHOPS_FILE`` names. Each store
becomes an emulated one with the same domain, token, currency and webhook
secret, so adding an entry to the file is all a third store takes.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from streams.shops.model import ShopRegistry

BUNDLED_REGISTRY_RESOURCE = "shops/shops.yaml"
"""The two-store registry, relative to the ``deploy`` package."""


def bundled_registry_path() -> Path:
    """Where ``deploy/shops/shops.yaml`` is on this installation."""
    try:
        resource = resources.files("deploy").joinpath(BUNDLED_REGISTRY_RESOURCE)
        if resource.is_file():
            return Path(str(resource))
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "deploy" / BUNDLED_REGISTRY_RESOURCE


def emulator_shops(registry: ShopRegistry) -> list[dict[str, Any]]:
    """The emulator's ``shops`` configuration for every store of ``registry``."""
    shops = []
    for shop in registry:
        entry: dict[str, Any] = {
            "domain": shop.domain,
            "access_token": shop.access_token.get_secret_value(),
            "currency": shop.currency or "USD",
        }
        if shop.webhook_secrets:
            # A store with its own app signs with that app's secret.
            entry["app_secret"] = shop.webhook_secrets[0].get_secret_value()
        shops.append(entry)
    return shops
