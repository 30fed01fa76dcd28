"""The writer's customer mailer: built from the settings when the policy sends e-mail."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from connectors.mail import SmtpConfig, SmtpMailer
from streams.policy import default_policy
from streams.policy.outcomes import OutcomeMappingPolicy
from streams.settings import Settings, SettingsError
from streams.writer.agent import customer_mailer

SMTP = SmtpConfig(host="127.0.0.1", port=2525, tls="none", sender="orders@shop.example")


def services(smtp: SmtpConfig, channel: str = "email") -> SimpleNamespace:
    decisions = OutcomeMappingPolicy.model_validate(
        {"customer_notifications": {"channel": channel}}
    )
    policy = default_policy().model_copy(update={"decisions": decisions})
    return SimpleNamespace(policy=policy, settings=Settings().model_copy(update={"smtp": smtp}))


def test_email_notices_need_a_mail_server_or_the_writer_does_not_start() -> None:
    with pytest.raises(SettingsError, match="CASEBRIDGE_SMTP__HOST and CASEBRIDGE_SMTP__SENDER"):
        customer_mailer(services(SmtpConfig()))  # type: ignore[arg-type]


def test_the_mailer_uses_the_configured_server() -> None:
    mailer = customer_mailer(services(SMTP))  # type: ignore[arg-type]
    assert isinstance(mailer, SmtpMailer) and mailer.sender == "orders@shop.example"


def test_no_mailer_when_notices_are_off() -> None:
    assert customer_mailer(services(SmtpConfig(), channel="none")) is None  # type: ignore[arg-type]
