"""RemoteHealth: counts every refusal, publishes a note when it starts, while it lasts, and ends."""

from __future__ import annotations

import pytest

from streams.kafka.health import HealthNote, RemoteHealth, decode_note, encode_note, snapshot
from streams.ops.metrics import OPENTEXT_AUTH_ERRORS, REGISTRY


def _count(agent: str) -> float:
    value = REGISTRY.get_sample_value("casebridge_opentext_auth_errors_total", {"agent": agent})
    return value or 0.0


async def test_notes_are_published_on_change_and_at_most_every_interval() -> None:
    published: list[HealthNote] = []
    now = [0.0]

    async def publish(note: HealthNote) -> None:
        published.append(note)

    health = RemoteHealth(
        "opentext",
        "unit-a",
        OPENTEXT_AUTH_ERRORS,
        publish=publish,
        publish_every_s=30,
        clock=lambda: now[0],
    )
    before = _count("unit-a")
    await health.failure(RuntimeError("refused 1"))
    await health.failure(RuntimeError("refused 2"))  # too soon: counted, not published
    now[0] = 31
    await health.failure(RuntimeError("refused 3"))
    await health.success()
    await health.success()  # already fine: nothing more
    assert [(n.failing, n.errors, n.last_error) for n in published] == [
        (True, 1, "refused 1"),
        (True, 3, "refused 3"),
        (False, 3, "refused 3"),
    ]
    assert _count("unit-a") - before == 3
    assert published[0].since == published[1].since
    assert any(n["agent"] == "unit-a" and not n["failing"] for n in snapshot())


async def test_a_failing_publish_never_fails_the_stage(caplog: pytest.LogCaptureFixture) -> None:
    async def broken(note: HealthNote) -> None:
        raise RuntimeError("broker down")

    health = RemoteHealth("opentext", "unit-b", OPENTEXT_AUTH_ERRORS, publish=broken)
    await health.failure(RuntimeError("refused"))
    assert health.failing and "could not publish" in caplog.text


def test_a_note_round_trips_and_reads_as_one_line() -> None:
    note = HealthNote("opentext", "sink", True, 2, "HTTP 401", "2026-12-06T04:00:00+00:00", "x")
    assert decode_note(encode_note(note)) == note
    assert note.line() == (
        "opentext (sink): REFUSED since 2026-12-06T04:00:00+00:00, 2 refusal(s),"
        " waiting and retrying: HTTP 401"
    )
