"""Dead-letter headers: contents, truncation and reading them back."""

from __future__ import annotations

from datetime import UTC, datetime

from streams.kafka.dlq import HEADER_PREFIX, MAX_EXCERPT, DeadLetter, parse_headers

NOW = datetime(2026, 1, 15, 10, 20, 30, tzinfo=UTC)


def test_headers_carry_every_field() -> None:
    letter = DeadLetter(
        source_topic="cases.requests",
        reason="OpenText refused the request",
        error_class="opentext-request",
        source_partition=3,
        source_offset=42,
        attempts=2,
        status=400,
        body_excerpt='{"message": "bad variable"}',
        extra={"case_id": "c-1"},
    )
    headers = letter.headers(now=NOW)

    assert all(name.startswith(HEADER_PREFIX) for name, _ in headers)
    assert all(isinstance(value, bytes) for _, value in headers)
    assert dict(headers) == {
        "casebridge.dlq.source_topic": b"cases.requests",
        "casebridge.dlq.reason": b"OpenText refused the request",
        "casebridge.dlq.error_class": b"opentext-request",
        "casebridge.dlq.source_partition": b"3",
        "casebridge.dlq.source_offset": b"42",
        "casebridge.dlq.attempts": b"2",
        "casebridge.dlq.status": b"400",
        "casebridge.dlq.body_excerpt": b'{"message": "bad variable"}',
        "casebridge.dlq.failed_at": b"2026-01-15T10:20:30+00:00",
        "casebridge.dlq.case_id": b"c-1",
    }


def test_optional_fields_are_left_out() -> None:
    headers = dict(DeadLetter("shopify.webhooks", "bad avro", "decode").headers(now=NOW))
    assert set(headers) == {
        f"{HEADER_PREFIX}{name}"
        for name in ("source_topic", "reason", "error_class", "attempts", "failed_at")
    }
    assert headers[f"{HEADER_PREFIX}attempts"] == b"1"


def test_zero_partition_and_offset_are_kept() -> None:
    headers = parse_headers(
        DeadLetter("t", "r", "e", source_partition=0, source_offset=0).headers(now=NOW)
    )
    assert headers["source_partition"] == "0"
    assert headers["source_offset"] == "0"


def test_reason_and_body_excerpt_are_truncated() -> None:
    letter = DeadLetter("t", "r" * 2000, "e", body_excerpt="b" * 2000)
    parsed = parse_headers(letter.headers(now=NOW))
    assert parsed["reason"] == "r" * MAX_EXCERPT
    assert parsed["body_excerpt"] == "b" * MAX_EXCERPT


def test_failed_at_defaults_to_now_in_utc() -> None:
    before = datetime.now(UTC)
    failed_at = datetime.fromisoformat(
        parse_headers(DeadLetter("t", "r", "e").headers())["failed_at"]
    )
    assert failed_at.tzinfo is not None
    assert before <= failed_at <= datetime.now(UTC)


def test_parse_headers_round_trip() -> None:
    letter = DeadLetter(
        "orders.offline",
        "ü non-ascii reason",
        "shopify-user-error",
        source_partition=1,
        source_offset=7,
        attempts=3,
        status=422,
        body_excerpt="excerpt",
        extra={"writeback_id": "w-1"},
    )
    parsed = parse_headers(letter.headers(now=NOW))
    assert parsed == {
        "source_topic": "orders.offline",
        "reason": "ü non-ascii reason",
        "error_class": "shopify-user-error",
        "source_partition": "1",
        "source_offset": "7",
        "attempts": "3",
        "status": "422",
        "body_excerpt": "excerpt",
        "failed_at": NOW.isoformat(),
        "writeback_id": "w-1",
    }


def test_parse_headers_ignores_foreign_and_empty_headers() -> None:
    headers: list[tuple[str, bytes | None]] = [
        ("casebridge.dedup_key", b"ev-1"),
        ("traceparent", b"00-abc"),
        (f"{HEADER_PREFIX}reason", None),
        (f"{HEADER_PREFIX}status", b"\xff500"),
    ]
    assert parse_headers(headers) == {"status": "\ufffd500"}
    assert parse_headers(None) == {}
    assert parse_headers([]) == {}
