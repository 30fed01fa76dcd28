"""Request middleware: error bodies, fault injection, bearer-token checks.

Order (outermost first): errors -> faults -> auth -> route. Faults sit before
auth because a gateway outage answers before any token is looked at.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re

from aiohttp import web
from aiohttp.typedefs import Handler

from emulators.opentext.context import TOKEN, emulator_of
from emulators.opentext.errors import EmulatorError
from emulators.opentext.faults import API_PREFIXES, CallInfo

log = logging.getLogger(__name__)

_TOKEN_PATH = re.compile(r"^/tenants/[^/]+/oauth2/token/?$")
_INSTANCE_IN_PATH = re.compile(r"/(?:historic-)?process-instances/([^/]+)")

_HTTP_EXCEPTION_NAMES = {
    404: "NotFoundException",
    405: "MethodNotAllowedException",
    413: "PayloadTooLargeException",
}


def _is_api(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in API_PREFIXES)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer every error as a JSON body; never a traceback."""
    try:
        return await handler(request)
    except EmulatorError as exc:
        headers = {}
        if exc.status == 401:
            headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return web.json_response(exc.body(), status=exc.status, headers=headers)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        body = {
            "exception": _HTTP_EXCEPTION_NAMES.get(exc.status, "HttpException"),
            "message": exc.reason,
            "details": f"{request.method} {request.path}: {exc.reason}",
        }
        return web.json_response(body, status=exc.status, headers=_allow_header(exc))
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("unhandled error in %s %s", request.method, request.path)
        return web.json_response(
            {
                "exception": "InternalServerError",
                "message": "internal emulator error",
                "details": "see the emulator log",
            },
            status=500,
        )


def _allow_header(exc: web.HTTPException) -> dict[str, str]:
    allow = exc.headers.get("Allow")
    return {"Allow": allow} if allow else {}


async def _model_key_of(request: web.Request) -> str | None:
    """The processDefinitionKey a call concerns, for model-scoped fault rules."""
    if request.query.get("processDefinitionKey"):
        return request.query["processDefinitionKey"]
    if request.method in ("POST", "PUT") and request.can_read_body:
        # aiohttp caches the body, so the handler can still read it.
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except (ValueError, UnicodeDecodeError, RecursionError):
            body = None
        if isinstance(body, dict):
            key = body.get("processDefinitionKey")
            if isinstance(key, str):
                return key
            definition_id = body.get("processDefinitionId")
            if isinstance(definition_id, str):
                return definition_id.split(":", 1)[0]
    match = _INSTANCE_IN_PATH.search(request.path)
    if match:
        emu = emulator_of(request)
        try:
            return emu.engine.instance(match.group(1)).model.key
        except EmulatorError:
            return None
    return None


@web.middleware
async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Inject latency and errors into API calls (and token calls when asked)."""
    path = request.path
    is_token = bool(_TOKEN_PATH.match(path))
    if not (is_token or _is_api(path)):
        return await handler(request)
    faults = emulator_of(request).faults
    call = CallInfo(
        method=request.method,
        path=path,
        model_key=await _model_key_of(request),
        is_token_call=is_token,
    )
    delay = faults.latency_seconds(call)
    if delay > 0:
        await asyncio.sleep(delay)
    fault = faults.decide(call)
    if fault is not None:
        return web.json_response(fault.body, status=fault.status, headers=fault.headers)
    return await handler(request)


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Require a valid bearer token on every runtime and history call."""
    if _is_api(request.path):
        # Kept on the request: task routes show each token only the tasks it may see.
        request[TOKEN] = emulator_of(request).tokens.verify(request.headers.get("Authorization"))
    return await handler(request)
