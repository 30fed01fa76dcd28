"""The callback handler: authentication, validation, and the same decision as the poller."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from emulators.opentext import sign
from schemas.records import ActionKind, CaseType, DecisionSource
from streams.decisions import CallbackHandler, HistoryPoller, OfflineIntakeError
from tests.unit.streams.decisions.fakes import (
    MODEL_KEYS,
    FakeHistory,
    at,
    offline_values,
    variables,
)

SECRET = "s3cret"
TOKEN = "t0ken"
ORDER_VARS = {"shop": "demo.myshopify.com", "orderId": "1001", "fulfillmentOrderIds": ["7"]}


def payload(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "event": "process.completed",
        "deliveryId": "d-1",
        "processInstanceId": "pi-1",
        "businessKey": "ORDER_REVIEW-abc",
        "processDefinitionKey": MODEL_KEYS[CaseType.ORDER_REVIEW],
        "taskId": "task-1",
        "taskDefinitionKey": "orderReview",
        "assignee": "alice@example.com",
        "outcome": "approved",
        "outcomeVariable": "approvalStatus",
        "instanceEnded": True,
        "variables": [v.to_wire() for v in variables({**ORDER_VARS, "approvalStatus": "approved"})],
        "completedAt": at(10).isoformat().replace("+00:00", "Z"),
    }
    body.update(overrides)
    return body


def signed(body: dict[str, Any], secret: str = SECRET) -> tuple[dict[str, str], bytes]:
    raw = json.dumps(body).encode()
    return {"Content-Type": "application/json", "X-Casebridge-Signature": sign(raw, secret)}, raw


@pytest.fixture
def handler() -> CallbackHandler:
    return CallbackHandler(MODEL_KEYS, hmac_secrets=["old-secret", SECRET], bearer_tokens=[TOKEN])


def test_valid_hmac_gives_the_decision(handler: CallbackHandler) -> None:
    headers, raw = signed(payload())
    result = handler.handle(headers, raw)
    assert result.status == 200, result.error
    assert result.decision is not None
    assert result.decision.decision_id == "ORDER_REVIEW-abc:task-1"
    assert result.decision.source is DecisionSource.CALLBACK
    assert [a.kind for a in result.decision.actions] == [
        ActionKind.RELEASE_HOLD,
        ActionKind.ADD_TAGS,
    ]
    assert result.body() == {"status": 200, "decisionId": "ORDER_REVIEW-abc:task-1", "actions": 2}


def test_signature_is_checked_against_the_exact_bytes(handler: CallbackHandler) -> None:
    raw = json.dumps(payload()).encode()
    expected = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert handler.handle({"x-casebridge-signature": f"sha256={expected}"}, raw).status == 200
    tampered = raw.replace(b"approved", b"rejected")
    assert handler.handle({"x-casebridge-signature": f"sha256={expected}"}, tampered).status == 401


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Casebridge-Signature": "sha256=" + "0" * 64},
        {"X-Casebridge-Signature": "garbage"},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {TOKEN}"},
    ],
)
def test_forged_or_missing_credentials_are_401(
    handler: CallbackHandler, headers: dict[str, str]
) -> None:
    result = handler.handle(headers, json.dumps(payload()).encode())
    assert result.status == 401
    assert result.decision is None and not result.has_records


def test_signature_with_another_secret_is_401(handler: CallbackHandler) -> None:
    headers, raw = signed(payload(), secret="not-ours")
    assert handler.handle(headers, raw).status == 401


def test_bearer_token_is_accepted(handler: CallbackHandler) -> None:
    raw = json.dumps(payload()).encode()
    result = handler.handle({"authorization": f"Bearer {TOKEN}"}, raw)
    assert result.status == 200


def test_bad_json_is_400(handler: CallbackHandler) -> None:
    raw = b"{not json"
    result = handler.handle({"Authorization": f"Bearer {TOKEN}"}, raw)
    assert result.status == 400
    assert "JSON" in (result.error or "")
    headers, raw = signed([1, 2])  # type: ignore[arg-type]
    assert handler.handle(headers, raw).status == 400


@pytest.mark.parametrize("field", ["businessKey", "taskId", "processDefinitionKey"])
def test_missing_fields_are_400(handler: CallbackHandler, field: str) -> None:
    body = payload()
    del body[field]
    result = handler.handle(*signed(body))
    assert result.status == 400
    assert field in (result.error or "")


def test_bad_timestamp_and_variables_are_400(handler: CallbackHandler) -> None:
    assert handler.handle(*signed(payload(completedAt="yesterday"))).status == 400
    assert handler.handle(*signed(payload(variables={"a": 1}))).status == 400


def test_outcome_may_come_from_the_outcome_variable(handler: CallbackHandler) -> None:
    body = payload()
    del body["outcome"]
    result = handler.handle(*signed(body))
    assert result.status == 200
    assert result.decision is not None and result.decision.outcome == "approved"


def test_intermediate_step_is_accepted_but_ignored(handler: CallbackHandler) -> None:
    result = handler.handle(*signed(payload(instanceEnded=False, event="task.completed")))
    assert result.status == 202
    assert not result.has_records


def test_unmapped_outcome_is_422_with_a_failure_for_the_dlq(handler: CallbackHandler) -> None:
    result = handler.handle(*signed(payload(outcome="perhaps")))
    assert result.status == 422
    assert result.failure is not None and result.failure.case_id == "ORDER_REVIEW-abc"
    assert "perhaps" in (result.error or "")


def test_unknown_model_is_422(handler: CallbackHandler) -> None:
    result = handler.handle(*signed(payload(processDefinitionKey="someone.else")))
    assert result.status == 422
    assert result.failure is not None


def test_oversized_body_is_413() -> None:
    small = CallbackHandler(MODEL_KEYS, bearer_tokens=[TOKEN], max_body_bytes=10)
    assert small.handle({"Authorization": f"Bearer {TOKEN}"}, b"x" * 11).status == 413


def test_a_handler_without_credentials_refuses_to_exist() -> None:
    with pytest.raises(ValueError):
        CallbackHandler(MODEL_KEYS)


def test_offline_intake_callback(handler: CallbackHandler) -> None:
    body = payload(
        businessKey="OFFLINE_ORDER-1",
        processDefinitionKey=MODEL_KEYS[CaseType.OFFLINE_ORDER],
        taskDefinitionKey="offlineOrderApproval",
        variables=[v.to_wire() for v in variables(offline_values())],
    )
    result = handler.handle(*signed(body))
    assert result.status == 200
    assert result.offline_order is not None
    bad = payload(
        businessKey="OFFLINE_ORDER-2",
        processDefinitionKey=MODEL_KEYS[CaseType.OFFLINE_ORDER],
        variables=[v.to_wire() for v in variables(offline_values(currency=None))],
    )
    result = handler.handle(*signed(bad))
    assert result.status == 422
    assert result.failure is not None and isinstance(result.failure.error, OfflineIntakeError)


async def test_callback_and_poller_give_the_same_decision(handler: CallbackHandler) -> None:
    history = FakeHistory()
    instance = history.add_instance(
        MODEL_KEYS[CaseType.ORDER_REVIEW],
        "ORDER_REVIEW-abc",
        {**ORDER_VARS, "approvalStatus": "approved"},
        ended=at(10),
        instance_id="pi-1",
    )
    history.add_task(instance, "orderReview", "approved", ended=at(10))
    (polled,), _ = await HistoryPoller(history, MODEL_KEYS).poll(None)

    pushed = handler.handle(*signed(payload())).decision

    assert pushed is not None
    assert pushed.model_dump(exclude={"source"}) == polled.model_dump(exclude={"source"})
