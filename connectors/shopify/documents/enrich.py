"""The GraphQL documents of the enricher (the shared ones are in the sibling ``operations``).

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
``CasebridgeReturnLines``      order date; per returned line its variant, product    1 + 4
                               type and warranty metafield (``nodes(ids:)``)          per line
``CasebridgeCustomerByEmail``  the customer of an e-mail: id, tags, order count       4
``CasebridgeOrderTimeline``    a page of the order's events and staff comments       3 + page
=============================  ====================================================  ======

The last three are in :mod:`connectors.shopify.operations`. The customer's
tags ride along in the history and summary reads (a scalar list: no points).

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
  tags
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
    note
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
    tags
    numberOfOrders
    amountSpent { amount currencyCode }
  }
}
"""

__all__ = [
    "CUSTOMER_BY_EMAIL",
    "CUSTOMER_HISTORY_FRAGMENT",
    "CUSTOMER_SUMMARY",
    "ENRICH_CUSTOMER",
    "ENRICH_ORDER",
    "ENRICH_ORDER_WITH_HISTORY",
    "ORDER_TIMELINE",
    "REFUND_TOTALS",
    "RETURN_LINES",
]

RETURN_LINES = """
query CasebridgeReturnLines(
  $order: ID!
  $lines: [ID!]!
  $warrantyNamespace: String!
  $warrantyKey: String!
) {
  order(id: $order) { id createdAt processedAt }
  nodes(ids: $lines) {
    ... on LineItem {
      id
      quantity
      variant { id }
      product {
        id
        productType
        warranty: metafield(namespace: $warrantyNamespace, key: $warrantyKey) { value }
      }
    }
  }
}
"""

CUSTOMER_BY_EMAIL = """
query CasebridgeCustomerByEmail($query: String!) {
  customers(first: 1, query: $query) {
    nodes { id tags numberOfOrders amountSpent { amount currencyCode } }
  }
}
"""

ORDER_TIMELINE = """
query CasebridgeOrderTimeline($id: ID!, $first: Int!, $after: String) {
  order(id: $id) {
    id
    events(first: $first, after: $after, sortKey: CREATED_AT, reverse: true) {
      nodes {
        __typename
        id
        createdAt
        action
        message
        appTitle
        attributeToApp
        attributeToUser
        ... on CommentEvent { rawMessage author { name } }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
