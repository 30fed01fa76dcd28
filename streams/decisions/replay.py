"""Replayed decision failures built again: the decisions stage's side of
:class:`streams.runtime.replays.DecisionReplays`, used by the writer."""

from __future__ import annotations

from schemas.records import DecisionSource
from streams.decisions.build import CompletedTask, DecisionBuilder
from streams.decisions.failures import failure_state, replayed_task
from streams.decisions.mapping import OutcomeMapper
from streams.decisions.variables import DecisionVariables
from streams.policy.outcomes import OutcomeMappingPolicy
from streams.runtime.replays import Rebuilt, Replayed

__all__ = ["DecisionReplayer"]


class DecisionReplayer:
    """Builds replayed decisions exactly as the decision source builds them (source MANUAL)."""

    def __init__(self, builder: DecisionBuilder) -> None:
        self.builder = builder

    @classmethod
    def with_policy(cls, policy: OutcomeMappingPolicy, *, default_shop: str) -> DecisionReplayer:
        """A replayer mapping outcomes with ``policy``."""
        return cls(DecisionBuilder(OutcomeMapper(policy), default_shop=default_shop))

    def replayed(self, value: object) -> Replayed | None:
        task = replayed_task(value)
        if task is None:
            return None
        return Replayed(task.case_id, DecisionVariables(task.variables).text("shop"), task)

    def rebuild(self, replayed: Replayed) -> Rebuilt:
        task = replayed.task
        if not isinstance(task, CompletedTask):
            raise TypeError(f"not a replay read by this replayer: {type(task).__name__}")
        built = self.builder.build(task, DecisionSource.MANUAL)
        failure = built.failure
        if failure is None:
            return Rebuilt(decision=built.decision, offline_order=built.offline_order)
        return Rebuilt(
            failure_reason=failure.reason,
            failure_class=failure.error_type,
            failed_state=failure_state(failure, default_shop=self.builder.default_shop or ""),
        )
