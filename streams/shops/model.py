"""The shop registry's entries: one resolved :class:`Shop` per store, and the registry.

A :class:`ShopEntry` is what the registry file says (validated as written);
a :class:`Shop` is what the workers use: its token read from its file, its
policy overlay merged over the base policy, its OpenText models merged over
the deployment's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from schemas.records import CaseType
from streams.policy.model import Policy
from streams.shops.errors import UnknownShopError

#: ``{shop}.myshopify.com``, the only domain form Shopify signs webhooks with.
SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
_API_VERSION = re.compile(r"^(\d{4}-\d{2}|unstable)$")


def normalise_domain(value: str) -> str:
    """``https://Shop.myshopify.com/`` -> ``shop.myshopify.com``."""
    return value.strip().lower().removeprefix("https://").rstrip("/")


class OpenTextRouting(BaseModel):
    """Where a shop's cases go in OpenText: model keys per case type, over the deployment's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    models: dict[str, str] = Field(default_factory=dict)

    @field_validator("models")
    @classmethod
    def _known_case_types(cls, value: dict[str, str]) -> dict[str, str]:
        known = {kind.value for kind in CaseType}
        for kind, key in value.items():
            if kind not in known:
                raise ValueError(f"unknown case type {kind!r} (one of {', '.join(sorted(known))})")
            if not key.strip():
                raise ValueError(f"empty model key for {kind}")
        return value


class ShopEntry(BaseModel):
    """One ``shops:`` entry of the registry file, as written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    domain: str
    access_token: SecretStr | None = None
    access_token_file: Path | None = None
    api_version: str | None = None
    base_url: str | None = None
    webhook_secrets: list[SecretStr] = Field(default_factory=list)
    webhook_secrets_file: Path | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    policy: dict[str, Any] = Field(default_factory=dict)
    opentext: OpenTextRouting = Field(default_factory=OpenTextRouting)

    @field_validator("domain")
    @classmethod
    def _check_domain(cls, value: str) -> str:
        value = normalise_domain(value)
        if not SHOP_DOMAIN.match(value):
            raise ValueError(f"not a shop domain: {value!r} (expected shop.myshopify.com)")
        return value

    @field_validator("api_version")
    @classmethod
    def _check_version(cls, value: str | None) -> str | None:
        if value is not None and not _API_VERSION.match(value):
            raise ValueError(f"not an Admin API version: {value!r} (expected YYYY-MM)")
        return value

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s) URL, got {value!r}")
        return value.rstrip("/") if value else value


@dataclass(frozen=True)
class Shop:
    """One store, resolved: everything a worker needs to serve it."""

    domain: str
    access_token: SecretStr
    api_version: str
    policy: Policy
    base_url: str | None = None
    webhook_secrets: tuple[SecretStr, ...] = ()
    currency: str | None = None
    models: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:  # the token stays out of logs (SecretStr already masks it)
        return f"Shop({self.domain!r}, api_version={self.api_version!r})"


@dataclass(frozen=True)
class ShopRegistry:
    """The stores of this deployment, by domain (insertion order kept: the first is the default)."""

    shops: Mapping[str, Shop]
    source: str = "settings"

    def __post_init__(self) -> None:
        if not self.shops:
            raise ValueError("a shop registry needs at least one shop")

    def __contains__(self, domain: object) -> bool:
        return isinstance(domain, str) and normalise_domain(domain) in self.shops

    def __iter__(self) -> Iterator[Shop]:
        return iter(self.shops.values())

    def __len__(self) -> int:
        return len(self.shops)

    @property
    def domains(self) -> list[str]:
        """The shops' domains, in file order."""
        return list(self.shops)

    @property
    def default(self) -> Shop:
        """The first shop: what a single-shop command means when no shop is named."""
        return next(iter(self.shops.values()))

    def get(self, domain: str) -> Shop | None:
        """The shop of ``domain``, or None when it is not registered."""
        return self.shops.get(normalise_domain(domain))

    def require(self, domain: str) -> Shop:
        """The shop of ``domain``; :class:`UnknownShopError` when it is not registered."""
        shop = self.get(domain)
        if shop is None:
            raise UnknownShopError(
                f"shop {domain!r} is not in the shop registry ({self.source}); "
                f"registered: {', '.join(self.domains)}"
            )
        return shop
