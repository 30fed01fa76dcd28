"""The GraphQL documents of the enricher (the shared ones live in connectors.shopify.operations).

:data:`ENRICH_ORDER` fetches in one request what most cases need: the order
record (name, totals, financial status), its fulfillment orders with their
holds, and, when ``$withHistory`` is true, the customer's history: order count,
amount spent and, over the customer's most recent orders, their returns and
disputes. One request instead of three keeps the bucket cost and the latency
per case low; ``@include`` drops the history part for case types that do not
need it, so they are not charged for it.

:data:`ENRICH_CUSTOMER` is the history alone, for complaints that name a
customer but no order.

Both use Shopify's real field names, so they run unchanged against a store.
Shipping proof and refunds reuse ``get_fulfillments`` and ``get_refunds``.
"""

from __future__ import annotations

CUSTOMER_HISTORY_FRAGMENT = """
fragment CasebridgeCustomerHistory on Customer {
  id
  numberOfOrders
  amountSpent { amount currencyCode }
  orders(first: $historyFirst, sortKey: CREATED_AT, reverse: true) {
    nodes {
      id
      cancelledAt
      returns(first: $returnsFirst) { nodes { id status } }
      disputes { id status }
    }
  }
}
"""

ENRICH_ORDER = (
    """
query CasebridgeEnrichOrder(
  $id: ID!
  $withHistory: Boolean!
  $historyFirst: Int!
  $returnsFirst: Int!
  $fulfillmentOrdersFirst: Int!
) {
  order(id: $id) {
    id
    name
    currencyCode
    displayFinancialStatus
    displayFulfillmentStatus
    totalPriceSet { shopMoney { amount currencyCode } }
    totalRefundedSet { shopMoney { amount currencyCode } }
    customer {
      id
      ...CasebridgeCustomerHistory @include(if: $withHistory)
    }
    fulfillmentOrders(first: $fulfillmentOrdersFirst) {
      nodes {
        id
        status
        fulfillmentHolds { id handle reason }
      }
    }
  }
}
"""
    + CUSTOMER_HISTORY_FRAGMENT
)

ENRICH_CUSTOMER = (
    """
query CasebridgeEnrichCustomer($id: ID!, $historyFirst: Int!, $returnsFirst: Int!) {
  customer(id: $id) {
    ...CasebridgeCustomerHistory
  }
}
"""
    + CUSTOMER_HISTORY_FRAGMENT
)

__all__ = ["CUSTOMER_HISTORY_FRAGMENT", "ENRICH_CUSTOMER", "ENRICH_ORDER"]
