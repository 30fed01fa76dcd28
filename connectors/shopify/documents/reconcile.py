"""The reconciler's GraphQL document: orders updated since a watermark, as webhooks carry them.

``streams.reconcile`` rebuilds the REST-shaped order the classify rules read
from each node (see its ``rest`` module for the fields it needs).
"""

from __future__ import annotations

__all__ = ["RECONCILE_ORDERS"]

_MONEY = "shopMoney { amount currencyCode }"
_ADDRESS = "address1 address2 city province provinceCode countryCodeV2 zip firstName lastName"

RECONCILE_ORDERS = f"""
query CasebridgeReconcileOrders(
  $first: Int!
  $after: String
  $query: String
  $linesFirst: Int!
) {{
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{
    edges {{
      cursor
      node {{
        id
        name
        email
        phone
        note
        tags
        customAttributes {{ key value }}
        sourceName
        createdAt
        updatedAt
        processedAt
        cancelledAt
        cancelReason
        closedAt
        currencyCode
        displayFinancialStatus
        displayFulfillmentStatus
        subtotalPriceSet {{ {_MONEY} }}
        totalPriceSet {{ {_MONEY} }}
        customer {{ id email firstName lastName tags numberOfOrders }}
        shippingAddress {{ {_ADDRESS} }}
        risk {{ recommendation assessments {{ riskLevel }} }}
        lineItems(first: $linesFirst) {{
          nodes {{
            id
            title
            sku
            quantity
            currentQuantity
            unfulfilledQuantity
            originalUnitPriceSet {{ {_MONEY} }}
            variant {{ id }}
          }}
        }}
      }}
    }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
