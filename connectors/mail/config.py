"""SMTP settings, checked when they are read so a worker never starts with mail that cannot go.

``host`` unset means "no mail server configured"; everything else is checked
whenever a host is given: the port, the TLS mode, credentials that come in
pairs, no credentials over an unencrypted connection to anything but this
machine, and a sender address. The password comes from the environment or,
like every secret, from a file (``CASEBRIDGE_SMTP__PASSWORD_FILE``, read by
:mod:`streams.settings`).
"""

from __future__ import annotations

from email.errors import HeaderParseError
from email.headerregistry import Address, HeaderRegistry
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

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
    sender: str | None = Field(default=None, description='From: "Shop <orders@shop.example>"')
    timeout_s: float = Field(default=30.0, gt=0, le=600)

    @model_validator(mode="before")
    @classmethod
    def _without_secret_files(cls, data: Any) -> Any:
        # CASEBRIDGE_SMTP__PASSWORD_FILE is read by the settings (it fills ``password``)
        # but also reaches this section as ``password_file``: not a typo, so not an error.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not str(k).endswith("_file")}
        return data

    @model_validator(mode="after")
    def _usable(self) -> Self:
        if self.host is None:
            return self
        if not self.host.strip():
            raise ValueError("host: empty")
        if self.sender is None:
            raise ValueError("sender: required with a host (the From: address customers see)")
        parse_address(self.sender)
        if (self.password is not None) != (self.username is not None):
            raise ValueError("username and password: give both or neither")
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
        """The password, if any."""
        return None if self.password is None else self.password.get_secret_value()
