"""The sandbox decision policy: completing tasks nobody completes by hand.

In ``manual`` mode (the default) tasks wait for the API. In ``auto`` mode a
task older than ``delay_seconds`` (by the emulator's clock) is completed the
way a reviewer would: an outcome picked by the model's policy (the first
matching rule on the process variables, ``orderTotal gt 10000 -> rejected``),
else a seeded weighted draw among the outcomes the case can support (the
model policy's ``weights``, each outcome 1 by default), together with the
variables the reviewer's form supplies for it (:mod:`.forms`). Every step of a
multi-step model is drawn again, so rejections at a later step happen too.

``pick: first`` keeps the old deterministic choice (the model's first
advancing outcome, else its first outcome) for tests that want it, and
``match_variables`` limits automatic decisions to instances with those process
variables (a test's own shop on a broker other runs share).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from emulators.opentext.clock import Clock
from emulators.opentext.config import (
    DecisionPick,
    DecisionRule,
    DecisionsConfig,
    ModelConfig,
    ModelDecisionPolicy,
)
from emulators.opentext.errors import EmulatorError
from emulators.opentext.forms import fill_form
from emulators.opentext.state import Completion, Engine
from emulators.opentext.variables import Variable

log = logging.getLogger(__name__)


def rule_matches(rule: DecisionRule, variables: Mapping[str, Variable]) -> bool:
    """Whether ``rule`` holds for the process variables; a type mismatch is no match."""
    variable = variables.get(rule.variable)
    if rule.op == "exists":
        return variable is not None
    if variable is None:
        return False
    left: Any = variable.value
    right: Any = rule.value
    try:
        if rule.op == "eq":
            return bool(left == right)
        if rule.op == "ne":
            return bool(left != right)
        if rule.op == "gt":
            return bool(left > right)
        if rule.op == "ge":
            return bool(left >= right)
        if rule.op == "lt":
            return bool(left < right)
        return bool(left <= right)
    except TypeError:
        return False


def choose_outcome(
    model: ModelConfig,
    policy: ModelDecisionPolicy | None,
    variables: Mapping[str, Variable],
    rng: random.Random,
    *,
    pick: DecisionPick = "first",
    offered: Callable[[str], bool] = lambda outcome: True,
) -> str:
    """Pick the outcome for a task of ``model``.

    A matching rule wins; then the policy's weights; then, with ``pick``
    ``weighted``, an even draw. Weighted draws only take ``offered`` outcomes.
    """
    if policy is not None:
        for rule in policy.rules:
            if rule_matches(rule, variables):
                return rule.outcome
    weights = dict(policy.weights) if policy is not None and policy.weights else {}
    if not weights and pick == "weighted":
        weights = dict.fromkeys(model.outcomes, 1.0)
    weighted = [(o, w) for o, w in weights.items() if w > 0 and offered(o)]
    if weighted:
        outcomes, chances = zip(*weighted, strict=True)
        return str(rng.choices(outcomes, weights=chances)[0])
    return model.advance_outcomes[0] if model.advance_outcomes else model.outcomes[0]


def decide(
    model: ModelConfig,
    policy: ModelDecisionPolicy | None,
    variables: Mapping[str, Variable],
    rng: random.Random,
    now: datetime,
    *,
    pick: DecisionPick,
) -> tuple[str, list[Variable]]:
    """The outcome for a task of ``model`` and the form variables that go with it."""
    forms: dict[str, list[Variable] | None] = {}

    def form(outcome: str) -> list[Variable] | None:
        if outcome not in forms:
            forms[outcome] = fill_form(model.case_type, outcome, variables, rng, now)
        return forms[outcome]

    outcome = choose_outcome(
        model, policy, variables, rng, pick=pick, offered=lambda o: form(o) is not None
    )
    return outcome, form(outcome) or []


class DecisionRunner:
    """Completes due tasks in ``auto`` mode; a background loop in the app."""

    def __init__(self, engine: Engine, config: DecisionsConfig, clock: Clock) -> None:
        self._engine = engine
        self._config = config
        self._clock = clock
        self._rng = random.Random(config.seed)

    def reseed(self) -> None:
        """Start the random draws again from the configured seed."""
        self._rng = random.Random(self._config.seed)

    def _mode(self, model_key: str) -> str:
        policy = self._config.policies.get(model_key)
        if policy is not None and policy.mode is not None:
            return policy.mode
        return self._config.mode

    def _matches(self, variables: Mapping[str, Variable]) -> bool:
        """Whether an instance is one ``match_variables`` selects for automatic decisions."""
        return all(
            (found := variables.get(name)) is not None and found.value == value
            for name, value in self._config.match_variables.items()
        )

    def run_due(self) -> list[Completion]:
        """Complete every open task that is due now; returns what was completed."""
        due_before = self._clock.now() - timedelta(seconds=self._config.delay_seconds)
        done: list[Completion] = []
        for task in self._engine.tasks():
            instance = task.instance
            if task.finished or instance.suspended or task.create_time > due_before:
                continue
            model = instance.model.config
            if self._mode(model.key) != "auto" or not self._matches(instance.variables):
                continue
            outcome, form = decide(
                model,
                self._config.policies.get(model.key),
                instance.variables,
                self._rng,
                self._clock.now(),
                pick=self._config.pick,
            )
            try:
                done.append(
                    self._engine.complete(task.id, outcome, form, user=self._config.assignee)
                )
            except EmulatorError as exc:  # pragma: no cover - raced with an API call
                log.warning("auto-decision of task %s failed: %s", task.id, exc)
        return done

    async def run_forever(self) -> None:
        """Check for due tasks every ``tick_seconds`` until cancelled."""
        while True:
            try:
                self.run_due()
            except Exception:  # a bad tick must not stop the sandbox
                log.exception("auto-decision tick failed")
            await asyncio.sleep(self._config.tick_seconds)
