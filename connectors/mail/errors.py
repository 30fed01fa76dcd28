"""Errors of the SMTP mail client.

::

    CasebridgeError
    └── MailError                       sending a customer e-mail failed
        ├── MailConfigError             the SMTP settings are not usable (at start)
        ├── MailUnavailableError        the server could not be reached or said "try
        │                               later" (4xx): nothing was accepted; send again
        └── MailRejectedError           the server refused the message for good (5xx,
                                        a bad recipient, our credentials)
"""

from __future__ import annotations

from connectors.errors import CasebridgeError, ConfigurationError

__all__ = ["MailConfigError", "MailError", "MailRejectedError", "MailUnavailableError"]


class MailError(CasebridgeError):
    """Base of the mail client's errors."""

    #: Whether sending the same message later may succeed.
    transient: bool = False


class MailConfigError(MailError, ConfigurationError):
    """SMTP settings that cannot work (raised when they are read, before anything runs)."""


class MailUnavailableError(MailError):
    """No server, a timeout or a 4xx reply: the message was not accepted; try again later."""

    transient = True


class MailRejectedError(MailError):
    """A permanent refusal (5xx reply, refused recipient or sender, bad credentials).

    Attributes:
        code: the SMTP reply code, when the server sent one.
    """

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code
