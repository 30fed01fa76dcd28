"""The authenticated HttpTask-style callback: OpenText pushes a decision to casebridge.

A model's HttpTask step (or the emulator's callback dispatcher) POSTs JSON::

    {"event": "process.completed", "deliveryId": "...", "processInstanceId": "...",
     "businessKey": "<case id>", "processDefinitionKey": "casebridge.order_review",
     "taskId": "...", "taskDefinitionKey": "orderReview", "assignee": "...",
     "outcome": "approved", "instanceEnded": true,
     "variables": [{"name", "type", "value", "scope"}], "completedAt": "<ISO-8601>"}

authenticated by ``Authorization: Bearer <token>`` or by
``X-Casebridge-Signature: sha256=<hex HMAC-SHA256 of the raw body>``; both
are checked in constant time against every configured token and secret (a
list, so secrets rotate without downtime).

The handler is framework-free (headers + raw bytes in, a
:class:`CallbackResult` out); :mod:`streams.decisions.web` mounts it on the
Faust web server. It produces exactly the decision the history poller would
(same :class:`~streams.decisions.build.DecisionBuilder`, same decision id
``<case id>:<task id>``), so running both paths only creates duplicates that
``cases.decisions`` consumers drop. Like the poller it ignores completions
that do not end the instance (``instanceEnded: false``): intermediate steps
of a multi-step approval change nothing in Shopify.

Statuses: 200 decision accepted; 202 authentic but nothing to do; 400 bad JSON
or missing fields; 401 authentication failed; 413 body too large; 422 the
decision cannot be mapped (it is handed to the caller for the DLQ).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr, ValidationError

from connectors.opentext.models import Variable
from schemas.records import CaseDecision, CaseType, DecisionSource, OfflineOrder
from streams.decisions.build import CompletedTask, DecisionBuilder, DecisionFailure
from streams.decisions.errors import DecisionDataError
from streams.decisions.variables import case_variables

__all__ = ["DEFAULT_SIGNATURE_HEADER", "CallbackHandler", "CallbackResult"]

log = logging.getLogger(__name__)

DEFAULT_SIGNATURE_HEADER = "X-Casebridge-Signature"
_SIGNATURE_PREFIX = "sha256="
_REQUIRED = ("processInstanceId", "businessKey", "processDefinitionKey", "taskId", "outcome")


@dataclass(frozen=True)
class CallbackResult:
    """The answer to one callback and what to publish.

    Attributes:
        status: the HTTP status to answer.
        decision: for ``cases.decisions`` (200 only).
        error: why the request was refused or could not be mapped.
        offline_order: for ``orders.offline`` (an approved intake).
        failure: for the DLQ (422).
    """

    status: int
    decision: CaseDecision | None = None
    error: str | None = None
    offline_order: OfflineOrder | None = None
    failure: DecisionFailure | None = None

    @property
    def has_records(self) -> bool:
        """Whether anything must be published before answering."""
        return any(r is not None for r in (self.decision, self.offline_order, self.failure))

    def body(self) -> dict[str, Any]:
        """The JSON response body."""
        body: dict[str, Any] = {"status": self.status}
        if self.decision is not None:
            body["decisionId"] = self.decision.decision_id
            body["actions"] = len(self.decision.actions)
        if self.error is not None:
            body["error"] = self.error
        return body


def _secret(value: str | SecretStr) -> bytes:
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    return text.encode("utf-8")


class CallbackHandler:
    """Verifies and decodes OpenText decision callbacks.

    Args:
        model_keys: the process definition key of each case type (or a function
            returning the pairs now: shops may route a type to their own model).
        builder: the same builder the history poller uses.
        hmac_secrets: shared secrets for ``sha256=`` body signatures.
        bearer_tokens: accepted ``Authorization: Bearer`` tokens.
        signature_header: the header carrying the signature.
        outcome_variable: where the outcome is when the body has no ``outcome``.
        max_body_bytes: larger bodies are refused with 413.

    Raises:
        ValueError: neither a secret nor a token is configured (the endpoint is
            never served unauthenticated).
    """

    def __init__(
        self,
        model_keys: Mapping[CaseType, str] | Callable[[], Iterable[tuple[CaseType, str]]],
        *,
        builder: DecisionBuilder | None = None,
        hmac_secrets: Iterable[str | SecretStr] = (),
        bearer_tokens: Iterable[str | SecretStr] = (),
        signature_header: str = DEFAULT_SIGNATURE_HEADER,
        outcome_variable: str = "approvalStatus",
        max_body_bytes: int = 1024 * 1024,
    ) -> None:
        self._secrets = [_secret(s) for s in hmac_secrets if s]
        self._tokens = [_secret(t) for t in bearer_tokens if t]
        if not self._secrets and not self._tokens:
            raise ValueError("the OpenText callback needs an HMAC secret or a bearer token")
        self._model_keys = model_keys
        self.builder = builder or DecisionBuilder()
        self._signature_header = signature_header.lower()
        self._outcome_variable = outcome_variable
        self.max_body_bytes = max_body_bytes

    def authenticate(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Whether the request carries a valid bearer token or body signature."""
        lowered = {name.lower(): value for name, value in headers.items()}
        ok = False
        authorization = lowered.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if self._tokens and scheme.lower() == "bearer" and token:
            presented = token.strip().encode("utf-8")
            # Compare against every token (no early exit) so timing shows nothing.
            for expected in self._tokens:
                ok |= hmac.compare_digest(presented, expected)
        signature = lowered.get(self._signature_header, "")
        if self._secrets and signature:
            presented = signature.strip().encode("utf-8")
            for secret in self._secrets:
                digest = hmac.new(secret, body, hashlib.sha256).hexdigest()
                ok |= hmac.compare_digest(presented, (_SIGNATURE_PREFIX + digest).encode())
        return ok

    def handle(self, headers: Mapping[str, str], body: bytes) -> CallbackResult:
        """Authenticate, decode and build the decision of one callback request."""
        if len(body) > self.max_body_bytes:
            return CallbackResult(413, error="body too large")
        if not self.authenticate(headers, body):
            return CallbackResult(401, error="missing or invalid signature or bearer token")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            return CallbackResult(400, error=f"body is not valid JSON: {exc}")
        if not isinstance(data, dict):
            return CallbackResult(400, error="body must be a JSON object")
        try:
            task = self._completed_task(data)
        except ValueError as exc:
            return CallbackResult(400, error=str(exc))
        except DecisionDataError as exc:
            failure = DecisionFailure(str(data["businessKey"]), None, exc, body)
            return CallbackResult(422, error=str(exc), failure=failure)
        if task is None:
            return CallbackResult(202, error=None)
        built = self.builder.build(task, DecisionSource.CALLBACK)
        if built.failure is not None:
            return CallbackResult(422, error=built.failure.reason, failure=built.failure)
        return CallbackResult(200, decision=built.decision, offline_order=built.offline_order)

    def _completed_task(self, data: dict[str, Any]) -> CompletedTask | None:
        """The task of a callback body; ``None`` for a step that did not end the instance.

        Raises:
            ValueError: a field is missing or malformed (answered 400).
            DecisionDataError: authentic, but for a model casebridge does not know.
        """
        raw_variables = data.get("variables") or []
        if not isinstance(raw_variables, list):
            raise ValueError("'variables' must be a list")
        try:
            variables = [Variable.model_validate(item) for item in raw_variables]
        except ValidationError as exc:
            raise ValueError(f"invalid variable: {exc.errors()[0]['msg']}") from None
        outcome = data.get("outcome")
        if outcome is None:
            outcome = next((v.value for v in variables if v.name == self._outcome_variable), None)
            data = {**data, "outcome": outcome}
        missing = [
            name for name in _REQUIRED if not isinstance(data.get(name), str) or not data[name]
        ]
        if missing:
            raise ValueError(f"missing or non-string fields: {', '.join(missing)}")
        ended = data.get("instanceEnded", True)
        if not isinstance(ended, bool):
            raise ValueError("'instanceEnded' must be true or false")
        completed_at = self._time(data.get("completedAt"))
        key = data["processDefinitionKey"]
        keys = self._model_keys
        pairs = keys() if callable(keys) else keys.items()
        case_type = next((kind for kind, known in pairs if known == key), None)
        if case_type is None:
            raise DecisionDataError(f"callback for unknown process definition key {key!r}")
        if not ended:
            log.debug("callback for intermediate task %s ignored", data["taskId"])
            return None
        return CompletedTask(
            case_id=data["businessKey"],
            case_type=case_type,
            process_instance_id=data["processInstanceId"],
            task_id=data["taskId"],
            task_definition_key=data.get("taskDefinitionKey"),
            outcome=data["outcome"],
            assignee=data.get("assignee"),
            completed_at=completed_at,
            variables=case_variables(variables),
        )

    @staticmethod
    def _time(value: Any) -> datetime:
        if not isinstance(value, str):
            raise ValueError("'completedAt' must be an ISO-8601 timestamp")
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"'completedAt' is not an ISO-8601 timestamp: {value!r}") from None
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
