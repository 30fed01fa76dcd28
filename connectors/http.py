"""The HTTP transport under the Shopify and OpenText clients.

The clients speak httpx (its ``MockTransport`` is their test seam), but
httpx's own connection pool (httpcore over anyio) costs ~1.4-1.8 ms of CPU
per request with 32 requests in flight, against ~0.4 ms for httpx over an
aiohttp connection pool (docs/benchmarks.md, fix 8). The sink
makes one OpenText call per case, so that difference is most of a worker's
budget. :class:`PooledTransport` is `httpx-aiohttp`'s transport with one
change: aiohttp's errors map onto the httpx errors that say *whether the
request may have reached the server*, which the clients' retry decisions
depend on (a Shopify request that never connected was not charged; a start
that may have arrived must be looked up before it is sent again).
"""

from __future__ import annotations

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

#: Connections kept per client: enough for the sink's and writer's lanes.
DEFAULT_MAX_CONNECTIONS = 64


def transport_error(exc: aiohttp.ClientError) -> httpx.TransportError:
    """The httpx error that means what ``exc`` means for a retry decision."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(message)  # no connection: the request was not sent
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(message)  # refused, unresolvable: not sent
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return httpx.ReadTimeout(message)  # sent; the answer did not come in time
    if isinstance(exc, aiohttp.ClientPayloadError):
        return httpx.ReadError(message)
    # Disconnected, reset, malformed answer: the request may have arrived.
    return httpx.RemoteProtocolError(message)


class PooledTransport(AiohttpTransport):
    """httpx over an aiohttp connection pool, with errors mapped by what they imply."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except httpx.TransportError as exc:
            cause = exc.__cause__
            if isinstance(cause, aiohttp.ClientError):
                raise transport_error(cause) from cause
            raise
        except aiohttp.ClientError as exc:  # kinds the library leaves unmapped
            raise transport_error(exc) from exc


def pooled_transport(max_connections: int = DEFAULT_MAX_CONNECTIONS) -> PooledTransport:
    """A fresh pooled transport (one per client; it opens its pool on first use)."""
    return PooledTransport(limits=httpx.Limits(max_connections=max_connections))
