"""Duplicate and stale Shopify events, per subject (shop + order or resource).

The classify stage keeps one entry per subject in a table: the last
:data:`RECENT_EVENTS` event ids with where each was read (``partition:offset``),
and the latest ``updated_at`` seen per topic. :func:`see_event` decides, from
that entry, whether an event is

* a *duplicate* (its id was seen, read at another offset): dropped;
* a *redelivery* (its id was seen at the same offset, after a crash): processed
  again, since its effects may never have happened; downstream is idempotent;
* *stale* (its ``updated_at`` is older than the latest of its topic): dropped,
  because acting on a late older state would undo newer facts;

and returns the entry to store. Pure: the caller owns the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from schemas.records import ShopifyEvent
from streams.classify.rules.errors import ClassificationError
from streams.classify.rules.payload import parse_json_object

__all__ = ["RECENT_EVENTS", "Seen", "see_event", "subject_key_of", "updated_at"]

#: Event ids remembered per subject for de-duplication behind the ingress window.
RECENT_EVENTS = 64


@dataclass(frozen=True, slots=True)
class Seen:
    """What :func:`see_event` found, and the subject entry to store (unless a duplicate)."""

    subject: dict[str, Any]
    redelivered: bool
    duplicate: bool
    stale: bool
    updated_at: str | None
    last: str | None


def subject_key_of(event: ShopifyEvent) -> str:
    """The key of the event's subject: ``<shop>/<order id or resource id>``."""
    return f"{event.shop}/{event.order_id or event.resource_id}"


def updated_at(event: ShopifyEvent) -> str | None:
    """The payload's ``updated_at`` (ISO text compares in time order when in UTC), else None."""
    try:
        # Parsed (and cached) the way the rules parse it: one parse per record.
        payload = parse_json_object(event.payload).data
    except ClassificationError:
        return None
    value = payload.get("updated_at")
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).astimezone(UTC).isoformat()
        except ValueError:
            return None
    return event.triggered_at.isoformat() if event.triggered_at else None


def see_event(entry: Mapping[str, Any] | None, record: ShopifyEvent, source: str) -> Seen:
    """Judge ``record`` read at ``source`` against its subject's stored ``entry``."""
    subject = dict(entry or {"events": [], "updated": {}})
    sources: dict[str, str] = dict(subject.get("sources") or {})
    redelivered = sources.get(record.event_id) == source
    if record.event_id in subject["events"] and not redelivered:
        return Seen(subject, redelivered, duplicate=True, stale=False, updated_at=None, last=None)
    updated = updated_at(record)
    last = subject["updated"].get(record.topic)
    stale = updated is not None and last is not None and updated < last
    if not redelivered:
        subject["events"] = [*subject["events"], record.event_id][-RECENT_EVENTS:]
        sources[record.event_id] = source
        subject["sources"] = {e: sources[e] for e in subject["events"] if e in sources}
    if updated is not None and not stale:
        subject["updated"] = {**subject["updated"], record.topic: updated}
    return Seen(subject, redelivered, duplicate=False, stale=stale, updated_at=updated, last=last)
