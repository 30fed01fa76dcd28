"""Errors raised by the OpenText Workflow Service emulator.

Every error the emulator answers on purpose is an :class:`EmulatorError`; the
error middleware turns it into the JSON body and status the real service would
send, so no request ever ends in a 500 with a traceback::

    CasebridgeError
    ├── ConfigurationError
    │   └── EmulatorConfigError          a bad emulator config or YAML file
    └── EmulatorError                    answered as {"exception", "message", "details"}
        ├── InvalidRequestError   400    bad JSON, wrong variable type, bad query
        ├── UnauthorizedError     401    missing, unknown or expired bearer token
        ├── NotFoundError         404    unknown instance, task, model or variable
        ├── ConflictError         409    task already completed, instance suspended
        └── OAuthError            4xx    token endpoint: {"error", "error_description"}
"""

from __future__ import annotations

from typing import Any

from connectors.errors import CasebridgeError, ConfigurationError


class EmulatorConfigError(ConfigurationError):
    """The emulator configuration (object or YAML file) is not valid."""


class EmulatorError(CasebridgeError):
    """An error the emulator answers with a JSON body instead of a result.

    Attributes:
        status: the HTTP status of the answer.
        exception: the engine-style exception name put in the body.
        details: extra detail for the body; the message when not given.
    """

    status: int = 500
    exception: str = "FlowableException"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        """The JSON body answered for this error."""
        return {
            "exception": self.exception,
            "message": self.message,
            "details": self.details if self.details is not None else self.message,
        }


class InvalidRequestError(EmulatorError):
    """The request is malformed: bad JSON, a missing field, a wrong type."""

    status = 400
    exception = "FlowableIllegalArgumentException"


class UnauthorizedError(EmulatorError):
    """The bearer token is missing, unknown or expired."""

    status = 401
    exception = "UnauthorizedException"

    def body(self) -> dict[str, Any]:
        """OAuth-style body plus the engine-style fields, so either parser reads it."""
        return {
            "error": "invalid_token",
            "error_description": self.message,
            **super().body(),
        }


class NotFoundError(EmulatorError):
    """The instance, task, model or variable named by the request does not exist."""

    status = 404
    exception = "FlowableObjectNotFoundException"


class ConflictError(EmulatorError):
    """The request is valid but the object's state forbids it."""

    status = 409
    exception = "FlowableConflictException"


class OAuthError(EmulatorError):
    """An error of the token endpoint, answered in the OAuth 2 shape."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error

    def body(self) -> dict[str, Any]:
        """The RFC 6749 error body."""
        return {"error": self.error, "error_description": self.message}
