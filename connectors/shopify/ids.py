"""Shopify's global ids (GIDs)."""

from __future__ import annotations

__all__ = ["gid"]


def gid(resource: str, value: str) -> str:
    """``value`` as a Shopify GraphQL id of ``resource`` (``123`` -> ``gid://shopify/Order/123``).

    Case variables carry numeric ids (the classifier normalises them); an
    id that already is a GID is returned unchanged.
    """
    value = value.strip()
    if value.startswith("gid://"):
        return value
    return f"gid://shopify/{resource}/{value}"
