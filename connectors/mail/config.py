"""SMTP settings, checked when they are read so a worker never starts with mail that cannot go.

``host`` unset means "no mail server configured"; everything else is checked
whenever a host is given: the port, the TLS mode, credentials that come in
pairs (a password inline or in a file, never both), no credentials over an
unencrypted connection to anything but this machine, and a sender address.
"""

from __future__ import annotations

from email.errors import HeaderParseError
from email.headerregistry import Address, HeaderRegistry
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from connectors.mail.errors import MailConfigError

__all__ = ["LOCAL_HOSTS", "SmtpConfig", "TlsMode", "parse_address"]

TlsMode = Literal["starttls", "tls", "none"]
"""``starttls``: upgrade a plain connection (port 587); ``tls``: TLS from the first byte
(port 465); ``none``: plain text, only sensible for a relay on this machine."""

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def parse_address(text: str) -> Address:
    """``"Shop <orders@shop.example>"`` or ``orders@shop.example`` as an address.

    Raises:
        ValueError: not one e-mail address with a local part and a domain.
    """
    try:
        header = HeaderRegistry()("to", text)
    except (HeaderParseError, IndexError, ValueError) as exc:
        raise ValueError(f"{text!r} is not an e-mail address") from exc
    addresses = list(getattr(header, "addresses", ()))
    defects = list(getattr(header, "defects", ()))
    if len(addresses) != 1 or defects:
        raise ValueError(f"{text!r} is not one e-mail address")
    address: Address = addresses[0]
    if not address.username or "." not in address.domain:
        raise ValueError(f"{text!r} lacks a local part or a domain")
    return address


class SmtpConfig(BaseModel):
    """Where and how customer e-mail is sent (settings section ``smtp``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str | None = Field(default=None, description="SMTP server; unset: no mail server")
    port: int | None = Field(
        default=None, ge=1, le=65535, description="default: 587 (starttls), 465 (tls), 25 (none)"
    )
    tls: TlsMode = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    password_file: Path | None = Field(
        default=None, description="a file holding the password (a mounted secret)"
    )
    sender: str | None = Field(default=None, description='From: "Shop <orders@shop.example>"')
    timeout_s: float = Field(default=30.0, gt=0, le=600)

    @model_validator(mode="after")
    def _usable(self) -> Self:
        if self.host is None:
            return self
        if not self.host.strip():
            raise ValueError("host: empty")
        if self.sender is None:
            raise ValueError("sender: required with a host (the From: address customers see)")
        parse_address(self.sender)
        if self.password is not None and self.password_file is not None:
            raise ValueError("password and password_file: give one, not both")
        has_password = self.password is not None or self.password_file is not None
        if has_password != (self.username is not None):
            raise ValueError("username and password (or password_file): give both or neither")
        if self.password_file is not None and not self.password_file.is_file():
            raise ValueError(f"password_file: {self.password_file} is not a readable file")
        if self.tls == "none" and self.username is not None and self.host not in LOCAL_HOSTS:
            raise ValueError(
                f"tls: none would send the credentials to {self.host} in clear text;"
                " use starttls or tls"
            )
        return self

    @property
    def configured(self) -> bool:
        """Whether a server is set."""
        return self.host is not None

    @property
    def effective_port(self) -> int:
        """The port, or the usual one for the TLS mode."""
        return self.port or {"starttls": 587, "tls": 465, "none": 25}[self.tls]

    def secret(self) -> str | None:
        """The password, read from its file when it lives in one.

        Raises:
            MailConfigError: the file cannot be read or is empty.
        """
        if self.password is not None:
            return self.password.get_secret_value()
        if self.password_file is None:
            return None
        try:
            value = self.password_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise MailConfigError(f"smtp password_file {self.password_file}: {exc}") from exc
        if not value:
            raise MailConfigError(f"smtp password_file {self.password_file} is empty")
        return value
