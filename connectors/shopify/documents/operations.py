"""The documents of :mod:`connectors.shopify.operations`' typed helpers: reads and mutations.

Written against Shopify's real Admin GraphQL schema (field and argument names
as on shopify.dev); the contract test validates every one of them.
"""

from __future__ import annotations

__all__ = [
    "DISPUTE",
    "DISPUTE_EVIDENCE_UPDATE",
    "DRAFT_ORDERS_TAGGED",
    "DRAFT_ORDER_COMPLETE",
    "DRAFT_ORDER_CREATE",
    "DRAFT_ORDER_INVOICE_SEND",
    "FULFILLMENTS",
    "FULFILLMENT_ORDERS",
    "FULFILLMENT_ORDER_HOLD",
    "FULFILLMENT_ORDER_RELEASE_HOLD",
    "FULFILLMENT_ORDER_RESCHEDULE",
    "FULFILLMENT_ORDER_SPLIT",
    "HOLD_TARGETS",
    "HOLD_TARGETS_WITH_ORDER",
    "METAFIELDS_SET",
    "NOTICE_ORDER",
    "ORDERS_UPDATED_SINCE",
    "ORDER_CANCEL",
    "ORDER_CREATE",
    "ORDER_EDIT_ADD_VARIANT",
    "ORDER_EDIT_BEGIN",
    "ORDER_EDIT_COMMIT",
    "ORDER_EDIT_SET_QUANTITY",
    "ORDER_PAYMENT_TERMS",
    "ORDER_UPDATE",
    "ORDER_WITH_HISTORY",
    "PAYMENT_TERMS_CREATE",
    "PAYMENT_TERMS_TEMPLATES",
    "PRODUCT_CONTENT",
    "PRODUCT_UPDATE",
    "PRODUCT_VARIANTS_BULK_UPDATE",
    "REFUNDS",
    "REFUND_CREATE",
    "REPLACEMENT_ORDER",
    "RETURN_APPROVE_REQUEST",
    "RETURN_DECLINE_REQUEST",
    "SHOP_POLICIES",
    "TAGS_ADD",
    "TAGS_REMOVE",
    "THEME_FILES",
]

_MONEY = "shopMoney { amount currencyCode }"

# -- queries -----------------------------------------------------------------------------------

ORDER_WITH_HISTORY = f"""
query CasebridgeOrderWithHistory($id: ID!, $historyFirst: Int!, $returnsFirst: Int!) {{
  order(id: $id) {{
    id
    legacyResourceId
    name
    email
    createdAt
    updatedAt
    cancelledAt
    closed
    note
    tags
    currencyCode
    displayFinancialStatus
    displayFulfillmentStatus
    totalPriceSet {{ {_MONEY} }}
    customer {{
      id
      tags
      numberOfOrders
      amountSpent {{ amount currencyCode }}
      orders(first: $historyFirst, sortKey: CREATED_AT, reverse: true) {{
        nodes {{
          id
          name
          createdAt
          cancelledAt
          displayFinancialStatus
          totalPriceSet {{ {_MONEY} }}
        }}
      }}
    }}
    returns(first: $returnsFirst) {{
      nodes {{ id name status }}
    }}
    refunds {{
      id
      createdAt
      note
      totalRefundedSet {{ {_MONEY} }}
    }}
  }}
}}
"""

FULFILLMENT_ORDERS = """
query CasebridgeFulfillmentOrders($orderId: ID!, $first: Int!, $linesFirst: Int!) {
  order(id: $orderId) {
    id
    fulfillmentOrders(first: $first) {
      nodes {
        id
        status
        fulfillAt
        fulfillmentHolds { id handle reason reasonNotes }
        lineItems(first: $linesFirst) {
          nodes {
            id
            totalQuantity
            remainingQuantity
            lineItem { id sku }
          }
        }
      }
    }
  }
}
"""

HOLD_TARGETS = """
query CasebridgeHoldTargets($orderId: ID!, $first: Int!, $after: String) {
  order(id: $orderId) {
    id
    fulfillmentOrders(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id status }
    }
  }
}
"""
"""The fulfillment orders a hold goes on: ids and statuses only (``3 + first`` points).

What a hold needs and nothing more: the hold's own handle makes a second hold
fail with ``DUPLICATE_FULFILLMENT_HOLD_HANDLE``, so existing holds need not be read.
"""

HOLD_TARGETS_WITH_ORDER = """
query CasebridgeHoldTargetsWithOrder($orderId: ID!, $first: Int!, $after: String) {
  order(id: $orderId) {
    id
    name
    currencyCode
    displayFinancialStatus
    displayFulfillmentStatus
    totalPriceSet { shopMoney { amount currencyCode } }
    customer { id numberOfOrders amountSpent { amount currencyCode } }
    fulfillmentOrders(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id status }
    }
  }
}
"""
""":data:`HOLD_TARGETS` plus the order record and the customer's order count and spend
(4 more points in the same request), for a case whose webhook did not carry them."""

FULFILLMENTS = """
query CasebridgeFulfillments($orderId: ID!, $first: Int!) {
  order(id: $orderId) {
    id
    fulfillments(first: $first) {
      id
      status
      displayStatus
      createdAt
      trackingInfo(first: 10) { company number url }
    }
  }
}
"""

REFUNDS = f"""
query CasebridgeRefunds($orderId: ID!, $linesFirst: Int!) {{
  order(id: $orderId) {{
    id
    refunds {{
      id
      createdAt
      note
      totalRefundedSet {{ {_MONEY} }}
      refundLineItems(first: $linesFirst) {{
        nodes {{ quantity restockType lineItem {{ id }} }}
      }}
    }}
  }}
}}
"""

DISPUTE = """
query CasebridgeDispute($id: ID!) {
  dispute(id: $id) {
    id
    status
    type
    amount { amount currencyCode }
    reasonDetails { reason networkReasonCode }
    evidenceDueBy
    evidenceSentOn
    finalizedOn
    initiatedAt
    order { id name }
  }
}
"""

ORDERS_UPDATED_SINCE = """
query CasebridgeOrdersUpdatedSince($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    edges {
      cursor
      node { id name updatedAt }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# -- mutations ---------------------------------------------------------------------------------

FULFILLMENT_ORDER_HOLD = """
mutation CasebridgeFulfillmentOrderHold($id: ID!, $fulfillmentHold: FulfillmentOrderHoldInput!) {
  fulfillmentOrderHold(id: $id, fulfillmentHold: $fulfillmentHold) {
    fulfillmentHold { id handle reason }
    fulfillmentOrder { id status }
    userErrors { field message code }
  }
}
"""

FULFILLMENT_ORDER_RELEASE_HOLD = """
mutation CasebridgeFulfillmentOrderReleaseHold($id: ID!, $holdIds: [ID!]) {
  fulfillmentOrderReleaseHold(id: $id, holdIds: $holdIds) {
    fulfillmentOrder { id status }
    userErrors { field message code }
  }
}
"""

ORDER_CANCEL = """
mutation CasebridgeOrderCancel(
  $orderId: ID!
  $reason: OrderCancelReason!
  $restock: Boolean!
  $notifyCustomer: Boolean
  $staffNote: String
  $refundMethod: OrderCancelRefundMethodInput
) {
  orderCancel(
    orderId: $orderId
    reason: $reason
    restock: $restock
    notifyCustomer: $notifyCustomer
    staffNote: $staffNote
    refundMethod: $refundMethod
  ) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}
"""

REFUND_CREATE = f"""
mutation CasebridgeRefundCreate($input: RefundInput!, $idempotencyKey: String!) {{
  refundCreate(input: $input) @idempotent(key: $idempotencyKey) {{
    refund {{ id createdAt totalRefundedSet {{ {_MONEY} }} }}
    order {{ id }}
    userErrors {{ field message }}
  }}
}}
"""

RETURN_APPROVE_REQUEST = """
mutation CasebridgeReturnApproveRequest($input: ReturnApproveRequestInput!) {
  returnApproveRequest(input: $input) {
    return { id status }
    userErrors { field message code }
  }
}
"""

RETURN_DECLINE_REQUEST = """
mutation CasebridgeReturnDeclineRequest($input: ReturnDeclineRequestInput!) {
  returnDeclineRequest(input: $input) {
    return { id status }
    userErrors { field message code }
  }
}
"""

TAGS_ADD = """
mutation CasebridgeTagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) {
    node { id }
    userErrors { field message }
  }
}
"""

ORDER_UPDATE = """
mutation CasebridgeOrderUpdate($input: OrderInput!) {
  orderUpdate(input: $input) {
    order { id note tags }
    userErrors { field message }
  }
}
"""

METAFIELDS_SET = """
mutation CasebridgeMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id namespace key type value compareDigest }
    userErrors { field message code }
  }
}
"""

FULFILLMENT_ORDER_SPLIT = """
mutation CasebridgeFulfillmentOrderSplit($fulfillmentOrderSplits: [FulfillmentOrderSplitInput!]!) {
  fulfillmentOrderSplit(fulfillmentOrderSplits: $fulfillmentOrderSplits) {
    fulfillmentOrderSplits {
      fulfillmentOrder { id status }
      remainingFulfillmentOrder { id status }
    }
    userErrors { field message code }
  }
}
"""

FULFILLMENT_ORDER_RESCHEDULE = """
mutation CasebridgeFulfillmentOrderReschedule($id: ID!, $fulfillAt: DateTime!) {
  fulfillmentOrderReschedule(id: $id, fulfillAt: $fulfillAt) {
    fulfillmentOrder { id status fulfillAt }
    userErrors { field message code }
  }
}
"""

ORDER_EDIT_BEGIN = """
mutation CasebridgeOrderEditBegin($id: ID!) {
  orderEditBegin(id: $id) {
    calculatedOrder {
      id
      lineItems(first: 50) { nodes { id quantity variant { id } } }
    }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_SET_QUANTITY = """
mutation CasebridgeOrderEditSetQuantity(
  $id: ID!
  $lineItemId: ID!
  $quantity: Int!
  $restock: Boolean
) {
  orderEditSetQuantity(id: $id, lineItemId: $lineItemId, quantity: $quantity, restock: $restock) {
    calculatedOrder { id }
    calculatedLineItem { id quantity }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_ADD_VARIANT = """
mutation CasebridgeOrderEditAddVariant(
  $id: ID!
  $variantId: ID!
  $quantity: Int!
  $allowDuplicates: Boolean
) {
  orderEditAddVariant(
    id: $id
    variantId: $variantId
    quantity: $quantity
    allowDuplicates: $allowDuplicates
  ) {
    calculatedOrder { id }
    calculatedLineItem { id quantity }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_COMMIT = """
mutation CasebridgeOrderEditCommit($id: ID!, $notifyCustomer: Boolean, $staffNote: String) {
  orderEditCommit(id: $id, notifyCustomer: $notifyCustomer, staffNote: $staffNote) {
    order { id }
    userErrors { field message }
  }
}
"""

DRAFT_ORDER_CREATE = """
mutation CasebridgeDraftOrderCreate($input: DraftOrderInput!) {
  draftOrderCreate(input: $input) {
    draftOrder { id name status }
    userErrors { field message }
  }
}
"""

DRAFT_ORDER_COMPLETE = """
mutation CasebridgeDraftOrderComplete($id: ID!) {
  draftOrderComplete(id: $id) {
    draftOrder { id status order { id name } }
    userErrors { field message }
  }
}
"""

ORDER_CREATE = """
mutation CasebridgeOrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order { id name }
    userErrors { field message code }
  }
}
"""

DISPUTE_EVIDENCE_UPDATE = """
mutation CasebridgeDisputeEvidenceUpdate(
  $id: ID!
  $input: ShopifyPaymentsDisputeEvidenceUpdateInput!
) {
  disputeEvidenceUpdate(id: $id, input: $input) {
    disputeEvidence { id }
    userErrors { field message code }
  }
}
"""

PRODUCT_CONTENT = """
query CasebridgeProductContent($id: ID!, $variantsFirst: Int!) {
  product(id: $id) {
    id
    title
    descriptionHtml
    productType
    vendor
    status
    tags
    variants(first: $variantsFirst) { nodes { id price compareAtPrice } }
  }
}
"""
"""A product's reviewable content: what a content hold puts back or a decision applies."""

PRODUCT_UPDATE = """
mutation CasebridgeProductUpdate($product: ProductUpdateInput!) {
  productUpdate(product: $product) {
    product { id status }
    userErrors { field message }
  }
}
"""

PRODUCT_VARIANTS_BULK_UPDATE = """
mutation CasebridgeProductVariantsBulkUpdate(
  $productId: ID!
  $variants: [ProductVariantsBulkInput!]!
) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {
    productVariants { id price compareAtPrice }
    userErrors { field message code }
  }
}
"""

THEME_FILES = """
query CasebridgeThemeFiles($id: ID!, $filenames: [String!], $first: Int!) {
  theme(id: $id) {
    id
    name
    role
    files(filenames: $filenames, first: $first) {
      nodes {
        filename
        checksumMd5
        body { ... on OnlineStoreThemeFileBodyText { content } }
      }
    }
  }
}
"""
"""The text of a theme's files (banners, announcement bars, legal footers) read for claims."""

SHOP_POLICIES = """
query CasebridgeShopPolicies {
  shop { shopPolicies { id type title body updatedAt } }
}
"""
"""The shop's legal policies (refund, privacy, terms...) as the storefront shows them."""

REPLACEMENT_ORDER = """
query CasebridgeReplacementOrder($id: ID!) {
  order(id: $id) {
    id
    name
    email
    currencyCode
    customer { id }
    shippingAddress {
      firstName lastName company phone address1 address2 city provinceCode countryCodeV2 zip
    }
  }
}
"""

DRAFT_ORDERS_TAGGED = """
query CasebridgeDraftOrdersTagged($query: String!) {
  draftOrders(first: 5, query: $query) {
    nodes { id name status tags order { id name } }
  }
}
"""

DRAFT_ORDER_INVOICE_SEND = """
mutation CasebridgeDraftOrderInvoiceSend($id: ID!) {
  draftOrderInvoiceSend(id: $id) {
    draftOrder { id status }
    userErrors { field message }
  }
}
"""

TAGS_REMOVE = """
mutation CasebridgeTagsRemove($id: ID!, $tags: [String!]!) {
  tagsRemove(id: $id, tags: $tags) {
    node { id }
    userErrors { field message }
  }
}
"""

NOTICE_ORDER = """
query CasebridgeNoticeOrder($id: ID!) {
  order(id: $id) {
    id
    name
    email
    tags
    customer { email firstName lastName }
  }
}
"""

PAYMENT_TERMS_TEMPLATES = """
query CasebridgePaymentTermsTemplates {
  paymentTermsTemplates { id name paymentTermsType dueInDays }
}
"""

ORDER_PAYMENT_TERMS = """
query CasebridgeOrderPaymentTerms($id: ID!) {
  order(id: $id) { id paymentTerms { id paymentTermsName paymentTermsType } }
}
"""

PAYMENT_TERMS_CREATE = """
mutation CasebridgePaymentTermsCreate(
  $referenceId: ID!
  $paymentTermsAttributes: PaymentTermsCreateInput!
) {
  paymentTermsCreate(referenceId: $referenceId, paymentTermsAttributes: $paymentTermsAttributes) {
    paymentTerms { id paymentTermsName paymentTermsType }
    userErrors { field message code }
  }
}
"""
