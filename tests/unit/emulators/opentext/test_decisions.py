"""Sandbox decision policy: rules, weights, due times."""

from __future__ import annotations

import random

from emulators.opentext.clock import FrozenClock
from emulators.opentext.config import DecisionRule, build_config
from emulators.opentext.decisions import DecisionRunner, choose_outcome, rule_matches
from emulators.opentext.state import Engine
from emulators.opentext.variables import Variable


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


def _auto(**decisions: object) -> tuple[Engine, DecisionRunner, FrozenClock]:
    config = build_config({"decisions": {"mode": "auto", "delay_seconds": 0, **decisions}})
    clock = FrozenClock()
    engine = Engine(config, clock)
    return engine, DecisionRunner(engine, config.decisions, clock), clock


def _outcomes_of(seed: int, n: int = 60) -> list[str]:
    engine, runner, _ = _auto(seed=seed)
    model = engine.resolve_model(key="casebridge.order_review", definition_id=None, message=None)
    for _ in range(n):
        engine.start(model, variables=[Variable("orderId", "string", "42")])
    return [c.outcome for c in runner.run_due()]


def test_auto_draws_every_supported_outcome_seeded() -> None:
    # Issue 13: the decider took each model's first outcome, so reject and correct never ran.
    outcomes = _outcomes_of(seed=11)
    assert set(outcomes) == {"approved", "rejected", "corrected"}
    assert _outcomes_of(seed=11) == outcomes  # same seed, same decisions


def test_auto_supplies_the_form_with_the_outcome() -> None:
    engine, runner, _ = _auto(
        seed=3, policies={"casebridge.return_review": {"weights": {"declined": 1}}}
    )
    model = engine.resolve_model(key="casebridge.return_review", definition_id=None, message=None)
    instance = engine.start(model, variables=[Variable("returnId", "string", "9")])
    (done,) = runner.run_due()
    assert done.outcome == "declined"
    assert instance.variables["declineReason"].value in {
        "FINAL_SALE",
        "RETURN_PERIOD_ENDED",
        "OTHER",
    }


def test_auto_never_draws_an_outcome_the_case_cannot_support() -> None:
    engine, runner, _ = _auto(seed=1)
    model = engine.resolve_model(
        key="casebridge.fulfillment_exception", definition_id=None, message=None
    )
    for _ in range(30):
        engine.start(model, variables=[Variable("orderId", "string", "42")])
    # Only "cancel" and "resolved" (a note) need nothing but the order.
    assert {c.outcome for c in runner.run_due()} == {"cancel", "resolved"}


def test_multi_step_models_are_drawn_at_every_step() -> None:
    engine, runner, _ = _auto(seed=2)
    model = engine.resolve_model(
        key="casebridge.high_value_review", definition_id=None, message=None
    )
    instances = [engine.start(model) for _ in range(40)]
    first = runner.run_due()
    second = runner.run_due()
    assert {c.outcome for c in first} == {"approved", "rejected"}
    assert {c.outcome for c in second} == {"approved", "rejected"}  # the finance step
    assert all(i.ended for i in instances if i.variables["approvalStatus"].value == "rejected")


def test_pick_first_keeps_the_deterministic_choice() -> None:
    engine, runner, _ = _auto(pick="first")
    model = engine.resolve_model(key="casebridge.order_review", definition_id=None, message=None)
    for _ in range(10):
        engine.start(model, variables=[Variable("orderId", "string", "42")])
    assert {c.outcome for c in runner.run_due()} == {"approved"}


def test_match_variables_leave_other_instances_waiting() -> None:
    engine, runner, _ = _auto(match_variables={"shop": "mine.myshopify.com"})
    model = engine.resolve_model(key="casebridge.order_review", definition_id=None, message=None)
    mine = engine.start(model, variables=[Variable("shop", "string", "mine.myshopify.com")])
    other = engine.start(model, variables=[Variable("shop", "string", "other.myshopify.com")])
    bare = engine.start(model)
    assert [c.instance.id for c in runner.run_due()] == [mine.id]
    assert not other.ended and not bare.ended
