"""SMTP settings: every combination that cannot work is refused when read, with the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from connectors.mail import MailConfigError, SmtpConfig, SmtpMailer, parse_address
from streams.settings import SettingsError, load_settings

BASE = {"host": "mail.shop.example", "sender": "Shop <orders@shop.example>"}


def test_no_host_is_no_mail_server() -> None:
    config = SmtpConfig()
    assert not config.configured
    with pytest.raises(MailConfigError, match="no SMTP host"):
        SmtpMailer(config)


def test_ports_default_by_tls_mode() -> None:
    assert SmtpConfig(**BASE).effective_port == 587
    assert SmtpConfig(**BASE, tls="tls").effective_port == 465
    assert SmtpConfig(**BASE, tls="none").effective_port == 25
    assert SmtpConfig(**BASE, port=2525).effective_port == 2525


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"sender": None}, "sender: required with a host"),
        ({"sender": "orders"}, "is not one e-mail address"),
        ({"sender": "a@b.co, c@d.co"}, "is not one e-mail address"),
        ({"username": "u"}, "give both or neither"),
        ({"password": "p"}, "give both or neither"),
        ({"username": "u", "password": "p", "tls": "none"}, "in clear text"),
        ({"tls": "ssl"}, "'starttls', 'tls' or 'none'"),
        ({"port": 70000}, "less than or equal to 65535"),
        ({"timeout_s": 0}, "greater than 0"),
        ({"host": " "}, "host: empty"),
        ({"colour": "red"}, "Extra inputs are not permitted"),
    ],
)
def test_unusable_settings_are_refused(changes: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError, match=expected):
        SmtpConfig(**{**BASE, **changes})


def test_plain_credentials_to_a_relay_on_this_machine_are_allowed() -> None:
    config = SmtpConfig(host="127.0.0.1", sender="a@shop.example", tls="none", username="u",
                        password="p")  # fmt: skip
    assert config.secret() == "p"


def test_password_from_a_mounted_secret_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text("s3cret\n")
    for name, value in {
        "CASEBRIDGE_SMTP__HOST": "mail.shop.example",
        "CASEBRIDGE_SMTP__SENDER": "orders@shop.example",
        "CASEBRIDGE_SMTP__USERNAME": "casebridge",
        "CASEBRIDGE_SMTP__PASSWORD_FILE": str(secret),
    }.items():
        monkeypatch.setenv(name, value)
    assert load_settings().smtp.secret() == "s3cret"


def test_a_bad_smtp_setting_names_the_section_and_never_echoes_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CASEBRIDGE_SMTP__HOST", "mail.shop.example")
    monkeypatch.setenv("CASEBRIDGE_SMTP__USERNAME", "casebridge")
    monkeypatch.setenv("CASEBRIDGE_SMTP__PASSWORD", "hunter2")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith("invalid setting CASEBRIDGE_SMTP: ")
    assert "sender: required" in str(caught.value) and "hunter2" not in str(caught.value)


def test_parse_address() -> None:
    assert parse_address("Shop <orders@shop.example>").addr_spec == "orders@shop.example"
    with pytest.raises(ValueError, match="local part or a domain"):
        parse_address("orders@localhost")
