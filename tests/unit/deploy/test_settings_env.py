"""Container environments are checked against the application's settings (its facts)."""

from __future__ import annotations

import pytest

from deploy.check import settings_env
from tests.unit.deploy.application import APP


def test_known_and_unknown_names() -> None:
    env = {
        "CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS": "kafka:9092",
        "CASEBRIDGE_OPENTEXT__MODELS__ORDER_REVIEW": "x",  # a key of a mapping setting
        "CASEBRIDGE_KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
        "CASEBRIDGE_KAFKA__NOPE": "1",
        "PATH": "/usr/bin",
    }

    assert settings_env.unknown_names(APP, env) == [
        "CASEBRIDGE_KAFKA_BOOTSTRAP_SERVERS",
        "CASEBRIDGE_KAFKA__NOPE",
    ]


def test_placeholders_have_the_setting_shape() -> None:
    assert settings_env.placeholder(APP, "CASEBRIDGE_INGRESS__WEBHOOK_SECRETS") == '["placeholder"]'
    assert settings_env.placeholder(APP, "CASEBRIDGE_SHOPIFY__ACCESS_TOKEN") == "placeholder"


def test_values_load_through_the_settings_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEBRIDGE_WEB_PORT", "not-a-port")  # the process env must not leak in

    assert settings_env.load_errors(APP, {"CASEBRIDGE_KAFKA__DEFAULT_PARTITIONS": "12"}) is None
    error = settings_env.load_errors(APP, {"CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS": "kafka"})
    assert error is not None and "CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS" in error


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("CASEBRIDGE_KAFKA__SASL_PASSWORD", True),
        ("CASEBRIDGE_DECISIONS__CALLBACK_HMAC_SECRETS", True),
        ("CASEBRIDGE_SHOPIFY__ACCESS_TOKEN", True),
        ("CASEBRIDGE_KAFKA__SASL_USERNAME", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert settings_env.is_secret_name(name) is secret
