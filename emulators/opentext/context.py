"""The emulator's parts wired together, and the request helpers every route uses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from yarl import URL

from emulators.opentext.auth import IssuedToken, TokenIssuer
from emulators.opentext.callbacks import CallbackDispatcher
from emulators.opentext.clock import AdjustableClock, parse_time
from emulators.opentext.config import EmulatorConfig
from emulators.opentext.decisions import DecisionRunner
from emulators.opentext.errors import InvalidRequestError
from emulators.opentext.faults import Faults
from emulators.opentext.state import Engine
from emulators.opentext.views import Views


@dataclass
class Emulator:
    """Everything one emulator app holds."""

    config: EmulatorConfig
    clock: AdjustableClock
    engine: Engine
    tokens: TokenIssuer
    faults: Faults
    decisions: DecisionRunner
    callbacks: CallbackDispatcher
    views: Views

    @classmethod
    def build(cls, config: EmulatorConfig, clock: AdjustableClock) -> Emulator:
        """Wire the parts for ``config``."""
        engine = Engine(config, clock)
        callbacks = CallbackDispatcher(config)
        engine.add_completion_listener(callbacks.on_completion)
        return cls(
            config=config,
            clock=clock,
            engine=engine,
            tokens=TokenIssuer(config, clock),
            faults=Faults(clock),
            decisions=DecisionRunner(engine, config.decisions, clock),
            callbacks=callbacks,
            views=Views(config),
        )


EMULATOR = web.AppKey("casebridge_opentext_emulator", Emulator)
#: The verified bearer token of an API request (set by the auth middleware).
TOKEN = web.RequestKey("casebridge_opentext_token", IssuedToken)


def emulator_of(request: web.Request) -> Emulator:
    """The emulator serving ``request``."""
    return request.app[EMULATOR]


def base_url(request: web.Request) -> URL:
    """Scheme and host the client used, for absolute links."""
    return request.url.with_path("/").with_query(None)


async def read_json(request: web.Request, *, required: bool = True) -> Any:
    """The request body as JSON.

    Raises:
        InvalidRequestError: the body is empty (when required) or not JSON.
    """
    raw = await request.read()
    if not raw.strip():
        if required:
            raise InvalidRequestError("a JSON request body is required")
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequestError(f"request body is not valid JSON: {exc}") from None
    except RecursionError:
        raise InvalidRequestError("request body is nested too deeply") from None


async def read_object(request: web.Request, *, required: bool = True) -> dict[str, Any]:
    """The request body as a JSON object (``{}`` when optional and empty).

    Raises:
        InvalidRequestError: not JSON, or not an object.
    """
    body = await read_json(request, required=required)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise InvalidRequestError("the request body must be a JSON object")
    return body


def query_bool(query: Mapping[str, str], name: str, default: bool | None = False) -> bool | None:
    """A true/false query parameter.

    Raises:
        InvalidRequestError: the value is neither true nor false.
    """
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise InvalidRequestError(f"query parameter '{name}' must be true or false")


def query_time(query: Mapping[str, str], name: str) -> datetime | None:
    """An ISO 8601 time query parameter, or ``None``.

    Raises:
        InvalidRequestError: the value is not an ISO 8601 time.
    """
    raw = query.get(name)
    if not raw:
        return None
    try:
        return parse_time(raw)
    except ValueError:
        raise InvalidRequestError(f"query parameter '{name}' must be an ISO 8601 time") from None


def optional_str(body: Mapping[str, Any], name: str) -> str | None:
    """A string field that may be absent or null.

    Raises:
        InvalidRequestError: present but not a string.
    """
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidRequestError(f"'{name}' must be a string")
    return value
