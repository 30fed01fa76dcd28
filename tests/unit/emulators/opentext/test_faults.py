"""Fault decisions without HTTP."""

from __future__ import annotations

from emulators.opentext.clock import FrozenClock
from emulators.opentext.faults import CallInfo, FaultPlan, FaultRule, Faults

START = CallInfo("POST", "/workflow/v1/process-instances", "casebridge.order_review", False)
LIST = CallInfo("GET", "/workflow/v1/process-instances", None, False)
TOKEN = CallInfo("POST", "/tenants/t/oauth2/token", None, True)


def test_outage_window() -> None:
    clock = FrozenClock()
    faults = Faults(clock)
    faults.apply(FaultPlan(outage_seconds=20))
    fault = faults.decide(LIST)
    assert fault is not None and fault.status == 503
    assert "faultstring" in fault.body["fault"]
    assert int(fault.headers["Retry-After"]) >= 1
    assert faults.decide(TOKEN) is None
    clock.advance(21)
    assert faults.decide(LIST) is None


def test_rule_scoped_to_method_path_and_model() -> None:
    faults = Faults(FrozenClock())
    faults.apply(
        FaultPlan(rules=[FaultRule(method="POST", path="/process-instances", status=400, times=2)])
    )
    assert faults.decide(LIST) is None
    first = faults.decide(START)
    assert first is not None and first.status == 400 and "exception" in first.body
    assert faults.decide(START) is not None
    assert faults.decide(START) is None  # times exhausted
    faults.apply(FaultPlan(rules=[FaultRule(model_key="casebridge.chargeback", status=500)]))
    assert faults.decide(START) is None


def test_error_rate_is_seeded_and_clearable() -> None:
    faults = Faults(FrozenClock())
    faults.apply(FaultPlan(error_rate=0.5, status=429, seed=1))
    results = [faults.decide(LIST) for _ in range(200)]
    hits = [r for r in results if r is not None]
    assert 50 < len(hits) < 150
    assert all(r.status == 429 and "Retry-After" in r.headers for r in hits)
    faults.clear()
    assert all(faults.decide(LIST) is None for _ in range(50))


def test_token_faults_only_when_asked() -> None:
    faults = Faults(FrozenClock())
    faults.apply(FaultPlan(error_rate=1.0, latency_ms=200))
    assert faults.decide(TOKEN) is None and faults.latency_seconds(TOKEN) == 0
    faults.apply(FaultPlan(include_token=True))
    assert faults.decide(TOKEN) is not None and faults.latency_seconds(TOKEN) == 0.2
