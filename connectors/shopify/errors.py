"""Errors raised by the Shopify Admin API client.

The hierarchy, and what a caller (the writer, the enricher) should do::

    CasebridgeError
    └── ShopifyError                      anything the Shopify client raises on purpose
        ├── ShopifyAuthError              401/403 or ACCESS_DENIED: bad token or missing scope.
        │                                 Permanent: fix the configuration, retrying won't help.
        ├── ShopifyGraphQLError           the request itself is wrong: GraphQL ``errors``
        │                                 (syntax, unknown field, bad variable) or a
        │                                 non-retryable 4xx. Permanent: a bug or a schema drift.
        ├── ShopifyUnavailableError       retryable trouble (5xx, timeout, connection error)
        │   │                             outlasted the retry policy. Transient: re-queue later.
        │   └── ShopifyThrottledError     still THROTTLED after the throttle retry budget.
        ├── ShopifyUserError              a mutation answered with non-empty ``userErrors``:
        │                                 the write did not happen. ``transient`` tells
        │                                 whether re-reading state and retrying may succeed.
        └── webhooks.WebhookHeaderError   a delivery lacks a required ``X-Shopify-*`` header
                                          or has a malformed one. Permanent: DLQ it.

Every class has a ``transient`` attribute so a consumer can decide between
"retry later" and "send to the DLQ" without an ``isinstance`` ladder.

Classifying ``userErrors``
--------------------------
Shopify reports business-rule failures of a mutation as ``userErrors``
(``field``, ``message`` and, on most typed payloads, ``code``) with HTTP 200.
Most are permanent: the order is already cancelled, the line item does not
exist, a value fails validation. A few mean "someone else was changing this
object at the same moment" (an optimistic-lock or compare-and-set conflict, an
order edit or job already in progress, "please try again"): re-reading the
object and retrying can succeed. :func:`classify_user_errors` recognises those
from their code or message; anything it does not recognise is **permanent**,
because retrying an unknown failure forever would stall the key's partition,
whereas a DLQ record can be inspected and replayed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from connectors.errors import CasebridgeError

__all__ = [
    "ShopifyAuthError",
    "ShopifyError",
    "ShopifyGraphQLError",
    "ShopifyThrottledError",
    "ShopifyUnavailableError",
    "ShopifyUserError",
    "UserErrorDetail",
    "classify_user_errors",
]

Transience = Literal["transient", "permanent"]


class ShopifyError(CasebridgeError):
    """Base class of every error the Shopify client raises deliberately."""

    transient: bool = False
    """Whether the same call may succeed later without any change by a human."""


class ShopifyAuthError(ShopifyError):
    """Shopify refused the credentials (401), the app lacks a scope (403, ``ACCESS_DENIED``)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ShopifyGraphQLError(ShopifyError):
    """Shopify rejected the request as invalid: GraphQL ``errors`` or a non-retryable 4xx.

    Attributes:
        messages: the ``message`` of each GraphQL error (or the HTTP reason).
        errors: the raw error objects, for the DLQ headers.
        status: the HTTP status of the response.
    """

    def __init__(
        self,
        messages: Sequence[str],
        *,
        errors: Sequence[Mapping[str, Any]] = (),
        status: int | None = None,
        operation: str | None = None,
    ) -> None:
        self.messages = tuple(messages)
        self.errors = tuple(errors)
        self.status = status
        self.operation = operation
        prefix = f"{operation}: " if operation else ""
        super().__init__(prefix + ("; ".join(self.messages) or "GraphQL request rejected"))


class ShopifyUnavailableError(ShopifyError):
    """Retryable failures (5xx, timeouts, connection errors) outlasted the retry policy.

    Attributes:
        attempts: how many requests were sent before giving up.
    """

    transient = True

    def __init__(self, message: str, *, attempts: int, status: int | None = None) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.status = status


class ShopifyThrottledError(ShopifyUnavailableError):
    """Shopify still answered THROTTLED after the client's throttle retry budget.

    With a correct bucket model this should only happen when another app or
    process shares the same store's bucket heavily.
    """


@dataclass(frozen=True, slots=True)
class UserErrorDetail:
    """One entry of a mutation's ``userErrors``.

    Attributes:
        message: Shopify's human-readable message.
        field: the path to the offending input field, if any.
        code: the typed error code (``INVALID``, ``NOT_FOUND``...) where the payload has one.
    """

    message: str
    field: tuple[str, ...] | None = None
    code: str | None = None

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> UserErrorDetail:
        """Build from one ``userErrors`` object as Shopify returns it."""
        field = raw.get("field")
        code = raw.get("code")
        return cls(
            message=str(raw.get("message") or ""),
            field=tuple(str(part) for part in field) if field else None,
            code=str(code) if code else None,
        )


class ShopifyUserError(ShopifyError):
    """A mutation answered with non-empty ``userErrors``: the write was not applied.

    Attributes:
        operation: the mutation field (``fulfillmentOrderHold``).
        user_errors: every entry Shopify returned.
        transient: from :func:`classify_user_errors`.
        field / message / code: of the first entry, for one-line logs and DLQ headers.
    """

    def __init__(self, operation: str, user_errors: Sequence[UserErrorDetail]) -> None:
        if not user_errors:
            raise ValueError("ShopifyUserError needs at least one user error")
        self.operation = operation
        self.user_errors = tuple(user_errors)
        self.transient = classify_user_errors(self.user_errors) == "transient"
        first = self.user_errors[0]
        self.field = first.field
        self.message = first.message
        self.code = first.code
        summary = "; ".join(_describe(err) for err in self.user_errors)
        super().__init__(f"{operation} failed: {summary}")


def _describe(err: UserErrorDetail) -> str:
    where = ".".join(err.field) if err.field else ""
    code = f"[{err.code}] " if err.code else ""
    return f"{code}{where + ': ' if where else ''}{err.message}"


# Codes that name a conflict with a concurrent writer. Matched as substrings of
# the upper-case code, because Shopify spells them per payload type
# (``STALE_OBJECT`` on metafieldsSet compare-and-set, ``..._LOCKED``...).
_TRANSIENT_CODES = ("STALE", "LOCKED", "CONCURRENT", "CONFLICT", "IN_PROGRESS", "TEMPORAR")

# Message fragments meaning "not now, maybe later". Shopify's untyped
# userErrors carry only a message, so the wording is all there is to go on.
_TRANSIENT_MESSAGE = re.compile(
    r"try again|please retry|temporar|currently being|being (?:modified|processed|updated|edited)"
    r"|concurrent|\block(?:ed)?\b|already in progress|has been modified"
    r"|modified since|too many requests|throttl|timed? ?out",
    re.IGNORECASE,
)


def _is_transient(err: UserErrorDetail) -> bool:
    if err.code and any(part in err.code.upper() for part in _TRANSIENT_CODES):
        return True
    return bool(_TRANSIENT_MESSAGE.search(err.message))


def classify_user_errors(
    errors: Iterable[UserErrorDetail | Mapping[str, Any]],
) -> Transience:
    """Whether a mutation that failed with these ``userErrors`` may succeed if retried.

    ``"transient"`` only when every entry looks like a concurrency conflict or
    a "try again"; one permanent entry (validation, not found, invalid state)
    makes the whole failure permanent, since a retry would hit it again. An
    empty list is ``"permanent"``: there is nothing to wait for.
    """
    details = [
        err if isinstance(err, UserErrorDetail) else UserErrorDetail.from_json(err)
        for err in errors
    ]
    if details and all(_is_transient(err) for err in details):
        return "transient"
    return "permanent"
