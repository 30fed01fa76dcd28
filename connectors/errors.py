"""The root of casebridge's exception hierarchy.

Every error casebridge raises on purpose derives from :class:`CasebridgeError`,
so the CLI can print it as one clear line instead of a traceback::

    CasebridgeError
    ├── streams.settings.SettingsError          invalid configuration
    ├── deploy.local.errors.StackError          local Kafka / registry stack
    ├── connectors.serde.errors.SerdeError      Avro schemas, registry, wire format
    ├── connectors.shopify.errors.ShopifyError  Shopify Admin API client
    └── connectors.opentext.errors.OpenTextError  OpenText Workflow client

Each domain documents its own subclasses in its ``errors`` module.
"""

from __future__ import annotations


class CasebridgeError(Exception):
    """Base class of every error casebridge raises deliberately."""


class ConfigurationError(CasebridgeError):
    """A setting, file or argument supplied by the user is not valid."""
