"""GraphQL read documents the writer needs beyond :mod:`connectors.shopify.documents.operations`.

Each read is the "look before you write" of one action kind: the writer
fetches the current state, decides whether the effect is already there and
only then mutates. The mutations themselves are in ``operations`` (sent by
:mod:`connectors.shopify.operations`' helpers).

Written against Shopify's Admin schema (the emulator serves the same names).
Kept small: only the fields a skip decision needs, so the query cost stays low.
"""

from __future__ import annotations

__all__ = [
    "CUSTOMER",
    "DISPUTE_EVIDENCE",
    "FULFILLMENT_ORDER",
    "FULFILLMENT_ORDER_HOLDS",
    "JOB",
    "NODE_METAFIELD",
    "NODE_TAGS",
    "ORDERS_BY_QUERY",
    "ORDER_HEAD",
    "ORDER_STATE",
    "PRODUCT_VARIANT",
    "RETURN_STATE",
    "SUGGESTED_REFUND",
]

ORDER_STATE = """
query CasebridgeWriterOrderState($id: ID!, $linesFirst: Int!) {
  order(id: $id) {
    id
    cancelledAt
    email
    note
    tags
    shippingAddress {
      firstName lastName company phone address1 address2 city
      province provinceCode country countryCodeV2 zip
    }
    lineItems(first: $linesFirst) {
      nodes { id quantity currentQuantity variant { id } }
    }
  }
}
"""

FULFILLMENT_ORDER = """
query CasebridgeWriterFulfillmentOrder($id: ID!, $linesFirst: Int!) {
  fulfillmentOrder(id: $id) {
    id
    status
    lineItems(first: $linesFirst) {
      nodes { id totalQuantity remainingQuantity }
    }
    order {
      id
      ownSplits: metafield(namespace: "casebridge", key: "own_splits") { value compareDigest }
    }
  }
}
"""

FULFILLMENT_ORDER_HOLDS = """
query CasebridgeWriterFulfillmentOrderHolds($id: ID!) {
  fulfillmentOrder(id: $id) {
    id
    status
    fulfillAt
    fulfillmentHolds { id handle }
  }
}
"""
"""A fulfillment order without its lines (2 points): enough to release or reschedule."""

ORDER_HEAD = """
query CasebridgeWriterOrderHead($id: ID!) {
  order(id: $id) {
    id
    cancelledAt
    email
    note
    tags
    shippingAddress {
      firstName lastName company phone address1 address2 city
      province provinceCode country countryCodeV2 zip
    }
  }
}
"""
"""The order without its lines (2 points): what a cancel, an update or a note compares."""

JOB = """
query CasebridgeWriterJob($id: ID!) {
  job(id: $id) { id done }
}
"""

RETURN_STATE = """
query CasebridgeWriterReturn($id: ID!) {
  return(id: $id) {
    id
    status
    decline { reason note }
  }
}
"""

NODE_TAGS = """
query CasebridgeWriterNodeTags($id: ID!) {
  node(id: $id) {
    id
    ... on Order { tags }
    ... on Product { tags }
    ... on Customer { tags }
    ... on DraftOrder { tags }
  }
}
"""

NODE_METAFIELD = """
query CasebridgeWriterNodeMetafield($id: ID!, $namespace: String!, $key: String!) {
  node(id: $id) {
    id
    ... on Order { metafield(namespace: $namespace, key: $key) { id type value compareDigest } }
    ... on Product { metafield(namespace: $namespace, key: $key) { id type value compareDigest } }
    ... on Customer { metafield(namespace: $namespace, key: $key) { id type value compareDigest } }
  }
}
"""

DISPUTE_EVIDENCE = """
query CasebridgeWriterDisputeEvidence($id: ID!) {
  dispute(id: $id) {
    id
    status
    disputeEvidence {
      id
      submitted
      accessActivityLog
      cancellationPolicyDisclosure
      cancellationRebuttal
      customerEmailAddress
      customerFirstName
      customerLastName
      refundPolicyDisclosure
      refundRefusalExplanation
      uncategorizedText
    }
  }
}
"""

ORDERS_BY_QUERY = """
query CasebridgeWriterOrdersByQuery($query: String!, $first: Int!) {
  orders(first: $first, query: $query) {
    nodes { id name tags cancelledAt }
  }
}
"""

PRODUCT_VARIANT = """
query CasebridgeWriterProductVariant($id: ID!) {
  productVariant(id: $id) { id price }
}
"""

CUSTOMER = """
query CasebridgeWriterCustomer($id: ID!) {
  customer(id: $id) { id email }
}
"""

SUGGESTED_REFUND = """
query CasebridgeWriterSuggestedRefund($id: ID!, $lines: [RefundLineItemInput!]) {
  order(id: $id) {
    id
    suggestedRefund(refundLineItems: $lines) {
      suggestedTransactions {
        amountSet { shopMoney { amount currencyCode } }
        gateway
        parentTransaction { id }
      }
    }
  }
}
"""
