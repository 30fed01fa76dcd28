"""The shop registry: every Shopify store this deployment serves, and how.

Public surface::

    from streams.shops import Shop, ShopRegistry, ShopRegistryError, load_registry, RegistryWatcher

One entry per store (domain, token, API version, webhook secrets, a policy
overlay and OpenText routing), read from a YAML file that workers watch and
reload without restarting (:mod:`streams.shops.watch`). Without a file the
single-shop ``CASEBRIDGE_SHOPIFY__*`` settings are a registry of one shop.
"""

from streams.shops.errors import ShopRegistryError
from streams.shops.loader import load_registry, parse_registry, single_shop_registry
from streams.shops.model import Shop, ShopRegistry
from streams.shops.watch import RegistryWatcher

__all__ = [
    "RegistryWatcher",
    "Shop",
    "ShopRegistry",
    "ShopRegistryError",
    "load_registry",
    "parse_registry",
    "single_shop_registry",
]
