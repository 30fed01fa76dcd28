"""Webhook HMAC verification (with rotation) and header parsing."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest

from connectors.shopify.webhooks import (
    WebhookHeaderError,
    parse_webhook_headers,
    sign,
    verify_signature,
)

BODY = b'{"id":820982911946154508,"name":"#1001","total_price":"12.30"}'
OLD, NEW = "old-secret", b"new-secret"


def headers(**overrides: str | None) -> dict[str, str]:
    base = {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": sign(BODY, NEW),
        "X-Shopify-Shop-Domain": "casebridge-demo.myshopify.com",
        "X-Shopify-API-Version": "2026-01",
        "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
        "X-Shopify-Triggered-At": "2026-01-15T10:20:30.123456789Z",
    }
    for key, value in overrides.items():
        name = key.replace("_", "-")
        if value is None:
            base.pop(name, None)
        else:
            base[name] = value
    return base


def test_sign_matches_a_known_vector() -> None:
    # Computed independently: printf hello | openssl dgst -sha256 -hmac key -binary | base64
    assert sign(b"hello", "key") == "kwezuRXvtRcf8U2MtV+8x5jGwO8UVtZt7RpqpyOli3s="


def test_verify_with_rotation_accepts_old_and_new_secret() -> None:
    assert verify_signature(BODY, sign(BODY, OLD), [OLD, NEW])
    assert verify_signature(BODY, sign(BODY, NEW), [OLD, NEW])
    assert not verify_signature(BODY, sign(BODY, OLD), [NEW])


def test_tampered_body_fails() -> None:
    signature = sign(BODY, NEW)
    assert not verify_signature(BODY.replace(b"12.30", b"1.23"), signature, [NEW])
    # Re-serialised JSON with the same meaning is a different message.
    assert not verify_signature(BODY.replace(b",", b", "), signature, [NEW])


@pytest.mark.parametrize("bad", ["", "not-base64!!", base64.b64encode(b"short").decode()])
def test_malformed_signature_fails(bad: str) -> None:
    assert not verify_signature(BODY, bad, [NEW])


def test_no_secrets_never_verifies() -> None:
    assert not verify_signature(BODY, sign(BODY, NEW), [])


def test_single_secret_string_is_rejected() -> None:
    with pytest.raises(TypeError):
        verify_signature(BODY, sign(BODY, NEW), "new-secret")


def test_parse_headers_case_insensitively() -> None:
    lowered = {key.lower(): value for key, value in headers().items()}
    parsed = parse_webhook_headers(lowered)
    assert parsed.topic == "orders/create"
    assert parsed.shop_domain == "casebridge-demo.myshopify.com"
    assert parsed.api_version == "2026-01"
    assert parsed.triggered_at == datetime(2026, 1, 15, 10, 20, 30, 123456, tzinfo=UTC)
    assert parsed.dedup_key == "98880550-7158-44d4-b7cd-2c97c8a091b5"
    assert parsed.sub_topic is None and parsed.name is None
    assert verify_signature(BODY, parsed.hmac, [NEW])


def test_dedup_key_falls_back_to_webhook_id() -> None:
    parsed = parse_webhook_headers(headers(X_Shopify_Event_Id=None))
    assert parsed.dedup_key == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"


def test_optional_headers() -> None:
    parsed = parse_webhook_headers(
        headers(
            X_Shopify_Triggered_At="2026-01-15T05:20:30-05:00",
            X_Shopify_Sub_Topic="custom",
            X_Shopify_Name="casebridge-orders",
        )
    )
    assert parsed.triggered_at == datetime(
        2026, 1, 15, 5, 20, 30, tzinfo=timezone(timedelta(hours=-5))
    )
    assert parsed.sub_topic == "custom"
    assert parsed.name == "casebridge-orders"


@pytest.mark.parametrize(
    "missing",
    [
        "X-Shopify-Topic",
        "X-Shopify-Hmac-Sha256",
        "X-Shopify-Shop-Domain",
        "X-Shopify-API-Version",
        "X-Shopify-Webhook-Id",
    ],
)
def test_missing_required_header_is_named(missing: str) -> None:
    values = headers()
    del values[missing]
    with pytest.raises(WebhookHeaderError, match=missing) as info:
        parse_webhook_headers(values)
    assert info.value.header == missing


def test_blank_required_header_counts_as_missing() -> None:
    with pytest.raises(WebhookHeaderError, match="X-Shopify-Topic"):
        parse_webhook_headers(headers(X_Shopify_Topic="  "))


@pytest.mark.parametrize("bad", ["yesterday", "2026-01-15T10:20:30"])
def test_bad_triggered_at_is_named(bad: str) -> None:
    with pytest.raises(WebhookHeaderError, match="X-Shopify-Triggered-At"):
        parse_webhook_headers(headers(X_Shopify_Triggered_At=bad))
