"""Shopify's global ids (GIDs)."""

from __future__ import annotations

__all__ = ["gid", "gid_tail"]


def gid(resource: str, value: str) -> str:
    """``value`` as a Shopify GraphQL id of ``resource`` (``123`` -> ``gid://shopify/Order/123``).

    Case variables carry numeric ids (the classifier normalises them); an
    id that already is a GID is returned unchanged.
    """
    value = value.strip()
    if value.startswith("gid://"):
        return value
    return f"gid://shopify/{resource}/{value}"


def gid_tail(value: str) -> str:
    """The id inside a GID (``gid://shopify/Order/123`` -> ``123``); other ids stripped."""
    value = value.strip()
    return value.rsplit("/", 1)[-1] if value.startswith("gid://") else value
