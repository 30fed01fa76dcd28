"""The overview carries every stage's health note (a remote service refusing it)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from streams.kafka.watermark import WatermarkError
from tests.unit.streams.web.fakes import service

REFUSED = {
    "service": "opentext",
    "agent": "sink",
    "failing": True,
    "errors": 4,
    "last_error": "gateway refused the call (HTTP 401): Invalid ApiKey",
    "since": "2026-12-06T04:00:00+00:00",
    "updated_at": "2026-12-06T04:01:00+00:00",
}


async def test_overview_lists_refused_stages_and_reads_kafka_at_most_every_5_s() -> None:
    reads: list[int] = []
    now = [100.0]

    def notes() -> list[dict[str, Any]]:
        reads.append(1)
        return [REFUSED]

    ops = replace(service(), remote_notes=notes, clock=lambda: now[0])
    assert (await ops.overview())["remote"] == [REFUSED]
    await ops.overview()
    assert len(reads) == 1
    now[0] += 5.0
    await ops.overview()
    assert len(reads) == 2


async def test_unreadable_notes_keep_the_last_known() -> None:
    answers: list[Any] = [[REFUSED], WatermarkError("broker down")]
    now = [0.0]

    def notes() -> list[dict[str, Any]]:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return list(answer)

    ops = replace(service(), remote_notes=notes, clock=lambda: now[0])
    assert await ops.remote() == [REFUSED]
    now[0] += 10
    assert await ops.remote() == [REFUSED]
