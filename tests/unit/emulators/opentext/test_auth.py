"""Token issuing and verification."""

from __future__ import annotations

import pytest

from emulators.opentext.auth import TokenIssuer
from emulators.opentext.clock import FrozenClock
from emulators.opentext.config import build_config
from emulators.opentext.errors import OAuthError, UnauthorizedError

GOOD = {
    "grant_type": "client_credentials",
    "client_id": "casebridge",
    "client_secret": "casebridge-secret",
}


def test_issue_verify_expire() -> None:
    clock = FrozenClock()
    issuer = TokenIssuer(build_config({"token_ttl_seconds": 60}), clock)
    token = issuer.issue("casebridge-dev", GOOD)
    assert issuer.verify(f"Bearer {token.value}") == token
    clock.advance(60)
    with pytest.raises(UnauthorizedError):
        issuer.verify(f"Bearer {token.value}")


@pytest.mark.parametrize(
    ("tenant", "fields", "status", "error"),
    [
        ("casebridge-dev", {**GOOD, "client_secret": "wrong"}, 401, "invalid_client"),
        ("other-tenant", GOOD, 401, "invalid_client"),
        ("casebridge-dev", {**GOOD, "grant_type": "password"}, 400, "unsupported_grant_type"),
        ("casebridge-dev", {"grant_type": "client_credentials"}, 400, "invalid_request"),
    ],
)
def test_refusals(tenant: str, fields: dict[str, str], status: int, error: str) -> None:
    issuer = TokenIssuer(build_config(), FrozenClock())
    with pytest.raises(OAuthError) as info:
        issuer.issue(tenant, fields)
    assert info.value.status == status and info.value.body()["error"] == error


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer ", "Bearer unknown"])
def test_bad_headers(header: str | None) -> None:
    issuer = TokenIssuer(build_config(), FrozenClock())
    with pytest.raises(UnauthorizedError):
        issuer.verify(header)
