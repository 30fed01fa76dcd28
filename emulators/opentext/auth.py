"""OAuth 2 client-credentials tokens: issuing them and checking bearer headers."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from emulators.opentext.clock import Clock
from emulators.opentext.config import EmulatorConfig
from emulators.opentext.errors import OAuthError, UnauthorizedError


@dataclass(frozen=True)
class IssuedToken:
    """An access token and when it stops working."""

    value: str
    client_id: str
    issued_at: datetime
    expires_at: datetime
    scope: str


class TokenIssuer:
    """Issues tokens to the configured client and verifies bearer headers."""

    def __init__(self, config: EmulatorConfig, clock: Clock) -> None:
        self._config = config
        self._clock = clock
        self._tokens: dict[str, IssuedToken] = {}

    def issue(self, tenant_id: str, form: Mapping[str, str]) -> IssuedToken:
        """Issue a token for a client-credentials request.

        ``form`` holds the body fields (JSON or form-encoded, already decoded);
        credentials from an HTTP Basic header should be merged in by the caller.

        Raises:
            OAuthError: wrong grant type (400), missing fields (400), unknown
                tenant or wrong credentials (401 ``invalid_client``).
        """
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError(400, "invalid_request", "grant_type is required")
        if grant_type != "client_credentials":
            raise OAuthError(
                400, "unsupported_grant_type", f"grant_type '{grant_type}' is not supported"
            )
        client_id = form.get("client_id")
        client_secret = form.get("client_secret")
        if not client_id or not client_secret:
            raise OAuthError(400, "invalid_request", "client_id and client_secret are required")
        # compare_digest on both so a wrong id and a wrong secret take the same time.
        expected = self._secret_of(client_id)
        id_ok = expected is not None
        secret_ok = secrets.compare_digest(
            client_secret.encode(), (expected or self._config.client_secret).encode()
        )
        if tenant_id != self._config.tenant_id or not (id_ok and secret_ok):
            raise OAuthError(401, "invalid_client", "client authentication failed")
        now = self._clock.now()
        token = IssuedToken(
            value=secrets.token_urlsafe(32),
            client_id=client_id,
            issued_at=now,
            expires_at=now + timedelta(seconds=self._config.token_ttl_seconds),
            scope=form.get("scope") or self._config.scope,
        )
        self._drop_expired(now)
        self._tokens[token.value] = token
        return token

    def _secret_of(self, client_id: str) -> str | None:
        if secrets.compare_digest(client_id.encode(), self._config.client_id.encode()):
            return self._config.client_secret
        other = self._config.clients.get(client_id)
        return other.client_secret if other is not None else None

    def groups_of(self, token: IssuedToken) -> tuple[str, ...] | None:
        """The candidate groups whose tasks ``token`` sees (``None``: every task)."""
        if token.client_id == self._config.client_id:
            return self._config.client_groups
        other = self._config.clients.get(token.client_id)
        return other.candidate_groups if other is not None else ()

    def verify(self, authorization: str | None) -> IssuedToken:
        """Check an ``Authorization`` header.

        Raises:
            UnauthorizedError: missing, not Bearer, unknown or expired.
        """
        if not authorization:
            raise UnauthorizedError("missing Authorization header")
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise UnauthorizedError("Authorization must be 'Bearer <token>'")
        token = self._tokens.get(value.strip())
        if token is None:
            raise UnauthorizedError("unknown access token")
        if self._clock.now() >= token.expires_at:
            raise UnauthorizedError("access token expired")
        return token

    def revoke_all(self) -> None:
        """Forget every issued token."""
        self._tokens.clear()

    def _drop_expired(self, now: datetime) -> None:
        # Keeps memory bounded for long-running sandboxes that refresh often.
        for value in [v for v, t in self._tokens.items() if t.expires_at <= now]:
            del self._tokens[value]
