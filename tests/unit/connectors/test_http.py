"""aiohttp errors become the httpx errors that say whether a request may have arrived."""

from __future__ import annotations

import aiohttp
import httpx
import pytest
from aiohttp.client_reqrep import ConnectionKey

from connectors.http import transport_error

KEY = ConnectionKey("shop.example", 443, True, True, None, None, None)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (aiohttp.ConnectionTimeoutError("connect timed out"), httpx.ConnectTimeout),
        (aiohttp.ClientConnectorError(KEY, OSError(111, "refused")), httpx.ConnectError),
        (aiohttp.SocketTimeoutError("read timed out"), httpx.ReadTimeout),
        (aiohttp.ClientPayloadError("truncated body"), httpx.ReadError),
        (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError),
        (aiohttp.ClientOSError(104, "reset by peer"), httpx.RemoteProtocolError),
    ],
)
def test_each_aiohttp_error_maps_by_what_it_implies(
    error: aiohttp.ClientError, expected: type[httpx.TransportError]
) -> None:
    mapped = transport_error(error)
    assert type(mapped) is expected
    assert str(mapped)


def test_only_errors_before_sending_count_as_never_sent() -> None:
    # The Shopify client refunds its bucket reservation only for these two kinds.
    never_sent = (httpx.ConnectError, httpx.ConnectTimeout)
    assert isinstance(transport_error(aiohttp.ConnectionTimeoutError()), never_sent)
    assert not isinstance(transport_error(aiohttp.ServerDisconnectedError()), never_sent)
    assert not isinstance(transport_error(aiohttp.SocketTimeoutError()), never_sent)
