"""From a decision (case type + outcome + variables) to the concrete Shopify actions.

The use-case table of ``docs/architecture.md``, as the defaults of
:class:`~streams.policy.outcomes.OutcomeMappingPolicy` encode it:

=====================  ==============  =============================================
case type              outcome         actions, in order
=====================  ==============  =============================================
ORDER_REVIEW           approve         RELEASE_HOLD per held fulfillment order
                       reject          CANCEL_ORDER (FRAUD for risky orders, else
                                       DECLINED; refund, restock, notify, staff note)
                       correct         UPDATE_ORDER (address, note), ADD_TAGS, then
                                       RELEASE_HOLD
HIGH_VALUE_REVIEW      approve         RELEASE_HOLD (final step only, see source.py)
                       reject          CANCEL_ORDER (customer notified)
RETURN_REVIEW          approve         APPROVE_RETURN, REFUND (or a replacement:
                                       ADD_NOTE + ADD_TAGS, exchanges are manual)
                       decline         DECLINE_RETURN (reason + note)
FULFILLMENT_EXCEPTION  split           SPLIT_FULFILLMENT
                       substitute      EDIT_ORDER (line to 0, variant added)
                       cancel_lines    EDIT_ORDER (lines to 0)
                       reschedule      RESCHEDULE_FULFILLMENT
                       cancel          CANCEL_ORDER
                       resolve(d)      ADD_NOTE (the resolution, on the order)
CHARGEBACK             any             ADD_NOTE, ADD_TAGS ``chargeback:<outcome>``,
                                       SET_METAFIELD ``casebridge.dispute_<id>``,
                                       UPDATE_DISPUTE_EVIDENCE if evidence is given
COMPLAINT              any             none (one-way)
CONTENT_REVIEW         any             none; ADD_TAGS on the product if the policy
                                       sets ``tag_content_products``
OFFLINE_ORDER          approve         CREATE_ORDER (from the ``orders.offline`` record)
                       reject          none
=====================  ==============  =============================================

A case that lists ``allowedOutcomes`` (a JSON list of outcome words, set when
it opened) only accepts those: any other outcome is an
:class:`~streams.decisions.errors.OutcomeNotOfferedError`, so a decision the
case cannot support is dead-lettered with a clear reason instead of failing
later in Shopify (or being guessed). Outcomes compare after alias resolution.

Every decision that changes Shopify also gets an audit action appended last:
ADD_TAGS ``casebridge:<team>:<case id>`` on the order (or the tagged product).
A tag, not a note, because ``tagsAdd`` appends and is idempotent, while an
order note is a single field that corrections and other apps overwrite; and
last, so an ``orderUpdate`` earlier in the list cannot wipe it. OFFLINE_ORDER
gets no audit action (the order does not exist yet); its audit tag is carried
in the :class:`~schemas.records.OfflineOrder` ``tags`` instead.

Idempotency keys come from :func:`~streams.runtime.keys.idempotency_key`
(decision id + position + kind), so re-mapping the same decision always gives
identical actions.
"""

from __future__ import annotations

from collections.abc import Iterable

from schemas.records import Action, ActionKind, CaseDecision, CaseType, CaseVariable
from streams.decisions.effects import EFFECTS, ActionDraft, EffectContext, format_tag
from streams.decisions.errors import DecisionError, OutcomeNotOfferedError, UnmappedOutcomeError
from streams.decisions.variables import DecisionVariables
from streams.policy.outcomes import WILDCARD, Effect, OutcomeMappingPolicy
from streams.runtime.keys import gid, hold_handle, idempotency_key

__all__ = [
    "OutcomeMapper",
    "OutcomeMappingPolicy",
    "hold_handle",
    "idempotency_key",
]


class OutcomeMapper:
    """Maps decisions to actions under one :class:`OutcomeMappingPolicy`.

    Stateless apart from the policy, so one instance serves every agent; build
    a new one when the policy file is reloaded.
    """

    def __init__(self, policy: OutcomeMappingPolicy | None = None) -> None:
        self._policy = policy or OutcomeMappingPolicy()
        self._aliases = self._policy.all_aliases()

    @property
    def policy(self) -> OutcomeMappingPolicy:
        """The policy in force."""
        return self._policy

    def effects_for(
        self, case_type: CaseType, outcome: str, *, case_id: str | None = None
    ) -> list[Effect]:
        """The effects of ``outcome`` for ``case_type``.

        Raises:
            UnmappedOutcomeError: neither the outcome, its alias nor ``"*"`` is mapped.
        """
        table = self._policy.table_for(case_type)
        word = outcome.strip().lower()
        for key in (word, self._aliases.get(word), WILDCARD):
            if key is not None and key in table:
                return list(table[key])
        raise UnmappedOutcomeError(case_type.value, outcome, sorted(table), case_id=case_id)

    def is_mapped(self, case_type: CaseType, outcome: str) -> bool:
        """Whether ``outcome`` has a mapping for ``case_type``."""
        try:
            self.effects_for(case_type, outcome)
        except UnmappedOutcomeError:
            return False
        return True

    def actions(
        self,
        *,
        decision_id: str,
        case_id: str,
        case_type: CaseType,
        outcome: str,
        team: str,
        variables: Iterable[CaseVariable],
    ) -> list[Action]:
        """The actions of a decision, audit tag last, with their idempotency keys.

        Raises:
            UnmappedOutcomeError: the outcome is not mapped for the case type.
            DecisionDataError: a variable an effect needs is missing or malformed.
        """
        ctx = EffectContext(
            decision_id=decision_id,
            case_id=case_id,
            case_type=case_type,
            outcome=outcome.strip().lower(),
            team=team,
            variables=DecisionVariables(variables, case_id=case_id),
            policy=self._policy,
        )
        try:
            self._check_offered(ctx)
            drafts: list[ActionDraft] = []
            for effect in self.effects_for(case_type, outcome, case_id=case_id):
                drafts.extend(EFFECTS[effect](ctx))
            audit = self._audit(ctx, drafts)
        except DecisionError as exc:
            if exc.case_id is None:
                exc.case_id = case_id
            raise
        if audit is not None:
            drafts.append(audit)
        return [
            Action(
                kind=draft.kind,
                target_id=draft.target_id,
                params=draft.params_json(),
                idempotency_key=idempotency_key(decision_id, index, draft.kind),
            )
            for index, draft in enumerate(drafts)
        ]

    def _check_offered(self, ctx: EffectContext) -> None:
        """Refuse an outcome the case's ``allowedOutcomes`` does not list."""
        allowed = ctx.variables.text_list("allowedOutcomes")
        if allowed is None:
            return  # the case does not restrict its outcomes
        canonical = {self._aliases.get(a.lower(), a.lower()) for a in allowed}
        if self._aliases.get(ctx.outcome, ctx.outcome) not in canonical:
            raise OutcomeNotOfferedError(
                ctx.case_type.value, ctx.outcome, allowed, case_id=ctx.case_id
            )

    def map_decision(self, decision: CaseDecision) -> CaseDecision:
        """``decision`` with its ``actions`` (re)computed from outcome and variables."""
        actions = self.actions(
            decision_id=decision.decision_id,
            case_id=decision.case_id,
            case_type=decision.case_type,
            outcome=decision.outcome,
            team=decision.team or "unknown",
            variables=decision.variables,
        )
        return decision.model_copy(update={"actions": actions})

    def audit_tag(self, *, case_id: str, case_type: CaseType, outcome: str, team: str) -> str:
        """The audit tag of a decision (also put on offline orders)."""
        ctx = EffectContext(
            decision_id="",
            case_id=case_id,
            case_type=case_type,
            outcome=outcome.strip().lower(),
            team=team,
            variables=DecisionVariables(()),
            policy=self._policy,
        )
        return format_tag(self._policy.audit_tag_format, ctx)

    def _audit(self, ctx: EffectContext, drafts: list[ActionDraft]) -> ActionDraft | None:
        # Only decisions that change Shopify are audited there; one-way cases
        # are tracked in cases.state alone.
        if not self._policy.audit_tags or not drafts:
            return None
        if any(d.kind is ActionKind.CREATE_ORDER for d in drafts):
            return None  # the order does not exist yet; the tag rides on the OfflineOrder
        tag = format_tag(self._policy.audit_tag_format, ctx)
        order = ctx.variables.text("orderId")
        if order is not None:
            target = gid("Order", order)
        else:
            # No order (e.g. a product-only content case): tag what was tagged.
            tagged = [d for d in drafts if d.kind is ActionKind.ADD_TAGS]
            if not tagged:
                return None
            target = tagged[0].target_id
        return ActionDraft(ActionKind.ADD_TAGS, target, {"tags": [tag]})
