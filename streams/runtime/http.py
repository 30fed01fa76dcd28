"""Reading request bodies on the worker's web server, shared by every inbound route.

Both signed inbound routes (Shopify webhooks, OpenText callbacks) need the exact
bytes sent, and neither may buffer an unbounded body.
"""

from __future__ import annotations

from typing import Any


async def read_limited(request: Any, limit: int) -> bytes | None:
    """The raw body, or None once it exceeds ``limit`` bytes (without reading the rest)."""
    declared = request.content_length
    if declared is not None and declared > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
