"""Deterministic case ids: the same trigger on the same subject always gives the same id.

The id is ``<CASE_TYPE>-<16 hex digits>``, the digits being the start of
``sha256("shop|CASE_TYPE|SUBJECT_TYPE|subject_id|trigger")``. The shop is
lower-cased and subject ids are the numeric Shopify ids (GraphQL gids are
reduced to their tail first), so REST and GraphQL forms give one id.

Because the id depends only on *what* the case is about, never on when or by
which delivery it was seen, duplicate webhooks, Shopify's retries, replays and
reconciliation all map to one id, and the agent keeps at most one open case
per id (its table of open cases is keyed by case id; the OpenText business key
is the case id too). What "trigger" is per case type, i.e. what makes two cases
on one subject distinct:

=====================  ==================  ===================================
case type              subject             trigger
=====================  ==================  ===================================
ORDER_REVIEW           order               ``order`` — every flag on one order
                                           (create, update, risk change) is
                                           one case
HIGH_VALUE_REVIEW      order               ``order``
RETURN_REVIEW          return              ``return``
COMPLAINT              complaint           ``complaint`` (submitted complaints)
COMPLAINT              order               ``order-note`` (one per order note)
FULFILLMENT_EXCEPTION  order               ``carrier:<fulfillment id>``
FULFILLMENT_EXCEPTION  fulfillment order   ``hold`` or ``cancelled``
FULFILLMENT_EXCEPTION  product             ``out-of-stock:<variant id>``
FULFILLMENT_EXCEPTION  inventory item      ``oversold:<location id>``
                       (UNKNOWN)
CONTENT_REVIEW         product             ``content``
CONTENT_REVIEW         theme (UNKNOWN)     ``theme:<topic>``
CHARGEBACK             dispute             ``dispute``
=====================  ==================  ===================================

A later event for a subject whose case is already *closed* gives the same id
again; whether that reopens anything is the agent's decision (by default it
does not, so an approved order is not reviewed a second time).
"""

from __future__ import annotations

import hashlib

from schemas.records import CaseType, SubjectType

DIGEST_LENGTH = 16
"""Hex digits of the hash kept in the id (64 bits: collisions are negligible per shop)."""


def case_id(
    shop: str, case_type: CaseType, subject_type: SubjectType, subject_id: str, trigger: str
) -> str:
    """The deterministic id of a case (see the module docstring for ``trigger``)."""
    material = "|".join(
        (shop.strip().lower(), case_type.value, subject_type.value, subject_id.strip(), trigger)
    )
    digest = hashlib.sha256(material.encode("utf-8")).hexdigest()[:DIGEST_LENGTH]
    return f"{case_type.value}-{digest}"
