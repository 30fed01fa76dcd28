"""see_event: duplicates dropped, redeliveries processed again, stale updates dropped."""

from __future__ import annotations

from typing import Any

from streams.classify.rules.subjects import RECENT_EVENTS, see_event, subject_key_of, updated_at
from tests.unit.streams.classify.rules.conftest import SHOP, make_event

TOPIC = "orders/updated"


def order(at: str) -> dict[str, Any]:
    return {"id": 1001, "updated_at": at}


def test_the_subject_is_the_shop_and_the_order_or_resource() -> None:
    assert subject_key_of(make_event(TOPIC, {}, order_id="1001")) == f"{SHOP}/1001"
    assert subject_key_of(make_event("products/update", {}, resource_id="9")) == f"{SHOP}/9"


def test_a_new_event_is_remembered_with_where_it_was_read() -> None:
    seen = see_event(None, make_event(TOPIC, order("2026-01-01T10:00:00Z")), "0:5")
    assert (seen.duplicate, seen.redelivered, seen.stale) == (False, False, False)
    assert seen.subject["events"] == ["evt-1"]
    assert seen.subject["sources"] == {"evt-1": "0:5"}
    assert seen.subject["updated"] == {TOPIC: "2026-01-01T10:00:00+00:00"}


def test_the_same_id_at_another_offset_is_a_duplicate_at_the_same_offset_a_redelivery() -> None:
    event = make_event(TOPIC, order("2026-01-01T10:00:00Z"))
    stored = see_event(None, event, "0:5").subject
    assert see_event(stored, event, "0:9").duplicate
    again = see_event(stored, event, "0:5")
    assert (again.duplicate, again.redelivered, again.stale) == (False, True, False)
    assert again.subject["events"] == ["evt-1"]


def test_an_older_update_is_stale_and_does_not_move_the_latest() -> None:
    stored = see_event(None, make_event(TOPIC, order("2026-01-01T10:00:00Z")), "0:1").subject
    late = see_event(stored, make_event(TOPIC, order("2026-01-01T09:00:00Z"), event_id="e2"), "0:2")
    assert late.stale
    assert (late.updated_at, late.last) == (
        "2026-01-01T09:00:00+00:00",
        "2026-01-01T10:00:00+00:00",
    )
    assert late.subject["updated"] == {TOPIC: "2026-01-01T10:00:00+00:00"}
    assert late.subject["events"] == ["evt-1", "e2"]  # still remembered: a repeat is a duplicate


def test_only_the_most_recent_event_ids_are_kept() -> None:
    subject: dict[str, Any] | None = None
    for n in range(RECENT_EVENTS + 3):
        subject = see_event(
            subject, make_event(TOPIC, {"id": 1}, event_id=f"e{n}"), f"0:{n}"
        ).subject
    assert subject is not None
    assert len(subject["events"]) == RECENT_EVENTS
    assert subject["events"][0] == "e3"
    assert set(subject["sources"]) == set(subject["events"])


def test_updated_at_is_utc_text_or_none_for_a_bad_payload() -> None:
    assert updated_at(make_event(TOPIC, order("2026-01-01T12:00:00+02:00"))) == (
        "2026-01-01T10:00:00+00:00"
    )
    assert updated_at(make_event(TOPIC, "{not json")) is None
    assert updated_at(make_event(TOPIC, order("yesterday"))) is None
