"""casebridge's Shopify Admin API side: GraphQL client, cost bucket, webhooks, documents.

The light public surface (errors, cost bucket, webhooks) is re-exported here;
the HTTP client is imported from :mod:`connectors.shopify.client`, so code that
only reads errors or verifies webhooks never loads httpx. Every GraphQL document casebridge
sends lives in :mod:`connectors.shopify.documents`; the typed helpers around
the shared ones in :mod:`connectors.shopify.operations` (import that module to
use them: ``from connectors.shopify import operations as ops``). The store
emulator used by tests and demos is :mod:`emulators.shopify`.
"""

from __future__ import annotations

from connectors.shopify.bucket import CostBucket, Reservation, ThrottleStatus
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
    "CostBucket",
    "Reservation",
    "ShopifyAuthError",
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
    "parse_webhook_headers",
    "sign",
    "verify_signature",
]
