"""The ingress stage: Shopify webhooks over HTTP -> ``shopify.webhooks``."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence

import faust

from schemas.records import ShopifyEvent
from streams.classify.rules import is_known_topic
from streams.ingress.dedup import WindowLoader
from streams.ingress.handler import WebhookIngress
from streams.ingress.web import install_webhook_route
from streams.runtime.seen import SeenWindow
from streams.services import Services
from streams.topics import SHOPIFY_WEBHOOKS

log = logging.getLogger(__name__)


def shop_webhook_secrets(services: Services, domain: str) -> list[str] | None:
    """``domain``'s own webhook secrets from the current registry; None when not registered.

    Read per delivery, so a shop added to the registry file is accepted once it is reloaded.
    """
    shop = services.shops.get(domain)
    if shop is None:
        return None
    return [secret.get_secret_value() for secret in shop.webhook_secrets]


def register(app: faust.App, services: Services) -> WebhookIngress:
    """Serve ``POST /webhooks/shopify`` on the worker and rebuild the dedup window at start."""
    settings = services.settings
    secrets = [s.get_secret_value() for s in settings.ingress.webhook_secrets]
    if not secrets and not all(shop.webhook_secrets for shop in services.shops):
        from streams.settings import SettingsError

        raise SettingsError(
            "invalid setting CASEBRIDGE_INGRESS__WEBHOOK_SECRETS: the ingress role needs at "
            "least one Shopify app secret (a JSON list), unless every shop of the registry "
            "has its own webhook_secrets"
        )
    window = SeenWindow(settings.ingress.dedup_window_s)
    serde = services.serde(SHOPIFY_WEBHOOKS)

    async def publish(event: ShopifyEvent, key: str, headers: Sequence[tuple[str, bytes]]) -> None:
        await services.producer.send(
            SHOPIFY_WEBHOOKS, serde.encode(event), key=key.encode(), headers=headers
        )

    ingress = WebhookIngress(
        secrets=secrets,
        max_body_bytes=settings.ingress.max_body_bytes,
        seen=window,
        publish=publish,
        is_known_topic=is_known_topic,
        shop_secrets=functools.partial(shop_webhook_secrets, services),
    )
    install_webhook_route(app, ingress, settings.ingress.path)
    loader = WindowLoader(
        settings.kafka.confluent_config(), SHOPIFY_WEBHOOKS, window, settings.ingress.dedup_window_s
    )

    @app.task  # type: ignore[untyped-decorator]
    async def rebuild_dedup_window() -> None:
        # Register the schema before the first webhook, off the event loop.
        await asyncio.get_running_loop().run_in_executor(None, serde.prepare)
        loader.start()
        ready = await asyncio.get_running_loop().run_in_executor(None, loader.ready.wait, 30.0)
        if not ready:
            log.warning("dedup window not fully rebuilt within 30 s; continuing")

    async def stop_loader(*_: object, **__: object) -> None:
        loader.stop()

    app.on_before_shutdown.connect(stop_loader)
    return ingress
