"""The ``POST /webhooks/shopify`` route on the Faust worker's web server."""

from __future__ import annotations

import faust
from faust.web import Request, Response, View

from streams.ingress.handler import WebhookIngress
from streams.runtime.http import read_limited


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
