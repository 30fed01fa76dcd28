"""Dispatch: which rules run for which event, and the two entry points.

:func:`classify_event` takes one ``shopify.webhooks`` record and
:func:`classify_complaint` one ``support.complaints`` record; both are pure
(no I/O, no clock: ``now`` is passed in) and return the cases to request.
Duplicate suppression is the caller's: case ids are deterministic (see
:mod:`streams.classify.rules.caseid`), so the agent drops a request whose case id
is already open in its table.

=====================================  ==========================================
topic                                  rules
=====================================  ==========================================
``orders/create``                      ORDER_REVIEW, HIGH_VALUE_REVIEW, order note
``orders/updated``                     ORDER_REVIEW, order note
other ``orders/*`` with an order body  order note
``orders/partially_fulfilled``         FULFILLMENT_EXCEPTION (partial shipment), order note
``orders/risk_assessment_changed``     ORDER_REVIEW (risk)
``returns/request``                    RETURN_REVIEW
``fulfillment_events/create``,         FULFILLMENT_EXCEPTION
``fulfillment_orders/placed_on_hold``,
``fulfillment_orders/cancelled``,
``variants/out_of_stock``,
``inventory_levels/update``,
``fulfillment_orders/split``
``products/create``, ``products/update``  CONTENT_REVIEW (variants kept for UC1 inventory)
``themes/*`` (as configured)           CONTENT_REVIEW (theme files read first)
``shop/update``                        CONTENT_REVIEW (shop policies read first)
``disputes/create``, ``disputes/update``  CHARGEBACK
anything else                          nothing (:func:`is_known_topic` is False)
=====================================  ==========================================

``inventory_levels/update`` and the product topics also feed UC1's stock tables
(:mod:`streams.classify.rules.inventory`): a payload those tables cannot take is
refused here, so the record is dead-lettered with the reason.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError

from schemas.records import CaseRequest, ComplaintSubmitted, ShopifyEvent
from streams.classify.rules import content, fulfillment, inventory, orders
from streams.classify.rules.build import CaseDraft, build_case
from streams.classify.rules.complaints import complaint_draft, order_note_draft
from streams.classify.rules.disputes import dispute_drafts
from streams.classify.rules.errors import ClassificationError
from streams.classify.rules.payload import parse_json_object
from streams.classify.rules.returns import return_drafts
from streams.classify.rules.state import ClassifyContext
from streams.classify.rules.storefront import SHOP_TOPIC, shop_policy_drafts, theme_drafts
from streams.policy.model import Policy

RETURN_TOPIC = "returns/request"
DISPUTE_TOPICS = frozenset({"disputes/create", "disputes/update"})
THEME_PREFIX = "themes/"


def is_known_topic(topic: str) -> bool:
    """True when some rule reads events of ``topic`` (the rest are only recorded)."""
    return (
        topic in orders.ORDER_TOPICS
        or topic == orders.RISK_TOPIC
        or topic in (RETURN_TOPIC, SHOP_TOPIC)
        or topic in fulfillment.TOPICS
        or topic in content.PRODUCT_TOPICS
        or topic.startswith(THEME_PREFIX)
        or topic in DISPUTE_TOPICS
    )


def classify_event(
    event: ShopifyEvent, policy: Policy, context: ClassifyContext, now: datetime
) -> list[CaseRequest]:
    """The cases ``event`` opens under ``policy`` (often none).

    Args:
        event: one ``shopify.webhooks`` record.
        policy: the merchant's policy.
        context: state before this event (shop statistics, complaint history,
            content fingerprints); see :mod:`streams.classify.rules.state`.
        now: the current time (aware; naive is taken as UTC); SLAs count from it.

    Raises:
        ClassificationError: the payload is not JSON, lacks an id, or has a
            field of the wrong type; the message names the topic, event and field.
    """
    try:
        drafts = _drafts(event, policy, context, now)
        source = [event.event_id or event.webhook_id]
        return [
            build_case(draft, shop=event.shop, policy=policy, now=now, source_event_ids=source)
            for draft in drafts
        ]
    except ClassificationError as exc:
        raise ClassificationError(f"{event.topic} event {event.event_id}: {exc}") from None
    except ValidationError as exc:
        # A value from the payload that the CaseRequest model refuses.
        raise ClassificationError(
            f"{event.topic} event {event.event_id}: invalid case field: {exc.errors()[0]['msg']}"
        ) from None


def classify_complaint(
    complaint: ComplaintSubmitted, policy: Policy, context: ClassifyContext, now: datetime
) -> CaseRequest:
    """The COMPLAINT case for a ``support.complaints`` record (always exactly one).

    Raises:
        ClassificationError: the complaint has no id.
    """
    try:
        draft = complaint_draft(complaint, policy, context, now)
        return build_case(
            draft,
            shop=complaint.shop,
            policy=policy,
            now=now,
            source_event_ids=[complaint.complaint_id],
        )
    except ClassificationError as exc:
        raise ClassificationError(f"complaint {complaint.complaint_id!r}: {exc}") from None


def _drafts(
    event: ShopifyEvent, policy: Policy, context: ClassifyContext, now: datetime
) -> list[CaseDraft]:
    topic = event.topic
    if not is_known_topic(topic):
        return []
    payload = parse_json_object(event.payload)
    # The inventory feeds are kept by the agent after this: a bad one is refused here.
    if topic == inventory.LEVEL_TOPIC:
        inventory.read_level(payload)
    elif topic in inventory.PRODUCT_TOPICS:
        inventory.read_variants(payload)
    if topic in orders.ORDER_TOPICS:
        order = orders.read_order(payload)
        drafts = orders.review_order(topic, order, policy, context, shop=event.shop)
        if topic == fulfillment.PARTIAL_TOPIC and not order.cancelled:
            drafts += fulfillment.partial_drafts(payload, policy)
        note = order_note_draft(event.shop, order, policy, context, now)
        return [*drafts, note] if note is not None else drafts
    if topic == orders.RISK_TOPIC:
        return orders.review_risk_change(event, payload, policy)
    if topic == RETURN_TOPIC:
        return return_drafts(payload, policy)
    if topic in fulfillment.TOPICS:
        return fulfillment.fulfillment_drafts(event, payload, policy, context.split_origin)
    if topic in content.PRODUCT_TOPICS:
        return content.product_drafts(event, payload, policy, context)
    if topic.startswith(THEME_PREFIX):
        return theme_drafts(event, payload, policy, context)
    if topic == SHOP_TOPIC:
        return shop_policy_drafts(event, payload, policy, context)
    return dispute_drafts(payload, policy)
