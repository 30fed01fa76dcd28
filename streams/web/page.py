"""The operations page: one static HTML file with its script and stylesheet.

Served by the worker itself at ``/ops/`` (Faust's own index owns ``/``):
no build step, no CDN, nothing fetched from elsewhere, so the page works on
an air-gapped cluster. The script polls the JSON API (:mod:`streams.web.api`)
every few seconds. Every value the page shows carries a stable
``data-testid`` attribute, which is what the browser test reads.

The files are read once, when the role is installed, from the package's
``static`` folder (shipped as package data).
"""

from __future__ import annotations

from importlib import resources

import faust
from faust.web import Request, Response, View

__all__ = ["PAGE_PATH", "STATIC_FILES", "install_page", "static_file"]

#: Where the page is served.
PAGE_PATH = "/ops/"

#: File name -> Content-Type of every file the page consists of.
STATIC_FILES: dict[str, str] = {
    "ops.html": "text/html; charset=utf-8",
    "ops.js": "text/javascript; charset=utf-8",
    "ops.css": "text/css; charset=utf-8",
}


def static_file(name: str) -> bytes:
    """The bytes of one of :data:`STATIC_FILES`."""
    if name not in STATIC_FILES:
        raise KeyError(f"{name} is not part of the operations page")
    return (resources.files("streams.web") / "static" / name).read_bytes()


def _view(body: bytes, content_type: str) -> type[View]:
    class StaticView(View):
        async def get(self, request: Request) -> Response:
            # The page is small and changes with a deploy; no-cache keeps
            # browsers from running an old script against a new API.
            return self.bytes(
                body, headers={"Content-Type": content_type, "Cache-Control": "no-cache"}
            )

    return StaticView


def install_page(app: faust.App, path: str = PAGE_PATH) -> None:
    """Serve the page at ``path`` (and without the trailing slash) and its assets beside it."""
    base = path.rstrip("/")
    html = _view(static_file("ops.html"), STATIC_FILES["ops.html"])
    app.page(base + "/", name="ops-page")(html)
    app.page(base, name="ops-page-bare")(html)
    for name, content_type in STATIC_FILES.items():
        if name == "ops.html":
            continue
        view = _view(static_file(name), content_type)
        app.page(f"{base}/{name}", name=f"ops-{name.replace('.', '-')}")(view)
