"""DLQ filters, replay headers and attempt counting (no broker)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from streams.kafka.dlq import DeadLetter
from streams.ops.dlq_records import (
    REPLAY_AT,
    REPLAY_ATTEMPT,
    REPLAY_OF,
    DlqRecord,
    attempt_of,
    dlq_topic_of,
    matches,
    parse_filters,
    replay_group,
    replay_headers,
)
from streams.ops.errors import FilterError

NOW = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)


def record(
    *, key: bytes | None = b"shop-1/42", attempts: int = 1, extra: Sequence[tuple[str, bytes]] = ()
) -> DlqRecord:
    letter = DeadLetter(
        source_topic="shopify.webhooks",
        reason="payload failed validation: total_price",
        error_class="ValidationError",
        source_partition=2,
        source_offset=17,
        attempts=attempts,
        status=422,
    )
    headers = (("x-shopify-topic", b"orders/create"), *extra, *letter.headers(NOW))
    return DlqRecord("shopify.webhooks.dlq", 1, 9, 1_700_000_000_000, key, b'{"id":42}', headers)


def test_topic_and_group_names() -> None:
    assert dlq_topic_of("shopify.webhooks") == "shopify.webhooks.dlq"
    assert dlq_topic_of("shopify.webhooks.dlq") == "shopify.webhooks.dlq"
    assert replay_group("shopify.webhooks.dlq") == "casebridge-dlq-replay-shopify.webhooks.dlq"


def test_filters_match_headers_and_key_with_wildcards() -> None:
    r = record()
    assert matches(r, {})
    assert matches(r, parse_filters(["error_class=ValidationError"]))
    assert matches(r, parse_filters(["reason=*total_price", "key=shop-1/*"]))
    assert matches(r, parse_filters(["status=422"]))
    assert not matches(r, parse_filters(["error_class=HTTPStatusError"]))
    assert not matches(r, parse_filters(["reason=*total_price", "key=shop-2/*"]))
    assert not matches(r, parse_filters(["nosuchfield=*"]))
    assert not matches(record(key=None), parse_filters(["key=*"]))


def test_repeated_field_means_either_pattern() -> None:
    filters = parse_filters(["error_class=HTTPStatusError", "error_class=ValidationError"])
    assert filters == {"error_class": ["HTTPStatusError", "ValidationError"]}
    assert matches(record(), filters)


@pytest.mark.parametrize("bad", ["reason", "=x", "  =x"])
def test_malformed_filter_is_an_error(bad: str) -> None:
    with pytest.raises(FilterError, match="field=pattern"):
        parse_filters([bad])


def test_filter_value_may_contain_equals_signs() -> None:
    assert parse_filters(["reason=a=b"]) == {"reason": ["a=b"]}


def test_replay_headers_carry_originals_and_describe_the_replay() -> None:
    headers = replay_headers(record(), NOW)
    names = [name for name, _ in headers]
    assert names[0] == "x-shopify-topic"
    assert not any(name.startswith("casebridge.dlq.") for name in names)
    values = dict(headers)
    assert values[REPLAY_OF] == b"shopify.webhooks.dlq/1/9"
    assert values[REPLAY_ATTEMPT] == b"2"
    assert values[REPLAY_AT] == NOW.isoformat().encode()


def test_second_replay_replaces_the_first_replays_headers() -> None:
    earlier = [(REPLAY_OF, b"shopify.webhooks.dlq/0/1"), (REPLAY_ATTEMPT, b"2")]
    headers = replay_headers(record(attempts=2, extra=earlier), NOW)
    assert [v for n, v in headers if n == REPLAY_ATTEMPT] == [b"3"]
    assert [v for n, v in headers if n == REPLAY_OF] == [b"shopify.webhooks.dlq/1/9"]


def test_replay_attempt_uses_the_larger_of_attempts_and_earlier_replay() -> None:
    # An agent that forgot attempt_of still does not reset the count.
    headers = replay_headers(record(attempts=1, extra=[(REPLAY_ATTEMPT, b"4")]), NOW)
    assert dict(headers)[REPLAY_ATTEMPT] == b"5"


def test_attempt_of() -> None:
    assert attempt_of(None) == 1
    assert attempt_of([]) == 1
    assert attempt_of([(REPLAY_ATTEMPT, b"3")]) == 3
    assert attempt_of({REPLAY_ATTEMPT: b"2"}) == 2
    assert attempt_of({REPLAY_ATTEMPT: "4"}) == 4
    assert attempt_of([(REPLAY_ATTEMPT, b"junk")]) == 1
    assert attempt_of([(REPLAY_ATTEMPT, None)]) == 1
    assert attempt_of([(REPLAY_ATTEMPT, b"0")]) == 1


def test_record_view_for_list_output() -> None:
    r = record()
    assert r.size == len(b"shop-1/42") + len(b'{"id":42}')
    as_dict = r.to_dict()
    assert as_dict["key"] == "shop-1/42"
    assert as_dict["dlq"]["error_class"] == "ValidationError"
    assert as_dict["dlq"]["source_topic"] == "shopify.webhooks"
    assert as_dict["timestamp"].startswith("2023-11-14")
    assert "value" not in as_dict
