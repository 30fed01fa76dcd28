"""A Faust app used by the end-to-end serde test (run as a worker subprocess).

It consumes ``ShopifyEvent`` records through casebridge's Avro codec, turns
each into a ``CaseState`` (REQUESTED), and emits it through the codec again.
Topic names come from the environment so every test run is isolated.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from connectors.serde import AvroSerde, RegistryClient
from connectors.serde.faust_codec import AvroCodec
from schemas.records import CaseState, CaseStatus, CaseType, Priority, ShopifyEvent
from streams.app import create_app
from streams.settings import load_settings

settings = load_settings()
SOURCE = os.environ["CB_TEST_SOURCE"]
SINK = os.environ["CB_TEST_SINK"]

app = create_app(
    settings,
    app_id=os.environ["CB_TEST_APP_ID"],
    web_port=int(os.environ["CB_TEST_WEB_PORT"]),
)
registry = RegistryClient.from_settings(settings.registry)
source = app.topic(
    SOURCE,
    key_type=bytes,
    value_serializer=AvroCodec(
        AvroSerde("ShopifyEvent", registry, subject=f"{SOURCE}-value"), output="model"
    ),
)
sink = app.topic(
    SINK,
    key_type=bytes,
    value_serializer=AvroCodec(AvroSerde("CaseState", registry, subject=f"{SINK}-value")),
)


@app.agent(source)
async def to_state(events):  # type: ignore[no-untyped-def]
    async for key, event in events.items():
        assert isinstance(event, ShopifyEvent)
        state = CaseState(
            case_id=f"TEST-{event.event_id}",
            case_type=CaseType.ORDER_REVIEW,
            shop=event.shop,
            subject_id=event.order_id or event.resource_id,
            status=CaseStatus.REQUESTED,
            priority=Priority.NORMAL,
            detail=f"from {event.topic}",
            updated_at=datetime.now(UTC),
        )
        await sink.send(key=key, value=state)
