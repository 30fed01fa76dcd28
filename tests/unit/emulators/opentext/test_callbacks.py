"""Callback signing and payloads, without sockets."""

from __future__ import annotations

import hashlib
import hmac
import json

from emulators.opentext.callbacks import (
    CallbackDispatcher,
    build_payload,
    sign,
    verify_signature,
)
from emulators.opentext.clock import FrozenClock
from emulators.opentext.config import build_config
from emulators.opentext.state import Engine


def test_signature_is_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"outcome": "approved"}'
    expected = hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert sign(body, "k") == f"sha256={expected}"
    assert verify_signature(body, "k", f"sha256={expected}")
    assert not verify_signature(body + b" ", "k", f"sha256={expected}")


def test_payload_and_headers() -> None:
    config = build_config(
        {"callback": {"url": "http://127.0.0.1:9/cb", "auth": "hmac", "hmac_secret": "k"}}
    )
    engine = Engine(config, FrozenClock())
    model = engine.resolve_model(key="casebridge.order_review", definition_id=None, message=None)
    engine.start(model, business_key="case-9")
    completion = engine.complete(engine.tasks()[0].id, "approved")
    payload = build_payload(completion, config, "d-1")
    assert payload["event"] == "process.completed"
    assert payload["businessKey"] == "case-9" and payload["outcome"] == "approved"
    assert payload["completedAt"] == "2026-01-01T00:00:00.000Z"
    body = json.dumps(payload).encode()
    headers = CallbackDispatcher(config).headers_for(body, "d-1")
    assert verify_signature(body, "k", headers["X-Casebridge-Signature"])
    assert headers["X-Casebridge-Delivery"] == "d-1"


def test_without_event_loop_delivery_is_recorded_as_failed() -> None:
    config = build_config({"callback": {"url": "http://127.0.0.1:9/cb"}})
    engine = Engine(config, FrozenClock())
    dispatcher = CallbackDispatcher(config)
    engine.add_completion_listener(dispatcher.on_completion)
    model = engine.resolve_model(key="casebridge.order_review", definition_id=None, message=None)
    engine.start(model)
    engine.complete(engine.tasks()[0].id, "approved")
    (delivery,) = dispatcher.deliveries
    assert delivery.status == "failed"
