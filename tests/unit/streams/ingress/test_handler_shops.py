"""WebhookIngress with a shop registry: unknown shops refused, per-shop secrets honoured."""

from __future__ import annotations

from collections.abc import Sequence

from streams.ingress.handler import WebhookIngress
from streams.ops.metrics import REGISTRY
from streams.runtime.seen import SeenWindow
from tests.unit.streams.ingress.test_handler import BODY, SECRET, FakePublisher, headers

US = "us-store.myshopify.com"
EU = "eu-store.myshopify.com"
EU_SECRET = "eu-own-secret"


def registry_secrets(domain: str) -> Sequence[str] | None:
    return {US: [], EU: [EU_SECRET]}.get(domain)


def ingress(publisher: FakePublisher) -> WebhookIngress:
    return WebhookIngress(
        secrets=[SECRET],
        max_body_bytes=4096,
        seen=SeenWindow(3600),
        publish=publisher,
        shop_secrets=registry_secrets,
    )


def rejected(reason: str) -> float:
    return REGISTRY.get_sample_value("casebridge_webhooks_rejected_total", {"reason": reason}) or 0


async def test_a_signed_webhook_of_an_unregistered_shop_is_refused_and_counted() -> None:
    publisher = FakePublisher()
    before = rejected("unknown_shop")

    result = await ingress(publisher).handle(
        headers(X_Shopify_Shop_Domain="evil.myshopify.com"), BODY
    )

    assert (result.status, result.outcome) == (403, "rejected")
    assert "evil.myshopify.com is not registered" in result.detail
    assert publisher.calls == []
    assert rejected("unknown_shop") == before + 1


async def test_an_unsigned_webhook_of_an_unregistered_shop_is_a_bad_hmac() -> None:
    result = await ingress(FakePublisher()).handle(
        headers(secret="forged", X_Shopify_Shop_Domain="evil.myshopify.com"), BODY
    )

    assert result.status == 401


async def test_a_shop_without_own_secrets_takes_the_apps() -> None:
    publisher = FakePublisher()

    result = await ingress(publisher).handle(headers(X_Shopify_Shop_Domain=US), BODY)

    assert result.status == 200
    assert publisher.calls[0][0].shop == US


async def test_a_shop_with_own_secrets_takes_only_those() -> None:
    publisher = FakePublisher()
    handler = ingress(publisher)

    own = await handler.handle(headers(secret=EU_SECRET, X_Shopify_Shop_Domain=EU), BODY)
    apps = await handler.handle(
        headers(X_Shopify_Shop_Domain=EU, X_Shopify_Webhook_Id="wh-2", X_Shopify_Event_Id="ev-2"),
        BODY,
    )

    assert own.status == 200
    assert apps.status == 401
    assert [call[0].shop for call in publisher.calls] == [EU]
