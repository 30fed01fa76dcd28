"""What every effect builder shares: its input, its output and small helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schemas.records import ActionKind, CaseType
from streams.decisions.errors import DecisionDataError
from streams.decisions.variables import DecisionVariables, compact_json
from streams.policy.outcomes import OutcomeMappingPolicy
from streams.runtime.keys import gid

__all__ = [
    "ActionDraft",
    "EffectContext",
    "camel",
    "format_tag",
    "json_objects",
    "order_gid",
    "positive_int",
    "staff_note",
]


@dataclass(frozen=True)
class EffectContext:
    """What an effect builder may read about the decision."""

    decision_id: str
    case_id: str
    case_type: CaseType
    outcome: str
    team: str
    variables: DecisionVariables
    policy: OutcomeMappingPolicy


@dataclass(frozen=True)
class ActionDraft:
    """An action before it gets its idempotency key (which depends on its position)."""

    kind: ActionKind
    target_id: str
    params: dict[str, Any] = field(default_factory=dict)

    def params_json(self) -> str:
        """``params`` as deterministic JSON text."""
        return compact_json(self.params)


def format_tag(template: str, ctx: EffectContext) -> str:
    """A tag from a policy template; commas are dropped because Shopify splits tags on them."""
    tag = template.format(
        team=ctx.team, case_id=ctx.case_id, case_type=ctx.case_type.value, outcome=ctx.outcome
    )
    return tag.replace(",", " ").strip()[:255]


def order_gid(ctx: EffectContext, why: str) -> str:
    return gid("Order", ctx.variables.require("orderId", why))


def staff_note(ctx: EffectContext, text: str | None) -> str:
    head = f"casebridge {ctx.case_type.value} case {ctx.case_id}: {ctx.outcome} by {ctx.team}"
    return f"{head}: {text}" if text else head


def positive_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise DecisionDataError(f"{what}: expected a positive integer, got {value!r}")
    try:
        number = int(value)
    except ValueError:
        raise DecisionDataError(f"{what}: expected a positive integer, got {value!r}") from None
    if number < 1:
        raise DecisionDataError(f"{what}: expected a positive integer, got {value!r}")
    return number


def json_objects(items: list[Any], name: str) -> list[dict[str, Any]]:
    if not all(isinstance(item, dict) for item in items):
        raise DecisionDataError(f"variable {name!r}: expected a list of JSON objects")
    return items


def camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.capitalize() for part in rest)
