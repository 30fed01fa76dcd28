"""The ingress baseline: an aiohttp endpoint that reads the body and answers JSON.

``python -m bench.hello --port P`` serves ``POST /webhooks/shopify`` on
127.0.0.1 with no verification and no Kafka: the ceiling that aiohttp and
one Python process set on this machine, to compare the real ingress with.
"""

from __future__ import annotations

import argparse

from aiohttp import web


async def accept(request: web.Request) -> web.Response:
    """Read the whole body, answer like the ingress does."""
    await request.read()
    return web.json_response({"status": "accepted"})


async def root(request: web.Request) -> web.Response:
    """Answer anything on ``/`` (the generator warms its connections there)."""
    return web.Response(text="ok")


def main() -> None:
    """Serve until terminated."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = web.Application()
    app.router.add_post("/webhooks/shopify", accept)
    app.router.add_get("/", root)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
