"""The GraphQL documents of the enricher (the shared ones live in connectors.shopify.operations).

Each document reads one part of what a case may lack, so a case is charged
only for what its webhook did not carry (see :mod:`streams.classify.enrich.enricher`).
Requested cost with the default page sizes, by Shopify's rules (objects 1,
connections ``2 + first * node``):

=============================  ====================================================  ======
document                       reads                                                 points
=============================  ====================================================  ======
``CasebridgeCustomerSummary``  the customer's order count and amount spent           2
``CasebridgeEnrichOrder``      order record, customer id, fulfillment orders (5)     12
``CasebridgeEnrichOrderHist``  the same plus the customer's history (10 orders)      ~60
``CasebridgeEnrichCustomer``   the customer's history alone (complaints)             ~50
``CasebridgeEnrichRefunds``    the order's refunds and their totals, no line items   4
=============================  ====================================================  ======

The history counts returns and disputes over the customer's most recent
orders; it is the expensive part and only case types that weigh a customer's
past (returns, complaints, chargebacks) read it. No ``@include`` switches: a
part a case does not need is not in its document at all, so no store can
charge for it.

All use Shopify's real field names, so they run unchanged against a store.
Shipping proof reuses ``get_fulfillments``; the writer's refund read
(``get_refunds``) carries line items the case does not show (~100 points).
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

_ORDER_FIELDS = """
    id
    name
    currencyCode
    displayFinancialStatus
    displayFulfillmentStatus
    totalPriceSet { shopMoney { amount currencyCode } }
    fulfillmentOrders(first: $fulfillmentOrdersFirst) {
      nodes { id status }
    }
"""

ENRICH_ORDER = (
    """
query CasebridgeEnrichOrder($id: ID!, $fulfillmentOrdersFirst: Int!) {
  order(id: $id) {"""
    + _ORDER_FIELDS
    + """    customer { id }
  }
}
"""
)

ENRICH_ORDER_WITH_HISTORY = (
    """
query CasebridgeEnrichOrderHist(
  $id: ID!
  $historyFirst: Int!
  $returnsFirst: Int!
  $fulfillmentOrdersFirst: Int!
) {
  order(id: $id) {"""
    + _ORDER_FIELDS
    + """    customer { ...CasebridgeCustomerHistory }
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

REFUND_TOTALS = """
query CasebridgeEnrichRefunds($id: ID!) {
  order(id: $id) {
    id
    refunds { id createdAt note totalRefundedSet { shopMoney { amount currencyCode } } }
  }
}
"""

CUSTOMER_SUMMARY = """
query CasebridgeCustomerSummary($id: ID!) {
  customer(id: $id) {
    id
    numberOfOrders
    amountSpent { amount currencyCode }
  }
}
"""

__all__ = [
    "CUSTOMER_HISTORY_FRAGMENT",
    "CUSTOMER_SUMMARY",
    "ENRICH_CUSTOMER",
    "ENRICH_ORDER",
    "ENRICH_ORDER_WITH_HISTORY",
    "REFUND_TOTALS",
]
