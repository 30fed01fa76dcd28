"""The ``POST /callbacks/opentext`` route on the Faust worker's web server."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import faust
from faust.web import Request, Response, View

from streams.decisions.callback import CallbackHandler, CallbackResult
from streams.runtime.http import read_limited

__all__ = ["DEFAULT_CALLBACK_PATH", "Publish", "install_callback_route"]

log = logging.getLogger(__name__)

DEFAULT_CALLBACK_PATH = "/callbacks/opentext"

Publish = Callable[[CallbackResult], Awaitable[None]]
"""Sends a result's records: ``decision`` to ``cases.decisions``, ``offline_order``
to ``orders.offline``, ``failure`` to the DLQ. It must not return before they are
acknowledged by Kafka, because the 2xx that follows tells OpenText to stop retrying."""


def install_callback_route(
    app: faust.App,
    handler: CallbackHandler,
    *,
    publish: Publish,
    path: str = DEFAULT_CALLBACK_PATH,
) -> None:
    """Serve ``handler`` at ``path`` on the worker's web server."""

    class OpenTextCallbackView(View):
        async def post(self, request: Request) -> Response:
            # The signature covers the exact bytes sent: read them raw.
            body = await read_limited(request, handler.max_body_bytes)
            if body is None:
                result = CallbackResult(413, error="body too large")
            else:
                result = handler.handle(dict(request.headers), body)
            if result.has_records:
                try:
                    await publish(result)
                except Exception:
                    # Not recorded, so not acknowledged: OpenText retries (5xx).
                    log.exception("could not publish the OpenText callback's records")
                    return self.json(
                        {"status": 503, "error": "decision not recorded; retry"}, status=503
                    )
            return self.json(result.body(), status=result.status)

    app.page(path, name="opentext-callbacks")(OpenTextCallbackView)
