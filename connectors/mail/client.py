"""Sending one e-mail through an SMTP server (aiosmtplib), errors sorted by what to do next."""

from __future__ import annotations

import logging
from email.message import EmailMessage

import aiosmtplib

from connectors.mail.config import SmtpConfig
from connectors.mail.errors import MailConfigError, MailRejectedError, MailUnavailableError

__all__ = ["SmtpMailer"]

log = logging.getLogger(__name__)


class SmtpMailer:
    """Sends messages through the configured server; one connection per message.

    Customer notices are rare (a rejected or questioned order), so a pooled
    connection would mostly sit idle and time out; each send connects, says
    what it must and quits.
    """

    def __init__(self, config: SmtpConfig) -> None:
        if not config.configured:
            raise MailConfigError("no SMTP host configured (CASEBRIDGE_SMTP__HOST)")
        self._config = config
        self._password = config.secret()

    @property
    def sender(self) -> str:
        """The From: address."""
        return self._config.sender or ""

    async def send(self, message: EmailMessage) -> None:
        """Send ``message`` (its From: is set to the sender when missing).

        Raises:
            MailUnavailableError: no connection, a timeout or a 4xx reply: not accepted.
            MailRejectedError: refused for good (5xx, recipient, credentials).
        """
        config = self._config
        if "From" not in message:
            message["From"] = self.sender
        try:
            await aiosmtplib.send(
                message,
                hostname=config.host,
                port=config.effective_port,
                username=config.username,
                password=self._password,
                use_tls=config.tls == "tls",
                start_tls=config.tls == "starttls",
                timeout=config.timeout_s,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
            if all(400 <= r.code < 500 for r in exc.recipients):
                # Greylisting, a full mailbox: the server asks to try again later.
                raise MailUnavailableError(f"recipient deferred: {refused}") from exc
            raise MailRejectedError(f"recipient refused: {refused}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            text = f"SMTP {exc.code} {exc.message}"
            if 400 <= exc.code < 500:
                raise MailUnavailableError(f"{config.host}: {text}") from exc
            raise MailRejectedError(f"{config.host}: {text}", code=exc.code) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            # Connection refused, TLS failure, timeouts, a dropped connection.
            raise MailUnavailableError(f"{config.host}:{config.effective_port}: {exc}") from exc
        log.info("mail to %s sent (%s)", message.get("To"), message.get("Subject"))
