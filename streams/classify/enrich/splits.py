"""Before a ``fulfillment_orders/split`` webhook is classified: was the split ours?

Shopify's split webhook names neither the order nor who split. casebridge's
writer marks each of its splits on the order first
(:mod:`streams.runtime.own_splits`), so one read of the split fulfillment order's
order (~2 points, :data:`~connectors.shopify.documents.fulfillment.FULFILLMENT_ORDER_SPLITS`)
tells the rules whether to open a case and, when they do, which order it is about.
Splits are rare, so the read runs in the consuming loop like the storefront's,
bounded by :data:`READ_TIMEOUT_S`; a failed read never raises and the case opens
saying that it could not be checked.
"""

from __future__ import annotations

import asyncio
import logging

from connectors.shopify.cost import GraphQLExecutor
from connectors.shopify.documents.fulfillment import FULFILLMENT_ORDER_SPLITS
from connectors.shopify.errors import ShopifyError
from connectors.shopify.ids import gid, gid_tail
from streams.classify.rules.fulfillment import SplitOrigin
from streams.runtime.own_splits import OwnSplitsError, parse

__all__ = ["READ_TIMEOUT_S", "read_split_origin"]

log = logging.getLogger(__name__)

#: The longest the consuming loop waits for the read.
READ_TIMEOUT_S = 10.0


async def read_split_origin(
    client: GraphQLExecutor, fulfillment_order_id: str, *, timeout_s: float = READ_TIMEOUT_S
) -> SplitOrigin:
    """The order of ``fulfillment_order_id`` and its markers; never raises for Shopify trouble."""
    try:
        data = await asyncio.wait_for(
            client.execute(
                FULFILLMENT_ORDER_SPLITS, {"id": gid("FulfillmentOrder", fulfillment_order_id)}
            ),
            timeout=timeout_s,
        )
    except (ShopifyError, TimeoutError) as exc:
        log.warning("split of fulfillment order %s: origin not read: %s", fulfillment_order_id, exc)
        return SplitOrigin(error=f"{type(exc).__name__}: {exc}"[:500])
    fo = data.get("fulfillmentOrder")
    if not isinstance(fo, dict):
        return SplitOrigin(error=f"fulfillment order {fulfillment_order_id} does not exist")
    raw_order_id = fo.get("orderId")
    order_id = gid_tail(raw_order_id) if isinstance(raw_order_id, str) else None
    order = fo.get("order")
    marker = order.get("ownSplits") if isinstance(order, dict) else None
    try:
        markers = parse(marker.get("value") if isinstance(marker, dict) else None)
    except OwnSplitsError as exc:
        return SplitOrigin(order_id=order_id, error=str(exc))
    return SplitOrigin(order_id=order_id, markers=tuple(markers))
