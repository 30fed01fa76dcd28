"""Configuration of the emulator: tenant, credentials, models, decisions, callback.

One frozen pydantic object, validated once at start; :func:`load_config` reads
the same shape from YAML. The defaults give one model per casebridge case type
(``casebridge.order_review`` ... ``casebridge.chargeback``), manual decisions
and no callback, which is what the contract tests want.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from emulators.opentext.errors import EmulatorConfigError

DecisionMode = Literal["manual", "auto"]
#: How ``auto`` picks an outcome no rule decides: a seeded draw, or the first outcome.
DecisionPick = Literal["weighted", "first"]
RuleOperator = Literal["gt", "ge", "lt", "le", "eq", "ne", "exists"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StepConfig(_Frozen):
    """One approval task of a model; steps run one after another."""

    key: str = Field(description="taskDefinitionKey of the task, e.g. 'salesApproval'")
    name: str = Field(description="human-readable task name")
    candidate_groups: tuple[str, ...] = Field(min_length=1, description="teams offered the task")


class ModelConfig(_Frozen):
    """A process model (definition): sequential approval steps and their outcomes.

    Completing a step with one of ``advance_outcomes`` opens the next step;
    any other outcome, or completing the last step, ends the instance and
    stores the outcome in ``outcome_variable``.
    """

    key: str
    name: str
    case_type: str
    version: int = Field(default=1, ge=1)
    steps: tuple[StepConfig, ...] = Field(min_length=1)
    outcome_variable: str = "approvalStatus"
    outcomes: tuple[str, ...] = ("approved", "rejected")
    advance_outcomes: tuple[str, ...] = ("approved",)
    start_message: str | None = Field(
        default=None, description="message name that starts this model via {'message': ...}"
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        if not self.outcomes:
            raise ValueError(f"model {self.key}: outcomes must not be empty")
        unknown = set(self.advance_outcomes) - set(self.outcomes)
        if unknown:
            raise ValueError(
                f"model {self.key}: advance_outcomes {sorted(unknown)} not in outcomes"
            )
        keys = [step.key for step in self.steps]
        if len(set(keys)) != len(keys):
            raise ValueError(f"model {self.key}: step keys must be unique")
        return self


class DecisionRule(_Frozen):
    """``<variable> <op> <value> -> outcome``, tried in order before the weights."""

    variable: str
    op: RuleOperator = "gt"
    value: Any = None
    outcome: str


class ModelDecisionPolicy(_Frozen):
    """How the sandbox decides the tasks of one model when in ``auto`` mode."""

    mode: DecisionMode | None = Field(default=None, description="overrides the global mode")
    rules: tuple[DecisionRule, ...] = ()
    weights: dict[str, float] = Field(
        default_factory=dict,
        description=(
            "outcome -> relative probability when no rule matches; empty = every outcome"
            " the case supports equally (decisions.pick 'weighted') or the first ('first')"
        ),
    )


class DecisionsConfig(_Frozen):
    """The sandbox decision policy: who completes tasks nobody completes through the API."""

    mode: DecisionMode = "manual"
    delay_seconds: float = Field(default=5.0, ge=0)
    seed: int = 0
    pick: DecisionPick = Field(
        default="weighted",
        description="'weighted': seeded draw among supported outcomes; 'first': first outcome",
    )
    match_variables: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "process variables an instance must have (equal values) for its tasks to be"
            " decided automatically; others wait as in manual mode (e.g. {shop: ...})"
        ),
    )
    assignee: str = "sandbox-decider@casebridge.local"
    tick_seconds: float = Field(default=0.1, gt=0, description="how often due tasks are checked")
    policies: dict[str, ModelDecisionPolicy] = Field(
        default_factory=dict, description="model key -> policy"
    )


class CallbackConfig(_Frozen):
    """An HttpTask-style push: POST each decision to ``url``.

    ``auth`` chooses a bearer token (``Authorization: Bearer <bearer_token>``)
    or an HMAC-SHA256 of the raw body with ``hmac_secret`` in
    ``signature_header`` as ``sha256=<hex>``.
    """

    url: str | None = None
    auth: Literal["none", "bearer", "hmac"] = "none"
    bearer_token: str | None = None
    hmac_secret: str | None = None
    signature_header: str = "X-Casebridge-Signature"
    events: Literal["instance_end", "task_complete"] = Field(
        default="instance_end",
        description="post when an instance ends (the decision) or after every task",
    )
    max_attempts: int = Field(default=4, ge=1)
    backoff_seconds: float = Field(default=0.5, ge=0)
    timeout_seconds: float = Field(default=5.0, gt=0)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.auth == "bearer" and not self.bearer_token:
            raise ValueError("callback auth 'bearer' needs bearer_token")
        if self.auth == "hmac" and not self.hmac_secret:
            raise ValueError("callback auth 'hmac' needs hmac_secret")
        return self


class ClientConfig(_Frozen):
    """One more OAuth client (another service user) and the tasks its tokens see."""

    client_secret: str
    candidate_groups: tuple[str, ...] | None = Field(
        default=None, description="groups whose tasks it sees and acts on; None: every task"
    )


class StrictConfig(_Frozen):
    """Switches that make the emulator as inconvenient as the real service may be.

    Each is something OpenText's documentation does not promise (or its sample
    models do), so a client tested only against the convenient default could
    break on a real tenant. :meth:`every` turns them all on.

    Attributes:
        omit_totals: history lists carry neither ``page.totalElements`` nor ``_links.next``.
        ignore_sort: history lists ignore ``sort``/``order`` (they come in id order).
        ignore_offset: history lists ignore ``offset`` (every page is the first one).
        child_process_tasks: each task lives in a child process instance (a call
            activity); find it with ``processInstanceIdWithChildren``.
        terminate_ends: instances end through terminate end events: the historic
            instance carries a ``deleteReason``.
        omit_task_outcome: historic tasks have no ``outcome`` field (the outcome is in
            the process variables only, as the engine stores it).
        replayed_completion_404: acting on a finished task answers 404 (it left the
            runtime), not 409.
    """

    omit_totals: bool = False
    ignore_sort: bool = False
    ignore_offset: bool = False
    child_process_tasks: bool = False
    terminate_ends: bool = False
    omit_task_outcome: bool = False
    replayed_completion_404: bool = False

    @classmethod
    def every(cls) -> StrictConfig:
        """Every switch on."""
        return cls(**dict.fromkeys(cls.model_fields, True))


def _step(key: str, name: str, *groups: str) -> StepConfig:
    return StepConfig(key=key, name=name, candidate_groups=groups)


def default_models() -> tuple[ModelConfig, ...]:
    """One model per casebridge case type, routed to the teams of the architecture."""
    return (
        ModelConfig(
            key="casebridge.order_review",
            name="Order review",
            case_type="ORDER_REVIEW",
            steps=(_step("orderReview", "Review flagged order", "fraud", "finance", "operations"),),
            outcomes=("approved", "rejected", "corrected"),
        ),
        ModelConfig(
            key="casebridge.high_value_review",
            name="High-value order review",
            case_type="HIGH_VALUE_REVIEW",
            steps=(
                _step("salesApproval", "Sales approval", "sales"),
                _step("financeApproval", "Finance approval", "finance", "operations"),
            ),
            # Asking the customer ends the review with the order held (either step).
            outcomes=("approved", "rejected", "clarification_requested"),
        ),
        ModelConfig(
            key="casebridge.return_review",
            name="Return review",
            case_type="RETURN_REVIEW",
            steps=(
                _step("returnReview", "Review return request", "customer_service", "warehouse"),
            ),
            outcomes=("approved", "declined"),
        ),
        ModelConfig(
            key="casebridge.complaint",
            name="Customer complaint",
            case_type="COMPLAINT",
            steps=(_step("complaintHandling", "Handle complaint", "customer_service"),),
            outcomes=("resolved", "escalated", "closed"),
            advance_outcomes=(),
        ),
        ModelConfig(
            key="casebridge.fulfillment_exception",
            name="Fulfillment exception",
            case_type="FULFILLMENT_EXCEPTION",
            steps=(
                _step(
                    "fulfillmentDecision",
                    "Resolve fulfillment exception",
                    "warehouse",
                    "logistics",
                    "customer_service",
                ),
            ),
            outcomes=("split", "substitute", "cancel_lines", "reschedule", "cancel", "resolved"),
            advance_outcomes=(),
        ),
        ModelConfig(
            key="casebridge.content_review",
            name="Content review",
            case_type="CONTENT_REVIEW",
            steps=(
                _step("contentReview", "Review content", "legal", "merchandising", "marketing"),
            ),
            outcomes=("approved", "revision_requested", "rejected"),
        ),
        ModelConfig(
            key="casebridge.offline_order",
            name="Offline order intake",
            case_type="OFFLINE_ORDER",
            steps=(_step("offlineOrderApproval", "Validate offline order", "sales", "finance"),),
            start_message="casebridge.offline_order.start",
        ),
        ModelConfig(
            key="casebridge.chargeback",
            name="Chargeback",
            case_type="CHARGEBACK",
            steps=(
                _step(
                    "chargebackReview",
                    "Review chargeback",
                    "customer_service",
                    "warehouse",
                    "finance",
                ),
            ),
            outcomes=("accepted", "contested"),
            advance_outcomes=(),
        ),
    )


class EmulatorConfig(_Frozen):
    """Everything the emulator needs; validated once when built.

    Attributes:
        tenant_id: the tenant in ``/tenants/{tenant}/oauth2/token`` and in answers.
        subscription_id: answered as ``subscriptionId``.
        client_id: the one OAuth client accepted.
        client_secret: its secret.
        token_ttl_seconds: lifetime of access tokens.
        scope: answered in the token response.
        start_user_id: answered as ``startUserId`` (the service user of the client).
        runtime_includes_ended: if true, ended instances stay visible under
            ``/workflow/v1/process-instances``; the engine's default hides them
            there (they remain in history).
        client_groups: the groups whose tasks the main client's tokens see (None: all).
        clients: more OAuth clients by client id, each with its own task visibility.
        strict: the strict modes (:class:`StrictConfig`).
        models: the deployed models.
        decisions: the sandbox decision policy.
        callback: the optional decision push.
    """

    tenant_id: str = "casebridge-dev"
    subscription_id: str = "casebridge-dev-subscription"
    client_id: str = "casebridge"
    client_secret: str = "casebridge-secret"  # a sandbox default, published on purpose
    token_ttl_seconds: int = Field(default=3600, ge=1)
    scope: str = "otds:roles"
    start_user_id: str = "casebridge-service"
    runtime_includes_ended: bool = False
    client_groups: tuple[str, ...] | None = None
    clients: dict[str, ClientConfig] = Field(default_factory=dict)
    strict: StrictConfig = Field(default_factory=StrictConfig)
    models: tuple[ModelConfig, ...] = Field(default_factory=default_models, min_length=1)
    decisions: DecisionsConfig = Field(default_factory=DecisionsConfig)
    callback: CallbackConfig = Field(default_factory=CallbackConfig)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.client_id in self.clients:
            raise ValueError(f"client {self.client_id!r} is the main client; not in clients")
        seen: set[tuple[str, int]] = set()
        by_key: dict[str, ModelConfig] = {}
        for model in self.models:
            if (model.key, model.version) in seen:
                raise ValueError(f"model {model.key} version {model.version} defined twice")
            seen.add((model.key, model.version))
            by_key[model.key] = model
        for key, policy in self.decisions.policies.items():
            if key not in by_key:
                raise ValueError(f"decision policy for unknown model {key!r}")
            allowed = set(by_key[key].outcomes)
            named = {rule.outcome for rule in policy.rules} | set(policy.weights)
            if not named <= allowed:
                raise ValueError(
                    f"decision policy for {key}: outcomes {sorted(named - allowed)} "
                    f"not in the model's outcomes {sorted(allowed)}"
                )
            if any(weight < 0 for weight in policy.weights.values()):
                raise ValueError(f"decision policy for {key}: weights must be >= 0")
        return self


def build_config(data: dict[str, Any] | None = None) -> EmulatorConfig:
    """Validate a plain mapping into an :class:`EmulatorConfig`.

    Raises:
        EmulatorConfigError: the mapping is not a valid configuration.
    """
    try:
        return EmulatorConfig.model_validate(data or {})
    except ValidationError as exc:
        raise EmulatorConfigError(f"invalid emulator configuration: {exc}") from exc


def load_config(path: str | Path) -> EmulatorConfig:
    """Read an :class:`EmulatorConfig` from a YAML file.

    Raises:
        EmulatorConfigError: the file cannot be read, is not YAML, or is not valid.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise EmulatorConfigError(f"cannot read emulator config {path}: {exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise EmulatorConfigError(f"emulator config {path} is not valid YAML: {exc}") from exc
    if data is not None and not isinstance(data, dict):
        raise EmulatorConfigError(f"emulator config {path} must be a mapping at the top level")
    try:
        return EmulatorConfig.model_validate(data or {})
    except ValidationError as exc:
        raise EmulatorConfigError(f"invalid emulator config {path}: {exc}") from exc
