"""Runtime fault injection: random errors, latency, outages and targeted rules.

A :class:`FaultPlan` is posted to ``/_emulator/faults``; :class:`Faults`
holds the active plan and decides, per API call, whether to answer an error
instead. Errors look like what a client meets in production: 429/503 come
from the gateway as ``{"fault": {"faultstring": ...}}`` with ``Retry-After``;
other statuses as engine error bodies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from emulators.opentext.clock import Clock, format_time

GATEWAY_STATUSES = frozenset({429, 502, 503, 504})
API_PREFIXES = ("/workflow/v1", "/workflow-history/v1")


class FaultRule(BaseModel):
    """Fail matching calls with ``status``.

    A rule matches when every given criterion matches: ``method``, a path
    (``path`` exact, or ``path_prefix``; both may be written with or without
    the ``/workflow/v1`` or ``/workflow-history/v1`` prefix) and ``model_key``
    (the processDefinitionKey in the body or query, or of the instance in the
    path). ``times`` limits how often it fires.
    """

    model_config = ConfigDict(extra="forbid")

    method: str | None = None
    path: str | None = None
    path_prefix: str | None = None
    model_key: str | None = None
    status: int = Field(default=500, ge=400, le=599)
    message: str = "injected fault"
    times: int | None = Field(default=None, ge=1)
    retry_after_seconds: int | None = Field(default=None, ge=0)


class FaultPlan(BaseModel):
    """The body of ``POST /_emulator/faults``; fields left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    error_rate: float | None = Field(default=None, ge=0, le=1)
    status: Literal[429, 500, 503] | None = None
    retry_after_seconds: int | None = Field(default=None, ge=0)
    latency_ms: int | None = Field(default=None, ge=0)
    outage_seconds: float | None = Field(default=None, ge=0)
    include_token: bool | None = None
    seed: int | None = None
    rules: list[FaultRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> FaultPlan:
        for rule in self.rules:
            if rule.path and rule.path_prefix:
                raise ValueError("a rule takes path or path_prefix, not both")
        return self


@dataclass
class _ActiveRule:
    rule: FaultRule
    remaining: int | None
    fired: int = 0


@dataclass(frozen=True)
class InjectedFault:
    """The error to answer instead of handling the call."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CallInfo:
    """What a fault decision looks at."""

    method: str
    path: str
    model_key: str | None
    is_token_call: bool


def _strip_api_prefix(path: str) -> str:
    for prefix in API_PREFIXES:
        if path.startswith(prefix):
            return path[len(prefix) :] or "/"
    return path


class Faults:
    """The active fault plan."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.clear()

    def clear(self) -> None:
        """Remove every fault."""
        self.error_rate = 0.0
        self.status = 503
        self.retry_after_seconds = 1
        self.latency_ms = 0
        self.outage_until: datetime | None = None
        self.include_token = False
        self._rng = random.Random(0)
        self._rules: list[_ActiveRule] = []
        self.injected = 0

    def apply(self, plan: FaultPlan) -> None:
        """Merge ``plan`` into the active faults; rules are appended."""
        if plan.error_rate is not None:
            self.error_rate = plan.error_rate
        if plan.status is not None:
            self.status = plan.status
        if plan.retry_after_seconds is not None:
            self.retry_after_seconds = plan.retry_after_seconds
        if plan.latency_ms is not None:
            self.latency_ms = plan.latency_ms
        if plan.outage_seconds is not None:
            self.outage_until = (
                self._clock.now() + timedelta(seconds=plan.outage_seconds)
                if plan.outage_seconds > 0
                else None
            )
        if plan.include_token is not None:
            self.include_token = plan.include_token
        if plan.seed is not None:
            self._rng = random.Random(plan.seed)
        self._rules.extend(_ActiveRule(rule, rule.times) for rule in plan.rules)

    def snapshot(self) -> dict[str, Any]:
        """The active faults, for ``GET /_emulator/faults`` and the state page."""
        outage = self.outage_until if self._in_outage() else None
        return {
            "error_rate": self.error_rate,
            "status": self.status,
            "retry_after_seconds": self.retry_after_seconds,
            "latency_ms": self.latency_ms,
            "outage_until": format_time(outage) if outage else None,
            "include_token": self.include_token,
            "rules": [
                {**active.rule.model_dump(), "remaining": active.remaining, "fired": active.fired}
                for active in self._rules
            ],
            "injected": self.injected,
        }

    def latency_seconds(self, call: CallInfo) -> float:
        """Extra delay before answering ``call``."""
        if call.is_token_call and not self.include_token:
            return 0.0
        return self.latency_ms / 1000

    def decide(self, call: CallInfo) -> InjectedFault | None:
        """The fault to answer for ``call``, or ``None`` to handle it normally."""
        if call.is_token_call and not self.include_token:
            return None
        fault = self._decide(call)
        if fault is not None:
            self.injected += 1
        return fault

    def _decide(self, call: CallInfo) -> InjectedFault | None:
        if self._in_outage():
            assert self.outage_until is not None
            left = (self.outage_until - self._clock.now()).total_seconds()
            return self._error(503, "service unavailable (injected outage)", max(1, int(left) + 1))
        for active in self._rules:
            if self._matches(active.rule, call):
                active.fired += 1
                if active.remaining is not None:
                    active.remaining -= 1
                    if active.remaining == 0:
                        self._rules.remove(active)
                rule = active.rule
                retry_after = rule.retry_after_seconds
                if retry_after is None:
                    retry_after = self.retry_after_seconds
                return self._error(rule.status, rule.message, retry_after)
        if self.error_rate > 0 and self._rng.random() < self.error_rate:
            return self._error(self.status, "injected error", self.retry_after_seconds)
        return None

    def _in_outage(self) -> bool:
        return self.outage_until is not None and self._clock.now() < self.outage_until

    @staticmethod
    def _matches(rule: FaultRule, call: CallInfo) -> bool:
        if rule.method and rule.method.upper() != call.method.upper():
            return False
        paths = (call.path, _strip_api_prefix(call.path))
        if rule.path and rule.path.rstrip("/") not in {p.rstrip("/") for p in paths}:
            return False
        if rule.path_prefix and not any(p.startswith(rule.path_prefix) for p in paths):
            return False
        return not (rule.model_key and rule.model_key != call.model_key)

    @staticmethod
    def _error(status: int, message: str, retry_after: int) -> InjectedFault:
        headers: dict[str, str] = {}
        if status in (429, 503):
            headers["Retry-After"] = str(retry_after)
        if status in (401, 403):
            # The gateway refuses a key or token before the engine sees the call.
            body: dict[str, Any] = {
                "fault": {
                    "faultstring": message,
                    "detail": {"errorcode": "oauth.v2.InvalidApiKeyForGivenResource"},
                }
            }
        elif status in GATEWAY_STATUSES:
            code = (
                "policies.ratelimit.QuotaViolation"
                if status == 429
                else "messaging.adaptors.http.flow.ServiceUnavailable"
            )
            body = {"fault": {"faultstring": message, "detail": {"errorcode": code}}}
        else:
            body = {
                "exception": "InjectedFaultException",
                "message": message,
                "details": {"injected": True, "status": status},
            }
        return InjectedFault(status=status, body=body, headers=headers)
