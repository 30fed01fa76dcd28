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
FULFILLMENT_EXCEPTION  fulfillment order   ``split`` (the new one)
FULFILLMENT_EXCEPTION  fulfillment order   ``request-rejected`` (a fulfillment
                                           service rejected the request) or
                                           ``service-failed`` (it closed the
                                           work incomplete)
FULFILLMENT_EXCEPTION  order               ``partial``
FULFILLMENT_EXCEPTION  product             ``out-of-stock:<variant id>``
FULFILLMENT_EXCEPTION  inventory item      ``oversold:<location id>``
                       (UNKNOWN)
CONTENT_REVIEW         product             ``content``
CONTENT_REVIEW         theme (UNKNOWN)     ``theme:<topic>``
CHARGEBACK             dispute             ``dispute``
=====================  ==================  ===================================

A later event for a subject whose case is still *open* gives the same id and
is attached to that case. Once the case has *ended* (decided, applied, failed
or closed), a later event may be a new trigger on the same subject — the
product edited again after its review was approved, the item out of stock
again, a risk that rises to HIGH on an order approved for its value. Such a
trigger opens a new *generation* of the case: :func:`generation_id` gives
``<base id>-g<n>`` for generation ``n`` >= 2 (the first keeps the base id, so
ids of existing cases do not change). :func:`renews` says whether an event is
a new trigger:

* FULFILLMENT_EXCEPTION and CONTENT_REVIEW cases come from events that each
  report a new occurrence (a carrier event, a stock-out, a hold, an edit whose
  watched content changed): every new event after the end renews the case.
* the other types are re-evaluated on every update of their subject (an
  ``orders/updated`` after our own write-back flags the same order again):
  only a reason code the ended generation did not have renews it, so
  approving an order for its value does not review it again for its value,
  but a risk that rises to HIGH does.

Duplicates, retries and replays never renew anything: they are the same
event (dropped before the rules by its event id) or the same facts (the same
reason codes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from schemas.records import CaseType, SubjectType

GENERATION_MARK = "-g"
"""Between the base id and the generation number (``...-g2``)."""

#: Case types whose every new event after the end is a new trigger.
EVENT_SCOPED: frozenset[CaseType] = frozenset(
    {CaseType.FULFILLMENT_EXCEPTION, CaseType.CONTENT_REVIEW}
)

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


def generation_id(base_id: str, generation: int) -> str:
    """The id of ``generation`` (1, 2, ...) of the case ``base_id``; generation 1 is the base."""
    if generation < 1:
        raise ValueError(f"generation must be at least 1, got {generation}")
    return base_id if generation == 1 else f"{base_id}{GENERATION_MARK}{generation}"


def renews(case_type: CaseType, covered: Iterable[str], codes: Iterable[str]) -> bool:
    """Whether a new event with reason ``codes`` after a case with ``covered`` codes ended
    is a new trigger (a new generation); see the module docstring."""
    if case_type in EVENT_SCOPED:
        return True
    return not set(codes) <= set(covered)
