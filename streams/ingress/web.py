"""The ``POST /webhooks/shopify`` route on the Faust worker's web server."""

from __future__ import annotations

from typing import Any

import faust
from faust.web import Request, Response, View

from streams.ingress.handler import WebhookIngress


async def read_limited(request: Any, limit: int) -> bytes | None:
    """The raw body, or None once it exceeds ``limit`` bytes (without reading the rest)."""
    declared = request.content_length
    if declared is not None and declared > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def install_webhook_route(app: faust.App, ingress: WebhookIngress, path: str) -> None:
    """Serve ``ingress`` at ``path`` on the worker's web server."""

    class ShopifyWebhookView(View):
        async def post(self, request: Request) -> Response:
            # Shopify signs the exact bytes it sent: read them raw, never re-serialise.
            body = await read_limited(request, ingress.max_body_bytes)
            if body is None:
                result = ingress.too_large(request.headers)
            else:
                result = await ingress.handle(dict(request.headers), body)
            return self.json(result.body(), status=result.status)

    app.page(path, name="shopify-webhooks")(ShopifyWebhookView)
