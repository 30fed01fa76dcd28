"""The token endpoint: ``POST /tenants/{tenant}/oauth2/token`` (client credentials)."""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import parse_qsl

from aiohttp import web

from emulators.opentext.context import emulator_of
from emulators.opentext.errors import OAuthError

TOKEN_PATH = "/tenants/{tenant}/oauth2/token"


def _basic_credentials(header: str | None) -> dict[str, str]:
    """client_id/client_secret from an HTTP Basic header, which OAuth 2 also allows."""
    if not header or not header.lower().startswith("basic "):
        return {}
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError(400, "invalid_request", "malformed Basic credentials") from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError(400, "invalid_request", "malformed Basic credentials")
    return {"client_id": client_id, "client_secret": secret}


async def _read_fields(request: web.Request) -> dict[str, str]:
    raw = await request.read()
    text = raw.decode("utf-8", errors="replace").strip()
    if not text:
        return {}
    # The tutorial sends JSON, older samples send a form: decide by content, not header.
    if request.content_type == "application/json" or text.startswith("{"):
        try:
            body = json.loads(text)
        except (ValueError, RecursionError):
            raise OAuthError(400, "invalid_request", "request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise OAuthError(400, "invalid_request", "request body must be a JSON object")
        return {str(k): str(v) for k, v in body.items() if v is not None}
    return dict(parse_qsl(text, keep_blank_values=True))


async def issue_token(request: web.Request) -> web.Response:
    """Answer ``{access_token, token_type, expires_in, scope}`` or an OAuth error."""
    emu = emulator_of(request)
    fields = _basic_credentials(request.headers.get("Authorization"))
    fields.update(await _read_fields(request))
    token = emu.tokens.issue(request.match_info["tenant"], fields)
    return web.json_response(
        {
            "access_token": token.value,
            "token_type": "Bearer",
            "expires_in": emu.config.token_ttl_seconds,
            "scope": token.scope,
            "tenantId": emu.config.tenant_id,
            "subscriptionId": emu.config.subscription_id,
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def add_routes(app: web.Application) -> None:
    """Register the token route on ``app``."""
    app.router.add_post(TOKEN_PATH, issue_token)
