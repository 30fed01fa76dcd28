"""The GraphQL documents of a fulfillment case's enrichment (``streams.classify.enrich``).

The order's fulfillment orders and their lines; for a stock shortage, the
newest open orders with the SKU, the inventory item's variant and product, and
the product's other variants (substitutes); the order of a fulfillment order
(``fulfillment_orders/split`` names none).
"""

from __future__ import annotations

__all__ = [
    "FULFILLMENT_ORDER_ORDER",
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

ORDER_FULFILLMENT = """
query CasebridgeFulfillmentCase($id: ID!, $fulfillmentOrdersFirst: Int!, $linesFirst: Int!) {
  order(id: $id) {
    id
    cancelledAt
    fulfillmentOrders(first: $fulfillmentOrdersFirst) {
      nodes {
        id
        status
        fulfillAt
        lineItems(first: $linesFirst) {
          nodes { id remainingQuantity totalQuantity sku lineItem { id } variant { id } }
        }
      }
    }
  }
}
"""

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
