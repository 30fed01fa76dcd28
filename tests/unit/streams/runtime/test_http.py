"""read_limited: the exact bytes of a body, or None once it is over the limit."""

from __future__ import annotations

from collections.abc import AsyncIterator

from streams.runtime.http import read_limited


class Content:
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.read = 0

    async def iter_chunked(self, size: int) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.read += 1
            yield chunk


class Request:
    def __init__(self, chunks: list[bytes], content_length: int | None) -> None:
        self.content = Content(chunks)
        self.content_length = content_length


async def test_the_body_is_returned_byte_for_byte() -> None:
    request = Request([b'{"a":', b" 1}"], content_length=None)
    assert await read_limited(request, 100) == b'{"a": 1}'


async def test_a_declared_length_over_the_limit_is_refused_unread() -> None:
    request = Request([b"x" * 10], content_length=10)
    assert await read_limited(request, 9) is None
    assert request.content.read == 0


async def test_an_undeclared_body_stops_being_read_once_over_the_limit() -> None:
    request = Request([b"x" * 6, b"x" * 6, b"never read"], content_length=None)
    assert await read_limited(request, 10) is None
    assert request.content.read == 2


async def test_a_body_exactly_at_the_limit_is_accepted() -> None:
    request = Request([b"x" * 5, b"x" * 5], content_length=10)
    assert await read_limited(request, 10) == b"x" * 10
