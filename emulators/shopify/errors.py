"""Errors of the Shopify Admin API emulator.

The hierarchy::

    CasebridgeError                      (connectors.errors)
    └── EmulatorError                    anything the emulator raises on purpose
        ├── EmulatorConfigError          a bad config file or value (also a ConfigurationError)
        ├── ResourceNotFound             an id that is not in the store
        └── UserErrorRaised              a mutation refused; becomes ``userErrors`` in the payload

``UserErrorRaised`` never reaches an HTTP client as an exception: the mutation
resolvers turn it into Shopify's ``userErrors`` list and roll the store back,
so a failed mutation changes nothing.
"""

from __future__ import annotations

from connectors.errors import CasebridgeError, ConfigurationError


class EmulatorError(CasebridgeError):
    """Base class of the emulator's deliberate errors."""


class EmulatorConfigError(EmulatorError, ConfigurationError):
    """The emulator configuration (file or values) is not valid."""


class ResourceNotFound(EmulatorError):
    """A global id or numeric id does not name a resource in the store."""


class UserErrorRaised(EmulatorError):
    """A mutation was refused; rendered as a Shopify ``userErrors`` entry.

    Attributes:
        field: the input path Shopify reports (``["id"]``), or ``None``.
        message: the human-readable message.
        code: the typed error code (``"INVALID"``, ``"TAKEN"``...) or ``None``.
    """

    def __init__(self, message: str, field: list[str] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def as_dict(self) -> dict[str, object]:
        """The ``userErrors`` entry (``field``, ``message``, ``code``)."""
        return {"field": self.field, "message": self.message, "code": self.code}
