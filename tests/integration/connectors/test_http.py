"""The pooled transport over real sockets: answers, refused connections, cut answers, timeouts."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from connectors.http import pooled_transport

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return await reader.readexactly(length) if length else b""


async def _serve(handler: Handler) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=pooled_transport(4), timeout=1.0) as http:
        yield http


async def test_answers_keep_one_connection_alive(client: httpx.AsyncClient) -> None:
    connections = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while True:
            try:
                body = await _read_request(reader)
            except asyncio.IncompleteReadError:
                break
            reply = b'{"echo": ' + body + b"}"
            writer.write(
                b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                b"Content-Length: " + str(len(reply)).encode() + b"\r\n\r\n" + reply
            )
            await writer.drain()
        writer.close()

    server, base = await _serve(handler)
    async with server:
        for n in range(3):
            response = await client.post(f"{base}/process-instances", json={"n": n})
            assert response.status_code == 201
            assert response.json() == {"echo": {"n": n}}
    assert connections == 1


async def test_a_refused_connection_is_a_connect_error(client: httpx.AsyncClient) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(httpx.ConnectError):
        await client.get(f"http://127.0.0.1:{port}/")


async def test_an_answer_cut_off_is_not_a_connect_error(client: httpx.AsyncClient) -> None:
    # The request arrived: a caller must not treat it as never sent.
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.close()

    server, base = await _serve(handler)
    async with server:
        with pytest.raises(httpx.TransportError) as caught:
            await client.post(f"{base}/process-instances", json={})
    assert not isinstance(caught.value, (httpx.ConnectError, httpx.ConnectTimeout))


async def test_a_server_that_never_answers_times_out_reading(client: httpx.AsyncClient) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        await asyncio.sleep(5)
        writer.close()

    server, base = await _serve(handler)
    async with server:
        with pytest.raises(httpx.ReadTimeout):
            await client.post(f"{base}/slow", json={}, timeout=0.2)
