"""A stand-in for :class:`~streams.services.Services` in agent tests run without a worker."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from pydantic import SecretStr

from streams.policy import Policy, default_policy
from streams.shops import ShopRegistry, single_shop_registry
from streams.shops.loader import RegistryDefaults


def registry(*domains: str) -> ShopRegistry:
    """A registry of ``domains`` (each with the default policy)."""
    defaults = RegistryDefaults(api_version="2026-04", base_policy=default_policy())
    shops = {}
    for domain in domains:
        one = single_shop_registry(
            domain=domain, access_token=SecretStr("t"), webhook_secrets=(), defaults=defaults
        )
        shops.update(one.shops)
    return ShopRegistry(shops)


class FakeServices(SimpleNamespace):
    """The shop lookups of Services over attributes a test sets (settings, shops, policy)."""

    def policy_for(self, shop: str) -> Policy:
        policy: Policy = getattr(self, "policy", None) or default_policy()
        return policy

    def model_key(self, shop: str, case_type: str) -> str | None:
        models: dict[str, Any] = self.settings.opentext.models
        return models.get(case_type)
