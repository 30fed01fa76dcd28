"""Errors raised by the OpenText Workflow Service client.

The hierarchy, rooted at casebridge's :class:`~connectors.errors.CasebridgeError`::

    CasebridgeError
    └── OpenTextError                   anything the OpenText client raises on purpose
        ├── OpenTextAuthError           credentials refused, a 401 survived one token refresh,
        │                               or the API gateway refused the call (``{"fault": ...}``)
        ├── OpenTextRequestError        a non-retryable 4xx: the request itself is wrong
        │   └── OpenTextNotFoundError   404: the instance, task or model does not exist
        ├── OpenTextUnavailableError    429 / 5xx / timeout / connection error and
        │                               the retry policy gave up
        └── OpenTextProtocolError       a 2xx answer we cannot understand (not JSON,
                                        missing fields)

How callers use them:

* :class:`OpenTextRequestError` is permanent: the stream sink sends the record
  to its DLQ and puts :meth:`OpenTextRequestError.dlq_headers` on it.
* :class:`OpenTextUnavailableError` is transient: the sink stops consuming the
  partition and tries again later; nothing is dead-lettered.
* :class:`OpenTextAuthError` is an operator problem (wrong client id/secret or
  tenant); retrying will not fix it.

OpenText error bodies come in several shapes (the engine's ``exception``,
``message`` / ``details``, an API gateway's ``fault.faultstring``, or plain
text); :func:`error_message` reads all of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from connectors.errors import CasebridgeError

#: Longest body excerpt kept on an error: enough to diagnose, small enough for a Kafka header.
BODY_EXCERPT_CHARS = 500


class OpenTextError(CasebridgeError):
    """Base class of every error the OpenText client raises deliberately."""


class OpenTextAuthError(OpenTextError):
    """The token endpoint refused our credentials, or the API kept answering 401.

    Attributes:
        status: HTTP status of the refusal (``0`` if the answer was unusable, not a refusal).
    """

    def __init__(self, message: str, *, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class OpenTextRequestError(OpenTextError):
    """OpenText rejected the request with a status that retrying cannot change (a 4xx).

    Attributes:
        status: HTTP status code.
        error_class: Short machine-friendly class of the error, e.g. ``"http_400"``
            or the engine's exception name when the body carries one.
        message: Human-readable reason read from the body by :func:`error_message`.
        body_excerpt: At most :data:`BODY_EXCERPT_CHARS` characters of the raw body.
        attempts: How many attempts were made (``> 1`` when earlier ones were retried).
        endpoint: Endpoint template, e.g. ``"POST /process-instances"``.
    """

    def __init__(
        self,
        *,
        status: int,
        message: str,
        body_excerpt: str,
        attempts: int,
        endpoint: str,
        error_class: str | None = None,
    ) -> None:
        super().__init__(f"{endpoint} -> HTTP {status}: {message}")
        self.status = status
        self.message = message
        self.body_excerpt = body_excerpt[:BODY_EXCERPT_CHARS]
        self.attempts = attempts
        self.endpoint = endpoint
        self.error_class = error_class or f"http_{status}"

    def dlq_headers(self) -> dict[str, str]:
        """Headers that explain this failure on a DLQ record."""
        return {
            "error.source": "opentext",
            "error.class": self.error_class,
            "error.status": str(self.status),
            "error.endpoint": self.endpoint,
            "error.message": self.message[:BODY_EXCERPT_CHARS],
            "error.body": self.body_excerpt,
            "error.attempts": str(self.attempts),
        }


class OpenTextNotFoundError(OpenTextRequestError):
    """HTTP 404: the process instance, task or model does not exist (any more)."""


class OpenTextUnavailableError(OpenTextError):
    """OpenText stayed unavailable (429, 5xx, timeouts, connection errors) until retries ran out.

    Attributes:
        status: Last HTTP status seen, or ``None`` if the last attempt got no answer.
        attempts: Attempts made in total.
        endpoint: Endpoint template, e.g. ``"GET /tasks"``.
        retry_after_s: The server's last ``Retry-After``, in seconds, if it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None,
        attempts: int,
        endpoint: str,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.attempts = attempts
        self.endpoint = endpoint
        self.retry_after_s = retry_after_s


class OpenTextProtocolError(OpenTextError):
    """A successful answer that does not look like what the contract promises."""


def error_message(body: object) -> str:
    """The most useful human-readable reason in an OpenText error body.

    Accepts the decoded JSON (a mapping), raw ``str`` / ``bytes``, or ``None``.
    Known shapes, in order of preference:

    * gateway: ``{"fault": {"faultstring": "...", "detail": {...}}}``
    * engine: ``{"message": "...", "details": "..."}`` or ``{"exception": "..."}``
    * OAuth: ``{"error": "invalid_client", "error_description": "..."}``

    Falls back to a compact excerpt of the body itself, never raises.
    """
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if isinstance(body, str):
        text = body.strip()
        if not text:
            return "(empty body)"
        try:
            decoded = json.loads(text)
        except ValueError:
            return text[:BODY_EXCERPT_CHARS]
        if not isinstance(decoded, Mapping):
            return text[:BODY_EXCERPT_CHARS]
        body = decoded
    if body is None:
        return "(empty body)"
    if not isinstance(body, Mapping):
        return str(body)[:BODY_EXCERPT_CHARS]

    parts: list[str] = []
    fault = body.get("fault")
    if isinstance(fault, Mapping):
        _add(parts, fault.get("faultstring"))
        detail = fault.get("detail")
        if isinstance(detail, Mapping):
            _add(parts, detail.get("errorcode"))
    _add(parts, body.get("message"))
    _add(parts, body.get("details"))
    _add(parts, body.get("exception"))
    _add(parts, body.get("error_description"))
    _add(parts, body.get("error"))
    if parts:
        return ": ".join(parts)[:BODY_EXCERPT_CHARS]
    return json.dumps(body, separators=(",", ":"), default=str)[:BODY_EXCERPT_CHARS]


def is_retryable_status(status: int) -> bool:
    """Whether an HTTP status is worth another attempt: 408, 429 and every 5xx.

    408 is the server's own timeout and 429 its throttle; 5xx is trouble on its
    side. Every other status says the request is wrong and will stay wrong.
    """
    return status in (408, 429) or 500 <= status <= 599


def gateway_fault(response: Any) -> str | None:
    """The ``faultstring`` (and error code) of an API gateway's ``{"fault": ...}`` body, if any.

    ``response`` is an ``httpx.Response`` (anything with ``.json()``).
    """
    try:
        body = response.json()
    except ValueError:
        return None
    fault = body.get("fault") if isinstance(body, Mapping) else None
    if not isinstance(fault, Mapping):
        return None
    text = str(fault.get("faultstring") or "gateway fault")
    detail = fault.get("detail")
    code = detail.get("errorcode") if isinstance(detail, Mapping) else None
    return f"{text} ({code})" if code else text


def error_class(body: object, status: int) -> str:
    """DLQ error class: the body's exception name if it has one, else ``http_<status>``."""
    if isinstance(body, Mapping):
        for key in ("exception", "error"):
            value = body.get(key)
            if isinstance(value, str) and value and " " not in value and len(value) <= 120:
                # A bare identifier like "FlowableObjectNotFoundException" classifies well;
                # free text does not, so it stays in the message instead.
                return value
    return f"http_{status}"


def _add(parts: list[str], value: Any) -> None:
    """Append ``value`` as text unless empty or a repeat of what is already there."""
    if value is None:
        return
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = text.strip()
    if text and text not in parts:
        parts.append(text)
