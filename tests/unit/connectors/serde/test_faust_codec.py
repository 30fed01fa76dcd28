"""The Faust codec: declared on a topic, encodes/decodes without per-message registry calls."""

from __future__ import annotations

from typing import cast

import faust
import pytest
from faust.exceptions import ValueDecodeError
from faust.serializers import codecs

from connectors.serde import DeserializationError
from connectors.serde.faust_codec import AvroCodec, avro_codec, register_codecs
from schemas.records import CaseState
from tests.unit.connectors.serde.fakes import FakeRegistry
from tests.unit.schemas.samples import samples


def test_codec_round_trips_models_and_dicts() -> None:
    fake = FakeRegistry()
    codec = avro_codec("cases.state", fake.client())
    record = samples()["CaseState"]
    data = codec.dumps(record)
    assert data[0] == 0
    assert codec.loads(data) == record.to_avro()
    assert codec.dumps(record.to_avro()) == data

    as_model = avro_codec("cases.state", fake.client(), output="model")
    assert as_model.loads(data) == record
    for _ in range(100):
        as_model.loads(codec.dumps(record))
    assert fake.calls == {"register": 1, "get_schema": 1}


async def test_faust_topic_uses_the_codec() -> None:
    fake = FakeRegistry()
    app = faust.App("serde-test", broker="memory://", store="memory://")
    codec = avro_codec("cases.state", fake.client(), output="model")
    topic = cast(faust.Topic, app.topic("cases.state", key_type=str, value_serializer=codec))
    record = samples()["CaseState"]

    # The same calls Faust makes when producing to / consuming from the topic.
    payload = app.serializers.dumps_value(None, record, serializer=topic.value_serializer)
    assert isinstance(payload, bytes)
    value = app.serializers.loads_value(None, payload, serializer=topic.value_serializer)
    assert isinstance(value, CaseState) and value == record


def test_codec_survives_faust_clone_and_named_registration() -> None:
    fake = FakeRegistry()
    codec = avro_codec("cases.state", fake.client())
    clone = codec.clone()
    assert isinstance(clone, AvroCodec) and clone.serde is codec.serde

    installed = register_codecs(fake.client())
    assert codecs.get_codec("avro:cases.requests") is installed["avro:cases.requests"]
    data = codecs.dumps("avro:cases.state", samples()["CaseState"])
    assert codecs.loads("avro:cases.state", data)["case_id"] == "case-1"


def test_decode_errors_reach_faust_callers_with_their_reason() -> None:
    app = faust.App("serde-test-errors", broker="memory://", store="memory://")
    codec = avro_codec("cases.state", FakeRegistry().client())
    with pytest.raises(ValueDecodeError) as info:
        app.serializers.loads_value(None, b"\x01\x00\x00\x00\x01", serializer=codec)
    cause = info.value.__cause__
    assert isinstance(cause, DeserializationError) and cause.reason == "bad-magic-byte"
