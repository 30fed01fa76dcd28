"""HttpTask-style decision push: POST each decision to a configured URL.

The body is JSON::

    {"event": "process.completed" | "task.completed", "deliveryId": ...,
     "processInstanceId": ..., "businessKey": ..., "processDefinitionKey": ...,
     "taskId": ..., "taskDefinitionKey": ..., "outcome": ..., "outcomeVariable": ...,
     "instanceEnded": true, "variables": [{name, type, value, scope}], "completedAt": ...,
     "tenantId": ...}

signed with ``Authorization: Bearer <token>`` or ``<signature_header>:
sha256=<hex HMAC-SHA256 of the raw body>``. The same ``X-Casebridge-Delivery``
id is sent on every retry so the receiver can drop duplicates.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from emulators.opentext.clock import format_time
from emulators.opentext.config import CallbackConfig, EmulatorConfig
from emulators.opentext.state import Completion

log = logging.getLogger(__name__)

DELIVERY_HEADER = "X-Casebridge-Delivery"


def sign(body: bytes, secret: str) -> str:
    """The signature header value for ``body``: ``sha256=<hex>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, secret: str, header_value: str) -> bool:
    """Whether ``header_value`` is the signature of ``body`` under ``secret``."""
    return hmac.compare_digest(sign(body, secret), header_value)


def build_payload(
    completion: Completion, config: EmulatorConfig, delivery_id: str
) -> dict[str, Any]:
    """The JSON body posted for ``completion``."""
    instance = completion.instance
    task = completion.task
    return {
        "event": "process.completed" if completion.instance_ended else "task.completed",
        "deliveryId": delivery_id,
        "processInstanceId": instance.id,
        "businessKey": instance.business_key,
        "processDefinitionKey": instance.model.key,
        "processDefinitionId": instance.model.id,
        "taskId": task.id,
        "taskDefinitionKey": task.step.key,
        "assignee": task.assignee,
        "outcome": completion.outcome,
        "outcomeVariable": instance.model.config.outcome_variable,
        "instanceEnded": completion.instance_ended,
        "variables": [v.to_json() for v in instance.variables.values()],
        "completedAt": format_time(completion.completed_at),
        "tenantId": config.tenant_id,
    }


@dataclass
class Delivery:
    """One callback and how its attempts went."""

    id: str
    process_instance_id: str
    task_id: str
    outcome: str
    attempts: int = 0
    status: str = "pending"  # pending | delivered | failed
    last_status_code: int | None = None
    last_error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """For the state page."""
        return {
            "id": self.id,
            "processInstanceId": self.process_instance_id,
            "taskId": self.task_id,
            "outcome": self.outcome,
            "attempts": self.attempts,
            "status": self.status,
            "lastStatusCode": self.last_status_code,
            "lastError": self.last_error,
        }


class CallbackDispatcher:
    """Sends callbacks in the background with retries; a completion listener."""

    def __init__(self, config: EmulatorConfig) -> None:
        self._config = config
        self._callback: CallbackConfig = config.callback
        self._client: httpx.AsyncClient | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self.deliveries: list[Delivery] = []

    @property
    def enabled(self) -> bool:
        """Whether a callback URL is configured."""
        return self._callback.url is not None

    def on_completion(self, completion: Completion) -> None:
        """Engine listener: schedule a delivery if this completion is an event we send."""
        if not self.enabled:
            return
        if self._callback.events == "instance_end" and not completion.instance_ended:
            return
        delivery = Delivery(
            id=str(uuid.uuid4()),
            process_instance_id=completion.instance.id,
            task_id=completion.task.id,
            outcome=completion.outcome,
        )
        self.deliveries.append(delivery)
        body = json.dumps(build_payload(completion, self._config, delivery.id)).encode()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop: engine used synchronously, nothing to send with
            delivery.status = "failed"
            delivery.last_error = "no running event loop"
            return
        job = loop.create_task(self._deliver(delivery, body))
        self._pending.add(job)
        job.add_done_callback(self._pending.discard)

    def headers_for(self, body: bytes, delivery_id: str) -> dict[str, str]:
        """The headers sent with ``body``."""
        headers = {"Content-Type": "application/json", DELIVERY_HEADER: delivery_id}
        if self._callback.auth == "bearer" and self._callback.bearer_token:
            headers["Authorization"] = f"Bearer {self._callback.bearer_token}"
        elif self._callback.auth == "hmac" and self._callback.hmac_secret:
            headers[self._callback.signature_header] = sign(body, self._callback.hmac_secret)
        return headers

    async def _deliver(self, delivery: Delivery, body: bytes) -> None:
        assert self._callback.url is not None
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._callback.timeout_seconds)
        headers = self.headers_for(body, delivery.id)
        delay = self._callback.backoff_seconds
        for attempt in range(1, self._callback.max_attempts + 1):
            delivery.attempts = attempt
            try:
                response = await self._client.post(
                    self._callback.url, content=body, headers=headers
                )
            except httpx.HTTPError as exc:
                delivery.last_error = f"{type(exc).__name__}: {exc}"
                retry = True
            else:
                delivery.last_status_code = response.status_code
                if response.is_success:
                    delivery.status = "delivered"
                    delivery.last_error = None
                    return
                delivery.last_error = f"HTTP {response.status_code}"
                # A 4xx other than 408/429 will not get better by retrying.
                retry = response.status_code >= 500 or response.status_code in (408, 429)
            if not retry or attempt == self._callback.max_attempts:
                break
            await asyncio.sleep(delay)
            delay *= 2
        delivery.status = "failed"
        log.warning(
            "callback %s failed after %d attempts: %s",
            delivery.id,
            delivery.attempts,
            delivery.last_error,
        )

    async def drain(self) -> None:
        """Wait for deliveries in flight (tests, shutdown)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def close(self) -> None:
        """Cancel deliveries in flight and close the HTTP client."""
        for job in list(self._pending):
            job.cancel()
        await asyncio.gather(*list(self._pending), return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def reset(self) -> None:
        """Forget the delivery log."""
        self.deliveries.clear()
