"""casebridge's Shopify Admin API side: GraphQL client, cost bucket, webhooks, documents.

The public surface is re-exported here. Every GraphQL document casebridge
sends lives in :mod:`connectors.shopify.documents`; the typed helpers around
the shared ones in :mod:`connectors.shopify.operations` (import that module to
use them: ``from connectors.shopify import operations as ops``). The store
emulator used by tests and demos is :mod:`emulators.shopify`.
"""

from __future__ import annotations

from connectors.shopify.bucket import CostBucket, Reservation, ThrottleStatus
from connectors.shopify.client import (
    ClientStats,
    GraphQLExecutor,
    OnResponse,
    ShopifyAdminClient,
    ShopifyClientConfig,
    estimate_query_cost,
)
from connectors.shopify.errors import (
    ShopifyAuthError,
    ShopifyError,
    ShopifyGraphQLError,
    ShopifyThrottledError,
    ShopifyUnavailableError,
    ShopifyUserError,
    UserErrorDetail,
    classify_user_errors,
)
from connectors.shopify.webhooks import (
    WebhookHeaderError,
    WebhookHeaders,
    parse_webhook_headers,
    sign,
    verify_signature,
)

__all__ = [
    "ClientStats",
    "CostBucket",
    "GraphQLExecutor",
    "OnResponse",
    "Reservation",
    "ShopifyAdminClient",
    "ShopifyAuthError",
    "ShopifyClientConfig",
    "ShopifyError",
    "ShopifyGraphQLError",
    "ShopifyThrottledError",
    "ShopifyUnavailableError",
    "ShopifyUserError",
    "ThrottleStatus",
    "UserErrorDetail",
    "WebhookHeaderError",
    "WebhookHeaders",
    "classify_user_errors",
    "estimate_query_cost",
    "parse_webhook_headers",
    "sign",
    "verify_signature",
]
