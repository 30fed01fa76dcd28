"""Reading the storefront text a theme or ``shop/update`` event is about (UC6).

The webhook names the theme (or the shop) but carries none of its text, so
the classify agent reads it before the rules run
(:mod:`streams.classify.rules.storefront`): the live theme's files matching
``content.theme_files`` through ``theme(id:) { files(filenames:) }``
(scope ``read_themes``), or ``shop { shopPolicies }`` (``read_legal_policies``).
These events are rare (a merchant saving the theme or a policy), so the read
happens in the consuming loop, bounded by a timeout. A failure comes back as
:attr:`StorefrontText.error`, which opens the review rather than letting the
change pass unseen.
"""

from __future__ import annotations

import asyncio
import logging

from connectors.shopify import operations as ops
from connectors.shopify.cost import GraphQLExecutor
from connectors.shopify.errors import ShopifyError
from schemas.records import ShopifyEvent
from streams.classify.rules.payload import parse_json_object
from streams.classify.rules.storefront import SHOP_TOPIC, StorefrontText
from streams.policy.model import Policy
from streams.runtime.keys import gid

log = logging.getLogger(__name__)

__all__ = ["READ_TIMEOUT_S", "read_storefront"]

#: The longest the consuming loop waits for a theme or policy read.
READ_TIMEOUT_S = 10.0
#: Theme files read per event (the connection's page size).
FILES_FIRST = 50


async def read_storefront(
    client: GraphQLExecutor,
    event: ShopifyEvent,
    policy: Policy,
    *,
    timeout_s: float = READ_TIMEOUT_S,
) -> StorefrontText:
    """The theme files or shop policies ``event`` is about; never raises for Shopify trouble."""
    try:
        return await asyncio.wait_for(_read(client, event, policy), timeout=timeout_s)
    except (ShopifyError, TimeoutError) as exc:
        log.warning("%s %s: storefront text not read: %s", event.topic, event.event_id, exc)
        return StorefrontText(error=f"{type(exc).__name__}: {exc}"[:500])


async def _read(client: GraphQLExecutor, event: ShopifyEvent, policy: Policy) -> StorefrontText:
    if event.topic == SHOP_TOPIC:
        policies = await ops.get_shop_policies(client)
        return StorefrontText(
            policies=[
                (str(p.get("type") or ""), str(p.get("title") or ""), str(p.get("body") or ""))
                for p in policies
            ]
        )
    theme_id = parse_json_object(event.payload).require_ident("id", "admin_graphql_api_id")
    theme = await ops.get_theme_files(
        client, gid("OnlineStoreTheme", theme_id), policy.content.theme_files, first=FILES_FIRST
    )
    if theme is None:
        return StorefrontText(missing=True)
    files = []
    for node in (theme.get("files") or {}).get("nodes") or []:
        body = node.get("body") if isinstance(node, dict) else None
        content = body.get("content") if isinstance(body, dict) else None
        if isinstance(content, str):
            files.append((str(node.get("filename") or ""), content))
    return StorefrontText(files=files)
