"""Shopify webhook ingress: verify, de-duplicate, publish to ``shopify.webhooks``."""
