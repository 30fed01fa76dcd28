"""Sandbox decision policy: rules, weights, due times."""

from __future__ import annotations

import random

from connectors.opentext.emulator.clock import FrozenClock
from connectors.opentext.emulator.config import DecisionRule, build_config
from connectors.opentext.emulator.decisions import DecisionRunner, choose_outcome, rule_matches
from connectors.opentext.emulator.state import Engine
from connectors.opentext.emulator.variables import Variable


def test_rules() -> None:
    variables = {"orderTotal": Variable("orderTotal", "double", 5000.0)}
    assert rule_matches(
        DecisionRule(variable="orderTotal", op="gt", value=1000, outcome="x"), variables
    )
    assert not rule_matches(
        DecisionRule(variable="orderTotal", op="lt", value=1000, outcome="x"), variables
    )
    assert not rule_matches(
        DecisionRule(variable="orderTotal", op="gt", value="a", outcome="x"), variables
    )
    assert not rule_matches(
        DecisionRule(variable="missing", op="eq", value=1, outcome="x"), variables
    )
    assert rule_matches(DecisionRule(variable="orderTotal", op="exists", outcome="x"), variables)


def test_runner_completes_due_tasks_by_policy() -> None:
    config = build_config(
        {
            "decisions": {
                "mode": "auto",
                "delay_seconds": 10,
                "policies": {
                    "casebridge.order_review": {
                        "rules": [
                            {
                                "variable": "orderTotal",
                                "op": "gt",
                                "value": 1000,
                                "outcome": "rejected",
                            }
                        ],
                        "weights": {"approved": 1},
                    },
                    "casebridge.complaint": {"mode": "manual"},
                },
            }
        }
    )
    clock = FrozenClock()
    engine = Engine(config, clock)
    runner = DecisionRunner(engine, config.decisions, clock)
    review = engine.resolve_model(key="casebridge.order_review", definition_id=None, message=None)
    big = engine.start(review, variables=[Variable("orderTotal", "double", 5000.0)])
    small = engine.start(review, variables=[Variable("orderTotal", "double", 50.0)])
    complaint = engine.resolve_model(key="casebridge.complaint", definition_id=None, message=None)
    manual = engine.start(complaint)
    assert runner.run_due() == []
    clock.advance(10)
    done = runner.run_due()
    assert {c.instance.id: c.outcome for c in done} == {big.id: "rejected", small.id: "approved"}
    assert not manual.ended


def test_weighted_draw_is_seeded() -> None:
    config = build_config(
        {
            "decisions": {
                "policies": {"casebridge.order_review": {"weights": {"approved": 1, "rejected": 1}}}
            }
        }
    )
    model = config.models[0]
    policy = config.decisions.policies[model.key]
    draws = [choose_outcome(model, policy, {}, random.Random(3)) for _ in range(5)]
    assert len(set(draws)) == 1
    rng = random.Random(1)
    many = {choose_outcome(model, policy, {}, rng) for _ in range(50)}
    assert many == {"approved", "rejected"}


def test_no_policy_picks_the_advancing_outcome() -> None:
    config = build_config()
    model = next(m for m in config.models if m.key == "casebridge.high_value_review")
    assert choose_outcome(model, None, {}, random.Random()) == "approved"
