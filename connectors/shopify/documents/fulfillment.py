"""The GraphQL documents of a fulfillment case's enrichment (``streams.classify.enrich``).

The order's fulfillment orders and their lines; for a stock shortage, the
newest open orders with the SKU, the inventory item's variant and product, and
the product's other variants (substitutes); the order of a fulfillment order
(``fulfillment_orders/split`` names none), with casebridge's own-split markers.
"""

from __future__ import annotations

__all__ = [
    "FULFILLMENT_ORDER_LINES",
    "FULFILLMENT_ORDER_ORDER",
    "FULFILLMENT_ORDER_SPLITS",
    "INVENTORY_ITEM",
    "ORDERS_WITH_SKU",
    "ORDER_FULFILLMENT",
    "PRODUCT_VARIANTS",
]

FULFILLMENT_ORDER_ORDER = """
query CasebridgeFulfillmentOrderOrder($id: ID!) {
  fulfillmentOrder(id: $id) { id orderId }
}
"""
"""The order of a fulfillment order (``fulfillment_orders/split`` names none)."""

FULFILLMENT_ORDER_SPLITS = """
query CasebridgeFulfillmentOrderSplits($id: ID!) {
  fulfillmentOrder(id: $id) {
    id
    orderId
    order { id ownSplits: metafield(namespace: "casebridge", key: "own_splits") { value } }
  }
}
"""
"""For a ``fulfillment_orders/split`` webhook: the order, and whether casebridge made the
split (its ``casebridge.own_splits`` markers, :mod:`streams.runtime.own_splits`)."""

_FULFILLMENT_ORDER_FIELDS = """
        id
        status
        fulfillAt
        lineItems(first: $linesFirst) {
          nodes { id remainingQuantity totalQuantity sku lineItem { id } variant { id } }
        }
"""

ORDER_FULFILLMENT = f"""
query CasebridgeFulfillmentCase($id: ID!, $fulfillmentOrdersFirst: Int!, $linesFirst: Int!) {{
  order(id: $id) {{
    id
    cancelledAt
    fulfillmentOrders(first: $fulfillmentOrdersFirst) {{
      nodes {{{_FULFILLMENT_ORDER_FIELDS}      }}
    }}
  }}
}}
"""

FULFILLMENT_ORDER_LINES = f"""
query CasebridgeFulfillmentCaseFulfillmentOrder($id: ID!, $linesFirst: Int!) {{
  fulfillmentOrder(id: $id) {{
    orderId{_FULFILLMENT_ORDER_FIELDS}  }}
}}
"""
"""A case's fulfillment order when it is not among the first of its order's (an order
split several times has more than :data:`FULFILLMENT_ORDERS_FIRST` of them)."""

ORDERS_WITH_SKU = """
query CasebridgeStockOrders($query: String!, $first: Int!) {
  orders(first: $first, query: $query, sortKey: CREATED_AT, reverse: true) { nodes { id } }
}
"""

INVENTORY_ITEM = """
query CasebridgeInventoryItem($id: ID!) {
  inventoryItem(id: $id) { id sku variant { id product { id } } }
}
"""

PRODUCT_VARIANTS = """
query CasebridgeSubstitutes($id: ID!, $first: Int!) {
  product(id: $id) { variants(first: $first) { nodes { id sku inventoryQuantity } } }
}
"""
