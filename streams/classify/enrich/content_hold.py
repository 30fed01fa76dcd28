"""Keeping a product change under review off the storefront while its case is open (UC6).

The content rule (:mod:`streams.classify.rules.content`) decides the hold and puts
it in the case variables: ``contentHold`` ``restore`` (put back
``approvedContent``, the approved values of the changed fields) or ``draft``
(set the product to DRAFT), ``productId``. :class:`ContentHolder` applies it
with :func:`connectors.shopify.content.put_content`, which reads the product and
writes only what differs: a redelivered or replayed request, or a second
update of the same case, writes nothing twice. Like the order hold, it is a
protective write (the caller's budget class) and a failure never stops the
case from opening: it is named in ``holdError`` for the reviewers.

Result variables: ``contentHeld`` (``restored``, ``drafted`` or ``already``)
or ``holdError``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from connectors.shopify.content import ContentError, put_content
from connectors.shopify.cost import GraphQLExecutor
from connectors.shopify.errors import ShopifyError
from schemas.records import CaseRequest, CaseType
from streams.classify.rules.build import Variables
from streams.runtime.keys import gid

log = logging.getLogger(__name__)

__all__ = ["HOLD_MODES", "ContentHolder", "content_hold_mode"]

#: ``contentHold`` values that write something.
HOLD_MODES = frozenset({"restore", "draft"})


def _values(request: CaseRequest) -> dict[str, str]:
    return {variable.name: variable.value for variable in request.variables}


def content_hold_mode(request: CaseRequest) -> str | None:
    """``restore`` or ``draft`` when the content case asks for a hold, else None."""
    if request.case_type is not CaseType.CONTENT_REVIEW:
        return None
    mode = _values(request).get("contentHold")
    return mode if mode in HOLD_MODES else None


class ContentHolder:
    """Applies the content hold of CONTENT_REVIEW requests over one store's client."""

    def __init__(self, client: GraphQLExecutor) -> None:
        self._client = client

    async def hold(self, request: CaseRequest) -> Variables:
        """Restore or draft the product of ``request``; the result as variables (never raises
        for a Shopify or data problem)."""
        mode = content_hold_mode(request)
        values = _values(request)
        result = Variables()
        if mode is None:
            return result
        product_id = values.get("productId")
        if not product_id:
            return result.string("holdError", "content hold: the case names no product")
        product = gid("Product", product_id)
        try:
            if mode == "draft":
                written = await put_content(self._client, product, {}, status="DRAFT")
                done = "drafted"
            else:
                approved: Any = json.loads(values.get("approvedContent") or "null")
                if not isinstance(approved, dict):
                    raise ContentError("INVALID_PARAMS", "approvedContent is not an object")
                written = await put_content(self._client, product, approved)
                done = "restored"
        except (ShopifyError, ContentError, ValueError) as exc:
            log.warning("case %s: content hold failed: %s", request.case_id, exc)
            return result.string("holdError", f"content hold: {type(exc).__name__}: {exc}"[:1000])
        if written.written:
            log.info("case %s: product %s %s for review", request.case_id, product, done)
        return result.string("contentHeld", done if written.written else "already")
