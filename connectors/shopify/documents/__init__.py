"""Every GraphQL document casebridge sends to Shopify, in one place.

Written against Shopify's real Admin GraphQL schema (field and argument names
as on shopify.dev), so the client, the emulator's tests and a real store all
agree on the same text; the contract test validates each one against the
schema of the default API version and the next. One module per user:

=====================  ==========================================================
``operations``         the typed helpers of :mod:`connectors.shopify.operations`
``enrich``             the enricher's reads (what a case may lack)
``fulfillment``        a fulfillment case's enrichment (shortages, substitutes)
``writer``             the writer's "look before you write" reads
``reconcile``          the reconciler's orders updated since a watermark
``scopes``             the access scopes granted to the app
=====================  ==========================================================

:data:`DOCUMENTS` lists every operation by name (for the emulator's tests and
for logs). A document is a module-level string; fragments (pieces spliced into
the operations that use them) are not listed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import ModuleType

from connectors.shopify.documents import enrich, fulfillment, operations, reconcile, scopes, writer

__all__ = ["DOCUMENTS"]

_OPERATION = re.compile(r"^\s*(?:query|mutation)\s+(Casebridge\w+)", re.M)


def _operations(*modules: ModuleType) -> dict[str, str]:
    found: dict[str, str] = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, str) and (match := _OPERATION.search(value)):
                name = match.group(1)
                if found.setdefault(name, value) is not value:
                    # Logs and the emulator's journal tell documents apart by name.
                    raise ValueError(f"two GraphQL documents are named {name}")
    return found


#: Every document by operation name.
DOCUMENTS: Mapping[str, str] = _operations(
    operations, enrich, fulfillment, writer, reconcile, scopes
)
