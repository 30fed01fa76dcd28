"""Errors of the shop registry."""

from __future__ import annotations

from connectors.errors import ConfigurationError


class ShopRegistryError(ConfigurationError):
    """The registry file cannot be read or one of its entries is invalid.

    The message names the file, the shop (its domain or position) and the key.
    """


class UnknownShopError(ShopRegistryError):
    """A record names a shop that is not in the registry."""
