"""parse_json_object: payload text parsed once per record, invalid text refused every time."""

from __future__ import annotations

import pytest

from streams.classify.rules.errors import ClassificationError
from streams.classify.rules.payload import parse_json_object


def test_the_same_payload_text_is_parsed_once() -> None:
    text = '{"id": 1, "total_price": "12.30"}'
    assert parse_json_object(text) is parse_json_object(text)


def test_an_invalid_payload_fails_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ClassificationError, match="not valid JSON"):
            parse_json_object("{not json")
