"""Customer e-mail through SMTP: settings and the client (the local inbox of the tests and the
sandbox is :mod:`emulators.mail`)."""

from connectors.mail.client import SmtpMailer
from connectors.mail.config import SmtpConfig, TlsMode, parse_address
from connectors.mail.errors import (
    MailConfigError,
    MailError,
    MailRejectedError,
    MailUnavailableError,
)

__all__ = [
    "MailConfigError",
    "MailError",
    "MailRejectedError",
    "MailUnavailableError",
    "SmtpConfig",
    "SmtpMailer",
    "TlsMode",
    "parse_address",
]
